package io.keel.client;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link KeelClient}'s session with its gateway: connect and log on, keep the session alive with heartbeats, notice
 * a lost or silent gateway, and reconnect; every message that arrives is handed on from here. The {@link SessionState}
 * says what may be sent; the transport only says whether a connection is open. What a logon recovers is decided
 * elsewhere: missed reports and unanswered requests by {@link SessionReports}, subscriptions by
 * {@link ClientMarketData}; this class says when.
 * <p>
 * Settings are read once from the concluded context: a client's session does not change under it.
 */
final class ClientSession implements ClientTransport.Listener
{
    private final KeelClientListener listener;
    private final SessionReports reports;
    private final ClientMarketData marketData;
    private final ClientTransport transport;
    private final String username;
    private final String password;
    private final int heartbeatIntervalMs;
    private final boolean cancelOnDisconnect;
    private final boolean autoReconnect;
    private final long connectTimeoutMs;
    private final EndpointRotation rotation;
    private final SessionMessages messages = new SessionMessages();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonResponseDecoder logonResponseDecoder = new LogonResponseDecoder();
    private final LogoutDecoder logoutDecoder = new LogoutDecoder();
    private final SessionRejectDecoder sessionRejectDecoder = new SessionRejectDecoder();
    private final InFlightRequests.Visitor resender = this::write;

    private SessionState state = SessionState.DISCONNECTED;
    /** The LogonResponse's answer; null while it is awaited. */
    private LogonResult logonResult;
    private String logonText = "";
    private long sessionId;
    private long accountId;
    private long lastSentNs;
    private long lastReceivedNs;
    private long heartbeatIntervalNs;
    private long reconnects;
    /** Set while a connection is being made: its failure is the attempt's, not a lost connection. */
    private boolean connecting;
    /** The gateway's Logout, when one came: it says why better than the transport's "closed by gateway". */
    private String disconnectReason = "";
    /** Why the last connection ended, for the exception of a {@link #connect()} that it ended. */
    private String lastDisconnectReason = "";

    /**
     * @param rotation         which endpoint to connect to, and when to try again.
     * @param transportFactory makes the transport that hands its messages and losses to this session.
     */
    ClientSession(
        final KeelClientListener listener,
        final SessionReports reports,
        final ClientMarketData marketData,
        final String username,
        final String password,
        final int heartbeatIntervalMs,
        final boolean cancelOnDisconnect,
        final boolean autoReconnect,
        final long connectTimeoutMs,
        final EndpointRotation rotation,
        final Function<ClientTransport.Listener, ClientTransport> transportFactory)
    {
        this.listener = listener;
        this.reports = reports;
        this.marketData = marketData;
        this.username = username;
        this.password = password;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.cancelOnDisconnect = cancelOnDisconnect;
        this.autoReconnect = autoReconnect;
        this.connectTimeoutMs = connectTimeoutMs;
        this.rotation = rotation;
        transport = transportFactory.apply(this);
    }

    boolean isLoggedOn()
    {
        return state == SessionState.LOGGED_ON;
    }

    SessionState state()
    {
        return state;
    }

    long sessionId()
    {
        return sessionId;
    }

    long accountId()
    {
        return accountId;
    }

    long reconnects()
    {
        return reconnects;
    }

    /**
     * Connect and log on, each endpoint tried once in {@link EndpointRotation}'s order, each for up to the connect
     * timeout; then recover what the last connection left unfinished. Cold path: it blocks and allocates.
     *
     * @throws KeelClientException when no endpoint can be reached, or the logon is refused.
     */
    void connect()
    {
        rotation.connect(this::logOnAt, this::isWorthAnotherEndpoint);
    }

    /**
     * One attempt at an endpoint: a failure while connecting is the attempt's, not a lost connection.
     */
    private void logOnAt(final Endpoint endpoint)
    {
        connecting = true;
        try
        {
            logOn(endpoint);
        }
        finally
        {
            connecting = false;
        }
    }

    private void logOn(final Endpoint endpoint)
    {
        disconnectQuietly();
        disconnectReason = "";
        lastDisconnectReason = "";
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs);
        transport.open(endpoint, deadlineNs);
        transition(SessionState.LOGGING_ON);
        logonResult = null;
        lastReceivedNs = System.nanoTime();
        write(messages.buffer(), 0, messages.logon(heartbeatIntervalMs, cancelOnDisconnect,
            reports.nextExpectedSeqNo(), username, password, transport.responseEndpoint()));
        transport.flush(); // batched sends wait for a poll; the logon cannot

        while (logonResult == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                disconnectQuietly();
                throw new KeelClientException(
                    "no logon response from " + endpoint + " within " + connectTimeoutMs + " ms", null);
            }
            // A refusal may come with the connection's close in one read: the answer counts, not the close.
            if (!readOnce() && logonResult == null)
            {
                disconnectQuietly();
                throw new KeelClientException(
                    "connection to " + endpoint + " closed during logon: " + lastDisconnectReason(), null);
            }
            Thread.onSpinWait();
        }
        if (logonResult == LogonResult.INVALID_SEQ_NO)
        {
            final long refusedSeqNo = reports.nextExpectedSeqNo();
            reports.onInvalidSeqNo();
            disconnectQuietly();
            throw new KeelClientException("logon refused: INVALID_SEQ_NO: nextExpectedSeqNo " + refusedSeqNo +
                " is beyond every report the engine produced for this session (" + logonText + "); it is reset to" +
                " 0, so the next connect logs on from the engine's next report and what came before is not" +
                " delivered", LogonResult.INVALID_SEQ_NO);
        }
        if (logonResult != LogonResult.OK)
        {
            final LogonResult result = logonResult;
            disconnectQuietly();
            throw new KeelClientException("logon refused by " + endpoint + ": " + result + " " + logonText, result);
        }
        // First the reports missed while away (the gateway sends them right after the response), so
        // a request they answer is not sent again; then whatever is still unanswered goes again.
        while (reports.missedReportsPending() && state == SessionState.LOGGED_ON && transport.isOpen() &&
            System.nanoTime() - deadlineNs < 0)
        {
            readOnce();
            Thread.onSpinWait();
        }
        if (state == SessionState.MOVED)
        {
            final String why = disconnectReason;
            onDisconnect("session moved");
            throw new KeelClientException("session moved during logon: " + why, null);
        }
        if (!transport.isOpen())
        {
            throw new KeelClientException(
                "connection to " + endpoint + " closed after logon: " + lastDisconnectReason(), null);
        }
        reports.resendAll(System.nanoTime(), resender);
        marketData.resubscribeAll();
    }

    /**
     * Read and dispatch, heartbeat, notice a silent gateway, resend what went unanswered; reconnect when the
     * connection is gone (with auto-reconnect).
     *
     * @return work done.
     */
    int poll(final long nowNs)
    {
        if (!transport.isOpen())
        {
            return reconnectIfDue(nowNs);
        }
        int work = readOnce() ? 0 : 1;
        if (!transport.isOpen())
        {
            return work;
        }
        if (state == SessionState.MOVED)
        {
            // The gateway closes the connection after its Logout; not waiting for that keeps this end quiet.
            onDisconnect("session moved");
            return work + 1;
        }
        if (state == SessionState.LOGGED_ON)
        {
            if (nowNs - lastSentNs >= heartbeatIntervalNs)
            {
                write(messages.buffer(), 0, messages.heartbeat(nowNs));
                work++;
            }
            // The gateway heartbeats too: two missed beats plus a second of slack means it is gone.
            if (nowNs - lastReceivedNs > 2 * heartbeatIntervalNs + TimeUnit.SECONDS.toNanos(1))
            {
                onDisconnect("gateway silent for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastReceivedNs) + " ms");
                return work + 1;
            }
            work += reports.resendUnanswered(nowNs, resender);
            work += reports.sendDueRetries(nowNs, resender);
            work += reports.checkGap(nowNs);
        }
        return work + transport.flush();
    }

    int flush()
    {
        return transport.isOpen() ? transport.flush() : 0;
    }

    boolean requestResend(final long fromSeqNo, final long toSeqNo)
    {
        if (state != SessionState.LOGGED_ON)
        {
            return false;
        }
        return write(messages.buffer(), 0, messages.resendRequest(fromSeqNo, toSeqNo));
    }

    /**
     * For messages that are not kept in flight: after a lost connection they are asked for again, not resent.
     */
    boolean sendIfLoggedOn(final DirectBuffer buffer, final int offset, final int length)
    {
        return state == SessionState.LOGGED_ON && write(buffer, offset, length);
    }

    void logout()
    {
        if (state == SessionState.LOGGED_ON)
        {
            write(messages.buffer(), 0, messages.logout());
            transport.flush();
        }
        close();
    }

    void dropConnection()
    {
        if (transport.isOpen())
        {
            onDisconnect("dropped by the client");
        }
    }

    void close()
    {
        transition(SessionState.CLOSED);
        transport.close();
    }

    /**
     * Send one SBE message; while the transport is back-pressured, keep reading so neither end blocks the other.
     */
    boolean write(final DirectBuffer buffer, final int offset, final int length)
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

    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        headerDecoder.wrap(buffer, offset);
        switch (templateId)
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
                reports.onExecutionReport(buffer, offset, headerDecoder);
                break;

            case CancelRejectDecoder.TEMPLATE_ID:
                reports.onCancelReject(buffer, offset, headerDecoder);
                break;

            case BusinessRejectDecoder.TEMPLATE_ID:
                reports.onBusinessReject(buffer, offset, headerDecoder);
                break;

            case MassCancelReportDecoder.TEMPLATE_ID:
                reports.onMassCancelReport(buffer, offset, headerDecoder);
                break;

            case AccountStatusDecoder.TEMPLATE_ID:
                reports.onAccountStatus(buffer, offset, headerDecoder);
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
                onSessionReject(buffer, offset);
                break;

            case LogoutDecoder.TEMPLATE_ID:
                logoutDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final LogoutReason reason = logoutDecoder.reason();
                final String text = logoutDecoder.text();
                disconnectReason = reason + ": " + text;
                if (reason == LogoutReason.SESSION_MOVED)
                {
                    transition(SessionState.MOVED);
                }
                listener.onLogout(reason, text);
                break;

            default:
                break;
        }
        return true;
    }

    public void onLost(final String reason)
    {
        onDisconnect(reason);
    }

    /**
     * Every change of {@link SessionState} goes through here. A closed session stays closed, and a moved one moved,
     * when its connection is dropped: only an explicit {@link #connect()} opens it again.
     */
    private void transition(final SessionState next)
    {
        if ((state == SessionState.CLOSED || state == SessionState.MOVED) && next == SessionState.DISCONNECTED)
        {
            return;
        }
        state = next;
    }

    /**
     * One attempt per call, so that the application's loop runs between the endpoints of a cycle.
     */
    private int reconnectIfDue(final long nowNs)
    {
        if (!autoReconnect || state == SessionState.CLOSED || state == SessionState.MOVED || !rotation.isDue(nowNs))
        {
            return 0;
        }
        if (rotation.attemptNext(this::logOnAt, this::isRetrying))
        {
            reconnects++;
        }
        return 1;
    }

    /**
     * Another gateway may do better than this one's failure; a refused logon, or a moved session, it would not.
     */
    private boolean isWorthAnotherEndpoint(final KeelClientException ex)
    {
        return state != SessionState.MOVED && (ex.result() == null || ex.result() == LogonResult.UNAVAILABLE);
    }

    /**
     * @return whether {@link #poll(long)} will connect again by itself.
     */
    private boolean isRetrying()
    {
        return autoReconnect && state != SessionState.CLOSED && state != SessionState.MOVED;
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
        transition(SessionState.LOGGED_ON);
        sessionId = logonResponseDecoder.sessionId();
        accountId = logonResponseDecoder.accountId();
        heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(logonResponseDecoder.heartbeatIntervalMs());
        final long gatewayNext = logonResponseDecoder.nextSeqNo();
        final int segments = logonResponseDecoder.segments();
        reports.onLogon(gatewayNext, segments == LogonResponseDecoder.segmentsNullValue() ? 1 : segments);
        listener.onLoggedOn(sessionId, accountId, gatewayNext);
    }

    /**
     * RESEND_UNAVAILABLE moves the sequence past what is no longer held before the listener hears of it, so
     * {@link KeelClient#nextExpectedSeqNo()} already says where the session goes on from.
     */
    private void onSessionReject(final DirectBuffer buffer, final int offset)
    {
        sessionRejectDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int refTemplateId = sessionRejectDecoder.refTemplateId();
        final RejectReason reason = sessionRejectDecoder.reason();
        final String text = sessionRejectDecoder.text();
        if (reason == RejectReason.RESEND_UNAVAILABLE)
        {
            reports.onResendUnavailable(text);
        }
        listener.onSessionReject(refTemplateId, reason, text);
    }

    private void onDisconnect(final String reason)
    {
        final boolean wasConnected = transport.isOpen();
        final String why = disconnectReason.isEmpty() ? reason : disconnectReason;
        lastDisconnectReason = why;
        disconnectQuietly();
        if (wasConnected)
        {
            listener.onDisconnected(why);
        }
        disconnectReason = "";
        if (wasConnected && !connecting)
        {
            rotation.onLost(System.nanoTime(), why, isRetrying());
        }
    }

    private String lastDisconnectReason()
    {
        return lastDisconnectReason.isEmpty() ? "closed" : lastDisconnectReason;
    }

    private void disconnectQuietly()
    {
        transition(SessionState.DISCONNECTED);
        transport.disconnect();
    }
}
