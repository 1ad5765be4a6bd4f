package io.keel.gateway;

import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.Sofh;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The TCP side of the gateway: a non-blocking listener and its client connections, polled from
 * the duty cycle with {@link Selector#selectNow(Consumer)} (no selected-key set to iterate, so
 * nothing allocated per poll). Frames go to the {@link SessionLayer}; what it queues for clients is
 * written at the end of each poll.
 */
final class TcpTransport implements AutoCloseable
{
    /** How long a closing connection may take to read its last messages and close its side. */
    private static final long LINGER_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_ACCEPTS_PER_POLL = 64;
    /** At most one refusal line a second per transport: a flood is one line and a count. */
    static final long REFUSAL_LOG_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final GatewayContext config;
    private final SessionLayer sessionLayer;
    private final GatewayCounters counters;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final ArrayList<TcpConnection> connections = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final long logonTimeoutNs;
    private long nowNs;
    private final ConnectionAdmission admission;
    private final DutyCycleGuard guard;
    /** A refused connection's Logout, SOFH-framed: written once at accept, never queued. */
    private final ByteBuffer refusal = ByteBuffer.allocateDirect(512);
    private final UnsafeBuffer refusalBuffer = new UnsafeBuffer(refusal);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    /** At most one line a second: a flood is a few lines, with the count of those not logged. */
    private final LogLimiter refusalLog = new LogLimiter(REFUSAL_LOG_INTERVAL_NS);
    private TcpConnection current;
    private long nextConnectionId = 1;
    private int work;

    TcpTransport(final GatewayContext config, final SessionLayer sessionLayer, final GatewayCounters counters)
    {
        this.config = config;
        this.sessionLayer = sessionLayer;
        this.counters = counters;
        logonTimeoutNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.logonTimeoutMs());
        admission = new ConnectionAdmission(config);
        guard = sessionLayer.guard();
        try
        {
            selector = Selector.open();
            serverChannel = ServerSocketChannel.open();
            serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            serverChannel.bind(new InetSocketAddress(config.bindAddress(), config.port()), 128);
            serverChannel.configureBlocking(false);
            serverChannel.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(
                "cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + ex.getMessage(), ex);
        }
    }

    int port()
    {
        try
        {
            return ((InetSocketAddress)serverChannel.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        work = 0;
        current = null;
        try
        {
            selector.selectNow(onReady);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final TcpConnection connection = connections.get(i);
            if (connection.hasPendingWrites())
            {
                connection.flush();
                work++;
            }
            if (connection.awaitsProxyHeader() && nowNs - connection.acceptedNs > logonTimeoutNs)
            {
                // Not the session layer's logon timeout: it hears of a proxy's connection only once the header is in.
                connection.refuse("no complete PROXY protocol v2 header within " + config.logonTimeoutMs() + " ms");
                work++;
            }
            if (connection.isCloseRequested())
            {
                work += closing(connection, i);
            }
        }
        return work;
    }

    private void onReady(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        work++;
        final Object attachment = key.attachment();
        if (attachment == null)
        {
            // The whole backlog, or a good part of it: a flood refused one per cycle would fill the kernel's accept
            // queue, and a real client's SYN would wait for a retransmit (a second) behind it.
            for (int i = 0; i < MAX_ACCEPTS_PER_POLL && accept(); i++)
            {
                work++;
            }
            return;
        }
        final TcpConnection connection = (TcpConnection)attachment;
        current = connection;
        try
        {
            final boolean awaitedHeader = connection.awaitsProxyHeader();
            if (connection.read() < 0 && !connection.isCloseRequested())
            {
                connection.disconnect(connection.closeReason);
            }
            if (awaitedHeader && !connection.awaitsProxyHeader() && !connection.isCloseRequested())
            {
                onProxyHeader(connection);
            }
        }
        catch (final Exception ex)
        {
            // This connection's read threw (its input, or a bug it found): it goes, every other key is served.
            guard.onError("tcp", connection, ex, nowNs);
        }
        current = null;
    }

    /**
     * @return the connection being read, or null: what the duty cycle closes when {@link #poll} throws.
     */
    ClientConnection current()
    {
        return current;
    }

    /**
     * @return true when a connection was accepted (admitted or refused), false when none was waiting.
     */
    private boolean accept()
    {
        final SocketChannel channel;
        try
        {
            channel = serverChannel.accept();
            if (channel == null)
            {
                return false;
            }
        }
        catch (final IOException ex)
        {
            GatewayLog.event("accept-failed", "error", String.valueOf(ex.getMessage()));
            return false;
        }
        String remote = "unknown";
        try
        {
            final InetSocketAddress peer = (InetSocketAddress)channel.getRemoteAddress();
            remote = String.valueOf(peer);
            final AddressBlocks proxies = config.proxyProtocolSources();
            final boolean fromProxy = proxies != null && proxies.contains(peer.getAddress());
            final long addressKey = fromProxy ? AddressKey.NONE : AddressKey.of(peer.getAddress());
            final ConnectionAdmission.Verdict verdict = admission.admit(addressKey, connections);
            if (verdict != ConnectionAdmission.Verdict.ADMIT)
            {
                refuseAtAccept(channel, remote, peer.getAddress().getHostAddress(), verdict);
                return true;
            }
            final ClientConnection evicted = admission.evicted();
            if (evicted != null)
            {
                counters.increment(GatewayCounters.PENDING_EVICTED);
                GatewayLog.event("connection-evicted", "connection", Long.toString(evicted.connectionId),
                    "remote", evicted.remoteAddress, "for", remote);
                sessionLayer.refuse(evicted, LogoutReason.LOGON_TIMEOUT, "evicted: the gateway's " +
                    config.limits().maxPendingConnections() + " slots for connections logging on are full, and this " +
                    "was the oldest that had sent nothing or been refused");
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final TcpConnection.Preamble preamble =
                fromProxy ? TcpConnection.Preamble.PROXY_HEADER : TcpConnection.Preamble.WATCH;
            final TcpConnection connection = new TcpConnection(
                nextConnectionId++, channel, key, remote, sessionLayer, config, counters, preamble, nowNs);
            connection.addressKey = addressKey;
            key.attach(connection);
            connections.add(connection);
            if (preamble != TcpConnection.Preamble.PROXY_HEADER)
            {
                sessionLayer.onConnected(connection, nowNs);
            }
        }
        catch (final IOException ex)
        {
            GatewayLog.event("accept-failed", "remote", remote, "error", String.valueOf(ex.getMessage()));
            CloseHelper.quietClose(channel);
        }
        return true;
    }

    /**
     * A proxy's connection whose header named its client: now the client's address is known, its bounds apply.
     */
    private void onProxyHeader(final TcpConnection connection)
    {
        connection.addressKey = AddressKey.of(connection.clientAddress());
        final ConnectionAdmission.Verdict verdict = admission.checkAddress(connection, connections);
        if (verdict != ConnectionAdmission.Verdict.ADMIT)
        {
            counters.increment(GatewayCounters.REFUSED_PER_ADDRESS);
            connection.refuse(admission.describe(verdict, connection.clientAddress().getHostAddress()));
        }
    }

    /**
     * Refused before anything is read: a Logout written at once (it fits any socket buffer) and the socket closed,
     * so refusing a flood holds nothing and every refused client can print why.
     */
    private void refuseAtAccept(
        final SocketChannel channel, final String remote, final String address, final ConnectionAdmission.Verdict verdict)
        throws IOException
    {
        counters.increment(GatewayCounters.REJECTED_CONNECTIONS);
        if (verdict == ConnectionAdmission.Verdict.ADDRESS_FULL ||
            verdict == ConnectionAdmission.Verdict.ADDRESS_PENDING_FULL)
        {
            counters.increment(GatewayCounters.REFUSED_PER_ADDRESS);
        }
        final String reason = admission.describe(verdict, address);
        if (refusalLog.tryLog(nowNs))
        {
            GatewayLog.event("connection-refused", "remote", remote, "reason", reason,
                "notLogged", refusalLog.takeNotLogged());
        }
        try
        {
            channel.configureBlocking(false);
            refusal.clear();
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder
                .wrapAndApplyHeader(refusalBuffer, Sofh.HEADER_LENGTH, headerEncoder)
                .reason(LogoutReason.SHUTDOWN)
                .text(reason)
                .encodedLength();
            Sofh.writeHeader(refusalBuffer, 0, length);
            refusal.limit(Sofh.HEADER_LENGTH + length);
            channel.write(refusal);
            channel.shutdownOutput();
        }
        finally
        {
            channel.close();
        }
    }

    /**
     * A connection being closed: the session layer hears of it at once; the socket writes what is
     * queued, half-closes, and is closed when the client closes its side or after the linger time.
     */
    private int closing(final TcpConnection connection, final int index)
    {
        if (!connection.closeNotified)
        {
            connection.closeNotified = true;
            connection.lingerDeadlineNs = nowNs + LINGER_NS;
            sessionLayer.onDisconnected(connection);
        }
        if (connection.shutdownOutputWhenFlushed() && connection.isPeerClosed() ||
            nowNs - connection.lingerDeadlineNs > 0)
        {
            close(connection, index);
            return 1;
        }
        return 0;
    }

    private void close(final TcpConnection connection, final int index)
    {
        connections.remove(index);
        connection.key.cancel();
        CloseHelper.quietClose(connection.channel);
        if (!connection.closeNotified)
        {
            connection.closeNotified = true;
            sessionLayer.onDisconnected(connection);
        }
    }

    /**
     * Flush and close every connection (after the session layer logged them out).
     */
    void closeAll()
    {
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final TcpConnection connection = connections.get(i);
            connection.flush();
            if (connection.closeReason == null)
            {
                connection.disconnect("gateway shutting down");
            }
            close(connection, i);
        }
    }

    public void close()
    {
        closeAll();
        CloseHelper.quietCloseAll(serverChannel, selector);
    }
}
