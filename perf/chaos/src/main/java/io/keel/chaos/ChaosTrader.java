package io.keel.chaos;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.SegmentMap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One chaos client: a {@link KeelClient} trading one account through the gateway, placing resting
 * and crossing limit orders and cancelling some, and recording every request and report. An
 * order refused as UNAVAILABLE (no leader) or THROTTLED is sent again with the same clOrdId, as
 * the client library's contract says; requests lost in a failover are resent by the library.
 * Driven by one thread (the run's load loop).
 */
final class ChaosTrader implements KeelClientListener
{
    static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RESEND_FENCE_NS = TimeUnit.SECONDS.toNanos(3);
    private static final int MAX_STATUS_IN_FLIGHT = 200;

    private final int account;
    private final KeelClient client;
    private final Random random;
    private final History history;
    private final String tag;
    private final SessionHistory session;
    private final List<ChaosOrder> orders;
    private final Map<Long, ChaosOrder> byClOrdId = new HashMap<>();
    private final Map<Long, ChaosOrder> byOrderId = new HashMap<>();
    private final Map<Long, Long> cancels = new HashMap<>();
    private final List<ChaosOrder> open = new ArrayList<>();
    private final ArrayDeque<ChaosOrder> retries = new ArrayDeque<>();
    private final ArrayDeque<Long> retryAtNs = new ArrayDeque<>();
    private final ArrayDeque<ChaosOrder> statusQueue = new ArrayDeque<>();
    private long nextClOrdId = 1;
    private Fence fence = Fence.NONE;
    private long fenceSentNs;
    /** With market segments: the map (orders are routed by instrument), the instruments traded, the fence. */
    private SegmentMap segmentMap;
    private int[] instrumentIds;
    private SegmentFence segmentFence;

    long reports;
    long unavailableRejects;
    long throttledRejects;
    long otherRejects;
    long cancelsSent;
    long cancelRejects;
    long notSent;
    long disconnects;
    /** Set by the fault thread (a client move behind HAProxy), acted on by the load thread that owns the client. */
    private volatile boolean cutRequested;

    ChaosTrader(final int account, final KeelClient.Context context, final long seed, final History history)
    {
        this.account = account;
        this.random = new Random(seed);
        this.history = history;
        tag = "c" + account;
        session = new SessionHistory(tag, account);
        orders = session.orders;
        client = new KeelClient(context.listener(this));
    }

    /**
     * The last report of a run: after everything else is answered, one more request whose answer every session
     * waits for, so a report lost at the very end shows as a seqNo gap before it.
     */
    private enum Fence
    {
        NONE, SENT, ANSWERED
    }

    /**
     * Trade these instruments of several market segments (the map routes them); the fence then asks one order of each
     * segment, so a report lost at the end of any segment's stream shows as a gap in it. Before the load.
     */
    ChaosTrader segments(final SegmentMap map, final int[] instruments)
    {
        segmentMap = map;
        instrumentIds = instruments.clone();
        segmentFence = new SegmentFence(map);
        return this;
    }

    int account()
    {
        return account;
    }

    KeelClient client()
    {
        return client;
    }

    List<ChaosOrder> orders()
    {
        return orders;
    }

    SessionHistory session()
    {
        return session;
    }

    /**
     * Connect and log on, retrying while the gateway starts.
     */
    void connect(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                client.connect();
                return;
            }
            catch (final KeelClientException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                sleep(100);
            }
        }
    }

    /**
     * Cut this client's connection at its next poll, as a network would: it reconnects and resumes.
     */
    void requestCut()
    {
        cutRequested = true;
    }

    int poll(final long nowNs)
    {
        if (cutRequested)
        {
            cutRequested = false;
            client.dropConnection();
        }
        int work = client.poll();
        while (!retries.isEmpty() && nowNs - retryAtNs.peekFirst() >= 0)
        {
            final ChaosOrder order = retries.peekFirst();
            if (!send(order, nowNs))
            {
                break;
            }
            retries.pollFirst();
            retryAtNs.pollFirst();
            work++;
        }
        return work;
    }

    /**
     * One step of the load: a new order (resting or crossing) or a cancel of an open one.
     */
    void act(final long nowNs, final long referencePrice, final int instruments)
    {
        final double r = random.nextDouble();
        if (r < 0.2 && !open.isEmpty())
        {
            cancelRandomOpen();
            return;
        }
        final int instrumentId = instrumentIds != null ? instrumentIds[random.nextInt(instrumentIds.length)] :
            1 + random.nextInt(instruments);
        final Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
        final boolean crossing = r > 0.75;
        final long price;
        if (crossing)
        {
            price = side == Side.BUY ? referencePrice + 3 : referencePrice - 3;
        }
        else
        {
            final long offset = random.nextInt(7) - 1; // -1..5 ticks away from the reference: some cross
            price = side == Side.BUY ? referencePrice - offset : referencePrice + offset;
        }
        final ChaosOrder order = new ChaosOrder(
            account, nextClOrdId, instrumentId, side, crossing ? TimeInForce.IOC : TimeInForce.GTC, price,
            1 + random.nextInt(5));
        if (send(order, nowNs))
        {
            nextClOrdId++;
            orders.add(order);
            byClOrdId.put(order.clOrdId, order);
        }
        else
        {
            notSent++;
        }
    }

    private boolean send(final ChaosOrder order, final long nowNs)
    {
        if (!client.newOrder(
            order.clOrdId, order.instrumentId, order.side, OrdType.LIMIT, order.timeInForce, order.price, order.quantity))
        {
            return false;
        }
        if (order.sends++ == 0)
        {
            order.firstSentNs = nowNs;
        }
        history.line(tag + " SEND_NEW clOrdId=" + order.clOrdId + " instrument=" + order.instrumentId + " side=" +
            order.side + " tif=" + order.timeInForce + " price=" + order.price + " qty=" + order.quantity +
            " attempt=" + order.sends);
        return true;
    }

    private void cancelRandomOpen()
    {
        final int index = random.nextInt(open.size());
        final ChaosOrder target = open.get(index);
        if (target.isTerminal())
        {
            removeOpen(index);
            return;
        }
        final long clOrdId = nextClOrdId;
        if (client.cancelOrder(clOrdId, 0, target.orderId, target.instrumentId))
        {
            nextClOrdId++;
            cancelsSent++;
            cancels.put(clOrdId, target.orderId);
            removeOpen(index);
            history.line(tag + " SEND_CANCEL clOrdId=" + clOrdId + " orderId=" + target.orderId);
        }
        else
        {
            notSent++;
        }
    }

    private void removeOpen(final int index)
    {
        final int last = open.size() - 1;
        open.set(index, open.get(last));
        open.remove(last);
    }

    /**
     * Nothing unanswered: no request in flight, no retry waiting, no status query queued.
     */
    boolean isQuiet()
    {
        return client.inFlight() == 0 && retries.isEmpty() && statusQueue.isEmpty();
    }

    boolean fenceAnswered()
    {
        return segmentFence != null ? segmentFence.answered() : fence == Fence.ANSWERED;
    }

    /**
     * After the status queries are answered: ask for the state of the latest acknowledged order
     * (OrderStatusRequest), the session's last report of the run. A query is not kept in flight by the library:
     * asked again after {@link #RESEND_FENCE_NS} without an answer.
     *
     * @return 1 if sent.
     */
    int sendFence(final long nowNs)
    {
        if (segmentFence != null)
        {
            return client.isLoggedOn() ? segmentFence.send(orders, (order) -> send(order, nowNs), history, tag) : 0;
        }
        if (fence == Fence.ANSWERED || (fence == Fence.SENT && nowNs - fenceSentNs < RESEND_FENCE_NS) ||
            !client.isLoggedOn())
        {
            return 0;
        }
        for (int i = orders.size() - 1; i >= 0; i--)
        {
            final ChaosOrder order = orders.get(i);
            if (order.isAcked())
            {
                // By clOrdId: the engine answers with the order's recorded state even when it has ended (by orderId
                // it knows live orders only).
                if (!client.orderStatus(order.clOrdId, 0))
                {
                    return 0;
                }
                fence = Fence.SENT;
                fenceSentNs = nowNs;
                history.line(tag + " SEND_STATUS clOrdId=" + order.clOrdId + " (fence)");
                return 1;
            }
        }
        fence = Fence.ANSWERED; // nothing acknowledged: nothing to ask
        return 0;
    }

    /**
     * After the load: ask the engine for the final state of every order the client saw accepted
     * but not finished, by sending it again with the same clOrdId (answered with ORDER_STATUS).
     *
     * @return how many queries were queued.
     */
    int queueStatusQueries()
    {
        int queued = 0;
        for (final ChaosOrder order : orders)
        {
            if (order.isAcked() && !order.isTerminal() && !order.statusRequested)
            {
                order.statusRequested = true;
                statusQueue.add(order);
                queued++;
            }
        }
        return queued;
    }

    int sendStatusQueries(final long nowNs)
    {
        int sent = 0;
        while (!statusQueue.isEmpty() && client.inFlight() < MAX_STATUS_IN_FLIGHT)
        {
            if (!send(statusQueue.peekFirst(), nowNs))
            {
                break;
            }
            statusQueue.pollFirst();
            sent++;
        }
        return sent;
    }

    long unanswered()
    {
        long count = 0;
        for (final ChaosOrder order : orders)
        {
            if (!order.isAcked() && !order.rejected)
            {
                count++;
            }
        }
        return count + client.inFlight();
    }

    // ------------------------------------------------------------------ reports

    public void onExecutionReport(final ExecutionReportDecoder report)
    {
        final long nowNs = System.nanoTime();
        final ExecType execType = report.execType();
        final long orderId = report.orderId();
        final long clOrdId = report.clOrdId();
        final long seqNo = report.seqNo();
        final String text = execType + " clOrdId=" + clOrdId + " orderId=" + orderId;
        history.line(tag + " REPORT " + text + " execId=" + report.execId() + " status=" + report.ordStatus() +
            " leaves=" + report.leavesQty() + " cum=" + report.cumQty() + " last=" + report.lastQty() + "@" +
            report.lastPrice() + " seqNo=" + seqNo);
        received(seqNo, text);
        if (segmentFence != null)
        {
            segmentFence.onReport(clOrdId);
        }
        ChaosOrder order = orderId == 0 ? null : byOrderId.get(orderKey(seqNo, orderId));
        if (order == null)
        {
            order = byClOrdId.get(clOrdId);
        }
        if (cancels.remove(clOrdId) != null && order == null)
        {
            order = byOrderId.get(orderKey(seqNo, orderId));
        }
        if (order == null)
        {
            session.unknownReports.add(text + " seqNo=" + seqNo);
            return;
        }
        order.reports.add(new OrderReport(seqNo, execType, report.ordStatus(), orderId, report.execId(),
            report.leavesQty(), report.cumQty(), report.lastQty(), report.lastPrice()));
        if (orderId != 0 && order.orderId == 0)
        {
            order.orderId = orderId;
            byOrderId.put(orderKey(seqNo, orderId), order);
        }
        if (execType == ExecType.REJECTED)
        {
            order.rejected = true;
            order.rejectReason = report.rejectReason().name();
        }
        else if (order.ackNs == 0)
        {
            order.ackNs = nowNs;
            if (order.timeInForce == TimeInForce.GTC)
            {
                open.add(order);
            }
        }
        order.leavesQty = report.leavesQty();
        order.cumQty = report.cumQty();
    }

    /**
     * Each segment's engine numbers its orders on its own: with segments an orderId is known by its segment too (the
     * report's seqNo carries it).
     */
    private long orderKey(final long seqNo, final long orderId)
    {
        return segmentMap == null ? orderId :
            ((long)io.keel.codecs.SegmentSeqNo.segment(seqNo) << io.keel.codecs.SegmentSeqNo.SEQUENCE_BITS) | orderId;
    }

    public void onCancelReject(final CancelRejectDecoder reject)
    {
        cancelRejects++;
        cancels.remove(reject.clOrdId());
        final String text = "CANCEL_REJECT clOrdId=" + reject.clOrdId() + " orderId=" + reject.orderId();
        history.line(tag + " " + text + " reason=" + reject.reason() + " seqNo=" + reject.seqNo());
        received(reject.seqNo(), text);
    }

    public void onMassCancelReport(final MassCancelReportDecoder report)
    {
        final String text = "MASS_CANCEL_REPORT clOrdId=" + report.clOrdId();
        history.line(tag + " " + text + " canceled=" + report.canceledCount() + " seqNo=" + report.seqNo());
        received(report.seqNo(), text);
    }

    /**
     * Every numbered report the listener is handed, in order; the first one after the fence was sent answers it
     * (nothing else is asked by then).
     */
    private void received(final long seqNo, final String text)
    {
        reports++;
        session.received(seqNo, text);
        if (fence == Fence.SENT && segmentMap == null)
        {
            fence = Fence.ANSWERED;
        }
    }

    public void onBusinessReject(final BusinessRejectDecoder reject)
    {
        final RejectReason reason = reject.reason();
        final long clOrdId = reject.clOrdId();
        final String text = "BUSINESS_REJECT clOrdId=" + clOrdId + " reason=" + reason;
        history.line(tag + " " + text + " ref=" + reject.refTemplateId() + " seqNo=" + reject.seqNo());
        received(reject.seqNo(), text);
        if (reason == RejectReason.UNAVAILABLE)
        {
            unavailableRejects++;
        }
        else if (reason == RejectReason.THROTTLED)
        {
            throttledRejects++;
        }
        else
        {
            otherRejects++;
        }
        final ChaosOrder order = reject.refTemplateId() == NewOrderDecoder.TEMPLATE_ID ? byClOrdId.get(clOrdId) : null;
        if (order == null)
        {
            cancels.remove(clOrdId); // a refused cancel is not retried: the order simply stays
            return;
        }
        if (reason == RejectReason.UNAVAILABLE || reason == RejectReason.THROTTLED)
        {
            order.unavailable++;
            retries.addLast(order);
            retryAtNs.addLast(System.nanoTime() + RETRY_DELAY_NS);
        }
        else
        {
            order.rejected = true;
            order.rejectReason = reason.name();
        }
    }

    public void onLogout(final LogoutReason reason, final String text)
    {
        history.line(tag + " LOGOUT reason=" + reason + " " + text);
    }

    public void onDisconnected(final String reason)
    {
        disconnects++;
        // No report arrives while away: this is the nextExpectedSeqNo the next logon sends.
        history.line(tag + " DISCONNECTED nextExpectedSeqNo=" + client.nextExpectedSeqNo() + " " + reason);
    }

    public void onLoggedOn(final long sessionId, final long accountId, final long nextSeqNo)
    {
        history.line(tag + " LOGGED_ON session=" + sessionId + " account=" + accountId + " gatewayNextSeqNo=" +
            nextSeqNo + " nextExpectedSeqNo=" + client.nextExpectedSeqNo());
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
