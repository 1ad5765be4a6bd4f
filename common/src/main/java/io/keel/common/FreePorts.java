package io.keel.common;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom; // determinism-ok: ports for tests and tools, not the state machine

/**
 * Free loopback ports for embedded clusters (demo, tests, benchmarks): a base port whose member
 * ports are free for TCP and UDP, below Linux's ephemeral range so that no port Aeron takes with
 * {@code host:0} can land on a member's fixed port.
 */
public final class FreePorts
{
    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;

    private FreePorts()
    {
    }

    /**
     * @return a base port for a cluster of {@code members}, tried at random in 20000..32000.
     */
    public static int clusterBasePort(final int members)
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int base = LOWEST + ThreadLocalRandom.current().nextInt(0, (HIGHEST - LOWEST) / 10) * 10; // determinism-ok: tooling
            if (free(base, members * ClusterLayout.PORTS_PER_MEMBER))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free ports in " + LOWEST + ".." + HIGHEST);
    }

    /**
     * @return a UDP port free on loopback right now (the OS's pick; another process may take it first).
     */
    public static int udpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * @return a TCP port free on loopback right now (the OS's pick; another process may take it first).
     */
    public static int tcpPort()
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * @return whether {@code count} ports from {@code base} are free on loopback for TCP and UDP right now.
     */
    public static boolean free(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (ServerSocket tcp = new ServerSocket();
                DatagramSocket udp = new DatagramSocket(null))
            {
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
