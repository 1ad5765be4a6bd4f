package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A password check slower than the client's heartbeat timeout (a gateway's first PBKDF2 after start took ~440 ms)
 * must not log the client out right after its {@code LogonResponse(OK)}: the heartbeat clock starts when the logon
 * completes, not when the Logon arrived.
 */
@Timeout(90)
class GatewaySlowLogonTest
{
    private static final int HEARTBEAT_MS = 200;
    private static final long CHECK_TARGET_MS = 1_500;

    private GatewayTestEnv env;

    @AfterEach
    void tearDown()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldNotLogOutAClientWhosePasswordCheckOutlastedItsHeartbeatTimeout() throws Exception
    {
        env = GatewayTestEnv.start("slow-logon", 1);
        final int iterations = iterationsTaking(CHECK_TARGET_MS, env.dir().toPath().resolve("calibration.txt"));
        CredentialsStore.addUser(env.usersFile(), "slow", 3, "slow-pw".getBytes(StandardCharsets.UTF_8), iterations);
        env.startGateway((config) -> {});

        final Reports reports = new Reports();
        final long startNs = System.nanoTime();
        final KeelClient client = env.client(env.clientContext(3, reports)
            .username("slow").password("slow-pw").heartbeatIntervalMs(HEARTBEAT_MS).connectTimeoutMs(20_000));
        final long logonMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.println("slow logon: " + iterations + " PBKDF2 iterations, logon took " + logonMs + " ms, heartbeat " +
            HEARTBEAT_MS + " ms (timeout " + 2 * HEARTBEAT_MS + " ms)");
        assertTrue(logonMs > 3L * HEARTBEAT_MS, "the check must outlast the heartbeat timeout for this test to mean " +
            "anything: " + logonMs + " ms");

        // Several heartbeat timeouts with the client heartbeating as it should: still logged on, and trading.
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(6L * HEARTBEAT_MS);
        env.pollUntil(() -> System.nanoTime() - until > 0 || !reports.logouts.isEmpty() || !reports.disconnects.isEmpty(),
            10_000, "some heartbeat timeouts", client);
        assertEquals(0, reports.logouts.size(), "logged out: " + reports.logouts);
        assertTrue(reports.disconnects.isEmpty(), "disconnected: " + reports.disconnects);
        assertTrue(client.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1));
        env.pollUntil(() -> reports.has(1, ExecType.NEW), 10_000, "order after the slow logon acknowledged", client);
    }

    /**
     * PBKDF2 iterations whose check takes about {@code targetMs} on this machine (measured warm, so the gateway's
     * check, which may be cold, takes at least that).
     */
    private static int iterationsTaking(final long targetMs, final Path file) throws Exception
    {
        final int probe = 200_000;
        final byte[] password = "probe".getBytes(StandardCharsets.UTF_8);
        CredentialsStore.addUser(file, "probe", 1, password, probe);
        final CredentialsStore store = CredentialsStore.load(file);
        long bestNs = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            final long startNs = System.nanoTime();
            assertEquals(1, store.verify("probe", password));
            bestNs = Math.min(bestNs, System.nanoTime() - startNs);
        }
        Files.delete(file);
        final double nsPerIteration = (double)bestNs / probe;
        return (int)Math.max(CredentialsStore.MIN_ITERATIONS, TimeUnit.MILLISECONDS.toNanos(targetMs) / nsPerIteration);
    }
}
