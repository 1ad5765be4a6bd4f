package io.keel.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A reachability probe run inside one namespace ({@code ip netns exec NS java … NetProbe ADDRESS PORT}): it receives
 * UDP datagrams and echoes TCP on ADDRESS:PORT, and takes commands on stdin, one answer line each:
 * <ul>
 *   <li>{@code send HOST PORT TOKEN}: three UDP datagrams carrying TOKEN → {@code ok}</li>
 *   <li>{@code seen TOKEN}: was a datagram with TOKEN received → {@code yes} / {@code no}</li>
 *   <li>{@code tcp HOST PORT}: connect (500 ms), one byte there and back → {@code ok} / {@code fail REASON}</li>
 * </ul>
 * It prints {@code ready} once bound and exits when stdin closes. Test only.
 */
public final class NetProbe
{
    private NetProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final InetAddress address = InetAddress.getByName(args[0]);
        final int port = Integer.parseInt(args[1]);
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        final ServerSocket tcp = new ServerSocket();
        tcp.bind(new InetSocketAddress(address, port));
        daemon(() ->
        {
            final byte[] buffer = new byte[256];
            while (true)
            {
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try
                {
                    udp.receive(packet);
                }
                catch (final IOException ex)
                {
                    return;
                }
                seen.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
            }
        });
        daemon(() ->
        {
            while (true)
            {
                try (Socket socket = tcp.accept())
                {
                    socket.setSoTimeout(1_000);
                    final int b = socket.getInputStream().read();
                    socket.getOutputStream().write(b);
                }
                catch (final IOException ex)
                {
                    if (tcp.isClosed())
                    {
                        return;
                    }
                }
            }
        });
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split("\\s+");
            String answer;
            try
            {
                answer = switch (words[0])
                {
                    case "send" -> send(udp, words[1], Integer.parseInt(words[2]), words[3]);
                    case "seen" -> seen.contains(words[1]) ? "yes" : "no";
                    case "tcp" -> tcp(words[1], Integer.parseInt(words[2]));
                    default -> "error unknown command " + words[0];
                };
            }
            catch (final RuntimeException | IOException ex)
            {
                answer = "error " + ex;
            }
            System.out.println(answer);
            System.out.flush();
        }
        udp.close();
        tcp.close();
    }

    private static String send(final DatagramSocket udp, final String host, final int port, final String token)
        throws IOException
    {
        final byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++)
        {
            udp.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(host, port)));
        }
        return "ok";
    }

    private static String tcp(final String host, final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(500);
            socket.getOutputStream().write(42);
            return socket.getInputStream().read() == 42 ? "ok" : "fail wrong echo";
        }
        catch (final IOException ex)
        {
            return "fail " + ex.getMessage();
        }
    }

    private static void daemon(final Runnable task)
    {
        final Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }
}
