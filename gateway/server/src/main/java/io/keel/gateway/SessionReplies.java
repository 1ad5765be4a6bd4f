package io.keel.gateway;

import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.LogonResponseEncoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;
import io.keel.codecs.SessionRejectEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the session layer itself says to a connection — LogonResponse, SessionReject, Heartbeat, Logout — and the one
 * {@link #send} every message to a client goes through, so that the heartbeat clock sees all of it.
 * <p>
 * Encodes into one scratch buffer of its own, copied by the transport before {@code send} returns.
 */
final class SessionReplies
{
    private final GatewayCounters counters;
    private final CachedNanoClock clock;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LogonResponseEncoder logonResponseEncoder = new LogonResponseEncoder();
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final SessionRejectEncoder sessionRejectEncoder = new SessionRejectEncoder();

    /** Market segments behind the gateway, told in every LogonResponse. */
    private final int segmentCount;

    SessionReplies(final GatewayCounters counters, final CachedNanoClock clock, final int segmentCount)
    {
        this.segmentCount = segmentCount;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * Queue one message for an open connection; a message queued counts as a heartbeat sent.
     */
    void send(final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (connection.isOpen() && connection.send(buffer, offset, length))
        {
            connection.lastSentNs = clock.nanoTime();
        }
    }

    /**
     * Queue one of a segment's numbered reports with its seqNo composed for the client ({@link SegmentSeqNo}): copied
     * once into the connection's buffer as it is, then the seqNo written over there. Segment 0's seqNos are the
     * engine's own: nothing to write.
     */
    void sendReport(
        final ClientConnection connection,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int seqNoOffset,
        final int segment,
        final long seqNo)
    {
        if (!connection.isOpen())
        {
            return;
        }
        final boolean sent = segment == 0 ?
            connection.send(buffer, offset, length) :
            connection.sendPatched(buffer, offset, length, seqNoOffset, SegmentSeqNo.compose(segment, seqNo));
        if (sent)
        {
            connection.lastSentNs = clock.nanoTime();
        }
    }

    void heartbeat(final ClientConnection connection)
    {
        heartbeatEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).timestampNs(clock.nanoTime());
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    /**
     * @param session null unless the logon succeeded: a refused logon learns no session id, account or seqNo.
     */
    void logonResponse(
        final ClientConnection connection,
        final LogonResult result,
        final Session session,
        final int heartbeatMs,
        final long nextSeqNo,
        final String text)
    {
        logonResponseEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .result(result)
            .sessionId(session == null ? 0 : session.sessionId)
            .accountId(session == null ? 0 : session.accountId)
            .heartbeatIntervalMs(heartbeatMs)
            .nextSeqNo(nextSeqNo)
            .segments(segmentCount)
            .text(text);
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + logonResponseEncoder.encodedLength());
    }

    void sessionReject(
        final ClientConnection connection, final int refTemplateId, final RejectReason reason, final String text)
    {
        counters.increment(GatewayCounters.SESSION_REJECTS);
        sessionRejectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .refTemplateId(refTemplateId)
            .reason(reason)
            .text(text);
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + sessionRejectEncoder.encodedLength());
    }

    /**
     * Tell the client why, then drop the connection once that is written.
     */
    void logout(final ClientConnection connection, final LogoutReason reason, final String text)
    {
        if (!connection.isOpen())
        {
            return;
        }
        logoutEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).reason(reason).text(text);
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder.encodedLength());
        connection.disconnect(reason + ": " + text);
    }
}
