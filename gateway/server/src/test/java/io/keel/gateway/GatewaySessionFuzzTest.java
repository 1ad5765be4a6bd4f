package io.keel.gateway;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keel.client.KeelClient;
import io.keel.codecs.FrameDecoder;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.ResendRequestEncoder;
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
        // A short backoff: a fuzzed wrong password must not delay the next conversation's answer past its bound.
        env.startGateway((config) ->
        {
            config.logonTimeoutMs(300).minHeartbeatMs(50);
            config.limits().logonBackoffMs(20).logonBackoffMaxMs(200);
        });
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
        converse(logOnFirst, user, data.consumeRemainingAsBytes());
    }

    /**
     * The shapes the gateway's bounds answer, steered by the first bytes so that seeds are easy to write:
     * {@code input[0] % 3} picks a frame around the ingress's largest (0), a client message with a longer block
     * and/or trailing bytes (1), or a flood of idle connections from the same address before the conversation (2).
     * Whatever the shape, the conversation ends in a Logout and a closed connection, and nothing escapes the duty
     * cycle.
     */
    @FuzzTest(maxDuration = "5s")
    void hostileShapesEndInALogoutAndAClosedConnection(final byte[] input) throws IOException
    {
        execs++;
        final int mode = at(input, 0) % 3;
        final int p1 = at(input, 1);
        final int p2 = at(input, 2);
        final int p3 = at(input, 3);
        final byte[] rest = input.length > 4 ? java.util.Arrays.copyOfRange(input, 4, input.length) : new byte[0];
        final int user = 2 + p1 % (USERS - 1);
        switch (mode)
        {
            case 0:
                converse(true, user, aroundTheLargestFrame(p2 % 17 - 8, p3, rest));
                break;

            case 1:
                converse((p1 & 1) == 0, user, paddedMessage(p2, p3, rest));
                break;

            default:
                final List<Socket> flood = new ArrayList<>();
                try (SilentCloseable allowed = allowLoopback())
                {
                    // Up to twice the per-address pending limit: beyond it the conversation itself is refused, told why.
                    for (int i = 0; i < p2 % (2 * EdgeLimits.MAX_PENDING_PER_ADDRESS_DEFAULT + 1); i++)
                    {
                        final Socket idle = new Socket();
                        idle.connect(new InetSocketAddress("127.0.0.1", env.gateway().port()), 5_000);
                        flood.add(idle);
                    }
                    converse((p1 & 1) == 0, user, rest);
                }
                finally
                {
                    for (final Socket idle : flood)
                    {
                        idle.close();
                    }
                }
                break;
        }
    }

    private static int at(final byte[] input, final int index)
    {
        return index < input.length ? input[index] & 0xFF : 0;
    }

    /**
     * A NewOrder-headed frame of the largest length plus {@code delta}, its block length and body from the input.
     */
    private static byte[] aroundTheLargestFrame(final int delta, final int blockLengthHigh, final byte[] body)
    {
        final int sbeLength = IngressLimits.MAX_MESSAGE_LENGTH + delta;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[sbeLength]);
        for (int i = 0; i < sbeLength && body.length > 0; i++)
        {
            buffer.putByte(i, body[i % body.length]);
        }
        new MessageHeaderEncoder().wrap(buffer, 0)
            .blockLength((blockLengthHigh << 8 | 0x30) & 0xFFFF)
            .templateId(NewOrderEncoder.TEMPLATE_ID)
            .schemaId(NewOrderEncoder.SCHEMA_ID)
            .version(NewOrderEncoder.SCHEMA_VERSION);
        return RawClient.frame(buffer, sbeLength);
    }

    /**
     * A valid client message ({@code which} picks it) with {@code extraBlock} bytes more in its block (and its header
     * saying so) and the input's bytes after its last field.
     */
    private static byte[] paddedMessage(final int which, final int extraBlock, final byte[] trailing)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[512]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final int length;
        switch (which % 4)
        {
            case 0:
                length = MessageHeaderEncoder.ENCODED_LENGTH + new NewOrderEncoder().wrapAndApplyHeader(message, 0, header)
                    .clOrdId(which).instrumentId(1).side(Side.BUY).ordType(OrdType.LIMIT).timeInForce(TimeInForce.IOC)
                    .price(900).quantity(1).encodedLength();
                break;
            case 1:
                length = MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder().wrapAndApplyHeader(message, 0, header)
                    .timestampNs(which).encodedLength();
                break;
            case 2:
                length = MessageHeaderEncoder.ENCODED_LENGTH + new ResendRequestEncoder()
                    .wrapAndApplyHeader(message, 0, header).fromSeqNo(1).toSeqNo(0).encodedLength();
                break;
            default:
                length = MessageHeaderEncoder.ENCODED_LENGTH + new LogonEncoder().wrapAndApplyHeader(message, 0, header)
                    .heartbeatIntervalMs(100).nextExpectedSeqNo(0).username("trader2").password("pw2")
                    .responseChannel("").encodedLength();
                break;
        }
        final int blockLength = header.buffer().getShort(0, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int extra = extraBlock % 64;
        final int trailingLength = Math.min(trailing.length, 256);
        final UnsafeBuffer padded = new UnsafeBuffer(new byte[length + extra + trailingLength]);
        final int blockEnd = MessageHeaderEncoder.ENCODED_LENGTH + blockLength;
        padded.putBytes(0, message, 0, blockEnd);
        padded.putShort(0, (short)(blockLength + extra), java.nio.ByteOrder.LITTLE_ENDIAN);
        padded.putBytes(blockEnd + extra, message, blockEnd, length - blockEnd);
        padded.putBytes(length + extra, trailing, 0, trailingLength);
        return RawClient.frame(padded, padded.capacity());
    }

    /**
     * Connect (optionally log on), send the bytes and a Logout, and read until closed: well-formed frames ending in a
     * Logout, within the bound, and no gateway error.
     */
    private static void converse(final boolean logOnFirst, final int user, final byte[] bytes) throws IOException
    {
        try (SilentCloseable allowed = allowLoopback();
            Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", env.gateway().port()), 5_000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(200);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            try
            {
                if (logOnFirst)
                {
                    out.write(RawClient.logon("trader" + user, "pw" + user, 100));
                }
                out.write(bytes);
                out.write(logout());
                out.flush();
            }
            catch (final IOException ex)
            {
                // Refused (a flood's limit) or dropped while we were still writing: what it said is read below.
            }

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
