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
@Timeout(90)
class GatewayProcessTest
{
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
