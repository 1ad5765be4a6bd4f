package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.Sofh;
import io.keel.codecs.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients against a real gateway in front of a real 1-node cluster, over real sockets: a flood of idle
 * connections, password guessing, messages larger than their template or than the cluster's ingress takes, and a
 * fault planted in the duty cycle. Each gets its bounded answer, and after each a well-behaved client (from another
 * address than the attacker's) still logs on and trades within {@link #WELL_BEHAVED_BOUND_MS} — a generous bound that
 * says "not blocked", not a latency benchmark.
 * <p>
 * Attackers connect from 127.0.0.2 and up (any 127/8 address is loopback on Linux); the well-behaved client from
 * 127.0.0.1.
 */
@Timeout(120)
class HostileClientTest
{
    private static final long WELL_BEHAVED_BOUND_MS = 2_000;
    private static final int FLOOD = 300;
    private static final String POISONED_USER = "trader7";
    private static final long BACKOFF_MS = 100;
    private static final long BACKOFF_MAX_MS = 800;
    private static final int LOCKOUT_FAILURES = 5;

    private static GatewayTestEnv env;
    private static Gateway gateway;
    private static String adminSecret;
    private static long nextClOrdId = 1;

    @BeforeAll
    static void start() throws Exception
    {
        env = GatewayTestEnv.start("hostile", 1);
        final Path secretFile = env.dir().toPath().resolve("admin.secret");
        adminSecret = "hostile-test-admin-secret";
        Files.writeString(secretFile, adminSecret + "\n");
        gateway = env.startGateway((config) ->
        {
            config.faultInjector((connection, templateId) ->
            {
                if (templateId == NewOrderDecoder.TEMPLATE_ID && connection.session != null &&
                    POISONED_USER.equals(connection.session.username))
                {
                    throw new IllegalStateException("fault planted by HostileClientTest");
                }
            });
            config.limits()
                .logonBackoffMs(BACKOFF_MS)
                .logonBackoffMaxMs(BACKOFF_MAX_MS)
                .lockoutFailures(LOCKOUT_FAILURES)
                .adminPort(-1)
                .adminSecretFile(secretFile);
        });
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    /**
     * After every case: a new client logs on and gets an order acknowledged, each within the bound.
     */
    @AfterEach
    void wellBehavedClientStillLogsOnAndTrades()
    {
        final Reports reports = new Reports();
        final long startNs = System.nanoTime();
        final KeelClient client = env.client(env.clientContext(1, reports).connectTimeoutMs(WELL_BEHAVED_BOUND_MS));
        final long logonMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(client.isLoggedOn());
        assertTrue(logonMs <= WELL_BEHAVED_BOUND_MS, "logon took " + logonMs + " ms");
        final long clOrdId = nextClOrdId++;
        final long orderNs = System.nanoTime();
        assertTrue(client.newOrder(clOrdId, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1));
        env.pollUntil(() -> reports.has(clOrdId, ExecType.NEW), WELL_BEHAVED_BOUND_MS, "well-behaved order acked", client);
        System.out.println("well-behaved client: logon " + logonMs + " ms, order acked " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - orderNs) + " ms");
        client.close();
    }

    @Test
    void shouldLogOnWithinOneSecondUnderAnIdleFloodFromOneAddress()
    {
        final long refusedBefore = gateway.refusedConnections();
        final long perAddressBefore = gateway.refusedPerAddress();
        final long acceptedBefore = gateway.connectionsAccepted();
        final List<RawClient> flood = new ArrayList<>();
        try
        {
            for (int i = 0; i < FLOOD; i++)
            {
                flood.add(new RawClient(gateway.port(), 0, "127.0.0.2"));
            }
            env.await(() -> gateway.refusedConnections() - refusedBefore + gateway.connectionsAccepted() -
                acceptedBefore == FLOOD, 10_000, "the whole flood accepted or refused by the gateway");

            // Another address logs on at once, with the flood's connections still open (well within the logon timeout).
            final long startNs = System.nanoTime();
            env.client(env.clientContext(2, new Reports()).connectTimeoutMs(1_000)).close();
            final long logonMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            System.out.println("logon under a " + FLOOD + "-connection idle flood from one address: " + logonMs + " ms");
            assertTrue(logonMs < 1_000, "logon took " + logonMs + " ms");

            // The flood's address had its pending slots; every other connection of it was refused, and told why.
            final int admitted = EdgeLimits.MAX_PENDING_PER_ADDRESS_DEFAULT;
            assertEquals(FLOOD - admitted, gateway.refusedPerAddress() - perAddressBefore);
            final RawClient.Message refusal = flood.get(FLOOD - 1).read();
            assertNotNull(refusal, "a refused connection gets a Logout before the close");
            assertEquals(LogoutDecoder.TEMPLATE_ID, refusal.templateId());
            assertEquals(LogoutReason.SHUTDOWN, refusal.logoutReason());
            assertTrue(refusal.logoutText().contains("not logged on per address reached for 127.0.0.2"),
                refusal.logoutText());
        }
        finally
        {
            flood.forEach(RawClient::close);
        }
    }

    @Test
    void shouldCountAFloodThroughAProxyByTheAddressItsHeaderNames()
    {
        final Gateway proxied = env.launchExtraGateway(8, (config) -> config.proxyProtocolFrom("127.0.0.1"));
        final byte[] floodHeader = ProxyProtocolV2ParserTest.ipv4("203.0.113.7", 40000, "127.0.0.1", 9100, new byte[0]);
        final List<RawClient> flood = new ArrayList<>();
        try
        {
            for (int i = 0; i < FLOOD; i++)
            {
                final RawClient raw = new RawClient(proxied.port());
                raw.send(floodHeader);
                flood.add(raw);
            }
            // Counted by the client's address once the header names it (the proxy's own address is not limited).
            env.await(() -> proxied.refusedPerAddress() + proxied.evictedConnections() >=
                FLOOD - EdgeLimits.MAX_PENDING_PER_ADDRESS_DEFAULT, 10_000, "the proxied flood bounded");
            assertTrue(proxied.refusedPerAddress() > 0);

            // Another client through the same proxy logs on and trades at once.
            try (RawClient client = new RawClient(proxied.port()))
            {
                final long startNs = System.nanoTime();
                client.send(ProxyProtocolV2ParserTest.ipv4("198.51.100.9", 40001, "127.0.0.1", 9100, new byte[0]));
                client.send(RawClient.logon("trader6", "pw6", 10_000));
                final RawClient.Message response = client.read();
                final long logonMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertEquals(LogonResult.OK, response.logonResult());
                assertTrue(logonMs < 1_000, "logon through the proxy took " + logonMs + " ms");
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                client.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + order(buffer, 77).encodedLength());
                RawClient.Message report;
                do
                {
                    report = client.read();
                    assertNotNull(report, "closed before the order's report");
                }
                while (report.templateId() != io.keel.codecs.ExecutionReportDecoder.TEMPLATE_ID);
            }
        }
        finally
        {
            flood.forEach(RawClient::close);
        }
    }

    @Test
    void shouldEvictTheOldestIdleConnectionWhenThePendingSlotsAreFull()
    {
        final long evictedBefore = gateway.evictedConnections();
        final int perAddress = EdgeLimits.MAX_PENDING_PER_ADDRESS_DEFAULT;
        final int total = EdgeLimits.MAX_PENDING_CONNECTIONS_DEFAULT;
        final int addresses = total / perAddress + 2;
        final List<RawClient> flood = new ArrayList<>();
        try
        {
            for (int a = 0; a < addresses; a++)
            {
                for (int i = 0; i < perAddress; i++)
                {
                    flood.add(new RawClient(gateway.port(), 0, "127.0.1." + (a + 1)));
                }
                // One address after the other: the first addresses' connections are the oldest.
                final int opened = flood.size();
                env.await(() -> gateway.evictedConnections() - evictedBefore >= Math.max(0, opened - total), 5_000,
                    "evictions once the pending slots are full");
            }
            final int expected = addresses * perAddress - total;
            env.await(() -> gateway.evictedConnections() - evictedBefore == expected, 5_000, expected + " evicted");
            final RawClient.Message evicted = flood.get(0).read();
            assertNotNull(evicted, "an evicted connection gets a Logout before the close");
            assertEquals(LogoutReason.LOGON_TIMEOUT, evicted.logoutReason());
            assertTrue(evicted.logoutText().contains("oldest that had sent nothing"), evicted.logoutText());

            // A client logging on takes one of the slots too: it evicts the oldest idle one, and logs on.
            final long startNs = System.nanoTime();
            env.client(env.clientContext(2, new Reports()).connectTimeoutMs(1_000)).close();
            final long logonMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertTrue(logonMs < 1_000, "logon took " + logonMs + " ms");
        }
        finally
        {
            flood.forEach(RawClient::close);
        }
    }

    @Test
    void shouldBackOffLockOutAndUnlockAPasswordGuesser()
    {
        final long backoffsBefore = gateway.logonBackoffs();
        final long uncheckedBefore = gateway.uncheckedLogons();
        final long[] answerMs = new long[LOCKOUT_FAILURES];
        for (int i = 0; i < LOCKOUT_FAILURES; i++)
        {
            answerMs[i] = failedLogon("trader3", "guess" + i, "127.0.0.3");
        }
        System.out.println("answers to wrong passwords (ms): " + java.util.Arrays.toString(answerMs));
        // Each answer waits out its backoff: 100, 200, 400, 800, 800 ms (capped) after the check.
        for (int i = 0; i < LOCKOUT_FAILURES; i++)
        {
            final long backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_MS << i);
            assertTrue(answerMs[i] >= backoffMs, "failure " + (i + 1) + " answered after " + answerMs[i] + " ms");
        }
        assertEquals(LOCKOUT_FAILURES, gateway.logonBackoffs() - backoffsBefore);
        assertEquals(1, gateway.logonLockouts());

        // Locked out: even the right password gets the same answer, unchecked.
        failedLogon("trader3", "pw3", "127.0.0.4");
        assertEquals(1, gateway.uncheckedLogons() - uncheckedBefore);

        // An unknown user is answered as a known one with a wrong password, backoff included.
        final long unknownMs = failedLogon("nobody-" + System.nanoTime(), "guess", "127.0.0.5");
        assertTrue(unknownMs >= BACKOFF_MS, "unknown user answered after " + unknownMs + " ms");

        // Guesses in parallel with one being answered (within its backoff) are refused without a password check.
        final String user = "trader5";
        final List<RawClient> parallel = new ArrayList<>();
        try (RawClient first = new RawClient(gateway.port(), 0, "127.0.0.6"))
        {
            final long backoffs = gateway.logonBackoffs();
            first.send(RawClient.logon(user, "wrong", 1_000));
            env.await(() -> gateway.logonBackoffs() > backoffs, 5_000, "the first guess checked and failed");
            final long uncheckedBeforeParallel = gateway.uncheckedLogons();
            for (int i = 0; i < 4; i++)
            {
                final RawClient raw = new RawClient(gateway.port(), 0, "127.0.0.7");
                raw.send(RawClient.logon(user, "guess" + i, 1_000));
                parallel.add(raw);
            }
            for (final RawClient raw : parallel)
            {
                assertEquals(LogonResult.BAD_CREDENTIALS, raw.read().logonResult());
            }
            assertEquals(LogonResult.BAD_CREDENTIALS, first.read().logonResult());
            assertEquals(4, gateway.uncheckedLogons() - uncheckedBeforeParallel);
        }
        finally
        {
            parallel.forEach(RawClient::close);
        }

        // The operator clears the lockout on every gateway (here one), and the right password logs on again.
        final String answer = GatewayUnlock.unlock("127.0.0.1:" + gateway.adminPort(), "user=trader3", adminSecret);
        assertEquals("user trader3: lockout cleared", answer);
        assertTrue(GatewayUnlock.unlock("127.0.0.1:" + gateway.adminPort(), "user=trader3", "wrong secret")
            .startsWith("failed: HTTP 401"));
        final KeelClient unlocked = env.client(env.clientContext(3, new Reports()).connectTimeoutMs(5_000));
        assertTrue(unlocked.isLoggedOn());
        unlocked.close();
    }

    /**
     * @return ms from the Logon sent to the BAD_CREDENTIALS received.
     */
    private static long failedLogon(final String username, final String password, final String from)
    {
        try (RawClient raw = new RawClient(gateway.port(), 0, from))
        {
            final long startNs = System.nanoTime();
            raw.send(RawClient.logon(username, password, 1_000));
            final List<RawClient.Message> messages = raw.readUntilClosed();
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertEquals(List.of(LogonResponseDecoder.TEMPLATE_ID, LogoutDecoder.TEMPLATE_ID),
                RawClient.templates(messages));
            assertEquals(LogonResult.BAD_CREDENTIALS, messages.get(0).logonResult());
            return ms;
        }
    }

    @Test
    void shouldRejectFramesBeyondTheIngressOrTheirTemplate()
    {
        assertEquals(1_350, IngressLimits.MAX_FRAME_LENGTH);
        final IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
            () -> new GatewayContext().clusterEndpoints("0=localhost:1").credentialsFile(env.usersFile())
                .maxFrameLength(4096).conclude());
        assertTrue(tooLarge.getMessage().startsWith("--max-frame-length 4096 is more than the cluster ingress takes: " +
            "at most 1350"), tooLarge.getMessage());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
        final int orderLength = MessageHeaderEncoder.ENCODED_LENGTH + order(buffer, 1).encodedLength();

        // A frame one byte over the largest: refused by its SOFH length, before it is read.
        assertLoggedOnClientRefused(oversized(IngressLimits.MAX_FRAME_LENGTH + 1), "FRAME_TOO_LONG 1351");

        // The largest frame the ingress takes, an order with a block padded to fill it: refused by its block length.
        final int paddedBlock = IngressLimits.MAX_MESSAGE_LENGTH - MessageHeaderEncoder.ENCODED_LENGTH;
        order(buffer, 2);
        buffer.putShort(0, (short)paddedBlock, ByteOrder.LITTLE_ENDIAN);
        assertLoggedOnClientRefused(RawClient.frame(buffer, IngressLimits.MAX_MESSAGE_LENGTH),
            "BLOCK_LENGTH " + paddedBlock + " where template " + NewOrderDecoder.TEMPLATE_ID);

        // An order followed by bytes of nothing.
        order(buffer, 3);
        assertLoggedOnClientRefused(RawClient.frame(buffer, orderLength + 100), "TRAILING_BYTES 100");

        // A Logon with trailing bytes: refused before any password is checked.
        final UnsafeBuffer logon = new UnsafeBuffer(new byte[512]);
        final LogonEncoder encoder = new LogonEncoder().wrapAndApplyHeader(logon, 0, new MessageHeaderEncoder())
            .heartbeatIntervalMs(1_000).nextExpectedSeqNo(0).username("trader4").password("pw4").responseChannel("");
        try (RawClient raw = new RawClient(gateway.port(), 0, "127.0.0.8"))
        {
            raw.send(RawClient.frame(logon, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength() + 7));
            assertRefused(raw.readUntilClosed(), "TRAILING_BYTES 7");
        }
    }

    private static NewOrderEncoder order(final UnsafeBuffer buffer, final long clOrdId)
    {
        return new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clOrdId(clOrdId).instrumentId(GatewayTestEnv.INSTRUMENT).side(Side.BUY).ordType(OrdType.LIMIT)
            .timeInForce(TimeInForce.IOC).price(900).quantity(1);
    }

    private static byte[] oversized(final int frameLength)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[frameLength]);
        Sofh.writeHeader(frame, 0, frameLength - Sofh.HEADER_LENGTH);
        return frame.byteArray();
    }

    /**
     * Logged on as trader4 from its own address, then the bytes: a SessionReject naming the problem, a Logout, closed.
     */
    private static void assertLoggedOnClientRefused(final byte[] bytes, final String textContains)
    {
        try (RawClient raw = new RawClient(gateway.port(), 0, "127.0.0.8"))
        {
            raw.send(RawClient.logon("trader4", "pw4", 10_000));
            final RawClient.Message response = raw.read();
            assertEquals(LogonDecoder.TEMPLATE_ID + 1, response.templateId());
            assertEquals(LogonResult.OK, response.logonResult());
            raw.send(bytes);
            assertRefused(raw.readUntilClosed(), textContains);
        }
    }

    private static void assertRefused(final List<RawClient.Message> messages, final String textContains)
    {
        final List<Integer> templates = RawClient.templates(messages);
        assertTrue(templates.size() >= 2 && templates.get(templates.size() - 1) == LogoutDecoder.TEMPLATE_ID &&
            templates.get(templates.size() - 2) == SessionRejectDecoder.TEMPLATE_ID, "templates " + templates);
        final SessionRejectDecoder reject = messages.get(messages.size() - 2).sessionReject();
        assertEquals(RejectReason.INVALID_MESSAGE, reject.reason());
        final String text = reject.text();
        assertTrue(text.contains(textContains), text);
        assertEquals(LogoutReason.PROTOCOL_ERROR, messages.get(messages.size() - 1).logoutReason());
    }

    @Test
    void shouldKeepServingWhenAPollThrows()
    {
        final long errorsBefore = gateway.dutyCycleErrors();
        final Reports poisoned = new Reports();
        final KeelClient client = env.client(env.clientContext(7, poisoned).username(POISONED_USER).password("pw7").autoReconnect(false));
        assertTrue(client.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1));
        env.pollUntil(() -> !poisoned.logouts.isEmpty(), 5_000, "the poisoned connection logged out", client);
        assertEquals(List.of(LogoutReason.PROTOCOL_ERROR), poisoned.logouts);
        assertEquals(1, gateway.dutyCycleErrors() - errorsBefore);
        client.close();
    }
}
