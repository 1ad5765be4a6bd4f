package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ResendRequestEncoder;
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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per class of bad input. Each gets the documented answer — a SessionReject naming the
 * problem, then a Logout and a closed connection — while a well-behaved client on the same gateway
 * keeps trading (checked after every test).
 */
@Timeout(60)
class GatewayBadInputTest
{
    private static GatewayTestEnv env;
    private static KeelClient bystander;
    private static Reports bystanderReports;
    private static long nextClOrdId = 1;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("bad-input", 1);
        env.startGateway((config) -> config.logonTimeoutMs(1_000));
        bystanderReports = new Reports();
        bystander = env.client(env.clientContext(1, bystanderReports));
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @AfterEach
    void gatewayStillServesOthers()
    {
        final long clOrdId = nextClOrdId++;
        bystander.newOrder(clOrdId, 1, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1);
        env.pollUntil(() -> bystander.inFlight() == 0, 10_000, "bystander's order answered", bystander);
        assertTrue(bystander.isLoggedOn());
        assertTrue(bystanderReports.execs.stream().anyMatch((e) -> e.clOrdId() == clOrdId));
    }

    private static void assertRejectedAndClosed(
        final List<RawClient.Message> messages, final RejectReason reason, final String textContains)
    {
        assertEquals(List.of(SessionRejectDecoder.TEMPLATE_ID, LogoutDecoder.TEMPLATE_ID), RawClient.templates(messages),
            "a SessionReject, then a Logout, then the connection closed");
        final SessionRejectDecoder reject = messages.get(0).sessionReject();
        assertEquals(reason, reject.reason());
        final String text = reject.text();
        assertTrue(text.contains(textContains), text);
        assertEquals(LogoutReason.PROTOCOL_ERROR, messages.get(1).logoutReason());
    }

    @Test
    void garbageBytes()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            raw.send("GET / HTTP/1.1\r\nHost: keel\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertRejectedAndClosed(raw.readUntilClosed(), RejectReason.INVALID_MESSAGE, "FRAME_TOO_LONG");
        }
    }

    @Test
    void oversizedLength()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final UnsafeBuffer header = new UnsafeBuffer(new byte[Sofh.HEADER_LENGTH]);
            header.putInt(0, 1_000_000, ByteOrder.BIG_ENDIAN);
            header.putShort(4, (short)Sofh.SBE_LE_ENCODING_TYPE, ByteOrder.BIG_ENDIAN);
            raw.send(header.byteArray());
            assertRejectedAndClosed(raw.readUntilClosed(), RejectReason.INVALID_MESSAGE, "FRAME_TOO_LONG 1000000");
        }
    }

    @Test
    void truncatedFrameThenClose()
    {
        final long disconnectsBefore = env.gateway().protocolErrors();
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            raw.send(Arrays.copyOf(logon, logon.length / 2));
        }
        // Nothing to answer: the half frame is dropped with the connection, no session was made.
        assertEquals(disconnectsBefore, env.gateway().protocolErrors());
    }

    @Test
    void wrongEncodingType()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            logon[4] = 0x12;
            logon[5] = 0x34;
            raw.send(logon);
            assertRejectedAndClosed(raw.readUntilClosed(), RejectReason.INVALID_MESSAGE, "WRONG_ENCODING_TYPE 0x1234 (expected 0xEB50, SBE 1.0 little-endian)");
        }
    }

    @Test
    void bigEndianEncodingTypeIsRefused()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            logon[4] = 0x5B;
            logon[5] = (byte)0xE0;
            raw.send(logon);
            assertRejectedAndClosed(
                raw.readUntilClosed(), RejectReason.INVALID_MESSAGE, "WRONG_ENCODING_TYPE 0x5BE0 (expected 0xEB50");
        }
    }

    @Test
    void logonFramedAsTheSofhStandardSaysIsAnswered()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            // FIX Simple Open Framing Header: big-endian length, then 0xEB50 for SBE 1.0 little-endian.
            assertEquals(logon.length, ByteBuffer.wrap(logon).getInt(0));
            assertEquals((byte)0xEB, logon[4]);
            assertEquals((byte)0x50, logon[5]);
            raw.send(logon);
            assertEquals(LogonResponseDecoder.TEMPLATE_ID, raw.read().templateId(), "answered, in 0xEB50 frames");
        }
    }

    @Test
    void wrongSchemaId()
    {
        assertHeaderFieldRejected(4, 999, RejectReason.UNSUPPORTED_MESSAGE, "WRONG_SCHEMA_ID 999");
    }

    @Test
    void newerSchemaVersion()
    {
        assertHeaderFieldRejected(6, 99, RejectReason.UNSUPPORTED_MESSAGE, "UNSUPPORTED_VERSION 99");
    }

    @Test
    void unknownTemplate()
    {
        assertHeaderFieldRejected(2, 777, RejectReason.UNSUPPORTED_MESSAGE, "UNKNOWN_TEMPLATE_ID 777");
    }

    @Test
    void blockLengthTooShort()
    {
        assertHeaderFieldRejected(0, 2, RejectReason.INVALID_MESSAGE, "BLOCK_LENGTH_TOO_SHORT 2");
    }

    private static void assertHeaderFieldRejected(
        final int headerOffset, final int value, final RejectReason reason, final String text)
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            final UnsafeBuffer buffer = new UnsafeBuffer(logon);
            buffer.putShort(Sofh.HEADER_LENGTH + headerOffset, (short)value, ByteOrder.LITTLE_ENDIAN);
            raw.send(logon);
            assertRejectedAndClosed(raw.readUntilClosed(), reason, text);
        }
    }

    @Test
    void messageBeforeLogon()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final NewOrderEncoder order = new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .clOrdId(1).instrumentId(1).side(Side.BUY).ordType(OrdType.LIMIT).timeInForce(TimeInForce.GTC)
                .price(900).quantity(1);
            raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength());
            assertRejectedAndClosed(raw.readUntilClosed(), RejectReason.NOT_LOGGED_ON, "first message must be a Logon");
        }
    }

    @Test
    void slowlorisGetsLogonTimeout()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            final byte[] logon = RawClient.logon("trader2", "pw2", 1_000);
            final long start = System.nanoTime();
            int sent = 0;
            try
            {
                // One byte every 100 ms: a whole logon would take seconds, the timeout is one.
                for (; sent < logon.length && System.nanoTime() - start < 3_000_000_000L; sent++)
                {
                    raw.send(new byte[]{logon[sent]});
                    GatewayTestEnv.sleep(100);
                }
            }
            catch (final java.io.UncheckedIOException closed)
            {
                // The gateway closed the connection while we were still trickling.
            }
            final List<RawClient.Message> messages = raw.readUntilClosed();
            assertEquals(List.of(LogoutDecoder.TEMPLATE_ID), RawClient.templates(messages));
            assertEquals(LogoutReason.LOGON_TIMEOUT, messages.get(0).logoutReason());
            assertTrue(sent < logon.length, "closed before the logon completed");
        }
    }

    @Test
    void silentSessionGetsHeartbeatTimeout()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            raw.send(RawClient.logon("trader3", "pw3", 500));
            final List<RawClient.Message> messages = raw.readUntilClosed();
            assertEquals(LogonDecoder.TEMPLATE_ID + 1, messages.get(0).templateId(), "LogonResponse first");
            final RawClient.Message last = messages.get(messages.size() - 1);
            assertEquals(LogoutDecoder.TEMPLATE_ID, last.templateId());
            assertEquals(LogoutReason.HEARTBEAT_TIMEOUT, last.logoutReason());
            assertTrue(messages.stream().anyMatch((m) -> m.templateId() == 4), "the gateway heartbeated first");
        }
    }

    @Test
    void clientSendingAReportIsRejectedButStays()
    {
        try (RawClient raw = new RawClient(env.gateway().port()))
        {
            raw.send(RawClient.logon("trader4", "pw4", 1_000));
            assertEquals(LogonDecoder.TEMPLATE_ID + 1, raw.read().templateId());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final ExecutionReportEncoder report =
                new ExecutionReportEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
            raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + report.encodedLength());
            final RawClient.Message reject = raw.read();
            assertNotNull(reject);
            assertEquals(SessionRejectDecoder.TEMPLATE_ID, reject.templateId());
            assertEquals(RejectReason.UNSUPPORTED_MESSAGE, reject.sessionReject().reason());

            final ResendRequestEncoder resend =
                new ResendRequestEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
            raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength());
            // Still logged on: a heartbeat or other traffic follows, not a Logout.
            final RawClient.Message next = raw.read();
            assertNotNull(next);
            assertTrue(next.templateId() != LogoutDecoder.TEMPLATE_ID);
        }
    }

    @Test
    void slowConsumerIsDroppedAlone()
    {
        final Gateway small = env.launchExtraGateway(9,
            (config) -> config.outboundBufferBytes(16 * 1024).marketDataDepth(100).throttleRate(1_000_000)
                .throttleBurst(100_000).throttleAbuse(1_000_000));
        // A client that never reads: it places orders, then asks for their reports again and again.
        try (RawClient raw = new RawClient(small.port(), 4096))
        {
            raw.send(RawClient.logon("trader6", "pw6", 60_000));
            assertEquals(LogonDecoder.TEMPLATE_ID + 1, raw.read().templateId());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            for (int i = 0; i < 64; i++)
            {
                final NewOrderEncoder order = new NewOrderEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                    .clOrdId(10_000 + i).instrumentId(1).side(Side.BUY).ordType(OrdType.LIMIT)
                    .timeInForce(TimeInForce.IOC).price(900).quantity(1);
                raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength());
            }
            GatewayTestEnv.sleep(1_000);
            final ResendRequestEncoder resend = new ResendRequestEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).fromSeqNo(1).toSeqNo(0);
            final byte[] frame = RawClient.frame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength());
            final long deadline = System.nanoTime() + 20_000_000_000L;
            try
            {
                while (small.slowConsumers() == 0 && System.nanoTime() - deadline < 0)
                {
                    raw.send(frame);
                }
            }
            catch (final java.io.UncheckedIOException closed)
            {
                // Dropped while we were still asking.
            }
            env.await(() -> small.slowConsumers() == 1, 10_000, "slow consumer dropped");
        }
        assertTrue(bystander.isLoggedOn());
    }
}
