package io.keel.gateway;

import io.keel.codecs.FrameDecoder;
import io.keel.codecs.FrameError;
import io.keel.codecs.FrameErrorHandler;
import io.keel.codecs.FrameHandler;
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
 */
final class TcpConnection extends ClientConnection implements FrameHandler, FrameErrorHandler
{
    private static final int READ_BUFFER_LENGTH = 64 * 1024;

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
    /** Over the connection limit: told so, never logged on, not counted against the limit while it lingers. */
    boolean refused;

    TcpConnection(
        final long connectionId,
        final SocketChannel channel,
        final SelectionKey key,
        final String remoteAddress,
        final SessionLayer sessionLayer,
        final GatewayContext config,
        final GatewayCounters counters)
    {
        super(connectionId, remoteAddress);
        this.channel = channel;
        this.key = key;
        this.sessionLayer = sessionLayer;
        this.counters = counters;
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
            decoder.onData(readBuffer, 0, bytesRead);
        }
        // While closing, input is read and dropped: closing a socket with unread input would reset
        // the connection and the client would lose the Logout telling it why.
        return bytesRead;
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

    boolean isCloseRequested()
    {
        return closeRequested;
    }
}
