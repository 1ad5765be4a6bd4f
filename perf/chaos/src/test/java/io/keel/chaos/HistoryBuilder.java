package io.keel.chaos;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Hand-built client histories for the history checker's tests: one client session, its orders, and the reports its
 * listener receives, numbered 1, 2, 3... unless a test skips or repeats a seqNo on purpose.
 */
final class HistoryBuilder
{
    final SessionHistory session;
    private long nextSeqNo = 1;
    private long nextClOrdId = 1;

    HistoryBuilder(final int account)
    {
        session = new SessionHistory("c" + account, account);
    }

    ChaosOrder order(final Side side, final TimeInForce timeInForce, final long price, final long quantity)
    {
        final ChaosOrder order = new ChaosOrder(
            session.account, nextClOrdId++, 1, side, timeInForce, price, quantity);
        order.sends = 1;
        return session.order(order);
    }

    /**
     * The next report will carry this seqNo (a test's gap or repeat).
     */
    HistoryBuilder seqNo(final long seqNo)
    {
        nextSeqNo = seqNo;
        return this;
    }

    /**
     * A seqNo that never arrives: the report numbered so is lost.
     */
    HistoryBuilder skip()
    {
        nextSeqNo++;
        return this;
    }

    HistoryBuilder acked(final ChaosOrder order, final long orderId)
    {
        order.orderId = orderId;
        return report(order, ExecType.NEW, OrdStatus.NEW, orderId, 0, order.quantity, 0, 0, 0);
    }

    HistoryBuilder trade(final ChaosOrder order, final long execId, final long lastQty, final long lastPrice,
        final long cumQty)
    {
        final long leaves = order.quantity - cumQty;
        return report(order, ExecType.TRADE, leaves == 0 ? OrdStatus.FILLED : OrdStatus.PARTIALLY_FILLED,
            order.orderId, execId, leaves, cumQty, lastQty, lastPrice);
    }

    HistoryBuilder canceled(final ChaosOrder order, final long cumQty)
    {
        return report(order, ExecType.CANCELED, OrdStatus.CANCELED, order.orderId, 0, 0, cumQty, 0, 0);
    }

    HistoryBuilder status(final ChaosOrder order, final OrdStatus status, final long leavesQty, final long cumQty)
    {
        return report(order, ExecType.ORDER_STATUS, status, order.orderId, 0, leavesQty, cumQty, 0, 0);
    }

    HistoryBuilder report(
        final ChaosOrder order,
        final ExecType execType,
        final OrdStatus status,
        final long orderId,
        final long execId,
        final long leavesQty,
        final long cumQty,
        final long lastQty,
        final long lastPrice)
    {
        final long seqNo = nextSeqNo++;
        order.reports.add(new OrderReport(seqNo, execType, status, orderId, execId, leavesQty, cumQty, lastQty, lastPrice));
        session.received(seqNo, execType + " clOrdId=" + order.clOrdId + " orderId=" + orderId);
        return this;
    }

    /**
     * A numbered report that is about no order (a CancelReject, say).
     */
    HistoryBuilder other(final String what)
    {
        session.received(nextSeqNo++, what);
        return this;
    }
}
