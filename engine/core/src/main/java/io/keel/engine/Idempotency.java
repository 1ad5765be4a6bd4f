package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Per-account idempotency of order requests over the clOrdId window: a clOrdId the account used
 * recently gets its original outcome again and never a second order. Cancels are not remembered.
 */
final class Idempotency
{
    final ClOrdIdWindow window;
    private final OrderIndex orders;
    private final EventEmitter emitter;

    Idempotency(final ClOrdIdWindow window, final OrderIndex orders, final EventEmitter emitter)
    {
        this.window = window;
        this.orders = orders;
        this.emitter = emitter;
    }

    /**
     * The window row of an earlier request with this clOrdId, or NOT_FOUND. A clOrdId above
     * the account's highest cannot be a repeat: the usual, increasing case costs no look-up.
     */
    int find(final Account account, final long clOrdId)
    {
        return clOrdId > account.maxClOrdId ? ClOrdIdWindow.NOT_FOUND : window.find(account, clOrdId);
    }

    /**
     * Record a request's outcome.
     *
     * @return its window row.
     */
    int remember(
        final Account account,
        final long clOrdId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final OrdStatus ordStatus,
        final RejectReason reason,
        final long price,
        final long quantity,
        final long cumQty)
    {
        if (clOrdId > account.maxClOrdId)
        {
            account.maxClOrdId = clOrdId;
        }
        return window.add(
            account, clOrdId, orderId, instrumentId, side, ordType, timeInForce, ordStatus, reason, price,
            quantity, cumQty);
    }

    /**
     * The order is done: its row keeps the final state a retry will be told. A row the window has
     * since reused for a newer request is left alone.
     */
    void finish(final Order order, final OrdStatus status)
    {
        if (window.holds(order.windowRow, order.clOrdId, order.orderId))
        {
            window.finish(order.windowRow, status, order.price, order.quantity, order.cumQty);
        }
    }

    /**
     * The live order an order id, or when that is 0 an earlier clOrdId, names, if it is the
     * account's (and on the instrument, when one is given); else null.
     */
    Order locate(final Account account, final long orderId, final long origClOrdId, final int instrumentId)
    {
        Order order = null;
        if (orderId != 0)
        {
            order = orders.get(orderId);
        }
        else
        {
            final int row = window.find(account, origClOrdId);
            if (row != ClOrdIdWindow.NOT_FOUND)
            {
                order = orders.get(window.orderId(row));
            }
        }
        if (order == null || order.accountId != account.accountId ||
            (instrumentId != 0 && instrumentId != order.instrumentId))
        {
            return null;
        }
        return order;
    }

    /**
     * A repeated clOrdId: say again what happened to the first request, without acting.
     */
    void reportRecordedOutcome(final long sessionId, final int row, final long time)
    {
        final ClOrdIdWindow w = window;
        final long orderId = w.orderId(row);
        final Order live = orderId == 0 ? null : orders.get(orderId);
        if (live != null)
        {
            emitter.statusReport(live, w.ordType(row), w.clOrdId(row), sessionId, time);
            return;
        }
        // A replaced order's final state is recorded under its latest clOrdId: report that one's.
        final int latest = orderId == 0 ? row : w.latestRowOf(orderId, row);
        final OrdStatus status = w.ordStatus(latest);
        emitter.detachedReport(
            sessionId, w.accountId(row), orderId, w.clOrdId(row), w.instrumentId(row),
            status == OrdStatus.REJECTED ? ExecType.REJECTED : ExecType.ORDER_STATUS, status, w.side(row),
            w.ordType(row), w.timeInForce(row), w.rejectReason(latest), w.price(latest), w.quantity(latest),
            w.cumQty(latest), time);
    }
}
