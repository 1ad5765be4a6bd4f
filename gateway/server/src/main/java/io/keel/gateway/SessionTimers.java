package io.keel.gateway;

import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.SessionLostEncoder;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The session layer's clock work, every few milliseconds rather than per message: logon and heartbeat timeouts,
 * heartbeats to quiet clients, and the cancel-on-disconnects whose grace has run out.
 */
final class SessionTimers
{
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final GatewayHealth health;
    private final GatewayClusterSession cluster;
    private final Sessions sessions;
    private final List<ClientConnection> connections;
    private final SessionReplies replies;
    private final CachedNanoClock clock;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[ResendCache.SLOT_LENGTH]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionLostEncoder sessionLostEncoder = new SessionLostEncoder();
    private long nextTimerCheckNs;

    /**
     * @param connections the session layer's open connections, read here and never changed.
     */
    SessionTimers(
        final GatewayContext config,
        final GatewayCounters counters,
        final GatewayHealth health,
        final GatewayClusterSession cluster,
        final Sessions sessions,
        final List<ClientConnection> connections,
        final SessionReplies replies,
        final CachedNanoClock clock)
    {
        this.config = config;
        this.counters = counters;
        this.health = health;
        this.cluster = cluster;
        this.sessions = sessions;
        this.connections = connections;
        this.replies = replies;
        this.clock = clock;
    }

    /**
     * @param nowNs this duty cycle's time, which paces the checks; the checks themselves judge by the session layer's
     *              clock, as the messages they are compared with were stamped by it.
     */
    int doTimers(final long nowNs)
    {
        int work = 0;
        if (nowNs - nextTimerCheckNs >= 0)
        {
            nextTimerCheckNs = nowNs + TIMER_INTERVAL_NS;
            health.tick(nowNs);
            work += checkConnections();
            work += sendPendingSessionLost();
        }
        return work;
    }

    private int checkConnections()
    {
        final long nowNs = clock.nanoTime();
        int work = 0;
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final ClientConnection connection = connections.get(i);
            switch (connection.state)
            {
                case AWAITING_LOGON:
                case LOGON_PENDING:
                    if (nowNs - connection.connectedNs > TimeUnit.MILLISECONDS.toNanos(config.logonTimeoutMs()))
                    {
                        replies.logout(connection, LogoutReason.LOGON_TIMEOUT,
                            "no logon within " + config.logonTimeoutMs() + " ms");
                        work++;
                    }
                    break;

                case ACTIVE:
                    if (nowNs - connection.lastReceivedNs > connection.heartbeatTimeoutNs)
                    {
                        replies.logout(connection, LogoutReason.HEARTBEAT_TIMEOUT, "nothing received for " +
                            TimeUnit.NANOSECONDS.toMillis(connection.heartbeatTimeoutNs) + " ms");
                        work++;
                    }
                    else if (nowNs - connection.lastSentNs >= connection.heartbeatIntervalNs)
                    {
                        replies.heartbeat(connection);
                        work++;
                    }
                    break;

                default:
                    break;
            }
        }
        return work;
    }

    private int sendPendingSessionLost()
    {
        final long nowNs = clock.nanoTime();
        int work = 0;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            if (session.sessionLostPending && nowNs - session.sessionLostDueNs >= 0)
            {
                sessionLostEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
                    .sessionId(session.sessionId)
                    .accountId(session.accountId)
                    .graceTime(0);
                // Kept pending until the cluster takes it: a cancel-on-disconnect is never dropped.
                if (cluster.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + sessionLostEncoder.encodedLength()))
                {
                    session.sessionLostPending = false;
                    session.sessionLostDueNs = Session.NO_DEADLINE;
                    counters.increment(GatewayCounters.CANCEL_ON_DISCONNECTS);
                    GatewayLog.event("cancel-on-disconnect", "user", session.username,
                        "session", Long.toString(session.sessionId));
                    work++;
                }
            }
        }
        return work;
    }
}
