package io.keel.gateway;

import io.keel.codecs.BooleanType;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Logon: a Logon's password goes to the {@link LogonVerifier}'s thread, and its verdict comes back on the duty cycle
 * to refuse the connection or bind it to the user's session (heartbeat, throttle, cancel-on-disconnect), answer with
 * a LogonResponse and resend what the client missed.
 * <p>
 * Cold path: once per connection, and it allocates (the request, the password copy, log lines).
 */
final class Logons implements AutoCloseable
{
    /** A session is dropped after this many heartbeat intervals with nothing received. */
    static final int HEARTBEAT_TIMEOUT_INTERVALS = 2;

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final Sessions sessions;
    private final SessionReplies replies;
    private final ReportRouter router;
    private final CachedNanoClock clock;
    private final LogonVerifier verifier;
    private final Consumer<LogonVerifier.Request> onLogonChecked = this::onLogonChecked;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonDecoder logonDecoder = new LogonDecoder();

    Logons(
        final GatewayContext config,
        final GatewayCounters counters,
        final Sessions sessions,
        final SessionReplies replies,
        final ReportRouter router,
        final CachedNanoClock clock,
        final LogonVerifier verifier)
    {
        this.config = config;
        this.counters = counters;
        this.sessions = sessions;
        this.replies = replies;
        this.router = router;
        this.clock = clock;
        this.verifier = verifier;
    }

    /**
     * The verdicts of the password checks done since the last call.
     */
    int drain()
    {
        return verifier.drain(onLogonChecked);
    }

    void onLogon(final ClientConnection connection, final DirectBuffer buffer, final int offset)
    {
        logonDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final boolean cancelOnDisconnect = logonDecoder.cancelOnDisconnect() == BooleanType.TRUE;
        final long heartbeatIntervalMs = logonDecoder.heartbeatIntervalMs();
        final long nextExpectedSeqNo = logonDecoder.nextExpectedSeqNo();
        final String username = logonDecoder.username();
        final int passwordLength = logonDecoder.passwordLength();
        final byte[] password = new byte[passwordLength];
        logonDecoder.getPassword(password, 0, passwordLength);

        connection.state = ClientConnection.State.LOGON_PENDING;
        final LogonVerifier.Request request = new LogonVerifier.Request(
            connection, username, password, cancelOnDisconnect, heartbeatIntervalMs, nextExpectedSeqNo);
        if (!verifier.submit(request))
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            replies.logonResponse(connection, LogonResult.UNAVAILABLE, null, 0, "too many logons in progress, retry");
            replies.logout(connection, LogoutReason.SHUTDOWN, "logon refused: too many in progress");
        }
    }

    private void onLogonChecked(final LogonVerifier.Request request)
    {
        final ClientConnection connection = request.connection;
        if (!connection.isOpen() || connection.state != ClientConnection.State.LOGON_PENDING)
        {
            return;
        }
        if (request.accountId == CredentialsStore.NO_ACCOUNT)
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "remote", connection.remoteAddress, "user", request.username, "reason", "bad credentials");
            replies.logonResponse(connection, LogonResult.BAD_CREDENTIALS, null, 0, "bad username or password");
            replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: bad credentials");
            return;
        }

        final Session session = sessions.sessionFor(request.username, request.accountId);
        if (session.connection != null)
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "user", request.username, "reason", "already logged on");
            replies.logonResponse(connection, LogonResult.ALREADY_LOGGED_ON, null, 0,
                "already logged on from another connection");
            replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: already logged on");
            return;
        }

        final long nowNs = clock.nanoTime();
        final int heartbeatMs = clampHeartbeat(request.heartbeatIntervalMs);
        connection.state = ClientConnection.State.ACTIVE;
        connection.session = session;
        connection.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
        connection.heartbeatTimeoutNs = TimeUnit.MILLISECONDS.toNanos((long)heartbeatMs * HEARTBEAT_TIMEOUT_INTERVALS);
        // The client's heartbeat clock starts with the LogonResponse it is about to get, not with its Logon: a
        // password check can take longer than the heartbeat timeout (the first PBKDF2 after start, ~0.4 s).
        connection.lastReceivedNs = nowNs;
        connection.throttle = new TokenBucket(config.throttleRate(), config.throttleBurst(), nowNs);
        connection.throttleWindowStartNs = nowNs;
        session.connection = connection;
        // The credentials are authoritative, and the only source: a session created for a report that arrived
        // before this logon (after a gateway restart) has no account until now.
        session.accountId = request.accountId;
        session.cancelOnDisconnect = request.cancelOnDisconnect;
        session.marketData.clear();
        if (session.sessionLostPending && config.cancelOnDisconnectGraceMs() > 0 && nowNs - session.sessionLostDueNs < 0)
        {
            // Back within the grace period: the orders stay.
            session.sessionLostPending = false;
            session.sessionLostDueNs = Session.NO_DEADLINE;
        }
        counters.increment(GatewayCounters.LOGONS);
        GatewayLog.event("logon", "connection", Long.toString(connection.connectionId), "user", session.username,
            "session", Long.toString(session.sessionId), "account", Long.toString(session.accountId));
        replies.logonResponse(connection, LogonResult.OK, session, heartbeatMs, "");

        final long next = session.reports.nextSeqNo();
        final long expected = request.nextExpectedSeqNo;
        if (expected > 0 && expected < next)
        {
            router.resend(connection, expected, 0);
        }
        else if (expected > next)
        {
            // The client has seen more than this gateway sent: the gateway restarted. Everything held goes.
            router.resend(connection, session.reports.oldestSeqNo(), 0);
        }
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
