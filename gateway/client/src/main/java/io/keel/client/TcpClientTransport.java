package io.keel.client;

import io.keel.codecs.FrameDecoder;
import io.keel.codecs.FrameError;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * SOFH-framed SBE over a non-blocking TCP connection.
 */
final class TcpClientTransport implements ClientTransport
{
    /** When true, offers only append: poll() or flush() writes them together (KeelClient.Context#batchSends). */
    private final boolean batchSends;
    private static final int BUFFER_LENGTH = 64 * 1024;

    private final Listener listener;
    private final FrameDecoder frameDecoder;
    private final ByteBuffer readByteBuffer = ByteBuffer.allocateDirect(BUFFER_LENGTH);
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(readByteBuffer);
    private final ByteBuffer writeByteBuffer = ByteBuffer.allocateDirect(BUFFER_LENGTH);
    private final UnsafeBuffer writeBuffer = new UnsafeBuffer(writeByteBuffer);
    private SocketChannel channel;

    TcpClientTransport(final Listener listener, final boolean batchSends)
    {
        this.listener = listener;
        this.batchSends = batchSends;
        frameDecoder = new FrameDecoder(256 * 1024, listener::onMessage, this::onFrameError);
    }

    public void open(final Endpoint endpoint, final long deadlineNs)
    {
        disconnect();
        try
        {
            final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
            channel = SocketChannel.open();
            channel.socket().connect(
                new InetSocketAddress(endpoint.host(), endpoint.port()), (int)Math.min(Integer.MAX_VALUE, timeoutMs));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            disconnect();
            throw new KeelClientException("cannot connect to " + endpoint + ": " + ex.getMessage(), null);
        }
        frameDecoder.reset();
        writeByteBuffer.clear();
    }

    public String responseEndpoint()
    {
        return "";
    }

    public boolean isOpen()
    {
        return channel != null;
    }

    public int offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (channel == null)
        {
            return -1;
        }
        if (!SofhFrames.append(writeByteBuffer, writeBuffer, buffer, offset, length))
        {
            flush();
            if (channel == null)
            {
                return -1;
            }
            if (!SofhFrames.append(writeByteBuffer, writeBuffer, buffer, offset, length))
            {
                return 0;
            }
        }
        if (!batchSends)
        {
            flush();
        }
        return 1;
    }

    public int flush()
    {
        if (channel == null || writeByteBuffer.position() == 0)
        {
            return 0;
        }
        try
        {
            writeByteBuffer.flip();
            final int written = channel.write(writeByteBuffer);
            writeByteBuffer.compact();
            return written > 0 ? 1 : 0;
        }
        catch (final IOException ex)
        {
            writeByteBuffer.clear();
            listener.onLost("write failed: " + ex.getMessage());
            return 1;
        }
    }

    public int poll()
    {
        if (channel == null)
        {
            return -1;
        }
        try
        {
            readByteBuffer.clear();
            final int bytesRead = channel.read(readByteBuffer);
            if (bytesRead < 0)
            {
                listener.onLost("closed by gateway");
                return -1;
            }
            if (bytesRead > 0 && frameDecoder.onData(readBuffer, 0, bytesRead) == FrameDecoder.FAILED)
            {
                return -1;
            }
            return channel == null ? -1 : bytesRead;
        }
        catch (final IOException ex)
        {
            listener.onLost("read failed: " + ex.getMessage());
            return -1;
        }
    }

    private void onFrameError(final FrameError error, final long detail)
    {
        listener.onLost("bad frame from gateway: " + error.describe(detail));
    }

    public void disconnect()
    {
        CloseHelper.quietClose(channel);
        channel = null;
    }

    public void close()
    {
        disconnect();
    }
}
