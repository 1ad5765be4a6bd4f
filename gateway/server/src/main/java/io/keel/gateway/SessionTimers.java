package io.keel.gateway;

import io.keel.codecs.LogoutReason;
import org.agrona.concurrent.CachedNanoClock;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The session layer's clock work, every few milliseconds rather than per message: logon and heartbeat timeouts,
 * heartbeats to quiet clients, and the session requests the cluster has not taken yet ({@link SessionSync}).
 * Cancel-on-disconnect is not here: the cluster runs it, on cluster time.
 */
final class SessionTimers
{
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final GatewayHealth health;
    private final SessionSync sync;
    private final List<ClientConnection> connections;
    private final SessionReplies replies;
    private final CachedNanoClock clock;
    private final Logons logons;
    private long nextTimerCheckNs;

    /**
     * @param connections the session layer's open connections, read here and never changed.
     */
    SessionTimers(
        final GatewayContext config,
        final GatewayCounters counters,
        final GatewayHealth health,
        final SessionSync sync,
        final List<ClientConnection> connections,
        final SessionReplies replies,
        final CachedNanoClock clock,
        final Logons logons)
    {
        this.logons = logons;
        this.config = config;
        this.counters = counters;
        this.health = health;
        this.sync = sync;
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
            work += sync.doRetries(clock.nanoTime());
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
                case LOGON_PENDING:
                    if (connection.logonRefusalDueNs != 0)
                    {
                        // A refused logon waiting out its backoff: answered then, not timed out meanwhile.
                        if (nowNs - connection.logonRefusalDueNs >= 0)
                        {
                            logons.refuseLogon(connection);
                            work++;
                        }
                        break;
                    }
                    // fall through
                case AWAITING_LOGON:
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
}
