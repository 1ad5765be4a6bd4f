package io.keel.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay in front of the gateways, against two stand-in gateways that answer every byte with their own tag: a
 * client reaches its assigned one, and after a move its connection is cut and its next one reaches the other.
 */
class GatewayRelayTest
{
    private final List<ServerSocket> gateways = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private File historyFile;

    @AfterEach
    void close() throws Exception
    {
        for (final ServerSocket gateway : gateways)
        {
            gateway.close();
        }
        for (final Thread thread : threads)
        {
            thread.join(5_000);
        }
        if (historyFile != null)
        {
            Files.deleteIfExists(historyFile.toPath());
        }
    }

    /**
     * A gateway that answers each byte it reads with its tag, for every connection, until closed.
     */
    private int gateway(final byte tag) throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        gateways.add(server);
        final Thread thread = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    final InputStream in = socket.getInputStream();
                    while (in.read() >= 0)
                    {
                        socket.getOutputStream().write(tag);
                    }
                }
                catch (final IOException ex)
                {
                    // Closed: the next accept fails too and the loop ends.
                }
            }
        });
        thread.start();
        threads.add(thread);
        return server.getLocalPort();
    }

    private static int roundTrip(final Socket socket) throws IOException
    {
        socket.getOutputStream().write(1);
        return socket.getInputStream().read();
    }

    @Test
    @Timeout(30)
    void shouldRelayToAssignedGatewayAndMoveToTheOther() throws Exception
    {
        final int[] ports = {gateway((byte)'A'), gateway((byte)'B')};
        historyFile = Files.createTempFile("relay-history", ".log").toFile();
        try (History history = new History(historyFile, System.nanoTime());
            GatewayRelay relay = new GatewayRelay(2, ports, history))
        {
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), relay.port(0));
                Socket second = new Socket(InetAddress.getLoopbackAddress(), relay.port(1)))
            {
                assertEquals('A', roundTrip(first));
                assertEquals('B', roundTrip(second), "clients alternate between the gateways");

                assertEquals(1, relay.reassign(0));
                assertEquals(-1, first.getInputStream().read(), "the moved client's connection is cut");
                assertEquals('B', roundTrip(second), "the other client keeps its connection");
            }
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), relay.port(0)))
            {
                assertEquals('B', roundTrip(again), "its next connection reaches the other gateway");
            }
        }
        final String log = Files.readString(historyFile.toPath());
        assertTrue(log.contains("relay CUT c1 gateway=1"), log);
        assertTrue(log.contains("relay CONNECT c1 gateway=2"), log);
    }
}
