package io.keel.gateway;

import io.keel.codecs.BooleanType;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Logon: a Logon's password goes to the {@link LogonVerifier}'s thread, and its verdict comes back on the duty cycle
 * to refuse the connection or ask the cluster to open the user's session here ({@link SessionSync}); the cluster's
 * answer completes the logon (heartbeat, throttle, LogonResponse with the session's next seqNo), and the reports the
 * client missed follow from the cluster's journal.
 * <p>
 * Cold path: once per connection, and it allocates (the request, the password copy, log lines).
 */
final class Logons implements SessionSync.LogonOutcome, AutoCloseable
{
    /** A session is dropped after this many heartbeat intervals with nothing received. */
    static final int HEARTBEAT_TIMEOUT_INTERVALS = 2;

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final Sessions sessions;
    private final SessionReplies replies;
    private final SessionSync sync;
    private final CachedNanoClock clock;
    private final LogonVerifier verifier;
    private final LogonGuard guard;
    private final Consumer<LogonVerifier.Request> onLogonChecked = this::onLogonChecked;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonDecoder logonDecoder = new LogonDecoder();

    Logons(
        final GatewayContext config,
        final GatewayCounters counters,
        final Sessions sessions,
        final SessionReplies replies,
        final SessionSync sync,
        final CachedNanoClock clock,
        final LogonVerifier verifier,
        final LogonGuard guard)
    {
        this.guard = guard;
        this.config = config;
        this.counters = counters;
        this.sessions = sessions;
        this.replies = replies;
        this.sync = sync;
        this.clock = clock;
        this.verifier = verifier;
    }

    /**
     * The verdicts of the password checks done since the last call.
     */
    int drain()
    {
        return verifier.drain(onLogonChecked) + guard.drainUnlocks(clock.nanoTime());
    }

    void onLogon(final ClientConnection connection, final DirectBuffer buffer, final int offset)
    {
        logonDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final boolean cancelOnDisconnect = logonDecoder.cancelOnDisconnect() == BooleanType.TRUE;
        final long heartbeatIntervalMs = logonDecoder.heartbeatIntervalMs();
        final long nextExpectedSeqNo = logonDecoder.nextExpectedSeqNo();
        final String username = logonDecoder.username();

        connection.state = ClientConnection.State.LOGON_PENDING;
        final long nowNs = clock.nanoTime();
        final long userKey = LogonGuard.userKey(username);
        final long refuseAtNs = guard.refuseUncheckedUntil(userKey, nowNs);
        if (refuseAtNs != 0)
        {
            // Locked out, or within the backoff of the user's last failure: no password check, and the same answer.
            counters.increment(GatewayCounters.LOGONS_UNCHECKED);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "remote", connection.remoteAddress, "user", username,
                "reason", guard.isLocked(userKey, nowNs) ? "locked out" : "within backoff");
            connection.logonRefusalDueNs = refuseAtNs;
            return;
        }
        final int passwordLength = logonDecoder.passwordLength();
        final byte[] password = new byte[passwordLength];
        logonDecoder.getPassword(password, 0, passwordLength);
        final LogonVerifier.Request request = new LogonVerifier.Request(
            connection, username, password, cancelOnDisconnect, heartbeatIntervalMs, nextExpectedSeqNo);
        if (!verifier.submit(request))
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            replies.logonResponse(connection, LogonResult.UNAVAILABLE, null, 0, 0, "too many logons in progress, retry");
            replies.logout(connection, LogoutReason.SHUTDOWN, "logon refused: too many in progress");
        }
    }

    private void onLogonChecked(final LogonVerifier.Request request)
    {
        final ClientConnection connection = request.connection;
        final long userKey = LogonGuard.userKey(request.username);
        final long nowNs = clock.nanoTime();
        if (request.accountId == CredentialsStore.NO_ACCOUNT)
        {
            // Counted even when the connection has gone meanwhile: closing early must not dodge the backoff.
            final long dueNs = guard.onFailure(userKey, connection.addressKey, nowNs);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "remote", connection.remoteAddress, "user", request.username, "reason", "bad credentials",
                "answerInMs", Long.toString(TimeUnit.NANOSECONDS.toMillis(dueNs - nowNs)));
            if (connection.isOpen() && connection.state == ClientConnection.State.LOGON_PENDING)
            {
                connection.logonRefusalDueNs = dueNs;
                if (dueNs - nowNs <= 0)
                {
                    refuseLogon(connection);
                }
            }
            return;
        }
        guard.onSuccess(userKey);
        if (!connection.isOpen() || connection.state != ClientConnection.State.LOGON_PENDING)
        {
            return;
        }

        final Session session = sessions.sessionFor(request.username, request.accountId);
        if (session.connection != null)
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "user", request.username, "reason", "already logged on");
            replies.logonResponse(connection, LogonResult.ALREADY_LOGGED_ON, null, 0, 0,
                "already logged on from another connection to this gateway");
            replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: already logged on");
            return;
        }

        // The password is right: the cluster opens the session here (and sends what the client missed), and the
        // logon completes when it says so. Until then the connection stays LOGON_PENDING, under the logon timeout.
        connection.session = session;
        connection.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(clampHeartbeat(request.heartbeatIntervalMs));
        session.connection = connection;
        session.accountId = request.accountId;
        session.cancelOnDisconnect = request.cancelOnDisconnect;
        session.loggedOut = false;
        session.marketData.clear();
        // The Logon's nextExpectedSeqNo names one segment (its top bits; segment 0 for every client that knows no
        // segments): the session opens there from that number, and in every other segment with 0 ("nothing is to be
        // sent again"); a client that saw reports of another segment asks for the rest with a ResendRequest.
        final long expected = Math.max(0, request.nextExpectedSeqNo);
        final int logonSegment = SegmentSeqNo.segment(expected);
        if (logonSegment >= session.segments.length)
        {
            unbind(session);
            counters.increment(GatewayCounters.FAILED_LOGONS);
            final String text = "nextExpectedSeqNo " + expected + " names segment " + logonSegment + "; this gateway has " +
                session.segments.length;
            replies.logonResponse(connection, LogonResult.INVALID_SEQ_NO, null, 0, 0, text);
            replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: " + text);
            return;
        }
        session.logonSegment = logonSegment;
        for (final SessionSegment segment : session.segments)
        {
            segment.resetForLogon(segment.segment == logonSegment ? SegmentSeqNo.sequence(expected) : 0);
        }
        final SessionSegment first = session.segments[logonSegment];
        if (!sync.open(session, first, first.nextExpectedSeqNo))
        {
            first.openToSend = false;
            first.clusterState = SessionSegment.ClusterState.IDLE;
            unbind(session);
            counters.increment(GatewayCounters.FAILED_LOGONS);
            replies.logonResponse(connection, LogonResult.UNAVAILABLE, null, 0, 0, "the cluster is unavailable, retry");
            replies.logout(connection, LogoutReason.SHUTDOWN, "logon refused: the cluster is unavailable");
            return;
        }
        for (final SessionSegment segment : session.segments)
        {
            if (segment != first)
            {
                // Offered before any order of the session can reach that segment (the same ingress, in order); one
                // not taken now is offered again by the retries, as a re-open after a leader change is.
                sync.open(session, segment, 0);
            }
        }
    }

    /**
     * A refused logon whose answer is due ({@link ClientConnection#logonRefusalDueNs}): the same words for a wrong
     * password, an unknown user, a lockout and a logon within the backoff.
     */
    void refuseLogon(final ClientConnection connection)
    {
        connection.logonRefusalDueNs = 0;
        counters.increment(GatewayCounters.FAILED_LOGONS);
        replies.logonResponse(connection, LogonResult.BAD_CREDENTIALS, null, 0, 0, "bad username or password");
        replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: bad credentials");
    }

    /**
     * The cluster opened the session here: the logon completes, and the reports the client missed follow.
     */
    public void onOpened(final Session session, final long nextSeqNo)
    {
        final ClientConnection connection = session.connection;
        final long nowNs = clock.nanoTime();
        final int heartbeatMs = (int)TimeUnit.NANOSECONDS.toMillis(connection.heartbeatIntervalNs);
        connection.state = ClientConnection.State.ACTIVE;
        connection.heartbeatTimeoutNs = connection.heartbeatIntervalNs * HEARTBEAT_TIMEOUT_INTERVALS;
        // The client's heartbeat clock starts with the LogonResponse it is about to get, not with its Logon: a
        // password check and the cluster's answer can take longer than the heartbeat timeout.
        connection.lastReceivedNs = nowNs;
        connection.throttle = new TokenBucket(config.throttleRate(), config.throttleBurst(), nowNs);
        connection.throttleWindowStartNs = nowNs;
        counters.increment(GatewayCounters.LOGONS);
        GatewayLog.event("logon", "connection", Long.toString(connection.connectionId), "user", session.username,
            "remote", connection.remoteAddress, "session", Long.toString(session.sessionId),
            "account", Long.toString(session.accountId), "next-seq-no", Long.toString(nextSeqNo));
        replies.logonResponse(connection, LogonResult.OK, session, heartbeatMs,
            SegmentSeqNo.compose(session.logonSegment, nextSeqNo), "");
    }

    /**
     * The cluster refused the session (a seqNo beyond what was produced, an account it does not know): said to the
     * client, and the connection goes.
     */
    public void onRefused(final Session session, final RejectReason reason, final long nextSeqNo)
    {
        final ClientConnection connection = session.connection;
        unbind(session);
        // The other segments opened with it are closed again: nobody is logged on.
        sync.close(session);
        counters.increment(GatewayCounters.FAILED_LOGONS);
        final String text = reason == RejectReason.INVALID_SEQ_NO ?
            "nextExpectedSeqNo is beyond the last report of this session (" + (nextSeqNo - 1) + ")" :
            "the cluster refused the session: " + reason;
        GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
            "user", session.username, "reason", text);
        final LogonResult result = reason == RejectReason.INVALID_SEQ_NO ? LogonResult.INVALID_SEQ_NO :
            reason == RejectReason.UNKNOWN_ACCOUNT ? LogonResult.BAD_CREDENTIALS : LogonResult.UNAVAILABLE;
        replies.logonResponse(connection, result, null, 0, SegmentSeqNo.compose(session.logonSegment, nextSeqNo), text);
        replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: " + text);
    }

    private static void unbind(final Session session)
    {
        if (session.connection != null)
        {
            session.connection.session = null;
        }
        session.connection = null;
    }

    public void close()
    {
        verifier.close();
    }

    /**
     * The interval a client asked for, within the gateway's bounds (0 asks for the minimum of one second and the maximum).
     */
    private int clampHeartbeat(final long requestedMs)
    {
        final int maxHeartbeatMs = config.maxHeartbeatMs();
        final long wanted = requestedMs <= 0 ? Math.min(1_000, maxHeartbeatMs) : requestedMs;
        return (int)Math.max(config.minHeartbeatMs(), Math.min(maxHeartbeatMs, wanted));
    }
}
