package io.keel.gateway;

import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.SessionRejectDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static io.keel.gateway.GatewayLogCapture.field;
import static io.keel.gateway.ProxyProtocolV2ParserTest.concat;
import static io.keel.gateway.ProxyProtocolV2ParserTest.header;
import static io.keel.gateway.ProxyProtocolV2ParserTest.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY protocol v2 at a real gateway over real sockets: a connection from a proxy named by
 * {@code --proxy-protocol} (127.0.0.1 here) is the client its header names — in the log and at logon — and must
 * begin with a complete, valid header; anyone else (127.0.0.2: all of 127.0.0.0/8 is loopback on Linux) connects
 * directly and may not send one; and a gateway without the option refuses a header with a reason that names it.
 */
@Timeout(60)
class ProxyProtocolTest
{
    private static final long LOGON_TIMEOUT_MS = 1_500;
    private static final String CLIENT = "/203.0.113.7:40000";

    private static GatewayLogCapture log;
    private static GatewayTestEnv env;
    private static Gateway proxied;
    private static Gateway plain;

    @BeforeAll
    static void start()
    {
        log = new GatewayLogCapture();
        env = GatewayTestEnv.start("proxy-protocol", 1);
        proxied = env.startGateway((config) -> config.proxyProtocolFrom("127.0.0.1").logonTimeoutMs(LOGON_TIMEOUT_MS));
        plain = env.launchExtraGateway(8, (config) -> {});
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
        if (log != null)
        {
            log.close();
        }
    }

    @Test
    void shouldTakeTheClientFromTheHeaderOfAnAllowedProxy()
    {
        try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
        {
            proxy.send(concat(clientHeader(), RawClient.logon("trader1", "pw1", 1_000)));
            assertLoggedOn(proxy.read());

            log.await("connected", field("remote", CLIENT), field("proxy", "/127.0.0.1:" + proxy.localPort()));
            log.await("logon", field("user", "trader1"), field("remote", CLIENT));
        }
    }

    @Test
    void shouldReadAHeaderAndLogonSplitByteByByte()
    {
        try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
        {
            final byte[] stream = concat(header(0x21, 0x11, addresses("198.51.100.23", 61000, 12)),
                RawClient.logon("trader2", "pw2", 1_000));
            for (final byte b : stream)
            {
                proxy.send(new byte[] {b});
                GatewayTestEnv.sleep(1);
            }
            assertLoggedOn(proxy.read());
            log.await("logon", field("user", "trader2"), field("remote", "/198.51.100.23:61000"));
        }
    }

    @Test
    void shouldKeepTheProxysAddressForALocalHeader()
    {
        try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
        {
            proxy.send(concat(header(0x20, 0x00, new byte[0]), RawClient.logon("trader3", "pw3", 1_000)));
            assertLoggedOn(proxy.read());
            final String self = "/127.0.0.1:" + proxy.localPort();
            log.await("logon", field("user", "trader3"), field("remote", self));
        }
    }

    @Test
    void shouldServeADirectConnectionFromAnotherAddressAsBefore()
    {
        try (RawClient direct = new RawClient(proxied.port(), 0, "127.0.0.2"))
        {
            direct.send(RawClient.logon("trader4", "pw4", 1_000));
            assertLoggedOn(direct.read());
            log.await("logon", field("user", "trader4"), field("remote", "/127.0.0.2:" + direct.localPort()));
        }
    }

    @Test
    void shouldRefuseAHeaderFromAnAddressNotAllowed()
    {
        final long refusedBefore = proxied.refusedConnections();
        try (RawClient notAProxy = new RawClient(proxied.port(), 0, "127.0.0.2"))
        {
            notAProxy.send(concat(clientHeader(), RawClient.logon("trader5", "pw5", 1_000)));
            final String remote = "/127.0.0.2:" + notAProxy.localPort();
            final String reason = "PROXY protocol header from " + remote + ", which is not in --proxy-protocol";
            assertRefused(notAProxy.readUntilClosed(), reason);
            log.await("connection-refused", field("remote", remote), field("reason", reason));
        }
        assertEquals(refusedBefore + 1, proxied.refusedConnections());
    }

    @Test
    void shouldRefuseMalformedHeadersFromAnAllowedProxy()
    {
        final byte[] badSignature = clientHeader();
        badSignature[6] = 'X';
        final byte[][] malformed = {
            badSignature,
            header(0x11, 0x11, addresses("203.0.113.7", 40000, 12)),
            header(0x23, 0x11, addresses("203.0.113.7", 40000, 12)),
            header(0x21, 0x51, addresses("203.0.113.7", 40000, 12)),
            header(0x21, 0x21, addresses("203.0.113.7", 40000, 12)),
            Arrays.copyOf(header(0x21, 0x11, new byte[2_000]), 16),
        };
        final String[] reasons = {
            "bad PROXY protocol v2 signature (byte 6)",
            "PROXY protocol version 1, only 2 is accepted",
            "unknown PROXY protocol command 3",
            "unknown PROXY protocol address family 5",
            "PROXY protocol address block of 12 bytes is too short for INET6 (36)",
            "PROXY protocol header of 2016 bytes is over the 1040-byte bound",
        };
        for (int i = 0; i < malformed.length; i++)
        {
            final long refusedBefore = proxied.refusedConnections();
            try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
            {
                proxy.send(malformed[i]);
                assertRefused(proxy.readUntilClosed(), reasons[i]);
                log.await("connection-refused", field("remote", "/127.0.0.1:" + proxy.localPort()), reasons[i]);
            }
            assertEquals(refusedBefore + 1, proxied.refusedConnections(), reasons[i]);
        }
    }

    @Test
    void shouldRefuseAnAllowedProxyThatSendsNoHeader()
    {
        try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
        {
            proxy.send(RawClient.logon("trader6", "pw6", 1_000));
            assertRefused(proxy.readUntilClosed(), "no PROXY protocol v2 header");
            log.await("connection-refused", field("remote", "/127.0.0.1:" + proxy.localPort()),
                "no PROXY protocol v2 header");
        }
    }

    @Test
    void shouldRefuseAHeaderNotCompleteWithinTheLogonTimeout()
    {
        try (RawClient proxy = new RawClient(proxied.port(), 0, "127.0.0.1"))
        {
            proxy.send(Arrays.copyOf(clientHeader(), 20));
            final long start = System.nanoTime();
            assertRefused(proxy.readUntilClosed(),
                "no complete PROXY protocol v2 header within " + LOGON_TIMEOUT_MS + " ms");
            assertTrue(System.nanoTime() - start > (LOGON_TIMEOUT_MS / 2) * 1_000_000L, "not before the timeout");
        }
    }

    @Test
    void shouldRefuseAHeaderWhenTheOptionIsOff()
    {
        final String reason = "PROXY protocol header received but --proxy-protocol is not set";
        final byte[][] headers = {
            concat(clientHeader(), RawClient.logon("trader7", "pw7", 1_000)),
            "PROXY TCP4 203.0.113.7 10.0.0.5 40000 9100\r\n".getBytes(StandardCharsets.US_ASCII),
        };
        for (final byte[] header : headers)
        {
            final long refusedBefore = plain.refusedConnections();
            try (RawClient proxy = new RawClient(plain.port(), 0, "127.0.0.1"))
            {
                // Split inside the signature: the first bytes are held until the signature is whole.
                proxy.send(Arrays.copyOf(header, 3));
                GatewayTestEnv.sleep(20);
                proxy.send(Arrays.copyOfRange(header, 3, header.length));
                assertRefused(proxy.readUntilClosed(), reason);
                log.await("connection-refused", field("remote", "/127.0.0.1:" + proxy.localPort()),
                    field("reason", reason));
            }
            assertEquals(refusedBefore + 1, plain.refusedConnections());
        }
    }

    @Test
    void shouldGiveTheFramingErrorWhenTheFirstBytesOnlyLookLikeAHeader()
    {
        // Two bytes of the signature, held, then no header after all: the held bytes go to the frame decoder first,
        // so the client is told what the whole of its first 6 bytes mean as a frame header.
        try (RawClient direct = new RawClient(plain.port(), 0, "127.0.0.2"))
        {
            direct.send(new byte[] {'\r', '\n'});
            GatewayTestEnv.sleep(20);
            direct.send("\r\nGET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            final List<RawClient.Message> messages = direct.readUntilClosed();
            assertEquals(List.of(SessionRejectDecoder.TEMPLATE_ID, LogoutDecoder.TEMPLATE_ID),
                RawClient.templates(messages));
            final String text = messages.get(0).sessionReject().text();
            assertTrue(text.contains("FRAME_TOO_LONG " + 0x0D0A0D0A), text);
        }
    }

    private static byte[] clientHeader()
    {
        return ipv4("203.0.113.7", 40000, "127.0.0.1", 9100, new byte[0]);
    }

    /**
     * An INET address block naming {@code source}, padded or cut to {@code length} bytes.
     */
    private static byte[] addresses(final String source, final int port, final int length)
    {
        return Arrays.copyOf(Arrays.copyOfRange(ipv4(source, port, "127.0.0.1", 9100, new byte[0]), 16, 28), length);
    }

    private static void assertLoggedOn(final RawClient.Message message)
    {
        assertEquals(LogonResponseDecoder.TEMPLATE_ID, message.templateId());
        assertEquals(LogonResult.OK, message.logonResult());
    }

    private static void assertRefused(final List<RawClient.Message> messages, final String reason)
    {
        assertEquals(List.of(LogoutDecoder.TEMPLATE_ID), RawClient.templates(messages), "a Logout, then closed");
        assertEquals(LogoutReason.PROTOCOL_ERROR, messages.get(0).logoutReason());
        assertTrue(messages.get(0).logoutText().startsWith(reason), messages.get(0).logoutText());
    }
}
