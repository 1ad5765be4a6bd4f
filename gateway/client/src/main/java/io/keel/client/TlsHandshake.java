package io.keel.client;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The TLS handshake of a {@link TlsClientTransport}'s new connection, driven to its end on the caller's thread by a
 * deadline: wrap, unwrap, the engine's tasks, reads and writes on the non-blocking channel, and a short park when none
 * of them can go on. Cold path: it blocks (until the deadline at most) and allocates.
 */
final class TlsHandshake
{
    private static final long IDLE_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private TlsHandshake()
    {
    }

    /**
     * @param netIn  records read, in write mode: what the server sent after the handshake stays in it.
     * @param netOut records to write, in write mode: empty when this returns.
     * @param appIn  where unwrapped plain text goes, should the server send any with its last flight.
     * @throws IOException saying why the handshake failed; an {@link javax.net.ssl.SSLException} from the engine when
     *                     the server's certificate is not trusted or does not name the server.
     */
    static void complete(
        final SSLEngine engine,
        final SocketChannel channel,
        final Endpoint endpoint,
        final ByteBuffer netIn,
        final ByteBuffer netOut,
        final ByteBuffer[] appIn,
        final long deadlineNs) throws IOException
    {
        final ByteBuffer[] none = {ByteBuffer.allocate(0)};
        engine.beginHandshake();
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING)
        {
            checkDeadline(deadlineNs);
            switch (status)
            {
                case NEED_WRAP:
                {
                    final SSLEngineResult result = engine.wrap(none, 0, 1, netOut);
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && write(channel, netOut) == 0)
                    {
                        LockSupport.parkNanos(IDLE_NS);
                    }
                    else if (result.getStatus() == SSLEngineResult.Status.CLOSED)
                    {
                        write(channel, netOut); // the alert that says why, for the server's log
                        throw new IOException("closed by the engine during the handshake");
                    }
                    status = result.getHandshakeStatus();
                    break;
                }

                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                {
                    write(channel, netOut);
                    netIn.flip();
                    final SSLEngineResult result = engine.unwrap(netIn, appIn, 0, 1);
                    netIn.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW)
                    {
                        final int read = channel.read(netIn);
                        if (read < 0)
                        {
                            throw new IOException("closed by " + endpoint + " during the handshake");
                        }
                        if (read == 0)
                        {
                            LockSupport.parkNanos(IDLE_NS);
                        }
                    }
                    else if (result.getStatus() != SSLEngineResult.Status.OK)
                    {
                        throw new IOException(result.getStatus() + " from " + endpoint + " during the handshake");
                    }
                    status = result.getHandshakeStatus();
                    break;
                }

                case NEED_TASK:
                    runTasks(engine);
                    status = engine.getHandshakeStatus();
                    break;

                default:
                    status = engine.getHandshakeStatus();
                    break;
            }
        }
        // The last flight (the client's Finished) must leave before the Logon can follow it.
        while (netOut.position() > 0)
        {
            checkDeadline(deadlineNs);
            if (write(channel, netOut) == 0)
            {
                LockSupport.parkNanos(IDLE_NS);
            }
        }
    }

    /**
     * Run what the engine hands over to be run, here and now (certificate checks, key exchange). It allocates.
     */
    static void runTasks(final SSLEngine engine)
    {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null)
        {
            task.run();
        }
    }

    private static void checkDeadline(final long deadlineNs) throws IOException
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IOException("not done within the connect timeout");
        }
    }

    private static int write(final SocketChannel channel, final ByteBuffer netOut) throws IOException
    {
        if (netOut.position() == 0)
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
}
