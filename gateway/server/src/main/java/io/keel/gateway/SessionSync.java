package io.keel.gateway;

import io.keel.codecs.BooleanType;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplayCompleteDecoder;
import io.keel.codecs.ResendRequestDecoder;
import io.keel.codecs.SegmentSeqNo;
import io.keel.codecs.SessionCloseEncoder;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionOpenEncoder;
import io.keel.codecs.SessionReplayEncoder;
import io.keel.codecs.SessionState;
import io.keel.codecs.SessionStatusDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's side of sessions in the log of every market segment: it opens a session in each segment's cluster when
 * a user's password checks out, closes it when the client logs out or goes away, re-opens every session it serves in a
 * segment when it follows that segment's new leader or gets a new cluster session there, and asks a segment's journal
 * again for what a client missed. What it hears back — a session opened here, taken by another gateway, refused; a
 * replay's end — it acts on here, per segment ({@link SessionSegment}).
 * <p>
 * Every request is kept until the cluster takes it (a cluster briefly unreachable delays it, never drops it) and a
 * replay that gets no answer is asked again: the cluster, not this gateway, holds the session.
 */
final class SessionSync
{
    /** A replay unanswered this long is asked again (its answer was lost with a leader). */
    static final long REPLAY_RETRY_NS = TimeUnit.SECONDS.toNanos(2);

    /**
     * What the logon flow is told when the logon's segment answers a SessionOpen for a connection still logging on.
     */
    interface LogonOutcome
    {
        void onOpened(Session session, long nextSeqNo);

        void onRefused(Session session, RejectReason reason, long nextSeqNo);
    }

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final ClusterSessions cluster;
    private final Sessions sessions;
    private final SessionReplies replies;
    private final CachedNanoClock clock;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[128]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionOpenEncoder openEncoder = new SessionOpenEncoder();
    private final SessionCloseEncoder closeEncoder = new SessionCloseEncoder();
    private final SessionReplayEncoder replayEncoder = new SessionReplayEncoder();
    private final SessionStatusDecoder statusDecoder = new SessionStatusDecoder();
    private final ReplayCompleteDecoder completeDecoder = new ReplayCompleteDecoder();
    private LogonOutcome logons;

    SessionSync(
        final GatewayContext config,
        final GatewayCounters counters,
        final ClusterSessions cluster,
        final Sessions sessions,
        final SessionReplies replies,
        final CachedNanoClock clock)
    {
        this.config = config;
        this.counters = counters;
        this.cluster = cluster;
        this.sessions = sessions;
        this.replies = replies;
        this.clock = clock;
    }

    void logons(final LogonOutcome logons)
    {
        this.logons = logons;
    }

    /**
     * Ask a segment's cluster to serve the session here, the client having seen everything of that segment before
     * nextExpectedSeqNo (the segment's own number; 0: nothing is to be sent again).
     *
     * @return false when the cluster could not take it now (it is sent again by {@link #doRetries}).
     */
    boolean open(final Session session, final SessionSegment segment, final long nextExpectedSeqNo)
    {
        segment.clusterState = SessionSegment.ClusterState.OPENING;
        segment.closeToSend = false;
        segment.replayPending = false;
        openEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .accountId(session.accountId)
            .cancelOnDisconnect(session.cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .graceTime(config.cancelOnDisconnectGraceMs())
            .nextExpectedSeqNo(nextExpectedSeqNo);
        segment.openToSend = !cluster.offer(
            segment.segment, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + openEncoder.encodedLength());
        return !segment.openToSend;
    }

    /**
     * The client went away or logged out: every segment's cluster starts the cancel-on-disconnect grace. Not in a
     * segment where the session moved to another gateway (it is not this gateway's to close).
     */
    void close(final Session session)
    {
        boolean closed = false;
        for (final SessionSegment segment : session.segments)
        {
            if (segment.clusterState == SessionSegment.ClusterState.IDLE)
            {
                continue;
            }
            closed = true;
            segment.clusterState = SessionSegment.ClusterState.IDLE;
            segment.openToSend = false;
            segment.replayPending = false;
            segment.closeToSend = !sendClose(session, segment);
        }
        if (closed && session.cancelOnDisconnect)
        {
            // The cluster cancels the session's orders when its grace runs out, unless it is back before.
            counters.increment(GatewayCounters.CANCEL_ON_DISCONNECTS);
            GatewayLog.event("cancel-on-disconnect", "user", session.username,
                "session", Long.toString(session.sessionId), "grace-ms", Long.toString(config.cancelOnDisconnectGraceMs()));
        }
    }

    /**
     * The gateway followed a new leader of the segment or has a new cluster session there: every session it serves is
     * opened again in that segment, from the seqNo its client expects, so what the old leader did not deliver comes
     * from the journal.
     */
    int onClusterEpoch(final int segmentId)
    {
        int work = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            final SessionSegment segment = session.segments[segmentId];
            // Logons still waiting for the cluster too: their SessionOpen may have gone with the old leader.
            if (session.connection != null && session.connection.isOpen() &&
                segment.clusterState != SessionSegment.ClusterState.IDLE)
            {
                open(session, segment, segment.nextExpectedSeqNo);
                work++;
            }
        }
        return work;
    }

    /**
     * A report arrived past the seqNo the client expects in its segment: the ones between were lost on the way (a
     * leader died with them, or they were produced while this gateway was not yet connected). Ask that segment's
     * journal, once at a time.
     */
    void onGap(final Session session, final SessionSegment segment)
    {
        if (!segment.replayPending)
        {
            counters.increment(GatewayCounters.REPLAYS);
            requestReplay(session, segment, segment.nextExpectedSeqNo, 0);
        }
    }

    /**
     * A client's ResendRequest: what it has already been sent, again, from the journal of the segment its fromSeqNo
     * names ({@link SegmentSeqNo}). One that comes before that segment opened the session (it opens in the background
     * after the logon) is held and served when it opens.
     */
    void onResendRequest(final Session session, final long composedFrom, final long composedTo)
    {
        final ClientConnection connection = session.connection;
        final int segmentId = SegmentSeqNo.segment(composedFrom);
        if (composedFrom < 1 || segmentId >= session.segments.length ||
            composedTo != 0 && SegmentSeqNo.segment(composedTo) != segmentId)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE,
                "resend range " + composedFrom + ".." + composedTo + " names no segment of this gateway, or two");
            return;
        }
        final SessionSegment segment = session.segments[segmentId];
        if (segment.clusterState != SessionSegment.ClusterState.OPEN)
        {
            segment.heldResendFrom = composedFrom;
            segment.heldResendTo = composedTo;
            return;
        }
        final long fromSeqNo = SegmentSeqNo.sequence(composedFrom);
        final long toSeqNo = SegmentSeqNo.sequence(composedTo);
        final long last = segment.nextExpectedSeqNo - 1;
        if (fromSeqNo < 1 || toSeqNo != 0 && toSeqNo < fromSeqNo)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE,
                "resend range " + composedFrom + ".." + composedTo + " is backwards or starts below 1");
            return;
        }
        if (fromSeqNo == last + 1 && session.segments.length > 1)
        {
            // With several segments a client asks every segment it saw after a logon, from its next expected: one
            // that missed nothing asks from the next report, which is no mistake.
            return;
        }
        if (fromSeqNo > last)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_SEQ_NO,
                "nothing to resend from " + composedFrom + ": the last report sent is " +
                SegmentSeqNo.compose(segmentId, last));
            return;
        }
        final long to = toSeqNo == 0 || toSeqNo > last ? last : toSeqNo;
        if (to - fromSeqNo + 1 > config.maxResendReports())
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE,
                "resend range " + composedFrom + ".." + SegmentSeqNo.compose(segmentId, to) + " is wider than " +
                config.maxResendReports() + " reports");
            return;
        }
        if (segment.replayPending)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.THROTTLED,
                "a resend is in progress for this session; ask again when it is done");
            return;
        }
        counters.increment(GatewayCounters.RESENDS);
        segment.clientResendFrom = fromSeqNo;
        segment.clientResendTo = to;
        requestReplay(session, segment, fromSeqNo, to);
    }

    /**
     * Requests not yet taken by the cluster, and replays that got no answer, in every segment.
     */
    int doRetries(final long nowNs)
    {
        int work = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            for (final SessionSegment segment : session.segments)
            {
                if (segment.openToSend)
                {
                    open(session, segment, segment.nextExpectedSeqNo);
                    work++;
                }
                else if (segment.closeToSend)
                {
                    segment.closeToSend = !sendClose(session, segment);
                    work++;
                }
                else if (segment.replayPending && nowNs - segment.replayRequestedNs > REPLAY_RETRY_NS)
                {
                    final boolean clientResend = segment.clientResendTo != 0;
                    requestReplay(session, segment, clientResend ? segment.clientResendFrom : segment.nextExpectedSeqNo,
                        clientResend ? segment.clientResendTo : 0);
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * A SessionStatus from a segment's cluster.
     */
    void onSessionStatus(final int segmentId, final DirectBuffer buffer, final int offset)
    {
        statusDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        final Session session = sessions.byId(statusDecoder.sessionId());
        if (session == null || segmentId >= session.segments.length)
        {
            return;
        }
        final SessionSegment segment = session.segments[segmentId];
        final SessionState state = statusDecoder.state();
        final long nextSeqNo = statusDecoder.nextSeqNo();
        final ClientConnection connection = session.connection;
        final boolean logonSegment = segmentId == session.logonSegment;
        switch (state)
        {
            case OPEN:
                if (segment.clusterState != SessionSegment.ClusterState.OPENING)
                {
                    break;
                }
                segment.clusterState = SessionSegment.ClusterState.OPEN;
                if (segment.nextExpectedSeqNo == 0)
                {
                    // Opened with "nothing to send again": the client's sequence in this segment goes on from here.
                    segment.nextExpectedSeqNo = nextSeqNo;
                }
                if (logonSegment && connection != null && connection.state == ClientConnection.State.LOGON_PENDING)
                {
                    logons.onOpened(session, nextSeqNo);
                }
                if (nextSeqNo > segment.nextExpectedSeqNo)
                {
                    // The journal's catch-up follows this status on the egress.
                    segment.replayPending = true;
                    segment.replayRequestedNs = clock.nanoTime();
                }
                else if (segment.heldResendFrom != 0 && connection != null)
                {
                    final long from = segment.heldResendFrom;
                    final long to = segment.heldResendTo;
                    segment.heldResendFrom = 0;
                    segment.heldResendTo = 0;
                    onResendRequest(session, from, to);
                }
                break;

            case REFUSED:
                if (segment.clusterState == SessionSegment.ClusterState.OPENING)
                {
                    segment.clusterState = SessionSegment.ClusterState.IDLE;
                    if (logonSegment && connection != null && connection.state == ClientConnection.State.LOGON_PENDING)
                    {
                        logons.onRefused(session, statusDecoder.reason(), nextSeqNo);
                    }
                    else if (connection != null && session.segments.length == 1)
                    {
                        replies.logout(connection, LogoutReason.PROTOCOL_ERROR,
                            "the cluster refused the session: " + statusDecoder.reason());
                    }
                    else
                    {
                        // One segment of several (its engine does not know the account, say): the session goes on in
                        // the others; this segment's orders get that engine's answers.
                        GatewayLog.event("segment-session-refused", "user", session.username,
                            "segment", Integer.toString(segmentId), "reason", String.valueOf(statusDecoder.reason()));
                    }
                }
                break;

            case EVICTED:
                // The newest logon wins: the user logged on at another gateway, which serves the session now (in one
                // segment is enough: it opens every segment there).
                segment.clusterState = SessionSegment.ClusterState.IDLE;
                segment.openToSend = false;
                segment.closeToSend = false;
                segment.replayPending = false;
                if (connection != null)
                {
                    GatewayLog.event("session-moved", "user", session.username,
                        "session", Long.toString(session.sessionId), "to-gateway", Integer.toString(statusDecoder.gatewayId()),
                        "segment", Integer.toString(segmentId));
                    replies.logout(connection, LogoutReason.SESSION_MOVED,
                        "logged on at gateway " + statusDecoder.gatewayId() + "; this connection is closed");
                }
                break;

            default:
                break;
        }
    }

    /**
     * The end of a replay from a segment's journal.
     */
    void onReplayComplete(final int segmentId, final DirectBuffer buffer, final int offset)
    {
        completeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        final Session session = sessions.byId(completeDecoder.sessionId());
        if (session == null || segmentId >= session.segments.length || !session.segments[segmentId].replayPending)
        {
            return;
        }
        final SessionSegment segment = session.segments[segmentId];
        segment.replayPending = false;
        final ClientConnection connection = session.connection;
        final long firstHeld = completeDecoder.firstHeldSeqNo();
        final long nextSeqNo = completeDecoder.nextSeqNo();
        if (segment.clientResendTo != 0)
        {
            final long resendTo = segment.clientResendTo;
            if (completeDecoder.result() == RejectReason.RESEND_UNAVAILABLE && connection != null)
            {
                replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                    "reports before seqNo " + SegmentSeqNo.compose(segmentId, firstHeld) + " are no longer held");
            }
            final long sentTo = completeDecoder.toSeqNo();
            if (sentTo >= completeDecoder.fromSeqNo() && sentTo < resendTo)
            {
                segment.clientResendFrom = sentTo + 1;
                requestReplay(session, segment, sentTo + 1, resendTo);
            }
            else
            {
                segment.clientResendFrom = 0;
                segment.clientResendTo = 0;
            }
            return;
        }

        if (completeDecoder.result() == RejectReason.RESEND_UNAVAILABLE && firstHeld > segment.nextExpectedSeqNo)
        {
            // Retention no longer holds them: the client is told, and the sequence goes on from what is held.
            if (connection != null)
            {
                replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                    "reports " + SegmentSeqNo.compose(segmentId, segment.nextExpectedSeqNo) + ".." +
                    SegmentSeqNo.compose(segmentId, firstHeld - 1) + " are no longer held");
            }
            counters.increment(GatewayCounters.REPORTS_UNAVAILABLE);
            segment.nextExpectedSeqNo = firstHeld;
        }
        if (segment.nextExpectedSeqNo < nextSeqNo && session.isActive())
        {
            // Bounded per replay, or a report was lost again on the way: ask for the rest.
            requestReplay(session, segment, segment.nextExpectedSeqNo, 0);
        }
        else if (segment.heldResendFrom != 0 && session.isActive())
        {
            final long from = segment.heldResendFrom;
            final long to = segment.heldResendTo;
            segment.heldResendFrom = 0;
            segment.heldResendTo = 0;
            onResendRequest(session, from, to);
        }
    }

    private void requestReplay(final Session session, final SessionSegment segment, final long fromSeqNo, final long toSeqNo)
    {
        segment.replayPending = true;
        segment.replayRequestedNs = clock.nanoTime();
        replayEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .fromSeqNo(fromSeqNo)
            .toSeqNo(toSeqNo);
        // Not taken now: the retry timer asks again.
        cluster.offer(segment.segment, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + replayEncoder.encodedLength());
    }

    private boolean sendClose(final Session session, final SessionSegment segment)
    {
        closeEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .reason(session.loggedOut ? SessionCloseReason.LOGOUT : SessionCloseReason.DISCONNECT);
        return cluster.offer(
            segment.segment, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
    }
}
