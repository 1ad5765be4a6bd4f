package io.keel.gateway;

import io.keel.codecs.LogoutReason;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
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
    /**
     * Refused connections told why at once; beyond this many (a connection flood) they are closed without a word,
     * so refusing costs bounded memory.
     */
    private static final int MAX_REFUSED_LINGERING = 16;

    private final GatewayContext config;
    private final SessionLayer sessionLayer;
    private final GatewayCounters counters;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final ArrayList<TcpConnection> connections = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final long logonTimeoutNs;
    private long nowNs;
    private long nextConnectionId = 1;
    private int refusedLingering;
    private int work;

    TcpTransport(final GatewayContext config, final SessionLayer sessionLayer, final GatewayCounters counters)
    {
        this.config = config;
        this.sessionLayer = sessionLayer;
        this.counters = counters;
        logonTimeoutNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.logonTimeoutMs());
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
            accept();
        }
        else
        {
            final TcpConnection connection = (TcpConnection)attachment;
            if (connection.read() < 0 && !connection.isCloseRequested())
            {
                connection.disconnect(connection.closeReason);
            }
        }
    }

    private void accept()
    {
        final SocketChannel channel;
        try
        {
            channel = serverChannel.accept();
            if (channel == null)
            {
                return;
            }
        }
        catch (final IOException ex)
        {
            GatewayLog.event("accept-failed", "error", String.valueOf(ex.getMessage()));
            return;
        }
        String remote = "unknown";
        try
        {
            remote = String.valueOf(channel.getRemoteAddress());
            final boolean overLimit = connections.size() - refusedLingering >= config.maxConnections();
            if (overLimit)
            {
                counters.increment(GatewayCounters.REJECTED_CONNECTIONS);
                GatewayLog.event("connection-refused", "remote", remote,
                    "reason", "max connections " + config.maxConnections() + " reached");
                if (refusedLingering >= MAX_REFUSED_LINGERING)
                {
                    channel.close();
                    return;
                }
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final AddressBlocks proxies = config.proxyProtocolSources();
            final TcpConnection.Preamble preamble = !overLimit && proxies != null &&
                proxies.contains(((InetSocketAddress)channel.getRemoteAddress()).getAddress()) ?
                TcpConnection.Preamble.PROXY_HEADER : TcpConnection.Preamble.WATCH;
            final TcpConnection connection = new TcpConnection(
                nextConnectionId++, channel, key, remote, sessionLayer, config, counters, preamble, nowNs);
            key.attach(connection);
            connections.add(connection);
            if (overLimit)
            {
                // Closed like any logged-out connection (what is queued is written, then FIN), so the client reads
                // the reason instead of a bare close.
                connection.refused = true;
                refusedLingering++;
                sessionLayer.refuse(connection, LogoutReason.SHUTDOWN,
                    "connection limit of " + config.maxConnections() + " reached: retry later or use another gateway");
            }
            else if (preamble != TcpConnection.Preamble.PROXY_HEADER)
            {
                sessionLayer.onConnected(connection, nowNs);
            }
        }
        catch (final IOException ex)
        {
            GatewayLog.event("accept-failed", "remote", remote, "error", String.valueOf(ex.getMessage()));
            CloseHelper.quietClose(channel);
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
        if (connection.refused)
        {
            refusedLingering--;
        }
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
