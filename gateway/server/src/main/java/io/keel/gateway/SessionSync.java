package io.keel.gateway;

import io.keel.codecs.BooleanType;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplayCompleteDecoder;
import io.keel.codecs.ResendRequestDecoder;
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
 * The gateway's side of sessions in the log: it opens a session in the cluster when a user's password checks out,
 * closes it when the client logs out or goes away, re-opens every session it serves when it follows a new leader or
 * gets a new cluster session, and asks the cluster's journal again for what a client missed. What it hears back — a
 * session opened here, taken by another gateway, refused; a replay's end — it acts on here.
 * <p>
 * Every request is kept until the cluster takes it (a cluster briefly unreachable delays it, never drops it) and a
 * replay that gets no answer is asked again: the cluster, not this gateway, holds the session.
 */
final class SessionSync
{
    /** A replay unanswered this long is asked again (its answer was lost with a leader). */
    static final long REPLAY_RETRY_NS = TimeUnit.SECONDS.toNanos(2);

    /**
     * What the logon flow is told when the cluster answers a SessionOpen for a connection still logging on.
     */
    interface LogonOutcome
    {
        void onOpened(Session session, long nextSeqNo);

        void onRefused(Session session, RejectReason reason, long nextSeqNo);
    }

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final GatewayClusterSession cluster;
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
        final GatewayClusterSession cluster,
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
     * Ask the cluster to serve the session here, the client having seen everything before nextExpectedSeqNo (0:
     * nothing is to be sent again).
     *
     * @return false when the cluster could not take it now (it is sent again by {@link #doRetries}).
     */
    boolean open(final Session session, final long nextExpectedSeqNo)
    {
        session.clusterState = Session.ClusterState.OPENING;
        session.closeToSend = false;
        session.replayPending = false;
        openEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .accountId(session.accountId)
            .cancelOnDisconnect(session.cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .graceTime(config.cancelOnDisconnectGraceMs())
            .nextExpectedSeqNo(nextExpectedSeqNo);
        session.openToSend = !cluster.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + openEncoder.encodedLength());
        return !session.openToSend;
    }

    /**
     * The client went away or logged out: the cluster starts the cancel-on-disconnect grace. Not after the session
     * moved to another gateway (it is not this gateway's to close).
     */
    void close(final Session session)
    {
        if (session.clusterState == Session.ClusterState.IDLE)
        {
            return;
        }
        session.clusterState = Session.ClusterState.IDLE;
        session.openToSend = false;
        session.replayPending = false;
        session.closeToSend = !sendClose(session);
        if (session.cancelOnDisconnect)
        {
            // The cluster cancels the session's orders when its grace runs out, unless it is back before.
            counters.increment(GatewayCounters.CANCEL_ON_DISCONNECTS);
            GatewayLog.event("cancel-on-disconnect", "user", session.username,
                "session", Long.toString(session.sessionId), "grace-ms", Long.toString(config.cancelOnDisconnectGraceMs()));
        }
    }

    /**
     * The gateway followed a new leader or has a new cluster session: every session it serves is opened again, from
     * the seqNo its client expects, so what the old leader did not deliver comes from the journal.
     */
    int onClusterEpoch()
    {
        int work = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            // Logons still waiting for the cluster too: their SessionOpen may have gone with the old leader.
            if (session.connection != null && session.connection.isOpen() &&
                session.clusterState != Session.ClusterState.IDLE)
            {
                open(session, session.nextExpectedSeqNo);
                work++;
            }
        }
        return work;
    }

    /**
     * A report arrived past the seqNo the client expects: the ones between were lost on the way (a leader died with
     * them, or they were produced while this gateway was not yet connected). Ask the journal, once at a time.
     */
    void onGap(final Session session)
    {
        if (!session.replayPending)
        {
            counters.increment(GatewayCounters.REPLAYS);
            requestReplay(session, session.nextExpectedSeqNo, 0);
        }
    }

    /**
     * A client's ResendRequest: what it has already been sent, again, from the cluster's journal.
     */
    void onResendRequest(final Session session, final long fromSeqNo, final long toSeqNo)
    {
        final ClientConnection connection = session.connection;
        final long last = session.nextExpectedSeqNo - 1;
        if (fromSeqNo < 1 || toSeqNo != 0 && toSeqNo < fromSeqNo)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE,
                "resend range " + fromSeqNo + ".." + toSeqNo + " is backwards or starts below 1");
            return;
        }
        if (fromSeqNo > last)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_SEQ_NO,
                "nothing to resend from " + fromSeqNo + ": the last report sent is " + last);
            return;
        }
        final long to = toSeqNo == 0 || toSeqNo > last ? last : toSeqNo;
        if (to - fromSeqNo + 1 > config.maxResendReports())
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE,
                "resend range " + fromSeqNo + ".." + to + " is wider than " + config.maxResendReports() + " reports");
            return;
        }
        if (session.replayPending)
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.THROTTLED,
                "a resend is in progress for this session; ask again when it is done");
            return;
        }
        counters.increment(GatewayCounters.RESENDS);
        session.clientResendFrom = fromSeqNo;
        session.clientResendTo = to;
        requestReplay(session, fromSeqNo, to);
    }

    /**
     * Requests not yet taken by the cluster, and replays that got no answer.
     */
    int doRetries(final long nowNs)
    {
        int work = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            if (session.openToSend)
            {
                open(session, session.nextExpectedSeqNo);
                work++;
            }
            else if (session.closeToSend)
            {
                session.closeToSend = !sendClose(session);
                work++;
            }
            else if (session.replayPending && nowNs - session.replayRequestedNs > REPLAY_RETRY_NS)
            {
                final boolean clientResend = session.clientResendTo != 0;
                requestReplay(session, clientResend ? session.clientResendFrom : session.nextExpectedSeqNo,
                    clientResend ? session.clientResendTo : 0);
                work++;
            }
        }
        return work;
    }

    /**
     * A SessionStatus from the cluster.
     */
    void onSessionStatus(final DirectBuffer buffer, final int offset)
    {
        statusDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        final Session session = sessions.byId(statusDecoder.sessionId());
        if (session == null)
        {
            return;
        }
        final SessionState state = statusDecoder.state();
        final long nextSeqNo = statusDecoder.nextSeqNo();
        final ClientConnection connection = session.connection;
        switch (state)
        {
            case OPEN:
                if (session.clusterState != Session.ClusterState.OPENING)
                {
                    break;
                }
                session.clusterState = Session.ClusterState.OPEN;
                if (connection != null && connection.state == ClientConnection.State.LOGON_PENDING)
                {
                    logons.onOpened(session, nextSeqNo);
                }
                if (nextSeqNo > session.nextExpectedSeqNo)
                {
                    // The journal's catch-up follows this status on the egress.
                    session.replayPending = true;
                    session.replayRequestedNs = clock.nanoTime();
                }
                break;

            case REFUSED:
                if (session.clusterState == Session.ClusterState.OPENING)
                {
                    session.clusterState = Session.ClusterState.IDLE;
                    if (connection != null && connection.state == ClientConnection.State.LOGON_PENDING)
                    {
                        logons.onRefused(session, statusDecoder.reason(), nextSeqNo);
                    }
                    else if (connection != null)
                    {
                        replies.logout(connection, LogoutReason.PROTOCOL_ERROR,
                            "the cluster refused the session: " + statusDecoder.reason());
                    }
                }
                break;

            case EVICTED:
                // The newest logon wins: the user logged on at another gateway, which serves the session now.
                session.clusterState = Session.ClusterState.IDLE;
                session.openToSend = false;
                session.closeToSend = false;
                session.replayPending = false;
                if (connection != null)
                {
                    GatewayLog.event("session-moved", "user", session.username,
                        "session", Long.toString(session.sessionId), "to-gateway", Integer.toString(statusDecoder.gatewayId()));
                    replies.logout(connection, LogoutReason.SESSION_MOVED,
                        "logged on at gateway " + statusDecoder.gatewayId() + "; this connection is closed");
                }
                break;

            default:
                break;
        }
    }

    /**
     * The end of a replay from the journal.
     */
    void onReplayComplete(final DirectBuffer buffer, final int offset)
    {
        completeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        final Session session = sessions.byId(completeDecoder.sessionId());
        if (session == null || !session.replayPending)
        {
            return;
        }
        session.replayPending = false;
        final ClientConnection connection = session.connection;
        final long firstHeld = completeDecoder.firstHeldSeqNo();
        final long nextSeqNo = completeDecoder.nextSeqNo();
        if (session.clientResendTo != 0)
        {
            final long resendTo = session.clientResendTo;
            if (completeDecoder.result() == RejectReason.RESEND_UNAVAILABLE && connection != null)
            {
                replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                    "reports before seqNo " + firstHeld + " are no longer held");
            }
            final long sentTo = completeDecoder.toSeqNo();
            if (sentTo >= completeDecoder.fromSeqNo() && sentTo < resendTo)
            {
                session.clientResendFrom = sentTo + 1;
                requestReplay(session, sentTo + 1, resendTo);
            }
            else
            {
                session.clientResendFrom = 0;
                session.clientResendTo = 0;
            }
            return;
        }

        if (completeDecoder.result() == RejectReason.RESEND_UNAVAILABLE && firstHeld > session.nextExpectedSeqNo)
        {
            // Retention no longer holds them: the client is told, and the sequence goes on from what is held.
            if (connection != null)
            {
                replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                    "reports " + session.nextExpectedSeqNo + ".." + (firstHeld - 1) + " are no longer held");
            }
            counters.increment(GatewayCounters.REPORTS_UNAVAILABLE);
            session.nextExpectedSeqNo = firstHeld;
        }
        if (session.nextExpectedSeqNo < nextSeqNo && session.isActive())
        {
            // Bounded per replay, or a report was lost again on the way: ask for the rest.
            requestReplay(session, session.nextExpectedSeqNo, 0);
        }
    }

    private void requestReplay(final Session session, final long fromSeqNo, final long toSeqNo)
    {
        session.replayPending = true;
        session.replayRequestedNs = clock.nanoTime();
        replayEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .fromSeqNo(fromSeqNo)
            .toSeqNo(toSeqNo);
        // Not taken now: the retry timer asks again.
        cluster.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + replayEncoder.encodedLength());
    }

    private boolean sendClose(final Session session)
    {
        closeEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .reason(session.loggedOut ? SessionCloseReason.LOGOUT : SessionCloseReason.DISCONNECT);
        return cluster.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
    }
}
