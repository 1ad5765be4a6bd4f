package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.common.Cli;
import io.keel.node.NodeContext;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator or a client meets at the gateway's door: the connection limit says why, metrics listen on
 * loopback unless told otherwise, and {@code keel gateway add-user} shows and takes only its own options and writes
 * an owner-only users file.
 */
@Timeout(60)
class GatewayFrontDoorTest
{
    private GatewayTestEnv env;
    private File dir;

    @AfterEach
    void tearDown()
    {
        if (env != null)
        {
            env.close();
        }
        if (dir != null)
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    void shouldTellAClientRefusedAtTheConnectionLimitWhy()
    {
        env = GatewayTestEnv.start("connection-limit", 1);
        final Gateway gateway = env.startGateway((config) -> config.maxConnections(1));
        final Reports first = new Reports();
        final KeelClient one = env.client(env.clientContext(1, first));

        final KeelClient two = new KeelClient(env.clientContext(2, new Reports()).connectTimeoutMs(5_000));
        final KeelClientException refused = assertThrows(KeelClientException.class, two::connect);
        assertEquals("connection to 127.0.0.1:" + gateway.port() + " closed during logon: SHUTDOWN: connection limit " +
            "of 1 reached: retry later or use another gateway", refused.getMessage());
        two.close();

        // A refused connection does not hold a place: once the first one leaves, the next gets in.
        one.close();
        env.await(() -> connectsAfterLimit(env), 10_000, "a connection after the first left");
        assertEquals(2, gateway.logons());
    }

    private static boolean connectsAfterLimit(final GatewayTestEnv env)
    {
        try (KeelClient three = new KeelClient(env.clientContext(3, new Reports()).connectTimeoutMs(2_000)))
        {
            three.connect();
            return true;
        }
        catch (final KeelClientException stillFull)
        {
            return false;
        }
    }

    @Test
    void shouldBindMetricsToLoopbackByDefault()
    {
        assertEquals("127.0.0.1", new GatewayContext().metricsBind());
        assertEquals("127.0.0.1", new NodeContext().metricsBind());
        final GatewayMain gateway = new GatewayMain();
        new CommandLine(gateway).parseArgs();
        assertEquals("127.0.0.1", gateway.metricsBind);
        new CommandLine(gateway).parseArgs("--metrics-bind", "0.0.0.0");
        assertEquals("0.0.0.0", gateway.metricsBind);
    }

    @Test
    void shouldShowAndTakeOnlyItsOwnOptionsInAddUser() throws Exception
    {
        final String help = new CommandLine(new GatewayMain()).getSubcommands().get("add-user").getUsageMessage();
        for (final String option : new String[] {"--users", "--username", "--account", "--password-env", "--iterations",
            "--help"})
        {
            assertTrue(help.contains(option), option + " in\n" + help);
        }
        for (final String option : new String[] {"--breaker-timeout-ms", "--cluster-timeout-ms", "--port", "--hosts",
            "--version", "--metrics"})
        {
            assertFalse(help.contains(option), option + " in\n" + help);
        }

        dir = new File("target/gateway-tests/add-user-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(dir, "test dir");
        final Path users = dir.toPath().resolve("users.txt");
        assertEquals(Cli.EXIT_USAGE, addUser("--users", users.toString(), "--username", "alice", "--account", "7",
            "--breaker-timeout-ms", "5"));
        assertFalse(Files.exists(users));

        assertEquals(0, addUser("--users", users.toString(), "--username", "alice", "--account", "7",
            "--iterations", Integer.toString(CredentialsStore.MIN_ITERATIONS)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
        assertEquals(7, CredentialsStore.load(users).verify("alice", "s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    private static int addUser(final String... options)
    {
        final String[] args = new String[options.length + 1];
        args[0] = "add-user";
        System.arraycopy(options, 0, args, 1, options.length);
        final InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream("s3cret\n".getBytes(StandardCharsets.UTF_8)));
        try
        {
            return Cli.run(new GatewayMain(), "keel gateway", args);
        }
        finally
        {
            System.setIn(stdin);
        }
    }
}
