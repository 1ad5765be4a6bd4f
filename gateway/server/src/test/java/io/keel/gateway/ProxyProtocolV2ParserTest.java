package io.keel.gateway;

import io.keel.gateway.ProxyProtocolV2Parser.Command;
import io.keel.gateway.ProxyProtocolV2Parser.Family;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY protocol v2 header as HAProxy's spec (proxy-protocol.txt, 2.2) writes it: every family and command, TLVs
 * skipped, split at every byte, the client's bytes after it left alone, and every way of getting it wrong refused
 * with a reason as soon as it goes wrong.
 */
class ProxyProtocolV2ParserTest
{
    private static final byte[] TRAILING = {0, 0, 0, 42, (byte)0xEB, 0x50, 1, 2, 3};
    private static final String SOCKET = "/127.0.0.1:5555";

    @Test
    void shouldReadAnIpv4Client() throws Exception
    {
        final ProxyProtocolV2Parser parser = parseWhole(ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]));
        assertEquals(Command.PROXY, parser.command());
        assertEquals(Family.INET, parser.family());
        assertEquals(InetAddress.getByName("203.0.113.7"), parser.sourceAddress());
        assertEquals(40000, parser.sourcePort());
        assertEquals("/203.0.113.7:40000", parser.describeSource(SOCKET));
    }

    @Test
    void shouldReadAnIpv6Client() throws Exception
    {
        final byte[] block = new byte[36];
        System.arraycopy(InetAddress.getByName("2001:db8::7").getAddress(), 0, block, 0, 16);
        System.arraycopy(InetAddress.getByName("2001:db8::1").getAddress(), 0, block, 16, 16);
        putPort(block, 32, 65535);
        putPort(block, 34, 9100);
        final ProxyProtocolV2Parser parser = parseWhole(header(0x21, 0x21, block));
        assertEquals(Family.INET6, parser.family());
        assertEquals(InetAddress.getByName("2001:db8::7"), parser.sourceAddress());
        assertEquals(65535, parser.sourcePort());
        assertEquals("/[2001:db8:0:0:0:0:0:7]:65535", parser.describeSource(SOCKET));
    }

    @Test
    void shouldKeepTheSocketAddressForLocal()
    {
        final ProxyProtocolV2Parser parser = parseWhole(header(0x20, 0x00, new byte[0]));
        assertEquals(Command.LOCAL, parser.command());
        assertEquals(Family.UNSPEC, parser.family());
        assertNull(parser.sourceAddress());
        assertEquals(SOCKET, parser.describeSource(SOCKET));
    }

    @Test
    void shouldIgnoreTheFamilyAndAddressesOfLocal()
    {
        // "the receiver must ... discard the protocol block including the family".
        final ProxyProtocolV2Parser parser = parseWhole(header(0x20, 0xFF, new byte[7]));
        assertEquals(Command.LOCAL, parser.command());
        assertEquals(SOCKET, parser.describeSource(SOCKET));
    }

    @Test
    void shouldKeepTheSocketAddressForUnspec()
    {
        final ProxyProtocolV2Parser parser = parseWhole(header(0x21, 0x00, new byte[0]));
        assertEquals(Command.PROXY, parser.command());
        assertEquals(Family.UNSPEC, parser.family());
        assertEquals(SOCKET, parser.describeSource(SOCKET));
    }

    @Test
    void shouldNameAUnixClientUnix()
    {
        final byte[] block = new byte[216];
        final byte[] path = "/run/client.sock".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(path, 0, block, 0, path.length);
        final ProxyProtocolV2Parser parser = parseWhole(header(0x21, 0x31, block));
        assertEquals(Family.UNIX, parser.family());
        assertNull(parser.sourceAddress());
        assertEquals("unix", parser.describeSource(SOCKET));
    }

    @Test
    void shouldSkipTlvs() throws Exception
    {
        final ByteArrayOutputStream tlvs = new ByteArrayOutputStream();
        tlvs.write(new byte[] {0x01, 0x00, 0x02, 'h', '2'}); // ALPN
        tlvs.write(new byte[] {0x02, 0x00, 0x09});           // authority
        tlvs.write("localhost".getBytes(StandardCharsets.US_ASCII));
        tlvs.write(new byte[] {0x04, 0x00, 0x03, 0, 0, 0});  // NOOP
        final ProxyProtocolV2Parser parser = parseWhole(ipv4("198.51.100.9", 1234, "10.0.0.5", 9100, tlvs.toByteArray()));
        assertEquals(InetAddress.getByName("198.51.100.9"), parser.sourceAddress());
        assertEquals(1234, parser.sourcePort());
    }

    @Test
    void shouldAcceptAHeaderAtTheBound()
    {
        final byte[] block = new byte[ProxyProtocolV2Parser.MAX_ADDRESS_BLOCK_LENGTH];
        block[0] = (byte)192;
        block[1] = 0;
        block[2] = 2;
        block[3] = 1;
        putPort(block, 8, 777);
        block[12] = 0x04; // one NOOP TLV fills the rest
        putPort(block, 13, block.length - 15);
        final ProxyProtocolV2Parser parser = parseWhole(header(0x21, 0x11, block));
        assertEquals("/192.0.2.1:777", parser.describeSource(SOCKET));
    }

    @Test
    void shouldReadAHeaderSplitAtEveryByte() throws Exception
    {
        final byte[][] headers = {
            ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]),
            ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[] {0x04, 0x00, 0x02, 0, 0}),
            header(0x20, 0x00, new byte[0]),
            header(0x21, 0x31, new byte[216]),
            header(0x21, 0x21, new byte[36 + 300]),
        };
        for (final byte[] header : headers)
        {
            final byte[] stream = concat(header, TRAILING);
            final String expected = parseWhole(header).describeSource(SOCKET);
            for (int split = 0; split <= stream.length; split++)
            {
                final ProxyProtocolV2Parser parser = new ProxyProtocolV2Parser();
                final int first = parser.onData(new UnsafeBuffer(stream), 0, split);
                final int second = parser.isComplete() ? 0 :
                    parser.onData(new UnsafeBuffer(stream), split, stream.length - split);
                assertTrue(parser.isComplete(), "split at " + split);
                assertEquals(header.length, first + second, "header bytes taken, split at " + split);
                assertEquals(expected, parser.describeSource(SOCKET));
            }

            final ProxyProtocolV2Parser byteByByte = new ProxyProtocolV2Parser();
            int taken = 0;
            for (int i = 0; i < stream.length && !byteByByte.isComplete(); i++)
            {
                taken += byteByByte.onData(new UnsafeBuffer(stream), i, 1);
                assertEquals(i + 1 == header.length, byteByByte.isComplete(), "complete exactly at its last byte");
            }
            assertEquals(header.length, taken);
            assertEquals(expected, byteByByte.describeSource(SOCKET));
            assertEquals(0, byteByByte.onData(new UnsafeBuffer(stream), header.length, TRAILING.length),
                "nothing more taken once complete");
        }
    }

    @Test
    void shouldLeaveTheBytesAfterTheHeader()
    {
        final byte[] header = ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]);
        final byte[] stream = concat(concat(new byte[] {9, 9, 9}, header), TRAILING);
        final ProxyProtocolV2Parser parser = new ProxyProtocolV2Parser();
        final int consumed = parser.onData(new UnsafeBuffer(stream), 3, stream.length - 3);
        assertTrue(parser.isComplete());
        assertEquals(header.length, consumed);
        assertArrayEquals(TRAILING, Arrays.copyOfRange(stream, 3 + consumed, stream.length));
    }

    @Test
    void shouldRefuseAStreamWithoutAHeader()
    {
        assertRefused(new byte[] {0, 0, 0, 42, (byte)0xEB, 0x50}, "no PROXY protocol v2 header");
    }

    @Test
    void shouldRefuseAVersion1Header()
    {
        assertRefused("PROXY TCP4 203.0.113.7 10.0.0.5 40000 9100\r\n".getBytes(StandardCharsets.US_ASCII),
            "PROXY protocol v1 header: only v2 is accepted (HAProxy: send-proxy-v2)");
    }

    @Test
    void shouldRefuseABadSignatureAfterAPartialMatch()
    {
        final byte[] header = ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]);
        for (int i = 1; i < ProxyProtocolV2Parser.SIGNATURE.length; i++)
        {
            final byte[] bad = header.clone();
            bad[i] ^= 0x20;
            assertRefused(bad, "bad PROXY protocol v2 signature (byte " + i + ")");
            assertEquals(ProxyProtocolV2Parser.FAILED, refusedAfter(bad, i + 1), "refused at the bad byte " + i);
        }
    }

    @Test
    void shouldRefuseOtherVersions()
    {
        assertRefused(header(0x11, 0x11, new byte[12]), "PROXY protocol version 1, only 2 is accepted");
        assertRefused(header(0x31, 0x11, new byte[12]), "PROXY protocol version 3, only 2 is accepted");
        assertRefused(header(0x01, 0x11, new byte[12]), "PROXY protocol version 0, only 2 is accepted");
    }

    @Test
    void shouldRefuseUnknownCommands()
    {
        assertRefused(header(0x22, 0x11, new byte[12]), "unknown PROXY protocol command 2");
        assertRefused(header(0x2F, 0x11, new byte[12]), "unknown PROXY protocol command 15");
    }

    @Test
    void shouldRefuseUnknownFamiliesAndProtocols()
    {
        assertRefused(header(0x21, 0x41, new byte[12]), "unknown PROXY protocol address family 4");
        assertRefused(header(0x21, 0x13, new byte[12]), "unknown PROXY protocol transport protocol 3");
    }

    @Test
    void shouldRefuseAddressBlocksTooShortForTheirFamily()
    {
        assertRefused(header(0x21, 0x11, new byte[11]),
            "PROXY protocol address block of 11 bytes is too short for INET (12)");
        assertRefused(header(0x21, 0x21, new byte[12]),
            "PROXY protocol address block of 12 bytes is too short for INET6 (36)");
        assertRefused(header(0x21, 0x31, new byte[108]),
            "PROXY protocol address block of 108 bytes is too short for UNIX (216)");
    }

    @Test
    void shouldRefuseAHeaderOverTheBoundBeforeReadingIt()
    {
        final byte[] fixed = Arrays.copyOf(header(0x21, 0x11, new byte[12]), ProxyProtocolV2Parser.FIXED_LENGTH);
        putPort(fixed, 14, ProxyProtocolV2Parser.MAX_ADDRESS_BLOCK_LENGTH + 1);
        assertRefused(fixed, "PROXY protocol header of 1041 bytes is over the 1040-byte bound");
        putPort(fixed, 14, 0xFFFF);
        assertRefused(fixed, "PROXY protocol header of 65551 bytes is over the 1040-byte bound");
    }

    @Test
    void shouldStayRefusedAndStartAgainAfterReset()
    {
        final ProxyProtocolV2Parser parser = new ProxyProtocolV2Parser();
        final byte[] bad = header(0x11, 0x11, new byte[12]);
        assertEquals(ProxyProtocolV2Parser.FAILED, parser.onData(new UnsafeBuffer(bad), 0, bad.length));
        final byte[] good = ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]);
        assertEquals(ProxyProtocolV2Parser.FAILED, parser.onData(new UnsafeBuffer(good), 0, good.length));
        assertFalse(parser.isComplete());

        parser.reset();
        assertEquals(good.length, parser.onData(new UnsafeBuffer(good), 0, good.length));
        assertEquals("/203.0.113.7:40000", parser.describeSource(SOCKET));
    }

    @Test
    void shouldNeedMoreWhileIncomplete()
    {
        final byte[] header = ipv4("203.0.113.7", 40000, "10.0.0.5", 9100, new byte[0]);
        final ProxyProtocolV2Parser parser = new ProxyProtocolV2Parser();
        assertEquals(header.length - 1, parser.onData(new UnsafeBuffer(header), 0, header.length - 1));
        assertFalse(parser.isComplete());
        assertNull(parser.error());
    }

    // ------------------------------------------------------------------ helpers

    private static ProxyProtocolV2Parser parseWhole(final byte[] header)
    {
        final ProxyProtocolV2Parser parser = new ProxyProtocolV2Parser();
        final byte[] stream = concat(header, TRAILING);
        final int consumed = parser.onData(new UnsafeBuffer(stream), 0, stream.length);
        assertNull(parser.error());
        assertTrue(parser.isComplete());
        assertEquals(header.length, consumed);
        return parser;
    }

    private static void assertRefused(final byte[] bytes, final String error)
    {
        final ProxyProtocolV2Parser whole = new ProxyProtocolV2Parser();
        assertEquals(ProxyProtocolV2Parser.FAILED, whole.onData(new UnsafeBuffer(bytes), 0, bytes.length));
        assertEquals(error, whole.error());
        assertFalse(whole.isComplete());

        final ProxyProtocolV2Parser byteByByte = new ProxyProtocolV2Parser();
        int result = 0;
        for (int i = 0; i < bytes.length && result != ProxyProtocolV2Parser.FAILED; i++)
        {
            result = byteByByte.onData(new UnsafeBuffer(bytes), i, 1);
        }
        assertEquals(ProxyProtocolV2Parser.FAILED, result);
        assertEquals(error, byteByByte.error());
    }

    /**
     * @return the result of feeding the first {@code length} bytes.
     */
    private static int refusedAfter(final byte[] bytes, final int length)
    {
        return new ProxyProtocolV2Parser().onData(new UnsafeBuffer(bytes), 0, length);
    }

    static byte[] ipv4(
        final String source, final int sourcePort, final String destination, final int destinationPort, final byte[] tlvs)
    {
        try
        {
            final byte[] block = new byte[12 + tlvs.length];
            System.arraycopy(InetAddress.getByName(source).getAddress(), 0, block, 0, 4);
            System.arraycopy(InetAddress.getByName(destination).getAddress(), 0, block, 4, 4);
            putPort(block, 8, sourcePort);
            putPort(block, 10, destinationPort);
            System.arraycopy(tlvs, 0, block, 12, tlvs.length);
            return header(0x21, 0x11, block);
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new IllegalArgumentException(ex);
        }
    }

    static byte[] header(final int versionCommand, final int familyProtocol, final byte[] addressBlock)
    {
        final byte[] header = new byte[16 + addressBlock.length];
        System.arraycopy(ProxyProtocolV2Parser.SIGNATURE, 0, header, 0, 12);
        header[12] = (byte)versionCommand;
        header[13] = (byte)familyProtocol;
        putPort(header, 14, addressBlock.length);
        System.arraycopy(addressBlock, 0, header, 16, addressBlock.length);
        return header;
    }

    private static void putPort(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >> 8);
        bytes[offset + 1] = (byte)value;
    }

    static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
