package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keel gateway} as its own OS process, as operators run it: it serves clients, and SIGTERM
 * logs them out and exits cleanly with code 0.
 */
@Timeout(120)
class GatewayProcessTest
{
    private static final long SESSION_TIMEOUT_MS = 60_000;

    private GatewayTestEnv env;
    private Process process;

    @AfterEach
    void stop()
    {
        if (process != null && process.isAlive())
        {
            process.destroyForcibly();
        }
        if (env != null)
        {
            env.close();
        }
    }

    /**
     * kill -9 leaves the gateway's cluster session alive until the cluster times it out (10 s; an election restarts
     * that clock). The restarted process finds its predecessor dead (its lock on the incarnation file is gone), names
     * it, and takes its session over at once: clients log on again well before the timeout. A second process on a
     * live gateway's directory does not start.
     */
    @Test
    void shouldTakeOverTheSessionOfAGatewayKilledWithSigkillAtOnce() throws Exception
    {
        // A long session timeout, so that a logon before it can only come from the take-over (a loaded machine
        // takes seconds to start a gateway JVM).
        env = GatewayTestEnv.start("process-takeover", 1, (config) -> config.sessionTimeoutMs(SESSION_TIMEOUT_MS));
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final File aeronDir = new File(env.usersFile().toFile().getParentFile(), "takeover-gateway-aeron");
        process = startGateway(port, aeronDir);

        final Reports reports = new Reports();
        final KeelClient client = env.client(new KeelClient.Context()
            .port(port).username("trader1").password("pw1").autoReconnect(false).listener(reports));
        client.newOrder(1, 8, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1);
        env.pollUntil(() -> reports.has(1, ExecType.NEW), 20_000, "order resting", client);

        final Process twin = new ProcessBuilder(gatewayCommand(port + 1 == 65536 ? port - 1 : port + 1, aeronDir))
            .redirectErrorStream(true).start();
        try
        {
            assertTrue(twin.waitFor(30, TimeUnit.SECONDS), "a second process on a live gateway's directory exits");
            final String output = new String(twin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, twin.exitValue(), output);
            assertTrue(output.contains("another gateway process runs with this gateway id and directory"), output);
        }
        finally
        {
            twin.destroyForcibly();
        }

        process.destroyForcibly(); // SIGKILL: its cluster session stays open on the cluster
        final long killNs = System.nanoTime();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        env.pollUntil(() -> !reports.disconnects.isEmpty(), 20_000, "connection lost", client);

        final long restartNs = System.nanoTime();
        process = startGateway(port, aeronDir);
        final Reports again = new Reports();
        KeelClient resumed = null;
        final long deadline = killNs + TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS / 2);
        while (resumed == null)
        {
            assertTrue(System.nanoTime() - deadline < 0,
                "no logon through the restarted gateway within half the cluster's session timeout of the kill");
            final KeelClient attempt = new KeelClient(new KeelClient.Context()
                .port(port).username("trader1").password("pw1").autoReconnect(false).listener(again));
            try
            {
                attempt.connect();
                resumed = attempt.isLoggedOn() ? attempt : null;
            }
            catch (final RuntimeException refused)
            {
                // the gateway's cluster session is not in yet
            }
            if (resumed == null)
            {
                attempt.close();
                Thread.sleep(100);
            }
        }
        System.out.println("takeover: logged on again " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs) +
            " ms after the restart, " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs) + " ms after the kill");
        try
        {
            resumed.newOrder(2, 8, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 901, 1);
            final KeelClient polled = resumed;
            env.pollUntil(() -> again.has(2, ExecType.NEW), 20_000, "order through the restarted gateway", polled);
        }
        finally
        {
            resumed.close();
        }
    }

    private List<String> gatewayCommand(final int port, final File aeronDir)
    {
        return List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            GatewayMain.class.getName(),
            "--users", aeronDir.getParentFile().toPath().resolve("users.txt").toString(),
            "--cluster", env.cluster().ingressEndpoints(),
            "--port", Integer.toString(port),
            "--udp-port", "0",
            "--gateway-id", "3",
            "--aeron-dir", aeronDir.getPath());
    }

    private Process startGateway(final int port, final File aeronDir) throws Exception
    {
        final Process started = new ProcessBuilder(gatewayCommand(port, aeronDir)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BufferedReader stdout = new BufferedReader(
            new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
        final String firstLine = stdout.readLine();
        assertTrue(firstLine != null && firstLine.startsWith("gateway: listening on 127.0.0.1:" + port), firstLine);
        // Keep draining its output so the process never blocks on a full pipe.
        final Thread drain = new Thread(() ->
        {
            try
            {
                String line;
                while ((line = stdout.readLine()) != null)
                {
                    System.out.println("[gateway process] " + line);
                }
            }
            catch (final java.io.IOException ignore)
            {
                // process gone
            }
        }, "gateway-stdout");
        drain.setDaemon(true);
        drain.start();
        return started;
    }

    @Test
    void shouldServeClientsAndStopCleanlyOnSigterm() throws Exception
    {
        env = GatewayTestEnv.start("process", 1);
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final File users = env.usersFile().toFile();
        final String endpoints = env.cluster().ingressEndpoints();

        process = new ProcessBuilder(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            GatewayMain.class.getName(),
            "--users", users.getPath(),
            "--cluster", endpoints,
            "--port", Integer.toString(port),
            "--udp-port", "0",
            "--gateway-id", "3",
            "--aeron-dir", new File(users.getParentFile(), "process-gateway-aeron").getPath()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        final BufferedReader stdout = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String firstLine = stdout.readLine();
        assertTrue(firstLine != null && firstLine.startsWith("gateway: listening on 127.0.0.1:" + port), firstLine);

        final Reports reports = new Reports();
        final KeelClient client = env.client(new KeelClient.Context()
            .port(port).username("trader1").password("pw1").autoReconnect(false).listener(reports));
        assertTrue(client.isLoggedOn());
        client.newOrder(1, 8, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1);
        env.pollUntil(() -> reports.has(1, ExecType.CANCELED), 20_000, "IOC order answered", client);

        process.destroy(); // SIGTERM
        env.pollUntil(() -> !reports.disconnects.isEmpty(), 20_000, "logged out by the gateway", client);
        assertEquals(List.of(LogoutReason.SHUTDOWN), reports.logouts);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "gateway process exited");
        // 143 is the JVM's code for "ended by SIGTERM" once the shutdown hooks (our clean stop) have run.
        assertTrue(process.exitValue() == 0 || process.exitValue() == 143, "exit code " + process.exitValue());
    }

}
