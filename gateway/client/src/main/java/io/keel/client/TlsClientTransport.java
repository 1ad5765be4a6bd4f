package io.keel.client;

import io.keel.codecs.FrameDecoder;
import io.keel.codecs.FrameError;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * SOFH-framed SBE over TLS over a non-blocking TCP connection, with the JDK's {@link SSLEngine}: for gateways behind
 * a proxy that terminates TLS (HAProxy). The handshake ({@link TlsHandshake}) completes inside {@link #open}, by its
 * deadline; a certificate that is not trusted or does not name the server fails it with the reason, in one line.
 * <p>
 * Four direct buffers, allocated once: SOFH frames queue in plain text ({@code appOut}) and are wrapped into records
 * ({@code netOut}) as the socket takes them; records read ({@code netIn}) unwrap into plain text ({@code appIn}) that
 * the frame decoder cuts into messages. This class allocates nothing after the handshake; the JDK's engine does, on
 * every wrap and unwrap (JDK 17: a result, and an AES-GCM cipher set up per record, about 1.6 KB each way).
 * Post-handshake messages (TLS 1.3 session tickets and key updates) are answered as they come; this end never
 * renegotiates.
 */
final class TlsClientTransport implements ClientTransport
{
    /** When true, offers only append: poll() or flush() writes them together (KeelClient.Context#batchSends). */
    private final boolean batchSends;
    private static final int APP_OUT_LENGTH = 64 * 1024;

    private final ClientTls tls;
    private final Listener listener;
    private final FrameDecoder frameDecoder;
    private final ByteBuffer appOut = ByteBuffer.allocateDirect(APP_OUT_LENGTH);
    private final UnsafeBuffer appOutBuffer = new UnsafeBuffer(appOut);
    // The engine's array forms, so that the JDK's one-buffer conveniences do not make an array per call.
    private final ByteBuffer[] appOutArray = {appOut};
    // What a key update and the close_notify are wrapped from: they carry no plain text.
    private final ByteBuffer[] emptyArray = {ByteBuffer.allocateDirect(0)};
    private final ByteBuffer[] appInArray = new ByteBuffer[1];
    private ByteBuffer appIn;
    private final UnsafeBuffer appInBuffer = new UnsafeBuffer(0, 0);
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private SSLEngine engine;
    private SocketChannel channel;
    /** Set while {@link #poll()} hands messages up, so that a write that polls while back-pressured does not nest. */
    private boolean polling;

    TlsClientTransport(final ClientTls tls, final Listener listener, final boolean batchSends)
    {
        this.batchSends = batchSends;
        this.tls = tls;
        this.listener = listener;
        frameDecoder = new FrameDecoder(256 * 1024, listener::onMessage, this::onFrameError);
        final SSLSession sizes = tls.newEngine(new Endpoint("localhost", 1)).getSession();
        allocateAppIn(sizes.getApplicationBufferSize());
        netIn = ByteBuffer.allocateDirect(2 * sizes.getPacketBufferSize());
        netOut = ByteBuffer.allocateDirect(Math.max(4 * sizes.getPacketBufferSize(), APP_OUT_LENGTH));
    }

    /**
     * Connect, then complete the TLS handshake by the deadline. Cold path: it blocks and allocates.
     */
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
        try
        {
            engine = tls.newEngine(endpoint);
            TlsHandshake.complete(engine, channel, endpoint, netIn, netOut, appInArray, deadlineNs);
        }
        catch (final IOException | RuntimeException ex)
        {
            disconnect();
            throw new KeelClientException("TLS handshake with " + endpoint + " failed: " + oneLine(ex), null);
        }
        frameDecoder.reset();
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
        if (!SofhFrames.append(appOut, appOutBuffer, buffer, offset, length))
        {
            flush();
            if (channel == null)
            {
                return -1;
            }
            if (!SofhFrames.append(appOut, appOutBuffer, buffer, offset, length))
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
        if (channel == null || (appOut.position() == 0 && netOut.position() == 0))
        {
            return 0;
        }
        try
        {
            appOut.flip();
            try
            {
                wrapQueued();
            }
            finally
            {
                if (channel != null)
                {
                    appOut.compact();
                }
            }
            return writeNet() > 0 ? 1 : 0;
        }
        catch (final IOException ex)
        {
            lost("write failed: " + oneLine(ex));
            return 1;
        }
    }

    public int poll()
    {
        if (channel == null)
        {
            return -1;
        }
        if (polling)
        {
            return 0;
        }
        polling = true;
        try
        {
            final int bytesRead = channel.read(netIn);
            // What arrived with the close still counts: a Logout, a refusal.
            final int delivered = unwrapReceived();
            if (delivered < 0)
            {
                return -1;
            }
            if (bytesRead < 0)
            {
                lost("closed by gateway");
                return -1;
            }
            return bytesRead + delivered;
        }
        catch (final IOException ex)
        {
            lost("read failed: " + oneLine(ex));
            return -1;
        }
        finally
        {
            polling = false;
        }
    }

    public void disconnect()
    {
        if (engine != null && channel != null)
        {
            // A close_notify, best effort: the proxy then knows the end was meant.
            try
            {
                engine.closeOutbound();
                engine.wrap(emptyArray, 0, 1, netOut);
                writeNet();
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the connection is going anyway
            }
        }
        CloseHelper.quietClose(channel);
        channel = null;
        engine = null;
        appOut.clear();
        appIn.clear();
        netIn.clear();
        netOut.clear();
    }

    public void close()
    {
        disconnect();
    }

    /**
     * Wrap the queued plain text (appOut, in read mode) into records, writing records out when netOut fills.
     */
    private void wrapQueued() throws IOException
    {
        while (appOut.hasRemaining() && channel != null)
        {
            final SSLEngineResult result = engine.wrap(appOutArray, 0, 1, netOut);
            switch (result.getStatus())
            {
                case OK:
                    onHandshakeStatus(result.getHandshakeStatus());
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0)
                    {
                        return;
                    }
                    break;

                case BUFFER_OVERFLOW:
                    if (netOut.position() == 0)
                    {
                        netOut = grow(netOut, engine.getSession().getPacketBufferSize());
                    }
                    else if (writeNet() == 0)
                    {
                        return; // the socket is full: the rest waits for the next flush
                    }
                    break;

                case CLOSED:
                    lost("TLS closed");
                    return;

                default:
                    return;
            }
        }
    }

    /**
     * Unwrap every whole record read so far and hand the plain text to the frame decoder.
     *
     * @return plain-text bytes handed up; -1 when the connection was lost.
     */
    private int unwrapReceived() throws IOException
    {
        int delivered = deliver();
        netIn.flip();
        try
        {
            while (netIn.hasRemaining() && channel != null)
            {
                final SSLEngineResult result = engine.unwrap(netIn, appInArray, 0, 1);
                switch (result.getStatus())
                {
                    case OK:
                        delivered += deliver();
                        if (channel != null)
                        {
                            onHandshakeStatus(result.getHandshakeStatus());
                        }
                        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0)
                        {
                            return delivered;
                        }
                        break;

                    case BUFFER_UNDERFLOW:
                        // Part of a record: the rest comes with the next read, unless a record cannot fit at all.
                        if (netIn.position() == 0 && netIn.limit() == netIn.capacity())
                        {
                            final ByteBuffer grown = ByteBuffer.allocateDirect(
                                Math.max(2 * netIn.capacity(), engine.getSession().getPacketBufferSize()));
                            grown.put(netIn).flip();
                            netIn = grown;
                        }
                        return delivered;

                    case BUFFER_OVERFLOW:
                        allocateAppIn(Math.max(2 * appIn.capacity(), engine.getSession().getApplicationBufferSize()));
                        break;

                    case CLOSED:
                        lost("closed by gateway (TLS close_notify)");
                        return -1;

                    default:
                        return -1;
                }
            }
            return channel == null ? -1 : delivered;
        }
        finally
        {
            if (channel != null)
            {
                netIn.compact();
            }
        }
    }

    /**
     * Hand the plain text unwrapped so far to the frame decoder.
     */
    private int deliver()
    {
        final int length = appIn.position();
        if (length == 0)
        {
            return 0;
        }
        appIn.clear();
        if (frameDecoder.onData(appInBuffer, 0, length) == FrameDecoder.FAILED)
        {
            return 0;
        }
        return length;
    }

    /**
     * After the handshake the engine may still need a task run or an answer sent: a TLS 1.3 key update. Rare; the
     * tasks allocate.
     */
    private void onHandshakeStatus(final HandshakeStatus status) throws IOException
    {
        HandshakeStatus next = status;
        while (next == HandshakeStatus.NEED_TASK || next == HandshakeStatus.NEED_WRAP)
        {
            if (next == HandshakeStatus.NEED_TASK)
            {
                TlsHandshake.runTasks(engine);
                next = engine.getHandshakeStatus();
            }
            else
            {
                final SSLEngineResult result = engine.wrap(emptyArray, 0, 1, netOut);
                writeNet();
                if (result.getStatus() != SSLEngineResult.Status.OK)
                {
                    return;
                }
                next = result.getHandshakeStatus();
            }
        }
    }

    /**
     * @return bytes written from netOut (kept in write mode).
     */
    private int writeNet() throws IOException
    {
        if (channel == null || netOut.position() == 0)
        {
            return 0;
        }
        netOut.flip();
        try
        {
            return channel.write(netOut);
        }
        finally
        {
            netOut.compact();
        }
    }

    private void allocateAppIn(final int capacity)
    {
        appIn = ByteBuffer.allocateDirect(capacity);
        appInArray[0] = appIn;
        appInBuffer.wrap(appIn);
    }

    /**
     * A larger buffer holding what the old one held (both in write mode). Only if the engine's sizes grow.
     */
    private static ByteBuffer grow(final ByteBuffer buffer, final int atLeast)
    {
        final ByteBuffer grown = ByteBuffer.allocateDirect(Math.max(2 * buffer.capacity(), atLeast));
        buffer.flip();
        grown.put(buffer);
        return grown;
    }

    private void lost(final String reason)
    {
        listener.onLost(reason);
        if (channel != null)
        {
            disconnect();
        }
    }

    private void onFrameError(final FrameError error, final long detail)
    {
        lost("bad frame from gateway: " + error.describe(detail));
    }

    private static String oneLine(final Exception ex)
    {
        final String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
        return message.replace('\n', ' ').replace('\r', ' ');
    }
}
