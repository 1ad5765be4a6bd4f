package io.keel.gateway;

import io.keel.codecs.BooleanType;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.Sofh;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A bare socket speaking (or mis-speaking) the protocol byte by byte, to see exactly what the
 * gateway answers to bad input.
 */
final class RawClient implements AutoCloseable
{
    /**
     * One message the gateway sent: its template and SBE bytes.
     */
    record Message(int templateId, UnsafeBuffer buffer)
    {
        LogoutReason logoutReason()
        {
            return new LogoutDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder()).reason();
        }

        String logoutText()
        {
            return new LogoutDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder()).text();
        }

        LogonResult logonResult()
        {
            return new LogonResponseDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder()).result();
        }

        SessionRejectDecoder sessionReject()
        {
            return new SessionRejectDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawClient(final int port, final int receiveBufferBytes)
    {
        this(port, receiveBufferBytes, null);
    }

    /**
     * @param localAddress the address to connect from (any of 127.0.0.0/8 on Linux), or null for the default.
     */
    RawClient(final int port, final int receiveBufferBytes, final String localAddress)
    {
        this(connect(port, receiveBufferBytes, localAddress));
    }

    RawClient(final int port)
    {
        this(port, 0);
    }

    /**
     * Over a socket already connected, e.g. a TLS one.
     */
    RawClient(final Socket socket)
    {
        try
        {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Socket connect(final int port, final int receiveBufferBytes, final String localAddress)
    {
        final Socket socket = new Socket();
        try
        {
            if (receiveBufferBytes > 0)
            {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            if (localAddress != null)
            {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return socket;
        }
        catch (final IOException ex)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
            }
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the local port: the client's address as the gateway sees it, or as a proxy names it.
     */
    int localPort()
    {
        return socket.getLocalPort();
    }

    void send(final byte[] bytes)
    {
        try
        {
            out.write(bytes);
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Frame an SBE message with a SOFH and send it.
     */
    void sendFrame(final UnsafeBuffer sbe, final int length)
    {
        send(frame(sbe, length));
    }

    static byte[] frame(final UnsafeBuffer sbe, final int length)
    {
        final UnsafeBuffer framed = new UnsafeBuffer(new byte[Sofh.HEADER_LENGTH + length]);
        Sofh.writeHeader(framed, 0, length);
        framed.putBytes(Sofh.HEADER_LENGTH, sbe, 0, length);
        return framed.byteArray();
    }

    static byte[] logon(final String username, final String password, final int heartbeatMs)
    {
        return logon(username, password, heartbeatMs, 0);
    }

    static byte[] logon(final String username, final String password, final int heartbeatMs, final long nextExpectedSeqNo)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final LogonEncoder logon = new LogonEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .heartbeatIntervalMs(heartbeatMs)
            .cancelOnDisconnect(BooleanType.FALSE)
            .nextExpectedSeqNo(nextExpectedSeqNo)
            .username(username)
            .password(password)
            .responseChannel("");
        return frame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + logon.encodedLength());
    }

    /**
     * @return the next message, or null when the gateway closed the connection.
     */
    Message read()
    {
        try
        {
            final long frameLength = in.readInt() & 0xFFFF_FFFFL;
            // The FIX SOFH standard's value, written out rather than taken from Sofh: SBE 1.0 little-endian.
            final int encodingType = in.readUnsignedShort();
            if (encodingType != 0xEB50)
            {
                throw new AssertionError(String.format("the gateway framed a message as 0x%04X, not 0xEB50", encodingType));
            }
            final byte[] sbe = new byte[(int)frameLength - Sofh.HEADER_LENGTH];
            in.readFully(sbe);
            final UnsafeBuffer buffer = new UnsafeBuffer(sbe);
            return new Message(new MessageHeaderDecoder().wrap(buffer, 0).templateId(), buffer);
        }
        catch (final EOFException ex)
        {
            return null;
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("the gateway neither answered nor closed within 10 s");
        }
        catch (final IOException ex)
        {
            return null; // reset by the gateway
        }
    }

    /**
     * Everything the gateway sends until it closes the connection.
     */
    List<Message> readUntilClosed()
    {
        final List<Message> messages = new ArrayList<>();
        Message message;
        while ((message = read()) != null)
        {
            messages.add(message);
        }
        return messages;
    }

    static List<Integer> templates(final List<Message> messages)
    {
        return messages.stream().map(Message::templateId).toList();
    }

    InputStream input()
    {
        return in;
    }

    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
        }
    }
}
