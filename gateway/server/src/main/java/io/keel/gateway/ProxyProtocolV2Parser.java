package io.keel.gateway;

import org.agrona.DirectBuffer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Reads one PROXY protocol version 2 header (haproxy.org proxy-protocol.txt, section 2.2) from the start of a
 * stream, fed in pieces as they are read: the 12-byte signature, version and command, address family and transport
 * protocol, a big-endian length, the addresses, then TLVs, which are skipped. The header may be split anywhere;
 * whatever follows it in the last piece is the client's own stream and is left to the caller.
 * <p>
 * Checks each byte as soon as it is in, so a peer that does not send a header is caught at its first byte and one
 * that sends a broken header as soon as it breaks; at most {@link #MAX_ADDRESS_BLOCK_LENGTH} bytes after the fixed
 * part are accepted, and only the addresses are kept. One parser per connection from a proxy; allocates only when
 * the header is complete (the source address).
 */
final class ProxyProtocolV2Parser
{
    /** Returned by {@link #onData} once the header is known to be bad; {@link #error()} says why. */
    static final int FAILED = -1;

    /** {@code \r\n\r\n\0\r\nQUIT\n}: cannot begin a SOFH frame (its length would be over 200 MB), nor a v1 header. */
    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Signature, version and command, family and protocol, length. */
    static final int FIXED_LENGTH = 16;
    /**
     * Bound on the bytes after the fixed part: the largest address block (UNIX, 216 bytes) and more TLVs than a proxy
     * sends for a TCP connection; a length above it is refused rather than read.
     */
    static final int MAX_ADDRESS_BLOCK_LENGTH = 1024;

    private static final int INET_ADDRESSES_LENGTH = 12;
    private static final int INET6_ADDRESSES_LENGTH = 36;
    private static final int UNIX_ADDRESSES_LENGTH = 216;

    /**
     * LOCAL: the proxy's own connection (a health check); the socket's address stands. PROXY: on behalf of a client.
     */
    enum Command
    {
        LOCAL,
        PROXY
    }

    /**
     * The address family of the proxied connection. UNSPEC and UNIX carry no address a gateway can use.
     */
    enum Family
    {
        UNSPEC,
        INET,
        INET6,
        UNIX
    }

    /** Header bytes kept: the fixed part and the largest address block; TLVs after it are only counted. */
    private final byte[] header = new byte[FIXED_LENGTH + UNIX_ADDRESSES_LENGTH];
    /** Header bytes received so far. */
    private int received;
    /** Bytes after the fixed part, from the header's length field; known once {@code received >= FIXED_LENGTH}. */
    private int addressBlockLength;
    private boolean complete;
    private String error;
    private Command command;
    private Family family;
    private InetAddress sourceAddress;
    private int sourcePort;

    /**
     * Feed the next bytes of the stream.
     *
     * @return bytes taken as part of the header, {@code 0..length}: when {@link #isComplete()}, the bytes from
     * {@code offset + consumed} on follow the header; otherwise all were taken and more are needed. {@link #FAILED}
     * when the header is bad (and for every later call).
     */
    int onData(final DirectBuffer buffer, final int offset, final int length)
    {
        if (error != null)
        {
            return FAILED;
        }
        if (complete)
        {
            return 0;
        }
        int consumed = 0;
        while (consumed < length && !complete)
        {
            if (received < FIXED_LENGTH)
            {
                final byte b = buffer.getByte(offset + consumed);
                if (!checkFixedByte(received, b))
                {
                    return FAILED;
                }
                header[received++] = b;
                consumed++;
                if (received == FIXED_LENGTH && !checkLength())
                {
                    return FAILED;
                }
            }
            else
            {
                // The address block and TLVs: copied while it fits what is kept, only counted after that.
                final int total = FIXED_LENGTH + addressBlockLength;
                final int take = Math.min(length - consumed, total - received);
                final int keep = Math.min(take, Math.max(0, header.length - received));
                if (keep > 0)
                {
                    buffer.getBytes(offset + consumed, header, received, keep);
                }
                received += take;
                consumed += take;
            }
            if (received >= FIXED_LENGTH && received == FIXED_LENGTH + addressBlockLength)
            {
                complete();
            }
        }
        return consumed;
    }

    boolean isComplete()
    {
        return complete;
    }

    /**
     * @return why the header was refused, or null.
     */
    String error()
    {
        return error;
    }

    /**
     * @return the command; valid once complete.
     */
    Command command()
    {
        return command;
    }

    /**
     * @return the proxied connection's family; UNSPEC for a LOCAL command, whose addresses are to be ignored.
     */
    Family family()
    {
        return family;
    }

    /**
     * @return the client's address for INET and INET6 under the PROXY command, else null.
     */
    InetAddress sourceAddress()
    {
        return sourceAddress;
    }

    /**
     * @return the client's port for INET and INET6 under the PROXY command, else 0.
     */
    int sourcePort()
    {
        return sourcePort;
    }

    /**
     * Where the client is, as the gateway names remote addresses ({@code /203.0.113.7:40000}).
     *
     * @param socketAddress the connection's own remote address: what a LOCAL or UNSPEC header leaves in place.
     * @return the client's address once complete; {@code "unix"} for a client on a UNIX socket.
     */
    String describeSource(final String socketAddress)
    {
        if (sourceAddress != null)
        {
            return new InetSocketAddress(sourceAddress, sourcePort).toString();
        }
        return family == Family.UNIX ? "unix" : socketAddress;
    }

    /**
     * Ready for another stream (tests and fuzzing).
     */
    void reset()
    {
        received = 0;
        addressBlockLength = 0;
        complete = false;
        error = null;
        command = null;
        family = null;
        sourceAddress = null;
        sourcePort = 0;
    }

    private boolean checkFixedByte(final int index, final byte b)
    {
        if (index < SIGNATURE.length)
        {
            if (b != SIGNATURE[index])
            {
                return fail(index == 0 ? noHeader(b) : "bad PROXY protocol v2 signature (byte " + index + ")");
            }
            return true;
        }
        if (index == 12)
        {
            final int version = (b >> 4) & 0xF;
            final int commandBits = b & 0xF;
            if (version != 2)
            {
                return fail("PROXY protocol version " + version + ", only 2 is accepted");
            }
            if (commandBits > 1)
            {
                return fail("unknown PROXY protocol command " + commandBits);
            }
            return true;
        }
        // Family and protocol are checked with the length: a LOCAL header's are ignored, as the spec says.
        return true;
    }

    private static String noHeader(final byte first)
    {
        return first == 'P' ?
            "PROXY protocol v1 header: only v2 is accepted (HAProxy: send-proxy-v2)" :
            "no PROXY protocol v2 header";
    }

    private boolean checkLength()
    {
        addressBlockLength = ((header[14] & 0xFF) << 8) | (header[15] & 0xFF);
        if (addressBlockLength > MAX_ADDRESS_BLOCK_LENGTH)
        {
            return fail("PROXY protocol header of " + (FIXED_LENGTH + addressBlockLength) + " bytes is over the " +
                (FIXED_LENGTH + MAX_ADDRESS_BLOCK_LENGTH) + "-byte bound");
        }
        command = (header[12] & 0xF) == 0 ? Command.LOCAL : Command.PROXY;
        if (command == Command.LOCAL)
        {
            family = Family.UNSPEC;
            return true;
        }
        final int familyBits = (header[13] >> 4) & 0xF;
        final int needed;
        switch (familyBits)
        {
            case 0:
                family = Family.UNSPEC;
                needed = 0;
                break;
            case 1:
                family = Family.INET;
                needed = INET_ADDRESSES_LENGTH;
                break;
            case 2:
                family = Family.INET6;
                needed = INET6_ADDRESSES_LENGTH;
                break;
            case 3:
                family = Family.UNIX;
                needed = UNIX_ADDRESSES_LENGTH;
                break;
            default:
                return fail("unknown PROXY protocol address family " + familyBits);
        }
        final int protocolBits = header[13] & 0xF;
        if (protocolBits > 2)
        {
            return fail("unknown PROXY protocol transport protocol " + protocolBits);
        }
        if (addressBlockLength < needed)
        {
            return fail("PROXY protocol address block of " + addressBlockLength + " bytes is too short for " + family +
                " (" + needed + ")");
        }
        return true;
    }

    private void complete()
    {
        complete = true;
        if (command == Command.PROXY && (family == Family.INET || family == Family.INET6))
        {
            final int addressLength = family == Family.INET ? 4 : 16;
            final byte[] address = new byte[addressLength];
            System.arraycopy(header, FIXED_LENGTH, address, 0, addressLength);
            final int portOffset = FIXED_LENGTH + 2 * addressLength;
            try
            {
                sourceAddress = InetAddress.getByAddress(address);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalStateException(ex); // only for a length other than 4 or 16
            }
            sourcePort = ((header[portOffset] & 0xFF) << 8) | (header[portOffset + 1] & 0xFF);
        }
    }

    private boolean fail(final String reason)
    {
        error = reason;
        return false;
    }
}
