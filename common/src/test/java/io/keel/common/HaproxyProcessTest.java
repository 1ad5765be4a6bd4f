package io.keel.common;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deploy/haproxy.cfg} as it is, run by a real HAProxy through {@link HaproxyProcess}, in front of two stand-in
 * gateways (a TCP listener and a {@code /health} each): it checks, terminates TLS with a certificate from
 * {@link TlsCertificates}, sends the PROXY protocol v2 header naming the client first, and sends nothing to a server
 * whose {@code /health} is 503.
 */
@Timeout(60)
class HaproxyProcessTest
{
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private Path dir;
    private HaproxyProcess haproxy;
    private final StandIn[] gateways = new StandIn[2];

    @AfterEach
    void tearDown() throws IOException
    {
        if (haproxy != null)
        {
            haproxy.kill();
        }
        for (final StandIn gateway : gateways)
        {
            if (gateway != null)
            {
                gateway.close();
            }
        }
        TlsCertificatesTest.delete(dir);
    }

    @Test
    void shouldFindAndCheckTheConfigurationAsTheTestsFillItIn() throws Exception
    {
        dir = TlsCertificatesTest.testDir("haproxy-check");
        final Path pem = TlsCertificates.generate(dir, "localhost", 1).pem();
        final Path config = HaproxyInstallation.findConfig();
        assertTrue(config.endsWith("deploy/haproxy.cfg"), config.toString());

        final HaproxyProcess.Context context = context(pem, 9100, 9500, 9110, 9510);
        assertTrue(HaproxyInstallation.check(context).contains("Configuration file is valid"));
        assertEquals("127.0.0.1", context.environment().get("KEEL_HAPROXY_BIND"));
        assertEquals("9510", context.environment().get("KEEL_GW2_HEALTH_PORT"));

        assertEquals("deploy/haproxy.cfg has 2 server lines: give 2 gateways, not 1",
            assertThrows(IllegalArgumentException.class, () -> new HaproxyProcess.Context().port(9443).pem(pem)
                .server("127.0.0.1", 9100, 9500).logFile(dir.resolve("haproxy.log")).conclude()).getMessage());
    }

    @Test
    void shouldTerminateTlsAndSendTheClientsAddressToAHealthyGatewayOnly() throws Exception
    {
        dir = TlsCertificatesTest.testDir("haproxy-route");
        final TlsCertificates.CertificateFiles tls = TlsCertificates.generate(dir, "localhost", 1);
        gateways[0] = new StandIn(200);
        gateways[1] = new StandIn(503);
        haproxy = HaproxyProcess.start(context(tls.pem(),
            gateways[0].port(), gateways[0].healthPort(), gateways[1].port(), gateways[1].healthPort()));
        haproxy.awaitLog("gateways/gw2 is DOWN", 10_000);

        for (int i = 0; i < 3; i++)
        {
            try (SSLSocket client = (SSLSocket)TlsCertificates.clientContextTrusting(tls.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", haproxy.context().port()))
            {
                client.startHandshake();
                client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();

                final byte[] received = gateways[0].received.poll(10, TimeUnit.SECONDS);
                assertNotNull(received, "the healthy gateway got the connection");
                assertArrayEquals(SIGNATURE, Arrays.copyOf(received, 12));
                assertEquals(0x21, received[12], "v2, PROXY");
                assertEquals(0x11, received[13], "TCP over IPv4");
                final int length = ((received[14] & 0xFF) << 8) | (received[15] & 0xFF);
                assertArrayEquals(InetAddress.getLoopbackAddress().getAddress(), Arrays.copyOfRange(received, 16, 20));
                assertEquals(client.getLocalPort(), ((received[24] & 0xFF) << 8) | (received[25] & 0xFF),
                    "the client's own port");
                assertEquals("hello", new String(received, 16 + length, received.length - 16 - length,
                    StandardCharsets.US_ASCII), "then the client's bytes, decrypted");
            }
        }
        assertEquals(0, gateways[1].connections, "nothing for the gateway whose /health is 503");
    }

    @Test
    void shouldRunFromTheLauncherInTheForegroundUntilSigterm() throws Exception
    {
        dir = TlsCertificatesTest.testDir("haproxy-launcher");
        final Path pem = TlsCertificates.generate(dir, "localhost", 1).pem();
        final Path keel = HaproxyInstallation.findConfig().getParent().getParent().resolve("bin/keel");

        assertEquals(0, launcher(keel, "haproxy", "--help").waitFor());
        final Process check = launcher(keel, "haproxy", "--pem", pem.toString(), "--check",
            "--gateway", "127.0.0.1:9100:9500", "--gateway", "10.0.0.2:9100:9500");
        assertTrue(new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .contains("Configuration file is valid"));
        assertEquals(0, check.waitFor());
        assertUsageError(launcher(keel, "haproxy", "--gateway", "127.0.0.1:9100:9500", "--pem", pem.toString()),
            "keel haproxy: give --gateway twice (deploy/haproxy.cfg has two server lines), not 1 time(s) " +
            "(try keel haproxy --help)");
        assertUsageError(launcher(keel, "haproxy", "--port", "70000"),
            "keel haproxy: --port must be in 1..65535: 70000 (try keel haproxy --help)");

        final int port = FreePorts.tcpPort();
        final Process foreground = launcher(keel, "haproxy", "--pem", pem.toString(), "--port", Integer.toString(port));
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!accepts(port))
            {
                assertTrue(foreground.isAlive() && System.nanoTime() - deadline < 0, "HAProxy listening on " + port);
                Thread.sleep(20);
            }
            foreground.destroy();
            assertTrue(foreground.waitFor(5, TimeUnit.SECONDS), "SIGTERM stops it");
        }
        finally
        {
            foreground.destroyForcibly();
        }
    }

    private static Process launcher(final Path keel, final String... args) throws IOException
    {
        final String[] command = new String[args.length + 1];
        command[0] = keel.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void assertUsageError(final Process process, final String line) throws Exception
    {
        assertEquals(line + "\n", new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(2, process.waitFor());
    }

    private static boolean accepts(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private HaproxyProcess.Context context(
        final Path pem, final int port1, final int health1, final int port2, final int health2)
    {
        return new HaproxyProcess.Context()
            .port(FreePorts.tcpPort())
            .pem(pem)
            .server("127.0.0.1", port1, health1)
            .server("127.0.0.1", port2, health2)
            .logFile(dir.resolve("haproxy.log"));
    }

    /**
     * A gateway's outline: a TCP port whose connections' first bytes (header and "hello") are queued, and a
     * {@code /health} with a fixed status.
     */
    private static final class StandIn implements AutoCloseable
    {
        final BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(16);
        volatile int connections;
        private final ServerSocket server;
        private final HttpServer health;
        private final Thread acceptor;

        StandIn(final int healthStatus) throws IOException
        {
            server = new ServerSocket();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            health.createContext("/health", (exchange) ->
            {
                exchange.sendResponseHeaders(healthStatus, -1);
                exchange.close();
            });
            health.start();
            acceptor = new Thread(this::accept, "stand-in-gateway");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void accept()
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    connections++;
                    socket.setSoTimeout(5_000);
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    final byte[] fixed = new byte[16];
                    in.readFully(fixed);
                    final byte[] rest = new byte[(((fixed[14] & 0xFF) << 8) | (fixed[15] & 0xFF)) + 5];
                    in.readFully(rest);
                    final byte[] all = Arrays.copyOf(fixed, fixed.length + rest.length);
                    System.arraycopy(rest, 0, all, fixed.length, rest.length);
                    received.add(all);
                }
                catch (final IOException ex)
                {
                    // Closed, or a connection that ended early: the test sees nothing queued.
                }
            }
        }

        int port()
        {
            return server.getLocalPort();
        }

        int healthPort()
        {
            return health.getAddress().getPort();
        }

        public void close()
        {
            health.stop(0);
            try
            {
                server.close();
                acceptor.join(5_000);
            }
            catch (final IOException | InterruptedException ignore)
            {
            }
        }
    }
}
