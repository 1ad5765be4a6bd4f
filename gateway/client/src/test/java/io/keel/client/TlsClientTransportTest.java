package io.keel.client;

import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.Sofh;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TlsClientTransport} against the JDK's own TLS server (an echo of SOFH frames) on loopback, with a key made by
 * keytool for the test: messages larger than a TLS record, records split across reads (a relay passes the server's
 * bytes on 7 at a time), the server's close_notify, a handshake that never completes, and what a round trip
 * allocates. The real gateway behind a real HAProxy is in {@code ClientTlsTest}.
 */
@Timeout(60)
class TlsClientTransportTest
{
    private static final char[] STORE_PASSWORD = "store-pw".toCharArray();

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private final Received received = new Received();
    private static Path dir;
    private static SSLContext serverContext;
    private static ClientTls clientTls;
    private TlsClientTransport transport;

    @BeforeAll
    static void makeKeys() throws Exception
    {
        dir = Files.createDirectories(new File("target/tls-transport-" + System.nanoTime()).toPath());
        final Path store = dir.resolve("server.p12");
        final Path cert = dir.resolve("cert.pem");
        keytool("-genkeypair", "-alias", "gw", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", store.toString(), "-storepass", new String(STORE_PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "gw", "-keystore", store.toString(), "-storepass",
            new String(STORE_PASSWORD), "-file", cert.toString());

        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(KeyStore.getInstance(store.toFile(), STORE_PASSWORD), STORE_PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        clientTls = new ClientTls(ClientTls.sslContext(cert, null, null), null);
    }

    @AfterAll
    static void deleteKeys()
    {
        if (dir != null)
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    @BeforeEach
    void newTransport()
    {
        transport = new TlsClientTransport(clientTls, received, false);
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        CloseHelper.quietClose(transport);
        closeables.forEach(CloseHelper::quietClose);
        for (final Thread thread : threads)
        {
            thread.join(5_000);
        }
    }

    @Test
    void shouldCarryMessagesOfEverySizeBothWaysAcrossRecordsAndReadsThatSplitThem() throws Exception
    {
        final int serverPort = startEchoServer(false);
        final int relayPort = startTrickleRelay(serverPort);
        transport.open(new Endpoint("127.0.0.1", relayPort), deadline(5_000));

        final int[] lengths = {16, 100, 16_000, 16_400, 40_000, 65_530, 17, 33_000};
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++)
        {
            final UnsafeBuffer message = message(i, lengths[i]);
            sent.add(Arrays.copyOf(message.byteArray(), lengths[i]));
            int result;
            while ((result = transport.offer(message, 0, lengths[i])) == 0)
            {
                transport.poll();
            }
            assertEquals(1, result);
        }
        pollUntil(() -> received.messages.size() == lengths.length, 20_000);
        for (int i = 0; i < lengths.length; i++)
        {
            assertArrayEquals(sent.get(i), received.messages.get(i), "message " + i + " of " + lengths[i] + " bytes");
        }
        assertEquals(List.of(), received.losses);
    }

    @Test
    void shouldTellTheServersCloseNotifyAsALostConnection() throws Exception
    {
        final int serverPort = startEchoServer(true);
        transport.open(new Endpoint("127.0.0.1", serverPort), deadline(5_000));
        transport.offer(message(1, 16), 0, 16);
        pollUntil(() -> !received.losses.isEmpty(), 10_000);
        assertEquals(1, received.messages.size(), "the echo before the close is delivered first");
        assertEquals(List.of("closed by gateway (TLS close_notify)"), received.losses);
    }

    @Test
    void shouldGiveUpTheHandshakeAtTheDeadlineWhenTheServerSaysNothing() throws Exception
    {
        final ServerSocket silent = new ServerSocket();
        closeables.add(silent);
        silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final Endpoint endpoint = new Endpoint("127.0.0.1", silent.getLocalPort());
        final long startNs = System.nanoTime();
        final KeelClientException failed =
            assertThrows(KeelClientException.class, () -> transport.open(endpoint, deadline(300)));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals("TLS handshake with " + endpoint + " failed: not done within the connect timeout",
            failed.getMessage());
        assertTrue(tookMs >= 250 && tookMs < 3_000, "honours the deadline: " + tookMs + " ms");
        assertTrue(!transport.isOpen());
    }

    /**
     * The JDK's engine allocates on every wrap and unwrap (JDK 17: a result, and an AES-GCM cipher set up per record,
     * about 1.6 KB each way), which no caller can avoid. So what a round trip through the transport allocates is
     * compared, in the same run, with what a bare wrap and unwrap of the same message allocates between two engines in
     * memory: the transport must add nothing that grows with messages. The engine's own figure moves by up to ~200
     * bytes with what the JIT made of its callers, hence the slack.
     */
    @Test
    void shouldAllocateNothingPerRoundTripBeyondWhatTheJdksEngineDoes() throws Exception
    {
        final int count = 5_000;
        // The engine's code is shared: measured first, it is compiled by the time the transport is; the least of
        // three runs each leaves out what the JIT did meanwhile.
        final long engineBytes = bareEngineBytesPerWrapAndUnwrap(Sofh.HEADER_LENGTH + 64, count);

        final int serverPort = startEchoServer(false);
        transport.open(new Endpoint("127.0.0.1", serverPort), deadline(5_000));
        received.keep = false;
        final UnsafeBuffer message = message(1, 64);
        roundTrips(message, count);
        long transportBytes = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++)
        {
            final long before = allocatedBytes();
            roundTrips(message, count);
            transportBytes = Math.min(transportBytes, (allocatedBytes() - before) / count);
        }
        System.out.println("TLS round trip allocates " + transportBytes + " bytes through TlsClientTransport, " +
            engineBytes + " bytes in the JDK's SSLEngine alone (one wrap and one unwrap)");
        assertTrue(transportBytes <= engineBytes + 512,
            transportBytes + " bytes per round trip, the engine alone " + engineBytes);
    }

    private long bareEngineBytesPerWrapAndUnwrap(final int length, final int count) throws IOException
    {
        final javax.net.ssl.SSLEngine client = clientTls.newEngine(new Endpoint("localhost", 1));
        final javax.net.ssl.SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        final ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
        final ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
        final ByteBuffer[] clientApp = {ByteBuffer.allocateDirect(1 << 17)};
        final ByteBuffer[] serverApp = {ByteBuffer.allocateDirect(1 << 17)};
        final ByteBuffer[] none = {ByteBuffer.allocateDirect(0)};
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < 100 && !(isHandshaken(client) && isHandshaken(server)); i++)
        {
            handshakeStep(client, none, toServer, toClient, clientApp);
            handshakeStep(server, none, toClient, toServer, serverApp);
        }
        assertTrue(isHandshaken(client) && isHandshaken(server), "engines in memory shook hands");
        final ByteBuffer[] plain = {ByteBuffer.allocateDirect(length)};
        final Runnable wrapAndUnwrap = () ->
        {
            try
            {
                plain[0].clear();
                toServer.clear();
                client.wrap(plain, 0, 1, toServer);
                toServer.flip();
                serverApp[0].clear();
                server.unwrap(toServer, serverApp, 0, 1);
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        };
        for (int i = 0; i < 4 * count; i++)
        {
            wrapAndUnwrap.run();
        }
        long least = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++)
        {
            final long before = allocatedBytes();
            for (int i = 0; i < count; i++)
            {
                wrapAndUnwrap.run();
            }
            least = Math.min(least, (allocatedBytes() - before) / count);
        }
        return least;
    }

    private static boolean isHandshaken(final javax.net.ssl.SSLEngine engine)
    {
        return engine.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void handshakeStep(
        final javax.net.ssl.SSLEngine engine, final ByteBuffer[] none, final ByteBuffer out, final ByteBuffer in,
        final ByteBuffer[] app) throws IOException
    {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null)
        {
            task.run();
        }
        switch (engine.getHandshakeStatus())
        {
            case NEED_WRAP:
                engine.wrap(none, 0, 1, out);
                break;

            case NEED_UNWRAP:
            case NEED_UNWRAP_AGAIN:
                in.flip();
                engine.unwrap(in, app, 0, 1);
                in.compact();
                break;

            default:
                break;
        }
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private void roundTrips(final UnsafeBuffer message, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long before = received.count;
            while (transport.offer(message, 0, 64) == 0)
            {
                transport.poll();
            }
            while (received.count == before)
            {
                if (transport.poll() < 0)
                {
                    throw new AssertionError("lost: " + received.losses);
                }
            }
        }
    }

    private static long deadline(final long ms)
    {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private void pollUntil(final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = deadline(timeoutMs);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0,
                "timed out: " + received.messages.size() + " messages, losses " + received.losses);
            if (transport.isOpen() && transport.poll() == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * A Heartbeat padded to {@code length} bytes with a pattern: valid SBE (trailing bytes are allowed), any size.
     */
    private static UnsafeBuffer message(final int seed, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(seed * 31 + i));
        }
        new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).timestampNs(seed);
        return buffer;
    }

    /**
     * The JDK's TLS server: echoes every SOFH frame; with {@code closeAfterOne}, closes (close_notify) after the first.
     */
    private int startEchoServer(final boolean closeAfterOne) throws IOException
    {
        final SSLServerSocket server = (SSLServerSocket)serverContext.getServerSocketFactory().createServerSocket();
        closeables.add(server);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("tls-echo", () ->
        {
            try (SSLSocket socket = (SSLSocket)server.accept())
            {
                socket.setTcpNoDelay(true);
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                final OutputStream out = socket.getOutputStream();
                final byte[] header = new byte[Sofh.HEADER_LENGTH];
                while (true)
                {
                    in.readFully(header);
                    final int frameLength = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN).getInt(0);
                    final byte[] frame = Arrays.copyOf(header, frameLength);
                    in.readFully(frame, Sofh.HEADER_LENGTH, frameLength - Sofh.HEADER_LENGTH);
                    out.write(frame);
                    out.flush();
                    if (closeAfterOne)
                    {
                        return;
                    }
                }
            }
        });
        return server.getLocalPort();
    }

    /**
     * Passes bytes on between the client and the server, the server's 7 at a time, so that the client's reads end
     * inside records.
     */
    private int startTrickleRelay(final int serverPort) throws IOException
    {
        final ServerSocket relay = new ServerSocket();
        closeables.add(relay);
        relay.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("relay", () ->
        {
            final Socket client = relay.accept();
            final Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
            closeables.add(client);
            closeables.add(server);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            start("relay-up", () -> copy(client.getInputStream(), server.getOutputStream(), 64 * 1024));
            copy(server.getInputStream(), client.getOutputStream(), 7);
        });
        return relay.getLocalPort();
    }

    private static void copy(final InputStream in, final OutputStream out, final int chunk) throws IOException
    {
        final byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            for (int offset = 0; offset < read; offset += chunk)
            {
                out.write(buffer, offset, Math.min(chunk, read - offset));
                out.flush();
            }
        }
    }

    private interface IoAction
    {
        void run() throws IOException;
    }

    private void start(final String name, final IoAction action)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                action.run();
            }
            catch (final IOException closed)
            {
                // the test is over, or the peer went
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static void keytool(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool: " + output);
    }

    private static final class Received implements ClientTransport.Listener
    {
        final List<byte[]> messages = new ArrayList<>();
        final List<String> losses = new ArrayList<>();
        boolean keep = true;
        long count;

        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            count++;
            if (keep)
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                messages.add(copy);
            }
            return true;
        }

        public void onLost(final String reason)
        {
            losses.add(reason);
        }
    }
}
