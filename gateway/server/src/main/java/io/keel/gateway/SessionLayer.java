package io.keel.gateway;

import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.CancelOrderDecoder;
import io.keel.codecs.FrameError;
import io.keel.codecs.HeartbeatDecoder;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MassCancelDecoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrderStatusRequestDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplaceOrderDecoder;
import io.keel.codecs.ResendRequestDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;

/**
 * The gateway's session layer, transport-independent: what the transports call with connections and validated
 * messages, and what the cluster's egress is delivered to. It keeps the connections and the state of each, and hands
 * each message to the part that owns it:
 * <ul>
 *     <li>{@link Logons}: password check off the duty cycle, then the cluster opens the user's {@link Session} here;</li>
 *     <li>{@link SessionSync}: the session in the cluster's log — open, close, re-open after a new leader, replay
 *     from the journal;</li>
 *     <li>{@link OrderEntry}: throttle, stamp session and account, {@code tryClaim} into ingress;</li>
 *     <li>{@link ReportRouter}: reports back to their session's connection in seqNo order, market data;</li>
 *     <li>{@link SessionTimers}: logon and heartbeat timeouts, heartbeats, retries of session requests;</li>
 *     <li>{@link SessionReplies}: what the session layer itself says to a client.</li>
 * </ul>
 * Runs on the gateway's duty-cycle thread only. Per order message: one copy into the ingress claim; per report: one
 * copy into the connection's outbound buffer. No allocation on either path. The gateway holds nothing the cluster
 * could not give back: a client may resume on any gateway.
 */
final class SessionLayer implements GatewayClusterSession.Listener, AutoCloseable
{
    private final GatewayContext config;
    private final GatewayCounters counters;
    private final ClusterSessions cluster;
    private final MarketDataFeed marketData;
    /** This duty cycle's time, set once per cycle in {@link #doWork}: every part judges by the same instant. */
    private final CachedNanoClock clock = new CachedNanoClock();
    private final ArrayList<ClientConnection> connections = new ArrayList<>();
    private final SessionReplies replies;
    private final ReportRouter router;
    private final OrderEntry orderEntry;
    private final Logons logons;
    private final LogonGuard logonGuard;
    private final SessionTimers timers;
    private final SessionSync sync;
    private final DutyCycleGuard guard;
    private final io.keel.codecs.MessageHeaderDecoder headerDecoder = new io.keel.codecs.MessageHeaderDecoder();
    private final ResendRequestDecoder resendRequestDecoder = new ResendRequestDecoder();
    /** Test hook, null in production. */
    private final FaultInjector faultInjector;

    SessionLayer(
        final GatewayContext config, final CredentialsStore users, final GatewayCounters counters, final GatewayHealth health)
    {
        this.config = config;
        this.counters = counters;
        faultInjector = config.faultInjector();
        final Sessions sessions = new Sessions(users, config.segmentCount());
        final LogonVerifier verifier = new LogonVerifier(users, config.maxPendingLogons());
        cluster = new ClusterSessions(config, this, health);
        try
        {
            marketData = new MarketDataFeed(config, cluster::offer, config.marketDataChannel().isEmpty() ? null :
                cluster.aeron().addExclusivePublication(config.marketDataChannel(), config.marketDataStreamId()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(verifier, cluster);
            throw ex;
        }
        replies = new SessionReplies(counters, clock, config.segmentCount());
        guard = new DutyCycleGuard(counters, replies);
        sync = new SessionSync(config, counters, cluster, sessions, replies, clock);
        router = new ReportRouter(counters, sessions, replies, sync, marketData, clock);
        orderEntry = new OrderEntry(config, counters, cluster, router, replies, clock);
        logonGuard = new LogonGuard(config.limits(), counters);
        logons = new Logons(config, counters, sessions, replies, sync, clock, verifier, logonGuard);
        sync.logons(logons);
        timers = new SessionTimers(config, counters, health, sync, connections, replies, clock, logons);
    }

    /**
     * Checked logons, market data and the cluster's egress; the timers come after the transports ({@link #doTimers}).
     */
    int doWork(final long nowNs)
    {
        clock.update(nowNs);
        int work = cluster.poll(nowNs);
        // Each segment on its own: a new leader there (or a new session with it) makes its books be checked and its
        // sessions be opened again; the other segments go on untouched.
        for (int segment = cluster.takeEpochChange(0); segment >= 0; segment = cluster.takeEpochChange(segment + 1))
        {
            work += marketData.onLeaderChange(segment, nowNs);
            work += sync.onClusterEpoch(segment);
        }
        work += logons.drain();
        work += marketData.doWork(nowNs);
        return work;
    }

    /**
     * Logon and heartbeat timeouts, heartbeats, pending cancel-on-disconnects, every few milliseconds. Called after the
     * transports were read in the same duty cycle: a gateway thread that was descheduled for longer than a heartbeat
     * timeout reads the heartbeats waiting in its sockets before it judges anyone silent.
     */
    int doTimers(final long nowNs)
    {
        return timers.doTimers(nowNs);
    }

    /**
     * The gateway's embedded media driver and Aeron client conductor, when they run on the duty cycle.
     */
    int invokeAeron()
    {
        return cluster.invokeAeron();
    }

    /**
     * @return the Aeron client of the cluster connection, for the UDP transport.
     */
    io.aeron.Aeron aeron()
    {
        return cluster.aeron();
    }

    /**
     * @return failed-logon backoffs and lockouts, for the admin endpoint's unlock.
     */
    LogonGuard logonGuard()
    {
        return logonGuard;
    }

    /**
     * @return where the duty cycle's polls report what they threw.
     */
    DutyCycleGuard guard()
    {
        return guard;
    }

    /**
     * @return true while every segment has a cluster session that can take orders.
     */
    boolean isClusterAvailable()
    {
        return cluster.isAvailable();
    }

    /**
     * @return whether one segment can take orders (any thread).
     */
    boolean isSegmentAvailable(final int segment)
    {
        return cluster.isAvailable(segment);
    }

    // ------------------------------------------------------------------ transport events

    void onConnected(final ClientConnection connection, final long nowNs)
    {
        connection.connectedNs = nowNs;
        connection.lastReceivedNs = nowNs;
        connection.lastSentNs = nowNs;
        connections.add(connection);
        counters.increment(GatewayCounters.CONNECTIONS);
        if (connection.proxyAddress == null)
        {
            GatewayLog.event("connected", "connection", Long.toString(connection.connectionId),
                "remote", connection.remoteAddress);
        }
        else
        {
            GatewayLog.event("connected", "connection", Long.toString(connection.connectionId),
                "remote", connection.remoteAddress, "proxy", connection.proxyAddress);
        }
    }

    /**
     * A connection refused before it could log on (over the connection limit, a PROXY protocol header where none
     * belongs or a bad one): a Logout that says why, then closed. It never logs on.
     */
    void refuse(final ClientConnection connection, final LogoutReason reason, final String text)
    {
        replies.logout(connection, reason, text);
    }

    void onDisconnected(final ClientConnection connection)
    {
        connections.remove(connection);
        final Session session = connection.session;
        final String reason = connection.closeReason == null ? "closed by peer" : connection.closeReason;
        counters.increment(GatewayCounters.DISCONNECTS);
        counters.disconnectReasons.count(reason);
        GatewayLog.event("disconnected", "connection", Long.toString(connection.connectionId),
            "user", session == null ? "" : session.username, "reason", reason);
        connection.state = ClientConnection.State.CLOSING;
        if (session != null && session.connection == connection)
        {
            session.connection = null;
            // The cluster starts cancel-on-disconnect's grace; a session that moved to another gateway is not ours.
            sync.close(session);
        }
    }

    void onFrameError(final ClientConnection connection, final FrameError error, final long detail)
    {
        if (!connection.isOpen())
        {
            return;
        }
        counters.increment(GatewayCounters.PROTOCOL_ERRORS);
        final RejectReason reason = error == FrameError.UNKNOWN_TEMPLATE_ID || error == FrameError.UNSUPPORTED_VERSION ||
            error == FrameError.WRONG_SCHEMA_ID ? RejectReason.UNSUPPORTED_MESSAGE : RejectReason.INVALID_MESSAGE;
        final String text = error.describe(detail);
        replies.sessionReject(connection, 0, reason, text);
        replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "protocol error: " + text);
    }

    /**
     * One validated SBE message from a client.
     */
    boolean onMessage(
        final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        if (!connection.isOpen())
        {
            return true;
        }
        connection.lastReceivedNs = clock.nanoTime();
        if (faultInjector != null)
        {
            faultInjector.onMessage(connection, templateId);
        }
        final String outOfBounds = MessageBounds.check(buffer, offset, length, templateId);
        if (outOfBounds != null)
        {
            // Refused whole: a block or trailing bytes beyond the template never reach the cluster's ingress.
            counters.increment(GatewayCounters.PROTOCOL_ERRORS);
            replies.sessionReject(connection, templateId, RejectReason.INVALID_MESSAGE, outOfBounds);
            replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "protocol error: " + outOfBounds);
            return true;
        }
        switch (connection.state)
        {
            case AWAITING_LOGON:
                if (templateId == LogonDecoder.TEMPLATE_ID)
                {
                    logons.onLogon(connection, buffer, offset);
                }
                else
                {
                    counters.increment(GatewayCounters.PROTOCOL_ERRORS);
                    replies.sessionReject(connection, templateId, RejectReason.NOT_LOGGED_ON, "the first message must be a Logon");
                    replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "message before logon");
                }
                return true;

            case LOGON_PENDING:
                counters.increment(GatewayCounters.PROTOCOL_ERRORS);
                replies.sessionReject(connection, templateId, RejectReason.NOT_LOGGED_ON, "wait for the LogonResponse");
                replies.logout(connection, LogoutReason.PROTOCOL_ERROR, "message before the logon completed");
                return true;

            case ACTIVE:
                onSessionMessage(connection, buffer, offset, length, templateId);
                return true;

            default:
                return true;
        }
    }

    /**
     * A logged-on session's message, to the part that owns it. Every request a client can repeat at will is
     * throttled, so no template is a free way to load the gateway.
     */
    private void onSessionMessage(
        final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        switch (templateId)
        {
            case NewOrderDecoder.TEMPLATE_ID:
            case CancelOrderDecoder.TEMPLATE_ID:
            case ReplaceOrderDecoder.TEMPLATE_ID:
            case MassCancelDecoder.TEMPLATE_ID:
            case OrderStatusRequestDecoder.TEMPLATE_ID:
            case AccountRequestDecoder.TEMPLATE_ID:
                orderEntry.onOrderEntry(connection, buffer, offset, length, templateId);
                break;

            case HeartbeatDecoder.TEMPLATE_ID:
                break;

            case ResendRequestDecoder.TEMPLATE_ID:
                if (orderEntry.admit(connection))
                {
                    resendRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    sync.onResendRequest(
                        connection.session, resendRequestDecoder.fromSeqNo(), resendRequestDecoder.toSeqNo());
                }
                else
                {
                    replies.sessionReject(connection, templateId, RejectReason.THROTTLED, "resend request throttled");
                }
                break;

            case MarketDataRequestDecoder.TEMPLATE_ID:
                if (orderEntry.admit(connection))
                {
                    router.onMarketDataRequest(connection, buffer, offset);
                }
                else
                {
                    replies.sessionReject(connection, templateId, RejectReason.THROTTLED, "market data request throttled");
                }
                break;

            case LogoutDecoder.TEMPLATE_ID:
                connection.session.loggedOut = true;
                replies.logout(connection, LogoutReason.CLIENT_REQUEST, "logout requested");
                break;

            case LogonDecoder.TEMPLATE_ID:
                replies.sessionReject(connection, templateId, RejectReason.INVALID_MESSAGE, "already logged on");
                break;

            default:
                if (orderEntry.admit(connection))
                {
                    replies.sessionReject(connection, templateId, RejectReason.UNSUPPORTED_MESSAGE,
                        "a client may not send template " + templateId);
                }
                break;
        }
    }

    // ------------------------------------------------------------------ cluster events

    public void onEgress(final int segment, final DirectBuffer buffer, final int offset, final int length)
    {
        router.onEgress(segment, buffer, offset, length);
    }

    public void onClusterAvailable(final int segment, final boolean available)
    {
        GatewayLog.event(available ? "cluster-available" : "cluster-unavailable", "segment", Integer.toString(segment));
    }

    /**
     * Log every connection out (gateway shutdown).
     */
    void logoutAll()
    {
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            replies.logout(connections.get(i), LogoutReason.SHUTDOWN, "gateway shutting down");
        }
    }

    public void close()
    {
        CloseHelper.closeAll(logons, marketData, cluster);
    }

    int marketDataBooks()
    {
        return marketData.bookCount();
    }
}
