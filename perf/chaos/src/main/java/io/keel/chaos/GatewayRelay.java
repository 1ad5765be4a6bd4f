package io.keel.chaos;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The load balancer in front of the gateways (HAProxy in a deployment), as chaos needs it: each client connects to
 * a port of its own here, relayed to the gateway that client is assigned. {@link #move} assigns a client to the
 * other gateway and cuts its connection, as a proxy or a network would; the client library reconnects to the same
 * address, logs on with its nextExpectedSeqNo, and lands on the other gateway. One thread, non-blocking, plain
 * TCP: the gateways see loopback connections as they would without it. Cold path for the run (one hop added).
 */
final class GatewayRelay implements Runnable, ClientMover, AutoCloseable
{
    private static final int BUFFER_LENGTH = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 1_000;

    /**
     * One relayed connection: the client's end, the gateway's end, and a buffer for each direction.
     */
    private final class Pipe
    {
        final int client;
        final int gateway;
        final End clientEnd;
        final End gatewayEnd;
        boolean closed;

        Pipe(final int client, final int gateway, final SocketChannel fromClient, final SocketChannel toGateway)
            throws IOException
        {
            this.client = client;
            this.gateway = gateway;
            clientEnd = new End(this, fromClient);
            gatewayEnd = new End(this, toGateway);
            clientEnd.peer = gatewayEnd;
            gatewayEnd.peer = clientEnd;
            clientEnd.key = fromClient.register(selector, SelectionKey.OP_READ, clientEnd);
            gatewayEnd.key = toGateway.register(selector, SelectionKey.OP_READ, gatewayEnd);
        }

        void close()
        {
            closed = true;
            CloseHelper.quietClose(clientEnd.channel);
            CloseHelper.quietClose(gatewayEnd.channel);
        }
    }

    /**
     * One socket of a pipe and what was read from it, waiting to be written to its peer.
     */
    private static final class End
    {
        final Pipe pipe;
        final SocketChannel channel;
        final ByteBuffer inbound = ByteBuffer.allocateDirect(BUFFER_LENGTH);
        End peer;
        SelectionKey key;

        End(final Pipe pipe, final SocketChannel channel) throws IOException
        {
            this.pipe = pipe;
            this.channel = channel;
            channel.configureBlocking(false);
        }
    }

    private final Selector selector;
    private final ServerSocketChannel[] listeners;
    private final String[] gatewayHosts;
    private final int[] gatewayPorts;
    private final AtomicIntegerArray assigned;
    private final Queue<Integer> cuts = new ConcurrentLinkedQueue<>();
    private final List<Pipe> pipes = new ArrayList<>();
    private final History history;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param clients      one listening port each, index 0..clients-1.
     * @param gatewayPorts the gateways' client ports, by gateway index.
     */
    GatewayRelay(final int clients, final int[] gatewayPorts, final History history)
    {
        this(clients, loopback(gatewayPorts.length), gatewayPorts, history);
    }

    /**
     * @param gatewayHosts the gateways' addresses, by gateway index (with --net, their namespaces' addresses).
     */
    GatewayRelay(final int clients, final String[] gatewayHosts, final int[] gatewayPorts, final History history)
    {
        this.gatewayHosts = gatewayHosts;
        this.gatewayPorts = gatewayPorts;
        this.history = history;
        assigned = new AtomicIntegerArray(clients);
        listeners = new ServerSocketChannel[clients];
        try
        {
            selector = Selector.open();
            for (int i = 0; i < clients; i++)
            {
                assigned.set(i, i % gatewayPorts.length);
                listeners[i] = ServerSocketChannel.open();
                listeners[i].bind(new InetSocketAddress("127.0.0.1", 0));
                listeners[i].configureBlocking(false);
                listeners[i].register(selector, SelectionKey.OP_ACCEPT, i);
            }
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(ex);
        }
        thread = new Thread(this, "chaos-relay");
        thread.setDaemon(true);
        thread.start();
    }

    private static String[] loopback(final int gateways)
    {
        final String[] hosts = new String[gateways];
        java.util.Arrays.fill(hosts, "127.0.0.1");
        return hosts;
    }

    int port(final int client)
    {
        return listeners[client].socket().getLocalPort();
    }

    public String move(final int client)
    {
        final int from = gatewayOf(client);
        final int to = reassign(client);
        return "c" + (client + 1) + " gateway " + ChaosProcesses.gatewayId(from) + " -> " + ChaosProcesses.gatewayId(to);
    }

    int gatewayOf(final int client)
    {
        return assigned.get(client);
    }

    /**
     * Assign the client to the other gateway and cut its connection (from any thread).
     *
     * @return the gateway index it is assigned now.
     */
    int reassign(final int client)
    {
        final int to = (assigned.get(client) + 1) % gatewayPorts.length;
        assigned.set(client, to);
        cuts.add(client);
        selector.wakeup();
        return to;
    }

    public void run()
    {
        try
        {
            while (running)
            {
                selector.select(100);
                for (Integer client; (client = cuts.poll()) != null; )
                {
                    cut(client);
                }
                for (final SelectionKey key : selector.selectedKeys())
                {
                    onReady(key);
                }
                selector.selectedKeys().clear();
                pipes.removeIf((pipe) -> pipe.closed);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (running)
            {
                history.line("relay ERROR " + ex);
            }
        }
    }

    private void onReady(final SelectionKey key) throws IOException
    {
        if (!key.isValid())
        {
            return;
        }
        if (key.isAcceptable())
        {
            accept((Integer)key.attachment(), ((ServerSocketChannel)key.channel()).accept());
            return;
        }
        final End end = (End)key.attachment();
        if (end.pipe.closed)
        {
            return;
        }
        try
        {
            if (key.isReadable())
            {
                final boolean eof = end.channel.read(end.inbound) < 0;
                flush(end);
                if (eof)
                {
                    end.pipe.close(); // what the peer could not take yet goes with it, as with a proxy
                    return;
                }
            }
            if (key.isValid() && key.isWritable())
            {
                flush(end.peer);
            }
        }
        catch (final IOException ex)
        {
            end.pipe.close();
        }
    }

    /**
     * Write what was read from this end to its peer; read no more from it while the peer cannot take it.
     */
    private void flush(final End from) throws IOException
    {
        from.inbound.flip();
        from.peer.channel.write(from.inbound);
        from.inbound.compact();
        interest(from);
        interest(from.peer);
    }

    /**
     * Read while there is room for it; write while the peer's bytes wait.
     */
    private static void interest(final End end)
    {
        end.key.interestOps((end.inbound.hasRemaining() ? SelectionKey.OP_READ : 0) |
            (end.peer.inbound.position() > 0 ? SelectionKey.OP_WRITE : 0));
    }

    private void accept(final int client, final SocketChannel fromClient) throws IOException
    {
        if (fromClient == null)
        {
            return;
        }
        final int gateway = assigned.get(client);
        final SocketChannel toGateway = SocketChannel.open();
        try
        {
            toGateway.socket().connect(new InetSocketAddress(gatewayHosts[gateway], gatewayPorts[gateway]), CONNECT_TIMEOUT_MS);
            toGateway.socket().setTcpNoDelay(true);
            fromClient.socket().setTcpNoDelay(true);
        }
        catch (final IOException ex)
        {
            // The gateway is down (being restarted): the client sees a closed connection and tries again.
            CloseHelper.quietClose(toGateway);
            CloseHelper.quietClose(fromClient);
            return;
        }
        pipes.add(new Pipe(client, gateway, fromClient, toGateway));
        history.line("relay CONNECT c" + (client + 1) + " gateway=" + ChaosProcesses.gatewayId(gateway));
    }

    private void cut(final int client)
    {
        for (final Pipe pipe : pipes)
        {
            if (pipe.client == client && !pipe.closed)
            {
                pipe.close();
                history.line("relay CUT c" + (client + 1) + " gateway=" + ChaosProcesses.gatewayId(pipe.gateway));
            }
        }
    }

    public void close()
    {
        running = false;
        if (selector != null)
        {
            selector.wakeup();
        }
        if (thread != null)
        {
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final Pipe pipe : pipes)
        {
            pipe.close();
        }
        for (final ServerSocketChannel listener : listeners)
        {
            CloseHelper.quietClose(listener);
        }
        CloseHelper.quietClose(selector);
    }
}
