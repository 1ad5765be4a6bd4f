package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.Side;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A gateway's order flow that survives failover the way a real one must: a few orders in
 * flight, and any order without an answer after a while, or when a new leader is announced, is
 * sent again with the SAME clOrdId (the engine answers a repeat with ORDER_STATUS, never a
 * second order).
 * <p>
 * Order i: even i buys 1 @ 100 for the buyer account, odd i sells 1 @ 100 for the seller
 * account. With as many buys as sells, every order ends FILLED whatever the interleaving, so
 * the final state is known exactly: each order filled once, buyer +N/2 base and -100*N/2 quote,
 * seller the opposite.
 */
final class ResendingOrderFlow
{
    static final long PRICE = 100;

    static final class Order
    {
        final int index;
        final long clOrdId;
        final long accountId;
        final long sessionId;
        final Side side;
        long firstSentNs;
        long lastSentNs;
        int sends;
        long ackNs;
        final Set<Long> orderIds = new HashSet<>();

        Order(final int index, final long clOrdId, final long accountId, final long sessionId, final Side side)
        {
            this.index = index;
            this.clOrdId = clOrdId;
            this.accountId = accountId;
            this.sessionId = sessionId;
            this.side = side;
        }

        boolean acked()
        {
            return ackNs != 0;
        }
    }

    private final TestClient gateway;
    private final int instrumentId;
    private final long buyer;
    private final long seller;
    private final long buyerSession;
    private final long sellerSession;
    private final int total;
    private final int window;
    private final long resendAfterNs;
    private final long firstClOrdId;
    private final Map<Long, Order> orders = new LinkedHashMap<>();
    private final List<TestClient> alsoPoll = new ArrayList<>();
    private int reportsSeen;
    private int inFlight;
    private int resends;
    private volatile long killStartNs;
    private volatile long killDoneNs;
    private long firstAckAfterKillNs;
    private RuntimeException lastPollError;
    private int lastLeaderId = Integer.MIN_VALUE;

    ResendingOrderFlow(
        final TestClient gateway,
        final int instrumentId,
        final long buyer,
        final long seller,
        final long buyerSession,
        final long sellerSession,
        final long firstClOrdId,
        final int total)
    {
        if (total % 2 != 0)
        {
            throw new IllegalArgumentException("as many buys as sells: total must be even");
        }
        this.gateway = gateway;
        this.instrumentId = instrumentId;
        this.buyer = buyer;
        this.seller = seller;
        this.buyerSession = buyerSession;
        this.sellerSession = sellerSession;
        this.firstClOrdId = firstClOrdId;
        this.total = total;
        this.window = 4;
        this.resendAfterNs = TimeUnit.MILLISECONDS.toNanos(200);
    }

    /**
     * Keep these clients' sessions alive (and following leader changes) while the flow runs.
     */
    ResendingOrderFlow alsoPoll(final TestClient... clients)
    {
        alsoPoll.addAll(List.of(clients));
        return this;
    }

    int acked()
    {
        int acked = 0;
        for (final Order order : orders.values())
        {
            acked += order.acked() ? 1 : 0;
        }
        return acked;
    }

    int resends()
    {
        return resends;
    }

    /**
     * Answers to repeated requests the gateway saw while the flow ran (ORDER_STATUS reports).
     */
    long statusAnswers()
    {
        return gateway.reports().stream()
            .filter((r) -> orders.containsKey(r.clOrdId()) && r.execType() == ExecType.ORDER_STATUS).count();
    }

    Map<Long, Order> orders()
    {
        return orders;
    }

    /**
     * The fault is being injected now (call from any thread), and is complete (the old leader
     * is gone) at {@link #killDone()}.
     */
    void killStarted()
    {
        killStartNs = System.nanoTime();
    }

    void killDone()
    {
        killDoneNs = System.nanoTime();
    }

    long killDoneNs()
    {
        return killDoneNs;
    }

    /**
     * Milliseconds from the start of the kill to the first answer to an order sent after the old
     * leader was gone (so produced by the new leader), or -1.
     */
    double failoverMs()
    {
        return firstAckAfterKillNs == 0 ? -1 : (firstAckAfterKillNs - killStartNs) / 1e6;
    }

    /**
     * Run until {@code untilAcked} orders are acknowledged (or all, if larger).
     */
    void runUntilAcked(final int untilAcked, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final int target = Math.min(untilAcked, total);
        while (acked() < target)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("order flow: only " + acked() + " of " + target + " orders acknowledged after " + timeoutMs +
                    " ms (sent " + orders.size() + ", resends " + resends + ", reconnects " +
                    gateway.client().reconnects() + ", unacked " + unacked() + ", last poll error " + lastPollError + ")");
            }
            step();
        }
    }

    List<Long> unacked()
    {
        final List<Long> result = new ArrayList<>();
        for (final Order order : orders.values())
        {
            if (!order.acked())
            {
                result.add(order.clOrdId);
            }
        }
        return result;
    }

    private void step()
    {
        int work = 0;
        try
        {
            work += gateway.poll();
            for (final TestClient client : alsoPoll)
            {
                work += client.poll();
            }
        }
        catch (final RuntimeException ex)
        {
            // A reconnect that found no leader yet: keep going until the flow's deadline.
            lastPollError = ex;
        }
        consumeReports();

        // A new leader: what went to the old one may be lost, send it again now. Otherwise
        // anything unanswered for a while.
        final int leader = gateway.client().leaderMemberId();
        final boolean newLeader = leader != lastLeaderId && lastLeaderId != Integer.MIN_VALUE;
        lastLeaderId = leader;
        final long now = System.nanoTime();
        for (final Order order : orders.values())
        {
            if (!order.acked() && (newLeader || now - order.lastSentNs > resendAfterNs))
            {
                resends++;
                send(order);
            }
        }
        if (inFlight < window && orders.size() < total)
        {
            final int i = orders.size();
            final boolean buy = i % 2 == 0;
            final Order order = new Order(
                i, firstClOrdId + i, buy ? buyer : seller, buy ? buyerSession : sellerSession, buy ? Side.BUY : Side.SELL);
            orders.put(order.clOrdId, order);
            inFlight++;
            send(order);
        }
        else if (work == 0)
        {
            ClusterHarness.sleep(1);
        }
    }

    private void send(final Order order)
    {
        final long now = System.nanoTime();
        if (order.firstSentNs == 0)
        {
            order.firstSentNs = now;
        }
        order.lastSentNs = now;
        order.sends++;
        // false = not taken within the client's timeout: it stays unacked and is sent again.
        gateway.limit(order.sessionId, order.accountId, order.clOrdId, instrumentId, order.side, PRICE, 1);
        consumeReports();
    }

    private void consumeReports()
    {
        final List<TestClient.Report> reports = gateway.reports();
        for (; reportsSeen < reports.size(); reportsSeen++)
        {
            final TestClient.Report report = reports.get(reportsSeen);
            final Order order = orders.get(report.clOrdId());
            if (order == null)
            {
                continue;
            }
            if (report.orderId() != 0)
            {
                order.orderIds.add(report.orderId());
            }
            if (!order.acked())
            {
                order.ackNs = report.receivedNs();
                inFlight--;
                if (killDoneNs != 0 && firstAckAfterKillNs == 0 && order.lastSentNs > killDoneNs)
                {
                    firstAckAfterKillNs = report.receivedNs();
                }
            }
        }
    }

    /**
     * The gateway saw nothing wrong: no rejects, and no clOrdId ever named two orders.
     */
    void assertNoRejectsOrDuplicates()
    {
        for (final TestClient.Report report : gateway.reports())
        {
            if (orders.containsKey(report.clOrdId()))
            {
                assertTrue(report.execType() != ExecType.REJECTED, "unexpected reject: " + report);
            }
        }
        for (final Order order : orders.values())
        {
            assertTrue(order.acked(), "never acknowledged: clOrdId " + order.clOrdId);
            assertEquals(1, order.orderIds.size(), "clOrdId " + order.clOrdId + " named orders " + order.orderIds);
        }
    }

    /**
     * Ask again for every order (same clOrdId): each must come back as ORDER_STATUS, FILLED once,
     * with the order id first acknowledged: every acknowledged order is in the final state,
     * exactly once.
     */
    void assertEveryOrderFilledOnce(final long timeoutMs)
    {
        final int from = gateway.reports().size();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final Map<Long, TestClient.Report> answers = new LinkedHashMap<>();
        final List<Order> pending = new ArrayList<>(orders.values());
        int next = 0;
        int seen = from;
        while (answers.size() < orders.size())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("status probe: " + answers.size() + " of " + orders.size() + " answered");
            }
            while (next < pending.size() && next - answers.size() < 16)
            {
                final Order order = pending.get(next++);
                assertTrue(gateway.limit(
                    order.sessionId, order.accountId, order.clOrdId, instrumentId, order.side, PRICE, 1));
            }
            if (gateway.poll() == 0)
            {
                ClusterHarness.sleep(1);
            }
            final List<TestClient.Report> reports = gateway.reports();
            for (; seen < reports.size(); seen++)
            {
                final TestClient.Report report = reports.get(seen);
                // The answer to a request: NEW if the order were unknown, else ORDER_STATUS (late
                // TRADEs of the flow itself may still be arriving: they are no answers).
                if (orders.containsKey(report.clOrdId()) && (report.execType() == ExecType.ORDER_STATUS ||
                    report.execType() == ExecType.NEW || report.execType() == ExecType.REJECTED))
                {
                    answers.putIfAbsent(report.clOrdId(), report);
                }
            }
        }
        for (final Order order : orders.values())
        {
            final TestClient.Report answer = answers.get(order.clOrdId);
            assertEquals(ExecType.ORDER_STATUS, answer.execType(), "status probe answered with a new order: " + answer);
            assertEquals(OrdStatus.FILLED, answer.ordStatus(), "not filled: " + answer);
            assertEquals(1, answer.cumQty(), "filled quantity: " + answer);
            assertEquals(order.orderIds.iterator().next(), answer.orderId(), "order id changed: " + answer);
        }
    }

    /**
     * Balances as the fills imply, checked through the engine: withdrawing exactly the expected
     * amount is accepted, one unit more is refused (INSUFFICIENT_FUNDS). Withdraws what it
     * checks, so call it last.
     */
    void assertBalancesViaWithdrawProbe(final TestClient admin)
    {
        final long half = total / 2;
        probe(admin, buyer, ClusterHarness.BASE, ClusterHarness.INITIAL_BASE + half);
        probe(admin, buyer, ClusterHarness.QUOTE, ClusterHarness.INITIAL_QUOTE - PRICE * half);
        probe(admin, seller, ClusterHarness.BASE, ClusterHarness.INITIAL_BASE - half);
        probe(admin, seller, ClusterHarness.QUOTE, ClusterHarness.INITIAL_QUOTE + PRICE * half);
    }

    static void probe(final TestClient admin, final long account, final int asset, final long expected)
    {
        final long tooMuch = admin.nextCorrelationId();
        assertTrue(admin.client().withdraw(tooMuch, account, asset, expected + 1));
        assertEquals(
            io.keel.codecs.RejectReason.INSUFFICIENT_FUNDS, admin.awaitAdmin(tooMuch, 15_000).result(),
            "account " + account + " asset " + asset + " holds more than " + expected);
        final long exact = admin.nextCorrelationId();
        assertTrue(admin.client().withdraw(exact, account, asset, expected));
        assertEquals(
            io.keel.codecs.RejectReason.NONE, admin.awaitAdmin(exact, 15_000).result(),
            "account " + account + " asset " + asset + " holds less than " + expected);
    }
}
