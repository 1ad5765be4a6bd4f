package io.keel.gateway;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keel.client.KeelClient;
import io.keel.codecs.FrameDecoder;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arbitrary bytes into a real gateway (a 1-node cluster behind it) over a real TCP connection,
 * before or after a valid logon, followed by a Logout: whatever the bytes, the gateway answers
 * with well-formed frames, ends the conversation with a Logout and closes the connection within a
 * bound (a reject and disconnect, or the Logout's answer — never a stuck connection), logs no
 * error (no exception escaped its duty cycle), and keeps serving a well-behaved client.
 * <p>
 * {@code mvn test} replays the inputs under {@code GatewaySessionFuzzTestInputs/}; to fuzz:
 * {@code JAZZER_FUZZ=1 mvn test -pl gateway -am -Dtest=GatewaySessionFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class GatewaySessionFuzzTest
{
    private static final int USERS = 8;
    private static final long CLOSE_WITHIN_MS = 5_000;
    private static final AtomicLong ERRORS = new AtomicLong();
    private static final List<String> ERROR_LINES = new ArrayList<>();
    private static GatewayTestEnv env;
    private static PrintStream originalErr;
    private static long execs;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("session-fuzz", 1);
        env.startGateway((config) -> config.logonTimeoutMs(300).minHeartbeatMs(50));
        // The gateway's lifecycle log goes to stderr, one line per connection: keep only errors.
        originalErr = System.err;
        System.setErr(new PrintStream(new OutputStream()
        {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            public synchronized void write(final int b)
            {
                if (b == '\n')
                {
                    final String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    if (text.contains("\"event\":\"error\""))
                    {
                        ERRORS.incrementAndGet();
                        synchronized (ERROR_LINES)
                        {
                            ERROR_LINES.add(text);
                        }
                        originalErr.println(text);
                    }
                    else if (!text.startsWith("{"))
                    {
                        originalErr.println(text);
                    }
                }
                else
                {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop()
    {
        try
        {
            if (env != null)
            {
                // The gateway still serves a well-behaved client after all that.
                final Reports reports = new Reports();
                final KeelClient client;
                try (SilentCloseable allowed = allowLoopback())
                {
                    client = env.client(env.clientContext(1, reports));
                }
                assertTrue(client.newOrder(1, 1, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1));
                env.pollUntil(() -> client.inFlight() == 0, 10_000, "an order answered after the fuzzing", client);
                assertEquals(0, ERRORS.get(), "gateway errors: " + ERROR_LINES);
                System.out.println("gateway session fuzz: " + execs + " inputs, " + env.gateway().protocolErrors() +
                    " protocol errors answered, 0 gateway errors");
            }
        }
        finally
        {
            if (originalErr != null)
            {
                System.setErr(originalErr);
            }
            if (env != null)
            {
                env.close();
            }
        }
    }

    @FuzzTest(maxDuration = "5s")
    void anyBytesEndInALogoutAndAClosedConnection(final FuzzedDataProvider data) throws IOException
    {
        execs++;
        final boolean logOnFirst = data.consumeBoolean();
        final int user = data.consumeInt(2, USERS);
        final byte[] bytes = data.consumeRemainingAsBytes();

        try (SilentCloseable allowed = allowLoopback();
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", env.gateway().port()), 5_000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(200);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            if (logOnFirst)
            {
                out.write(RawClient.logon("trader" + user, "pw" + user, 100));
            }
            out.write(bytes);
            out.write(logout());
            out.flush();

            final List<Integer> templates = new ArrayList<>();
            final String[] frameError = new String[1];
            final FrameDecoder decoder = new FrameDecoder(64 * 1024,
                (buffer, offset, length, templateId) -> templates.add(templateId),
                (error, detail) -> frameError[0] = error + " " + detail);
            final byte[] chunk = new byte[8192];
            final long deadline = System.nanoTime() + CLOSE_WITHIN_MS * 1_000_000L;
            while (true)
            {
                final int read;
                try
                {
                    read = in.read(chunk);
                }
                catch (final SocketTimeoutException ex)
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        fail("the gateway neither closed nor logged out within " + CLOSE_WITHIN_MS + " ms; it sent " +
                            templates);
                    }
                    continue;
                }
                catch (final IOException ex)
                {
                    break; // reset after its Logout: closed
                }
                if (read < 0)
                {
                    break;
                }
                decoder.onData(new UnsafeBuffer(chunk), 0, read);
            }
            assertFalse(decoder.isFailed(), "the gateway sent a malformed frame: " + frameError[0]);
            assertEquals(0, decoder.bufferedLength(), "the gateway closed in the middle of a frame");
            assertFalse(templates.isEmpty(), "closed without a word");
            assertEquals(LogoutDecoder.TEMPLATE_ID, templates.get(templates.size() - 1).intValue(),
                "the last message is a Logout: " + templates);
        }
        assertEquals(0, ERRORS.get(), "gateway errors: " + ERROR_LINES);
    }

    /**
     * Connecting to the gateway is the point here, not a server-side request forgery: tell Jazzer's
     * SSRF detector (active while fuzzing) that loopback connections are expected.
     */
    private static SilentCloseable allowLoopback()
    {
        try
        {
            return BugDetectors.allowNetworkConnections(
                (host, port) -> "127.0.0.1".equals(host) || "localhost".equals(host));
        }
        catch (final IllegalStateException ex)
        {
            return () -> {}; // no Jazzer agent (plain regression run): nothing to tell
        }
    }

    private static byte[] logout()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final LogoutEncoder logout = new LogoutEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .reason(LogoutReason.CLIENT_REQUEST)
            .text("");
        return RawClient.frame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + logout.encodedLength());
    }
}
