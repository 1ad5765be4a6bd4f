package io.keel.gateway;

import io.keel.codecs.FrameDecoder;
import io.keel.codecs.FrameError;
import io.keel.codecs.FrameErrorHandler;
import io.keel.codecs.FrameHandler;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.Sofh;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client's TCP connection: non-blocking reads cut into SOFH frames by a {@link FrameDecoder},
 * and a bounded outbound buffer. A client that does not read fast enough fills that buffer and is
 * dropped as a slow consumer, without affecting anyone else.
 * <p>
 * Before the first frame, a {@link Preamble}: a connection from a proxy named by {@code --proxy-protocol} begins with
 * a PROXY protocol v2 header naming the client, and any other connection's first bytes are watched for such a header
 * (or a v1 one), refused with a reason rather than a framing error.
 */
final class TcpConnection extends ClientConnection implements FrameHandler, FrameErrorHandler
{
    private static final int READ_BUFFER_LENGTH = 64 * 1024;
    private static final byte[] PROXY_V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final UnsafeBuffer PROXY_V2_SIGNATURE_BUFFER = new UnsafeBuffer(ProxyProtocolV2Parser.SIGNATURE);
    private static final UnsafeBuffer PROXY_V1_SIGNATURE_BUFFER = new UnsafeBuffer(PROXY_V1_SIGNATURE);

    /**
     * What the stream holds before its first frame. PROXY_HEADER -> (header read) FRAMES; WATCH -> (first bytes are no
     * PROXY signature) FRAMES; both -> (bad or unwanted header) refused.
     */
    enum Preamble
    {
        /** From an allowed proxy: a PROXY protocol v2 header comes first; the session layer hears of the connection
         * once it is read, under the client's address. */
        PROXY_HEADER,
        /** From anyone else: the first bytes are compared with the PROXY signatures, held while they match. */
        WATCH,
        /** SOFH frames. */
        FRAMES
    }

    final SocketChannel channel;
    final SelectionKey key;
    private final SessionLayer sessionLayer;
    private final GatewayCounters counters;
    private final FrameDecoder decoder;
    private final ByteBuffer readByteBuffer = ByteBuffer.allocateDirect(READ_BUFFER_LENGTH);
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(readByteBuffer);
    private final ByteBuffer writeByteBuffer;
    private final UnsafeBuffer writeBuffer;
    private boolean closeRequested;
    private boolean outputShut;
    private boolean peerClosed;
    boolean closeNotified;
    long lingerDeadlineNs;
    final long acceptedNs;
    private Preamble preamble;
    /** Null unless the connection is from an allowed proxy. */
    private final ProxyProtocolV2Parser proxyHeader;
    /** Whether --proxy-protocol is set: what a header from anyone but an allowed proxy is told. */
    private final boolean proxyProtocolOn;
    /** While watching: the signature the first bytes match, and how many of them did. */
    private byte[] watchedSignature;
    private int watchedLength;

    TcpConnection(
        final long connectionId,
        final SocketChannel channel,
        final SelectionKey key,
        final String remoteAddress,
        final SessionLayer sessionLayer,
        final GatewayContext config,
        final GatewayCounters counters,
        final Preamble preamble,
        final long acceptedNs)
    {
        super(connectionId, remoteAddress);
        this.channel = channel;
        this.key = key;
        this.sessionLayer = sessionLayer;
        this.counters = counters;
        this.preamble = preamble;
        this.acceptedNs = acceptedNs;
        proxyHeader = preamble == Preamble.PROXY_HEADER ? new ProxyProtocolV2Parser() : null;
        proxyProtocolOn = config.proxyProtocolSources() != null;
        decoder = new FrameDecoder(config.maxFrameLength(), this, this);
        writeByteBuffer = ByteBuffer.allocateDirect(config.outboundBufferBytes());
        writeBuffer = new UnsafeBuffer(writeByteBuffer);
    }

    /**
     * Read what is there and hand each frame to the session layer.
     *
     * @return bytes read; -1 when the peer closed or the stream failed.
     */
    int read()
    {
        final int bytesRead;
        try
        {
            readByteBuffer.clear();
            bytesRead = channel.read(readByteBuffer);
        }
        catch (final IOException ex)
        {
            peerClosed = true;
            if (closeReason == null)
            {
                closeReason = "read failed: " + ex.getMessage();
            }
            return -1;
        }
        if (bytesRead < 0)
        {
            peerClosed = true;
            if (closeReason == null)
            {
                closeReason = "closed by peer";
            }
            return -1;
        }
        if (bytesRead > 0 && !closeRequested)
        {
            counters.add(GatewayCounters.BYTES_RECEIVED, bytesRead);
            if (counters.hops != null)
            {
                counters.hops.onReceived();
            }
            final int framesFrom = preamble == Preamble.FRAMES ? 0 : readPreamble(bytesRead);
            if (framesFrom >= 0)
            {
                decoder.onData(readBuffer, framesFrom, bytesRead - framesFrom);
            }
        }
        // While closing, input is read and dropped: closing a socket with unread input would reset
        // the connection and the client would lose the Logout telling it why.
        return bytesRead;
    }

    /**
     * The bytes before the first frame, in this read (cold: a connection's first reads only).
     *
     * @return where this read's frames begin, or -1 when all of it was preamble or the connection was refused.
     */
    private int readPreamble(final int length)
    {
        if (preamble == Preamble.PROXY_HEADER)
        {
            final int consumed = proxyHeader.onData(readBuffer, 0, length);
            if (consumed == ProxyProtocolV2Parser.FAILED)
            {
                refuse(proxyHeader.error() + " from a --proxy-protocol address");
                return -1;
            }
            if (!proxyHeader.isComplete())
            {
                return -1;
            }
            preamble = Preamble.FRAMES;
            proxyAddress = remoteAddress;
            remoteAddress = proxyHeader.describeSource(remoteAddress);
            // The logon timeout still counts from the accept: a header and a Logon, both within it.
            sessionLayer.onConnected(this, acceptedNs);
            return consumed;
        }

        for (int i = 0; i < length; i++)
        {
            final byte b = readBuffer.getByte(i);
            if (watchedLength == 0)
            {
                watchedSignature = b == ProxyProtocolV2Parser.SIGNATURE[0] ? ProxyProtocolV2Parser.SIGNATURE :
                    b == PROXY_V1_SIGNATURE[0] ? PROXY_V1_SIGNATURE : null;
            }
            if (watchedSignature == null || b != watchedSignature[watchedLength])
            {
                // No header after all. The bytes held from earlier reads matched the signature, so they are its own.
                final int held = watchedLength - i;
                preamble = Preamble.FRAMES;
                if (held > 0)
                {
                    decoder.onData(watchedSignature == ProxyProtocolV2Parser.SIGNATURE ?
                        PROXY_V2_SIGNATURE_BUFFER : PROXY_V1_SIGNATURE_BUFFER, 0, held);
                }
                return 0;
            }
            if (++watchedLength == watchedSignature.length)
            {
                refuse(proxyProtocolOn ?
                    "PROXY protocol header from " + remoteAddress + ", which is not in --proxy-protocol" :
                    "PROXY protocol header received but --proxy-protocol is not set");
                return -1;
            }
        }
        return -1;
    }

    /**
     * @return the client's address its PROXY protocol header named, or null (no header, a LOCAL or UNIX one).
     */
    java.net.InetAddress clientAddress()
    {
        return proxyHeader == null ? null : proxyHeader.sourceAddress();
    }

    /**
     * @return true while the PROXY protocol header of a proxy's connection is still to come.
     */
    boolean awaitsProxyHeader()
    {
        return preamble == Preamble.PROXY_HEADER && !closeRequested;
    }

    /**
     * Refused before it logged on: counted and logged as a refused connection, told why, closed.
     */
    void refuse(final String reason)
    {
        counters.increment(GatewayCounters.REJECTED_CONNECTIONS);
        GatewayLog.event("connection-refused", "connection", Long.toString(connectionId), "remote", remoteAddress,
            "reason", reason);
        sessionLayer.refuse(this, LogoutReason.PROTOCOL_ERROR, reason);
    }

    /**
     * Half-close once everything queued is written: the client reads its last messages, then end of stream.
     *
     * @return true when the output side is shut.
     */
    boolean shutdownOutputWhenFlushed()
    {
        if (!outputShut && !hasPendingWrites())
        {
            try
            {
                channel.shutdownOutput();
            }
            catch (final IOException ignore)
            {
                peerClosed = true;
            }
            outputShut = true;
        }
        return outputShut;
    }

    boolean isPeerClosed()
    {
        return peerClosed;
    }

    public boolean onFrame(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        return sessionLayer.onMessage(this, buffer, offset, length, templateId);
    }

    public void onFrameError(final FrameError error, final long detail)
    {
        sessionLayer.onFrameError(this, error, detail);
    }

    boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        final int frameLength = Sofh.HEADER_LENGTH + length;
        if (writeByteBuffer.remaining() < frameLength)
        {
            flush();
            if (writeByteBuffer.remaining() < frameLength)
            {
                counters.increment(GatewayCounters.SLOW_CONSUMERS);
                disconnect("SLOW_CONSUMER: outbound buffer of " + writeByteBuffer.capacity() + " bytes full");
                return false;
            }
        }
        final int position = writeByteBuffer.position();
        Sofh.writeHeader(writeBuffer, position, length);
        writeBuffer.putBytes(position + Sofh.HEADER_LENGTH, buffer, offset, length);
        writeByteBuffer.position(position + frameLength);
        return true;
    }

    /**
     * Copied once into the outbound buffer, then the long written there.
     */
    boolean sendPatched(
        final DirectBuffer buffer, final int offset, final int length, final int patchOffset, final long value)
    {
        if (!send(buffer, offset, length))
        {
            return false;
        }
        // send may have flushed first: the frame is the last one in the buffer whatever was there before.
        final int frameStart = writeByteBuffer.position() - Sofh.HEADER_LENGTH - length;
        writeBuffer.putLong(frameStart + Sofh.HEADER_LENGTH + patchOffset, value, java.nio.ByteOrder.LITTLE_ENDIAN);
        return true;
    }

    boolean hasPendingWrites()
    {
        return writeByteBuffer.position() > 0;
    }

    /**
     * Write as much as the socket takes now.
     *
     * @return false if the socket failed.
     */
    boolean flush()
    {
        if (writeByteBuffer.position() == 0)
        {
            return true;
        }
        try
        {
            writeByteBuffer.flip();
            counters.add(GatewayCounters.BYTES_SENT, channel.write(writeByteBuffer));
            writeByteBuffer.compact();
            return true;
        }
        catch (final IOException ex)
        {
            writeByteBuffer.clear();
            if (closeReason == null)
            {
                closeReason = "write failed: " + ex.getMessage();
            }
            peerClosed = true;
            closeRequested = true;
            state = State.CLOSING;
            return false;
        }
    }

    void disconnect(final String reason)
    {
        if (!closeRequested)
        {
            closeRequested = true;
            closeReason = reason;
            state = State.CLOSING;
        }
    }

    long admittedNs()
    {
        return acceptedNs;
    }

    boolean isCloseRequested()
    {
        return closeRequested;
    }
}
