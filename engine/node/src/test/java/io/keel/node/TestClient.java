package io.keel.node;

import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionState;
import io.keel.codecs.SessionStatusDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.IdleProfile;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link ClusterCommandSession} (gateway or admin session) that records everything it receives,
 * decoded, for assertions. Single-threaded like the client it wraps.
 */
final class TestClient implements AutoCloseable
{
    record Report(
        long receivedNs,
        long sessionId,
        long accountId,
        long orderId,
        long clOrdId,
        long origClOrdId,
        long execId,
        ExecType execType,
        OrdStatus ordStatus,
        Side side,
        RejectReason rejectReason,
        long price,
        long quantity,
        long leavesQty,
        long cumQty,
        long lastPrice,
        long lastQty,
        long tradeId,
        long seqNo)
    {
    }

    record AdminResult(long correlationId, int refTemplateId, RejectReason result, long value, long logPosition)
    {
    }

    record Reject(int refTemplateId, RejectReason reason)
    {
    }

    private final String name;
    private final File aeronDir;
    private final ClusterCommandSession client;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ExecutionReportDecoder executionReport = new ExecutionReportDecoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final BusinessRejectDecoder businessReject = new BusinessRejectDecoder();
    private final CancelRejectDecoder cancelReject = new CancelRejectDecoder();
    private final List<Report> reports = new ArrayList<>();
    private final Map<Long, AdminResult> adminResults = new HashMap<>();
    private final List<Reject> businessRejects = new ArrayList<>();
    private final List<Long> cancelRejectClOrdIds = new ArrayList<>();
    private final SessionStatusDecoder sessionStatus = new SessionStatusDecoder();
    private final Map<Long, SessionState> sessionStates = new HashMap<>();
    private long marketDataMessages;
    private long reconnectsSeen;
    private ClusterCommandSession.MessageHandler marketDataHandler;
    private long nextCorrelationId = 1;

    TestClient(final String name, final String ingressEndpoints, final byte[] credentials, final File aeronDir)
    {
        this.name = name;
        this.aeronDir = aeronDir;
        client = new ClusterCommandSession(ingressEndpoints, credentials, aeronDir, IdleProfile.BACKOFF, this::onMessage);
    }

    String name()
    {
        return name;
    }

    File aeronDir()
    {
        return aeronDir;
    }

    ClusterCommandSession client()
    {
        return client;
    }

    TestClient connect()
    {
        client.connect();
        return this;
    }

    int poll()
    {
        return client.poll();
    }

    List<Report> reports()
    {
        return reports;
    }

    List<Reject> businessRejects()
    {
        return businessRejects;
    }

    List<Long> cancelRejectClOrdIds()
    {
        return cancelRejectClOrdIds;
    }

    long marketDataMessages()
    {
        return marketDataMessages;
    }

    /**
     * Hand every market-data message (and any other message not decoded here) to this handler too.
     */
    void onMarketData(final ClusterCommandSession.MessageHandler handler)
    {
        marketDataHandler = handler;
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /**
     * Poll (sleeping briefly when idle) until the condition holds.
     */
    void pollUntil(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail(name + ": timed out after " + timeoutMs + " ms waiting for " + what);
            }
            if (client.poll() == 0)
            {
                ClusterHarness.sleep(1);
            }
        }
    }

    void pollFor(final long ms)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() - deadline < 0)
        {
            if (client.poll() == 0)
            {
                ClusterHarness.sleep(1);
            }
        }
    }

    AdminResult adminResult(final long correlationId)
    {
        return adminResults.get(correlationId);
    }

    AdminResult awaitAdmin(final long correlationId, final long timeoutMs)
    {
        pollUntil(() -> adminResults.containsKey(correlationId), timeoutMs, "admin response " + correlationId);
        return adminResults.get(correlationId);
    }

    /**
     * Send an admin command and expect it applied.
     */
    AdminResult adminOk(final java.util.function.LongPredicate send)
    {
        final long correlationId = nextCorrelationId();
        assertTrue(send.test(correlationId), name + ": cluster did not take admin command " + correlationId);
        final AdminResult result = awaitAdmin(correlationId, 15_000);
        if (result.result() != RejectReason.NONE)
        {
            fail(name + ": admin command " + correlationId + " refused: " + result);
        }
        return result;
    }

    /**
     * Ask every node to record its state hash; returns the answer (hash and log position).
     */
    AdminResult requestStateHash()
    {
        return adminOk(client::requestStateHash);
    }

    /**
     * The common setup: two funded accounts and one instrument (base asset 1, quote asset 2,
     * tick 1, lot 1, reference price 100, band 10%).
     */
    void setUpMarket(final int instrumentId, final long... accounts)
    {
        adminOk((c) -> client.addInstrument(
            c, instrumentId, ClusterHarness.BASE, ClusterHarness.QUOTE, 1, 1, 100, 1000, 500));
        for (final long account : accounts)
        {
            adminOk((c) -> client.createAccount(c, account));
            adminOk((c) -> client.deposit(c, account, ClusterHarness.QUOTE, ClusterHarness.INITIAL_QUOTE));
            adminOk((c) -> client.deposit(c, account, ClusterHarness.BASE, ClusterHarness.INITIAL_BASE));
        }
    }

    /**
     * As a gateway: open the client session (no cancel-on-disconnect) unless this client already has, and wait for
     * the cluster to say it is open here. Order entry for a session not open here is refused.
     */
    void ensureOpen(final long sessionId, final long accountId)
    {
        if (client.reconnects() != reconnectsSeen)
        {
            // A new cluster session: the cluster closed the old one and disconnected every client session with it.
            reconnectsSeen = client.reconnects();
            sessionStates.clear();
        }
        if (sessionStates.get(sessionId) != SessionState.OPEN)
        {
            openSession(sessionId, accountId, false, 0);
        }
    }

    void openSession(final long sessionId, final long accountId, final boolean cancelOnDisconnect, final long graceMs)
    {
        sessionStates.remove(sessionId);
        assertTrue(client.openSession(sessionId, accountId, cancelOnDisconnect, graceMs, 0),
            name + ": cluster did not take SessionOpen " + sessionId);
        pollUntil(() -> sessionStates.containsKey(sessionId), 15_000, "session status " + sessionId);
        if (sessionStates.get(sessionId) != SessionState.OPEN)
        {
            fail(name + ": session " + sessionId + " not opened: " + sessionStates.get(sessionId));
        }
    }

    SessionState sessionState(final long sessionId)
    {
        return sessionStates.get(sessionId);
    }

    boolean limit(
        final long sessionId, final long accountId, final long clOrdId, final int instrumentId, final Side side,
        final long price, final long quantity)
    {
        ensureOpen(sessionId, accountId);
        return client.newOrder(
            sessionId, accountId, clOrdId, instrumentId, side, OrdType.LIMIT, TimeInForce.GTC, false,
            SelfTradePrevention.NONE, price, quantity, 0);
    }

    List<Report> reportsFor(final long clOrdId)
    {
        final List<Report> result = new ArrayList<>();
        for (final Report r : reports)
        {
            if (r.clOrdId() == clOrdId)
            {
                result.add(r);
            }
        }
        return result;
    }

    Report awaitReport(final long clOrdId, final ExecType execType, final long timeoutMs)
    {
        pollUntil(() -> findReport(clOrdId, execType) != null, timeoutMs, "report " + execType + " for clOrdId " + clOrdId);
        return findReport(clOrdId, execType);
    }

    Report findReport(final long clOrdId, final ExecType execType)
    {
        for (final Report r : reports)
        {
            if (r.clOrdId() == clOrdId && r.execType() == execType)
            {
                return r;
            }
        }
        return null;
    }

    Reject awaitBusinessReject(final int count, final long timeoutMs)
    {
        pollUntil(() -> businessRejects.size() >= count, timeoutMs, count + " business reject(s)");
        return businessRejects.get(count - 1);
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        switch (header.templateId())
        {
            case ExecutionReportDecoder.TEMPLATE_ID ->
            {
                final ExecutionReportDecoder r = executionReport.wrapAndApplyHeader(buffer, offset, header);
                reports.add(new Report(
                    System.nanoTime(), r.sessionId(), r.accountId(), r.orderId(), r.clOrdId(), r.origClOrdId(),
                    r.execId(), r.execType(), r.ordStatus(), r.side(), r.rejectReason(), r.price(), r.quantity(),
                    r.leavesQty(), r.cumQty(), r.lastPrice(), r.lastQty(), r.tradeId(), r.seqNo()));
            }
            case AdminResponseDecoder.TEMPLATE_ID ->
            {
                final AdminResponseDecoder r = adminResponse.wrapAndApplyHeader(buffer, offset, header);
                adminResults.put(r.correlationId(), new AdminResult(
                    r.correlationId(), r.refTemplateId(), r.result(), r.value(), r.logPosition()));
            }
            case BusinessRejectDecoder.TEMPLATE_ID ->
            {
                final BusinessRejectDecoder r = businessReject.wrapAndApplyHeader(buffer, offset, header);
                businessRejects.add(new Reject(r.refTemplateId(), r.reason()));
            }
            case CancelRejectDecoder.TEMPLATE_ID ->
            {
                final CancelRejectDecoder r = cancelReject.wrapAndApplyHeader(buffer, offset, header);
                cancelRejectClOrdIds.add(r.clOrdId());
            }
            case SessionStatusDecoder.TEMPLATE_ID ->
            {
                final SessionStatusDecoder r = sessionStatus.wrapAndApplyHeader(buffer, offset, header);
                sessionStates.put(r.sessionId(), r.state());
            }
            case io.keel.codecs.ReplayCompleteDecoder.TEMPLATE_ID ->
            {
            }
            default ->
            {
                marketDataMessages++;
                if (marketDataHandler != null)
                {
                    marketDataHandler.onMessage(buffer, offset, length);
                }
            }
        }
    }

    public void close()
    {
        client.close();
    }
}
