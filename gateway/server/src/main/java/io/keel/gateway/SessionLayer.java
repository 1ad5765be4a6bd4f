package io.keel.gateway;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.logbuffer.BufferClaim;
import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.CancelOrderDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.FrameError;
import io.keel.codecs.HeartbeatDecoder;
import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResponseEncoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MassCancelDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrderStatusRequestDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplaceOrderDecoder;
import io.keel.codecs.ResendRequestDecoder;
import io.keel.codecs.SessionLostEncoder;
import io.keel.codecs.SessionRejectEncoder;
import io.keel.codecs.TradeDecoder;
import io.keel.common.Principal;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The gateway's session layer, transport-independent: logon, heartbeats, throttles, sequence
 * numbers and resend, cancel-on-disconnect, forwarding orders to the cluster with the session's
 * identity stamped on them, and routing the cluster's reports back to the owning connection.
 * <p>
 * Runs on the gateway's duty-cycle thread only. Per order message: one copy into the ingress claim;
 * per report: one copy into the session's resend cache and one into the connection's outbound
 * buffer. No allocation on either path.
 */
final class SessionLayer implements GatewayClusterSession.Listener, AutoCloseable
{
    /** Client-session fields at the start of every order-entry body: sessionId, accountId, clOrdId. */
    private static final int SESSION_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int ACCOUNT_ID_OFFSET = SESSION_ID_OFFSET + Long.BYTES;
    private static final int CL_ORD_ID_OFFSET = ACCOUNT_ID_OFFSET + Long.BYTES;
    private static final int INSTRUMENT_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long THROTTLE_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final GatewayClusterSession cluster;
    private final GatewayHealth health;
    private final LogonVerifier verifier;
    private final MarketDataFeed marketData;
    private final Int2ObjectHashMap<String> usernameByLocalId = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Session> sessionsByLocalId = new Int2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Session> sessionsByName = new Object2ObjectHashMap<>();
    private final ArrayList<Session> sessions = new ArrayList<>();
    private final ArrayList<ClientConnection> connections = new ArrayList<>();
    private final Consumer<LogonVerifier.Request> onLogonChecked = this::onLogonChecked;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonDecoder logonDecoder = new LogonDecoder();
    private final ResendRequestDecoder resendRequestDecoder = new ResendRequestDecoder();
    private final MarketDataRequestDecoder marketDataRequestDecoder = new MarketDataRequestDecoder();
    private final LogonResponseEncoder logonResponseEncoder = new LogonResponseEncoder();
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final SessionRejectEncoder sessionRejectEncoder = new SessionRejectEncoder();
    private final BusinessRejectEncoder businessRejectEncoder = new BusinessRejectEncoder();
    private final SessionLostEncoder sessionLostEncoder = new SessionLostEncoder();
    private long nowNs;
    /** Leader changes plus new cluster sessions, as last seen: a change makes the market-data books be checked. */
    private long lastLeaderEpoch;
    private long nextTimerCheckNs;

    SessionLayer(
        final GatewayContext config, final CredentialsStore users, final GatewayCounters counters, final GatewayHealth health)
    {
        this.config = config;
        this.counters = counters;
        for (final String username : users.usernames())
        {
            final int localId = Session.localIdOf(username);
            final String other = usernameByLocalId.put(localId, username);
            if (other != null)
            {
                throw new IllegalArgumentException("users '" + other + "' and '" + username +
                    "' would share a session id; rename one of them");
            }
        }
        verifier = new LogonVerifier(users, config.maxPendingLogons());
        this.health = health;
        cluster = new GatewayClusterSession(config, this, health);
        try
        {
            marketData = new MarketDataFeed(config, cluster, config.marketDataChannel().isEmpty() ? null :
                cluster.aeron().addExclusivePublication(config.marketDataChannel(), config.marketDataStreamId()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(verifier, cluster);
            throw ex;
        }
    }

    /**
     * Checked logons, market data and the cluster's egress; the timers come after the transports ({@link #doTimers}).
     */
    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = cluster.poll(nowNs);
        final long leaderEpoch = cluster.leaderChanges() + cluster.connects();
        if (leaderEpoch != lastLeaderEpoch)
        {
            lastLeaderEpoch = leaderEpoch;
            work += marketData.onLeaderChange(nowNs);
        }
        work += verifier.drain(onLogonChecked);
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
        int work = 0;
        if (nowNs - nextTimerCheckNs >= 0)
        {
            nextTimerCheckNs = nowNs + TIMER_INTERVAL_NS;
            health.tick(nowNs);
            work += checkTimers();
            work += sendPendingSessionLost();
        }
        return work;
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

    boolean isClusterAvailable()
    {
        return cluster.isAvailable();
    }

    // ------------------------------------------------------------------ transport events

    void onConnected(final ClientConnection connection, final long nowNs)
    {
        connection.connectedNs = nowNs;
        connection.lastReceivedNs = nowNs;
        connection.lastSentNs = nowNs;
        connections.add(connection);
        counters.increment(GatewayCounters.CONNECTIONS);
        GatewayLog.event("connected", "connection", Long.toString(connection.connectionId),
            "remote", connection.remoteAddress);
    }

    /**
     * A connection over the connection limit: a Logout that says so, then closed. It never logs on.
     */
    void refuse(final ClientConnection connection, final String text)
    {
        logout(connection, LogoutReason.SHUTDOWN, text);
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
            if (session.cancelOnDisconnect)
            {
                session.sessionLostPending = true;
                session.sessionLostDueNs = nowNs + TimeUnit.MILLISECONDS.toNanos(config.cancelOnDisconnectGraceMs());
            }
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
        sendSessionReject(connection, 0, reason, text);
        logout(connection, LogoutReason.PROTOCOL_ERROR, "protocol error: " + text);
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
        connection.lastReceivedNs = nowNs;
        switch (connection.state)
        {
            case AWAITING_LOGON:
                if (templateId == LogonDecoder.TEMPLATE_ID)
                {
                    onLogon(connection, buffer, offset);
                }
                else
                {
                    counters.increment(GatewayCounters.PROTOCOL_ERRORS);
                    sendSessionReject(connection, templateId, RejectReason.NOT_LOGGED_ON, "the first message must be a Logon");
                    logout(connection, LogoutReason.PROTOCOL_ERROR, "message before logon");
                }
                return true;

            case LOGON_PENDING:
                counters.increment(GatewayCounters.PROTOCOL_ERRORS);
                sendSessionReject(connection, templateId, RejectReason.NOT_LOGGED_ON, "wait for the LogonResponse");
                logout(connection, LogoutReason.PROTOCOL_ERROR, "message before the logon completed");
                return true;

            case ACTIVE:
                onSessionMessage(connection, buffer, offset, length, templateId);
                return true;

            default:
                return true;
        }
    }

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
                // Queries are stamped like orders: a user only ever asks about its own account.
                if (admit(connection))
                {
                    forward(connection.session, buffer, offset, length, templateId);
                }
                else
                {
                    businessReject(connection.session, buffer.getLong(offset + CL_ORD_ID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                        templateId, RejectReason.THROTTLED);
                }
                break;

            case HeartbeatDecoder.TEMPLATE_ID:
                break;

            case ResendRequestDecoder.TEMPLATE_ID:
                if (admit(connection))
                {
                    resendRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    resend(connection, resendRequestDecoder.fromSeqNo(), resendRequestDecoder.toSeqNo());
                }
                else
                {
                    sendSessionReject(connection, templateId, RejectReason.THROTTLED, "resend request throttled");
                }
                break;

            case MarketDataRequestDecoder.TEMPLATE_ID:
                if (!admit(connection))
                {
                    sendSessionReject(connection, templateId, RejectReason.THROTTLED, "market data request throttled");
                    break;
                }
                marketDataRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int instrument = marketDataRequestDecoder.instrumentId();
                if (marketDataRequestDecoder.subscribe() == BooleanType.TRUE)
                {
                    // A snapshot first (now, or when the gateway's book is whole), then the increments.
                    connection.session.marketData.add(instrument);
                    if (marketData.isReady(instrument, nowNs))
                    {
                        send(connection, marketData.snapshotBuffer(), 0, marketData.encodeSnapshot(instrument));
                    }
                }
                else
                {
                    connection.session.marketData.remove(marketDataRequestDecoder.instrumentId());
                }
                break;

            case LogoutDecoder.TEMPLATE_ID:
                logout(connection, LogoutReason.CLIENT_REQUEST, "logout requested");
                break;

            case LogonDecoder.TEMPLATE_ID:
                sendSessionReject(connection, templateId, RejectReason.INVALID_MESSAGE, "already logged on");
                break;

            default:
                if (admit(connection))
                {
                    sendSessionReject(connection, templateId, RejectReason.UNSUPPORTED_MESSAGE,
                        "a client may not send template " + templateId);
                }
                break;
        }
    }

    /**
     * The session's throttle; a session throttled beyond the abuse limit within a second is dropped.
     */
    private boolean admit(final ClientConnection connection)
    {
        if (connection.throttle.tryAcquire(nowNs))
        {
            return true;
        }
        counters.increment(GatewayCounters.THROTTLED);
        if (nowNs - connection.throttleWindowStartNs >= THROTTLE_WINDOW_NS)
        {
            connection.throttleWindowStartNs = nowNs;
            connection.throttledInWindow = 0;
        }
        if (++connection.throttledInWindow > config.throttleAbuse())
        {
            logout(connection, LogoutReason.THROTTLE_ABUSE,
                "throttled more than " + config.throttleAbuse() + " messages within a second");
        }
        return false;
    }

    /**
     * Into the cluster with the session's identity stamped on it, or an UNAVAILABLE reject at once.
     */
    private void forward(
        final Session session, final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        if (!cluster.tryClaim(length, claim, nowNs))
        {
            counters.increment(GatewayCounters.UNAVAILABLE);
            businessReject(session, buffer.getLong(offset + CL_ORD_ID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                templateId, RejectReason.UNAVAILABLE);
            return;
        }
        final MutableDirectBuffer out = claim.buffer();
        final int at = claim.offset() + AeronCluster.SESSION_HEADER_LENGTH;
        out.putBytes(at, buffer, offset, length);
        out.putLong(at + SESSION_ID_OFFSET, session.sessionId, ByteOrder.LITTLE_ENDIAN);
        out.putLong(at + ACCOUNT_ID_OFFSET, session.accountId, ByteOrder.LITTLE_ENDIAN);
        claim.commit();
        counters.increment(GatewayCounters.ORDERS_FORWARDED);
        // An AccountStatus answer is not a report: the hop timer would wait for it in vain.
        if (counters.hops != null && templateId != AccountRequestDecoder.TEMPLATE_ID)
        {
            counters.hops.onIngressSent(session.sessionId, buffer.getLong(offset + CL_ORD_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        }
    }

    // ------------------------------------------------------------------ logon

    private void onLogon(final ClientConnection connection, final DirectBuffer buffer, final int offset)
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
            sendLogonResponse(connection, LogonResult.UNAVAILABLE, null, 0, "too many logons in progress, retry");
            logout(connection, LogoutReason.SHUTDOWN, "logon refused: too many in progress");
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
            sendLogonResponse(connection, LogonResult.BAD_CREDENTIALS, null, 0, "bad username or password");
            logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: bad credentials");
            return;
        }

        final Session session = sessionFor(request.username, request.accountId);
        if (session.connection != null)
        {
            counters.increment(GatewayCounters.FAILED_LOGONS);
            GatewayLog.event("logon-failed", "connection", Long.toString(connection.connectionId),
                "user", request.username, "reason", "already logged on");
            sendLogonResponse(connection, LogonResult.ALREADY_LOGGED_ON, null, 0,
                "already logged on from another connection");
            logout(connection, LogoutReason.PROTOCOL_ERROR, "logon failed: already logged on");
            return;
        }

        final int heartbeatMs = config.clampHeartbeat(request.heartbeatIntervalMs);
        connection.state = ClientConnection.State.ACTIVE;
        connection.session = session;
        connection.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
        connection.heartbeatTimeoutNs = config.heartbeatTimeoutNs(heartbeatMs);
        // The client's heartbeat clock starts with the LogonResponse it is about to get, not with its Logon: a
        // password check can take longer than the heartbeat timeout (the first PBKDF2 after start, ~0.4 s).
        connection.lastReceivedNs = nowNs;
        connection.throttle = new TokenBucket(config.throttleRate(), config.throttleBurst(), nowNs);
        connection.throttleWindowStartNs = nowNs;
        session.connection = connection;
        // The credentials are authoritative: a session created for a report that arrived before this
        // logon (after a gateway restart) took its account from that report, which does not carry one.
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
        sendLogonResponse(connection, LogonResult.OK, session, heartbeatMs, "");

        final long next = session.reports.nextSeqNo();
        final long expected = request.nextExpectedSeqNo;
        if (expected > 0 && expected < next)
        {
            resend(connection, expected, 0);
        }
        else if (expected > next)
        {
            // The client has seen more than this gateway sent: the gateway restarted. Everything held goes.
            resend(connection, session.reports.oldestSeqNo(), 0);
        }
    }

    private Session sessionFor(final String username, final long accountId)
    {
        Session session = sessionsByName.get(username);
        if (session == null)
        {
            session = new Session(username, accountId, config.gatewayId(), Session.localIdOf(username),
                config.resendCacheSize());
            sessionsByName.put(username, session);
            sessionsByLocalId.put(Session.localIdOf(username), session);
            sessions.add(session);
        }
        return session;
    }

    // ------------------------------------------------------------------ reports out

    public void onEgress(final DirectBuffer buffer, final int offset, final int length)
    {
        headerDecoder.wrap(buffer, offset);
        switch (headerDecoder.templateId())
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
            case CancelRejectDecoder.TEMPLATE_ID:
            case BusinessRejectDecoder.TEMPLATE_ID:
            case MassCancelReportDecoder.TEMPLATE_ID:
                final HopTimer hops = counters.hops;
                if (hops != null)
                {
                    hops.onEgress(headerDecoder.templateId(), buffer, offset);
                }
                routeReport(buffer, offset, length);
                if (hops != null)
                {
                    hops.onClientQueued();
                }
                break;

            case AccountStatusDecoder.TEMPLATE_ID:
                routeAnswer(buffer, offset, length);
                break;

            case BookUpdateDecoder.TEMPLATE_ID:
            case TradeDecoder.TEMPLATE_ID:
            case BookSnapshotDecoder.TEMPLATE_ID:
                final MarketDataFeed.Outcome outcome = marketData.onMarketData(buffer, offset, length, nowNs);
                final int instrumentId = buffer.getInt(offset + INSTRUMENT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
                if (outcome == MarketDataFeed.Outcome.FORWARD)
                {
                    fanOutMarketData(instrumentId, buffer, offset, length);
                }
                else if (outcome == MarketDataFeed.Outcome.RESYNCED)
                {
                    final int snapshotLength = marketData.encodeSnapshot(instrumentId);
                    fanOutMarketData(instrumentId, marketData.snapshotBuffer(), 0, snapshotLength);
                }
                break;

            default:
                break;
        }
    }

    public void onClusterAvailable(final boolean available)
    {
        GatewayLog.event(available ? "cluster-available" : "cluster-unavailable");
    }

    private void routeReport(final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = buffer.getLong(offset + SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int localId = (int)sessionId;
        Session session = sessionsByLocalId.get(localId);
        if (session == null)
        {
            session = sessionForReport(sessionId, buffer.getLong(offset + ACCOUNT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
            if (session == null)
            {
                counters.increment(GatewayCounters.UNROUTED_REPORTS);
                return;
            }
        }
        deliverReport(session, buffer, offset, length);
    }

    /**
     * A query's answer: to the asking session's connection if it is still there, never numbered or kept for resend
     * (asking again is the recovery).
     */
    private void routeAnswer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = buffer.getLong(offset + SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final Session session = Principal.gatewayOfClientSession(sessionId) == config.gatewayId() ?
            sessionsByLocalId.get((int)sessionId) : null;
        final ClientConnection connection = session == null ? null : session.connection;
        if (connection != null && connection.state == ClientConnection.State.ACTIVE)
        {
            send(connection, buffer, offset, length);
        }
        else
        {
            counters.increment(GatewayCounters.UNROUTED_REPORTS);
        }
    }

    /**
     * A report for a user who has not logged on since this gateway started: kept for their logon.
     */
    private Session sessionForReport(final long sessionId, final long accountId)
    {
        final String username = usernameByLocalId.get((int)sessionId);
        if (Principal.gatewayOfClientSession(sessionId) != config.gatewayId() || username == null)
        {
            return null;
        }
        return sessionFor(username, accountId);
    }

    private void deliverReport(final Session session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!ResendCache.fits(length))
        {
            counters.increment(GatewayCounters.UNROUTED_REPORTS);
            return;
        }
        final ResendCache reports = session.reports;
        final long seqNo = reports.append(buffer, offset, length);
        final ClientConnection connection = session.connection;
        if (connection != null && connection.state == ClientConnection.State.ACTIVE)
        {
            send(connection, reports.buffer(), reports.messageOffset(seqNo), length);
            counters.increment(GatewayCounters.REPORTS_SENT);
        }
    }

    private void fanOutMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            final ClientConnection connection = session.connection;
            if (connection != null && connection.state == ClientConnection.State.ACTIVE &&
                session.marketData.contains(instrumentId))
            {
                send(connection, buffer, offset, length);
            }
        }
    }

    private void resend(final ClientConnection connection, final long fromSeqNo, final long toSeqNo)
    {
        final ResendCache reports = connection.session.reports;
        final long last = reports.nextSeqNo() - 1;
        final long to = toSeqNo <= 0 || toSeqNo > last ? last : toSeqNo;
        long from = Math.max(1, fromSeqNo);
        if (from < reports.oldestSeqNo())
        {
            sendSessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                "reports before seqNo " + reports.oldestSeqNo() + " are no longer held");
            from = reports.oldestSeqNo();
        }
        for (long seqNo = from; seqNo <= to && connection.isOpen(); seqNo++)
        {
            send(connection, reports.buffer(), reports.messageOffset(seqNo), reports.messageLength(seqNo));
        }
        counters.increment(GatewayCounters.RESENDS);
    }

    // ------------------------------------------------------------------ timers

    private int checkTimers()
    {
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
                        logout(connection, LogoutReason.LOGON_TIMEOUT,
                            "no logon within " + config.logonTimeoutMs() + " ms");
                        work++;
                    }
                    break;

                case ACTIVE:
                    if (nowNs - connection.lastReceivedNs > connection.heartbeatTimeoutNs)
                    {
                        logout(connection, LogoutReason.HEARTBEAT_TIMEOUT, "nothing received for " +
                            TimeUnit.NANOSECONDS.toMillis(connection.heartbeatTimeoutNs) + " ms");
                        work++;
                    }
                    else if (nowNs - connection.lastSentNs >= connection.heartbeatIntervalNs)
                    {
                        heartbeatEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).timestampNs(nowNs);
                        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
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

    // ------------------------------------------------------------------ encoding

    private void send(final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (connection.isOpen() && connection.send(buffer, offset, length))
        {
            connection.lastSentNs = nowNs;
        }
    }

    private void businessReject(final Session session, final long clOrdId, final int refTemplateId, final RejectReason reason)
    {
        businessRejectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .seqNo(0)
            .accountId(session.accountId)
            .clOrdId(clOrdId)
            .refTemplateId(refTemplateId)
            .reason(reason)
            .transactTime(System.currentTimeMillis()); // determinism-ok: the gateway, not the state machine
        deliverReport(session, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + businessRejectEncoder.encodedLength());
    }

    private void sendLogonResponse(
        final ClientConnection connection, final LogonResult result, final Session session, final int heartbeatMs,
        final String text)
    {
        logonResponseEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .result(result)
            .sessionId(session == null ? 0 : session.sessionId)
            .accountId(session == null ? 0 : session.accountId)
            .heartbeatIntervalMs(heartbeatMs)
            .nextSeqNo(session == null ? 0 : session.reports.nextSeqNo())
            .text(text);
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + logonResponseEncoder.encodedLength());
    }

    private void sendSessionReject(
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
    private void logout(final ClientConnection connection, final LogoutReason reason, final String text)
    {
        if (!connection.isOpen())
        {
            return;
        }
        logoutEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).reason(reason).text(text);
        send(connection, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder.encodedLength());
        connection.disconnect(reason + ": " + text);
    }

    /**
     * Log every connection out (gateway shutdown).
     */
    void logoutAll()
    {
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            logout(connections.get(i), LogoutReason.SHUTDOWN, "gateway shutting down");
        }
    }

    public void close()
    {
        CloseHelper.closeAll(verifier, marketData, cluster);
    }
}
