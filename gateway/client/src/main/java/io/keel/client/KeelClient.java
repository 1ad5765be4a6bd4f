package io.keel.client;

import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.HeartbeatEncoder;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MarketDataRequestEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.OrderStatusRequestEncoder;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.ResendRequestEncoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Keel's client library, over TCP or Aeron UDP ({@link Context#transport(Transport)}): connect and log on, send
 * orders, poll reports and market data. The session behaves the same over either transport.
 * <p>
 * Nothing is lost across a dropped connection or a cluster failover: every request stays in flight
 * until a report answers its clOrdId, and is sent again unchanged after a reconnect or when it has
 * gone unanswered for {@link Context#resendTimeoutMs(long)}; the engine answers a repeated clOrdId
 * with the original outcome, so each order exists once. Reports missed while disconnected are
 * asked for at logon by sequence number, and each reaches the listener exactly once.
 * <p>
 * Single-threaded: call every method from one thread. Sending and polling allocate nothing.
 */
public final class KeelClient implements AutoCloseable
{
    /**
     * Client settings, with defaults good for a local gateway.
     */
    public static final class Context
    {
        private Transport transport = Transport.TCP;
        private String host = "127.0.0.1";
        private int port = 9100;
        private int udpPort = 9101;
        private String aeronDir;
        private String responseHost;
        private String username;
        private String password;
        private KeelClientListener listener = new KeelClientListener()
        {
        };
        private int heartbeatIntervalMs = 1_000;
        private boolean cancelOnDisconnect;
        private boolean autoReconnect = true;
        private long connectTimeoutMs = 5_000;
        private long resendTimeoutMs = 3_000;
        private long reconnectIntervalMs = 200;
        private int maxInFlight = 64 * 1024;

        public Context conclude()
        {
            if (username == null || password == null)
            {
                throw new IllegalArgumentException("username and password are required");
            }
            if (transport == null)
            {
                throw new IllegalArgumentException("transport is required");
            }
            if (transport == Transport.TCP && (port <= 0 || port > 65535))
            {
                throw new IllegalArgumentException("port must be in 1..65535: " + port);
            }
            if (transport == Transport.UDP && (udpPort <= 0 || udpPort > 65535))
            {
                throw new IllegalArgumentException("udpPort must be in 1..65535: " + udpPort);
            }
            if (responseHost != null && !io.keel.codecs.AeronUdp.isValidEndpoint(responseHost + ":1"))
            {
                throw new IllegalArgumentException("responseHost must be a host name or address: " + responseHost);
            }
            if (heartbeatIntervalMs <= 0 || connectTimeoutMs <= 0 || maxInFlight <= 0 || resendTimeoutMs < 0)
            {
                throw new IllegalArgumentException("heartbeat, connect timeout and max in flight must be > 0");
            }
            return this;
        }

        /**
         * @param transport TCP (default) to {@link #port(int)}, or Aeron UDP to {@link #udpPort(int)}.
         */
        public Context transport(final Transport transport)
        {
            this.transport = transport;
            return this;
        }

        /**
         * @param udpPort the gateway's Aeron UDP port ({@code --udp-port}), for {@link Transport#UDP}.
         */
        public Context udpPort(final int udpPort)
        {
            this.udpPort = udpPort;
            return this;
        }

        /**
         * @param aeronDir directory of a running media driver to use for {@link Transport#UDP}; null (default)
         * launches an embedded driver per client, in a temp dir of its own, closed with the client.
         */
        public Context aeronDir(final String aeronDir)
        {
            this.aeronDir = aeronDir;
            return this;
        }

        /**
         * @param responseHost address the gateway sends to over {@link Transport#UDP}; null (default) = the local
         * address that routes to the gateway.
         */
        public Context responseHost(final String responseHost)
        {
            this.responseHost = responseHost;
            return this;
        }

        public Context host(final String host)
        {
            this.host = host;
            return this;
        }

        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        public Context username(final String username)
        {
            this.username = username;
            return this;
        }

        public Context password(final String password)
        {
            this.password = password;
            return this;
        }

        public Context listener(final KeelClientListener listener)
        {
            this.listener = listener;
            return this;
        }

        public Context heartbeatIntervalMs(final int heartbeatIntervalMs)
        {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        /**
         * @param cancelOnDisconnect the engine cancels this session's orders when its connection is lost.
         */
        public Context cancelOnDisconnect(final boolean cancelOnDisconnect)
        {
            this.cancelOnDisconnect = cancelOnDisconnect;
            return this;
        }

        /**
         * @param autoReconnect {@link #poll()} reconnects and logs on again after a lost connection.
         */
        public Context autoReconnect(final boolean autoReconnect)
        {
            this.autoReconnect = autoReconnect;
            return this;
        }

        public Context connectTimeoutMs(final long connectTimeoutMs)
        {
            this.connectTimeoutMs = connectTimeoutMs;
            return this;
        }

        /**
         * @param resendTimeoutMs a request unanswered this long is sent again; 0 = only after reconnects.
         */
        public Context resendTimeoutMs(final long resendTimeoutMs)
        {
            this.resendTimeoutMs = resendTimeoutMs;
            return this;
        }

        public Context maxInFlight(final int maxInFlight)
        {
            this.maxInFlight = maxInFlight;
            return this;
        }
    }

    private static final long RESEND_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Context ctx;
    private final KeelClientListener listener;
    private final InFlightRequests inFlight;
    private final ClientTransport transport;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonEncoder logonEncoder = new LogonEncoder();
    private final LogoutEncoder logoutEncoder = new LogoutEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final ResendRequestEncoder resendRequestEncoder = new ResendRequestEncoder();
    private final MarketDataRequestEncoder marketDataRequestEncoder = new MarketDataRequestEncoder();
    private final NewOrderEncoder newOrderEncoder = new NewOrderEncoder();
    private final CancelOrderEncoder cancelOrderEncoder = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replaceOrderEncoder = new ReplaceOrderEncoder();
    private final MassCancelEncoder massCancelEncoder = new MassCancelEncoder();
    private final OrderStatusRequestEncoder orderStatusEncoder = new OrderStatusRequestEncoder();
    private final AccountRequestEncoder accountRequestEncoder = new AccountRequestEncoder();
    private final AccountStatusDecoder accountStatusDecoder = new AccountStatusDecoder();
    private final LogonResponseDecoder logonResponseDecoder = new LogonResponseDecoder();
    private final LogoutDecoder logoutDecoder = new LogoutDecoder();
    private final SessionRejectDecoder sessionRejectDecoder = new SessionRejectDecoder();
    private final ExecutionReportDecoder executionReportDecoder = new ExecutionReportDecoder();
    private final CancelRejectDecoder cancelRejectDecoder = new CancelRejectDecoder();
    private final BusinessRejectDecoder businessRejectDecoder = new BusinessRejectDecoder();
    private final MassCancelReportDecoder massCancelReportDecoder = new MassCancelReportDecoder();
    private final InFlightRequests.Visitor resender = this::write;
    private final ClientMarketData marketData;

    private boolean loggedOn;
    private LogonResult logonResult;
    private String logonText = "";
    private long sessionId;
    private long accountId;
    private long nextExpectedSeqNo;
    private long gatewayNextSeqNo;
    private long lastSentNs;
    private long lastReceivedNs;
    private long heartbeatIntervalNs;
    private long nextResendCheckNs;
    private long nextReconnectNs;
    private long reconnects;
    private long resent;
    private long duplicatesDropped;
    private String disconnectReason = "";
    /** Why the last connection ended, for the exception of a {@link #connect()} that it ended. */
    private String lastDisconnectReason = "";
    private boolean closed;

    public KeelClient(final Context ctx)
    {
        this.ctx = ctx.conclude();
        listener = ctx.listener;
        inFlight = new InFlightRequests(ctx.maxInFlight);
        marketData = new ClientMarketData(listener, (instrumentId) -> sendSubscription(instrumentId, true));
        final ClientTransport.Listener transportListener = new ClientTransport.Listener()
        {
            public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
            {
                return onFrame(buffer, offset, length, templateId);
            }

            public void onLost(final String reason)
            {
                onDisconnect(reason);
            }
        };
        transport = ctx.transport == Transport.UDP ?
            new UdpClientTransport(ctx.host, ctx.udpPort, ctx.aeronDir, ctx.responseHost, transportListener) :
            new TcpClientTransport(ctx.host, ctx.port, transportListener);
    }

    /**
     * Connect and log on, waiting up to the connect timeout; then send again whatever was in flight.
     *
     * @throws KeelClientException when the gateway cannot be reached or refuses the logon.
     */
    public KeelClient connect()
    {
        disconnectQuietly();
        disconnectReason = "";
        lastDisconnectReason = "";
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.connectTimeoutMs);
        transport.open(deadlineNs);
        logonResult = null;
        final long nowNs = System.nanoTime();
        lastReceivedNs = nowNs;
        final byte[] passwordBytes = ctx.password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        logonEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .heartbeatIntervalMs(ctx.heartbeatIntervalMs)
            .cancelOnDisconnect(ctx.cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .nextExpectedSeqNo(nextExpectedSeqNo)
            .username(ctx.username)
            .putPassword(passwordBytes, 0, passwordBytes.length)
            .responseChannel(transport.responseEndpoint());
        write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + logonEncoder.encodedLength());

        while (logonResult == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                disconnectQuietly();
                throw new KeelClientException("no logon response within " + ctx.connectTimeoutMs + " ms", null);
            }
            if (!readOnce())
            {
                disconnectQuietly();
                throw new KeelClientException("connection closed during logon: " + lastDisconnectReason(), null);
            }
            Thread.onSpinWait();
        }
        if (logonResult != LogonResult.OK)
        {
            final LogonResult result = logonResult;
            disconnectQuietly();
            throw new KeelClientException("logon refused: " + result + " " + logonText, result);
        }
        // First the reports missed while away (the gateway sends them right after the response), so
        // a request they answer is not sent again; then whatever is still unanswered goes again.
        while (nextExpectedSeqNo < gatewayNextSeqNo && transport.isOpen() && System.nanoTime() - deadlineNs < 0)
        {
            readOnce();
            Thread.onSpinWait();
        }
        if (!transport.isOpen())
        {
            throw new KeelClientException("connection closed after logon: " + lastDisconnectReason(), null);
        }
        resent += inFlight.forEachOlderThan(System.nanoTime() + 1, System.nanoTime(), resender);
        marketData.resubscribeAll();
        return this;
    }

    public boolean isLoggedOn()
    {
        return loggedOn;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public long accountId()
    {
        return accountId;
    }

    /**
     * @return requests sent and not yet answered.
     */
    public int inFlight()
    {
        return inFlight.size();
    }

    public long reconnects()
    {
        return reconnects;
    }

    /**
     * @return requests sent again (after reconnects or resend timeouts).
     */
    public long resent()
    {
        return resent;
    }

    /**
     * @return the seqNo of the next report expected from the gateway.
     */
    public long nextExpectedSeqNo()
    {
        return nextExpectedSeqNo;
    }

    /**
     * Read and dispatch what has arrived, keep the session alive, resend what went unanswered, and
     * reconnect if the connection was lost (with auto-reconnect).
     *
     * @return work done.
     */
    public int poll()
    {
        final long nowNs = System.nanoTime();
        if (!transport.isOpen())
        {
            if (ctx.autoReconnect && !closed && nowNs - nextReconnectNs >= 0)
            {
                nextReconnectNs = nowNs + TimeUnit.MILLISECONDS.toNanos(ctx.reconnectIntervalMs);
                try
                {
                    connect();
                    reconnects++;
                    return 1;
                }
                catch (final KeelClientException ex)
                {
                    return 0;
                }
            }
            return 0;
        }
        int work = readOnce() ? 0 : 1;
        if (!transport.isOpen())
        {
            return work;
        }
        if (loggedOn)
        {
            if (nowNs - lastSentNs >= heartbeatIntervalNs)
            {
                heartbeatEncoder.wrapAndApplyHeader(message, 0, headerEncoder).timestampNs(nowNs);
                write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
                work++;
            }
            if (nowNs - lastReceivedNs > 2 * heartbeatIntervalNs + TimeUnit.SECONDS.toNanos(1))
            {
                onDisconnect("gateway silent for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastReceivedNs) + " ms");
                return work + 1;
            }
            if (ctx.resendTimeoutMs > 0 && nowNs - nextResendCheckNs >= 0)
            {
                nextResendCheckNs = nowNs + RESEND_CHECK_INTERVAL_NS;
                final int count = inFlight.forEachOlderThan(
                    nowNs - TimeUnit.MILLISECONDS.toNanos(ctx.resendTimeoutMs), nowNs, resender);
                resent += count;
                work += count;
            }
        }
        return work + transport.flush();
    }

    // ------------------------------------------------------------------ requests

    /**
     * @return false when not logged on or too many requests are in flight (nothing was sent).
     */
    public boolean newOrder(
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        return newOrder(clOrdId, instrumentId, side, ordType, timeInForce, false, SelfTradePrevention.NONE, price,
            quantity, 0);
    }

    public boolean newOrder(
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention selfTradePrevention,
        final long price,
        final long quantity,
        final long expireTime)
    {
        newOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .instrumentId(instrumentId)
            .side(side)
            .ordType(ordType)
            .timeInForce(timeInForce)
            .selfTradePrevention(selfTradePrevention)
            .price(price)
            .quantity(quantity)
            .expireTime(expireTime)
            .execInst().clear().postOnly(postOnly);
        return sendRequest(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + newOrderEncoder.encodedLength());
    }

    /**
     * Cancel by orderId, or by origClOrdId when orderId is 0.
     */
    public boolean cancelOrder(final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId)
    {
        cancelOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId);
        return sendRequest(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + cancelOrderEncoder.encodedLength());
    }

    /**
     * Replace price and total quantity, by orderId, or by origClOrdId when orderId is 0.
     */
    public boolean replaceOrder(
        final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId, final long price,
        final long quantity)
    {
        replaceOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId)
            .price(price)
            .quantity(quantity);
        return sendRequest(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + replaceOrderEncoder.encodedLength());
    }

    public boolean massCancel(final long clOrdId, final MassCancelScope scope, final int instrumentId)
    {
        massCancelEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .scope(scope)
            .instrumentId(instrumentId);
        return sendRequest(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + massCancelEncoder.encodedLength());
    }

    /**
     * Ask for an order's state, by orderId (live orders), or by any clOrdId it had when orderId is 0: answered with
     * an ExecutionReport ORDER_STATUS, or ordStatus REJECTED with UNKNOWN_ORDER. A read, so it is not kept in flight:
     * after a lost connection, ask again.
     */
    public boolean orderStatus(final long clOrdId, final long orderId)
    {
        if (!loggedOn)
        {
            return false;
        }
        orderStatusEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .orderId(orderId);
        return write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + orderStatusEncoder.encodedLength());
    }

    /**
     * Ask for this session's account: balances and open orders arrive as
     * {@link KeelClientListener#onAccountStatus(AccountStatusDecoder)} pages carrying requestId. Not kept in flight.
     */
    public boolean accountStatus(final long requestId)
    {
        if (!loggedOn)
        {
            return false;
        }
        accountRequestEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .requestId(requestId);
        return write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + accountRequestEncoder.encodedLength());
    }

    /**
     * Receive an instrument's market data (or stop): a BookSnapshot, then BookUpdate and Trade
     * messages in mdSeqNo order. Kept across reconnects; a gap brings a fresh snapshot.
     */
    public boolean subscribe(final int instrumentId, final boolean subscribe)
    {
        if (subscribe)
        {
            marketData.subscribe(instrumentId);
        }
        else
        {
            marketData.unsubscribe(instrumentId);
        }
        return sendSubscription(instrumentId, subscribe);
    }

    private boolean sendSubscription(final int instrumentId, final boolean subscribe)
    {
        if (!loggedOn)
        {
            return false;
        }
        marketDataRequestEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .instrumentId(instrumentId)
            .subscribe(subscribe ? BooleanType.TRUE : BooleanType.FALSE);
        return write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + marketDataRequestEncoder.encodedLength());
    }

    /**
     * Ask for reports again, by seqNo; toSeqNo 0 = up to the latest. Already seen ones are not redelivered.
     */
    public boolean requestResend(final long fromSeqNo, final long toSeqNo)
    {
        if (!loggedOn)
        {
            return false;
        }
        resendRequestEncoder.wrapAndApplyHeader(message, 0, headerEncoder).fromSeqNo(fromSeqNo).toSeqNo(toSeqNo);
        return write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + resendRequestEncoder.encodedLength());
    }

    /**
     * Log out and close the connection (no auto-reconnect after this), and what the transport owns (an embedded
     * media driver).
     */
    public void logout()
    {
        if (loggedOn)
        {
            logoutEncoder.wrapAndApplyHeader(message, 0, headerEncoder).reason(LogoutReason.CLIENT_REQUEST).text("");
            write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + logoutEncoder.encodedLength());
            transport.flush();
        }
        closed = true;
        loggedOn = false;
        transport.close();
    }

    /**
     * Close the connection without logging out, as a network failure would. With auto-reconnect
     * the next {@link #poll()} logs on again and recovers what was missed.
     */
    public void dropConnection()
    {
        if (transport.isOpen())
        {
            onDisconnect("dropped by the client");
        }
    }

    public void close()
    {
        closed = true;
        loggedOn = false;
        transport.close();
    }

    private boolean sendRequest(final long clOrdId, final int length)
    {
        if (!loggedOn || !inFlight.add(clOrdId, message, 0, length, System.nanoTime()))
        {
            return false;
        }
        write(message, 0, length);
        return true;
    }

    // ------------------------------------------------------------------ I/O

    /**
     * Send one SBE message; while the transport is back-pressured, keep reading so neither end blocks the other.
     */
    private boolean write(final DirectBuffer buffer, final int offset, final int length)
    {
        int result;
        while ((result = transport.offer(buffer, offset, length)) == 0)
        {
            readOnce();
            Thread.onSpinWait();
        }
        if (result < 0)
        {
            return false;
        }
        lastSentNs = System.nanoTime();
        return true;
    }

    /**
     * @return false when the connection was lost.
     */
    private boolean readOnce()
    {
        final int read = transport.poll();
        if (read > 0)
        {
            lastReceivedNs = System.nanoTime();
        }
        return read >= 0 && transport.isOpen();
    }

    private boolean onFrame(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        headerDecoder.wrap(buffer, offset);
        switch (templateId)
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
                executionReportDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (accept(executionReportDecoder.seqNo(), executionReportDecoder.clOrdId()))
                {
                    listener.onExecutionReport(executionReportDecoder);
                }
                break;

            case CancelRejectDecoder.TEMPLATE_ID:
                cancelRejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (accept(cancelRejectDecoder.seqNo(), cancelRejectDecoder.clOrdId()))
                {
                    listener.onCancelReject(cancelRejectDecoder);
                }
                break;

            case BusinessRejectDecoder.TEMPLATE_ID:
                businessRejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (accept(businessRejectDecoder.seqNo(), businessRejectDecoder.clOrdId()))
                {
                    listener.onBusinessReject(businessRejectDecoder);
                }
                break;

            case MassCancelReportDecoder.TEMPLATE_ID:
                massCancelReportDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (accept(massCancelReportDecoder.seqNo(), massCancelReportDecoder.clOrdId()))
                {
                    listener.onMassCancelReport(massCancelReportDecoder);
                }
                break;

            case AccountStatusDecoder.TEMPLATE_ID:
                listener.onAccountStatus(accountStatusDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
                break;

            case BookUpdateDecoder.TEMPLATE_ID:
                marketData.onBookUpdate(buffer, offset, headerDecoder);
                break;

            case TradeDecoder.TEMPLATE_ID:
                marketData.onTrade(buffer, offset, headerDecoder);
                break;

            case BookSnapshotDecoder.TEMPLATE_ID:
                marketData.onBookSnapshot(buffer, offset, headerDecoder);
                break;

            case LogonResponseDecoder.TEMPLATE_ID:
                onLogonResponse(buffer, offset);
                break;

            case SessionRejectDecoder.TEMPLATE_ID:
                sessionRejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                listener.onSessionReject(
                    sessionRejectDecoder.refTemplateId(), sessionRejectDecoder.reason(), sessionRejectDecoder.text());
                break;

            case LogoutDecoder.TEMPLATE_ID:
                logoutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final LogoutReason reason = logoutDecoder.reason();
                final String text = logoutDecoder.text();
                disconnectReason = reason + ": " + text;
                listener.onLogout(reason, text);
                break;

            default:
                break;
        }
        return true;
    }

    private void onLogonResponse(final DirectBuffer buffer, final int offset)
    {
        logonResponseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        logonResult = logonResponseDecoder.result();
        if (logonResult != LogonResult.OK)
        {
            logonText = logonResponseDecoder.text();
            return;
        }
        logonText = "";
        loggedOn = true;
        sessionId = logonResponseDecoder.sessionId();
        accountId = logonResponseDecoder.accountId();
        heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(logonResponseDecoder.heartbeatIntervalMs());
        final long gatewayNext = logonResponseDecoder.nextSeqNo();
        gatewayNextSeqNo = gatewayNext;
        if (nextExpectedSeqNo == 0)
        {
            // First logon of this client: reports start now.
            nextExpectedSeqNo = gatewayNext;
        }
        else if (gatewayNext < nextExpectedSeqNo)
        {
            // The gateway restarted and numbers afresh; it sends everything it holds for us.
            nextExpectedSeqNo = 1;
        }
        listener.onLoggedOn(sessionId, accountId, gatewayNext);
    }

    /**
     * Each report once: a resent one already delivered is dropped; a new one answers its request.
     */
    private boolean accept(final long seqNo, final long clOrdId)
    {
        if (seqNo < nextExpectedSeqNo)
        {
            duplicatesDropped++;
            return false;
        }
        nextExpectedSeqNo = seqNo + 1;
        inFlight.remove(clOrdId);
        return true;
    }

    private void onDisconnect(final String reason)
    {
        final boolean wasConnected = transport.isOpen();
        // The gateway's Logout, when one came, says why better than the transport's "closed by gateway".
        final String why = disconnectReason.isEmpty() ? reason : disconnectReason;
        lastDisconnectReason = why;
        disconnectQuietly();
        if (wasConnected)
        {
            listener.onDisconnected(why);
        }
        disconnectReason = "";
        nextReconnectNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.reconnectIntervalMs);
    }

    private String lastDisconnectReason()
    {
        return lastDisconnectReason.isEmpty() ? "closed" : lastDisconnectReason;
    }

    private void disconnectQuietly()
    {
        loggedOn = false;
        transport.disconnect();
    }
}
