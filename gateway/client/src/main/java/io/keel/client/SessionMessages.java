package io.keel.client;

import io.keel.codecs.BooleanType;
import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.ResendRequestEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The session's own messages — Logon, Heartbeat, ResendRequest, Logout — each encoded by a flyweight at the start of
 * one reused buffer, for {@link ClientSession} to send. Requests encode into a buffer of their own ({@link OrderEntry}).
 */
final class SessionMessages
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LogonEncoder logonEncoder = new LogonEncoder();
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final ResendRequestEncoder resendRequestEncoder = new ResendRequestEncoder();

    /**
     * @return what the last message was encoded into, at offset 0.
     */
    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Cold path: it allocates the password's bytes.
     *
     * @return the message's length.
     */
    int logon(
        final int heartbeatIntervalMs,
        final boolean cancelOnDisconnect,
        final long nextExpectedSeqNo,
        final String username,
        final String password,
        final String responseChannel)
    {
        final byte[] passwordBytes = password.getBytes(StandardCharsets.UTF_8);
        logonEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .cancelOnDisconnect(cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .nextExpectedSeqNo(nextExpectedSeqNo)
            .username(username)
            .putPassword(passwordBytes, 0, passwordBytes.length)
            .responseChannel(responseChannel);
        return MessageHeaderEncoder.ENCODED_LENGTH + logonEncoder.encodedLength();
    }

    int heartbeat(final long timestampNs)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).timestampNs(timestampNs);
        return MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength();
    }

    int resendRequest(final long fromSeqNo, final long toSeqNo)
    {
        resendRequestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).fromSeqNo(fromSeqNo).toSeqNo(toSeqNo);
        return MessageHeaderEncoder.ENCODED_LENGTH + resendRequestEncoder.encodedLength();
    }

    int logout()
    {
        logoutEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).reason(LogoutReason.CLIENT_REQUEST).text("");
        return MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder.encodedLength();
    }
}
