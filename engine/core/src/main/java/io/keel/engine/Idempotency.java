package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Per-account idempotency of order requests: a clOrdId the account used gets its original outcome
 * again and never a second order — for as long as the order it made lives (its current clOrdId, in
 * {@link OrderIndex}), and otherwise for the idempotency horizon of cluster time (the
 * {@link ClOrdIdWindow}). Cancels are not remembered.
 *
 * <p>Every answer costs O(1): a clOrdId above the account's highest cannot be a repeat and needs no
 * look-up at all; any other is one probe of each hash table.
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
     * If the account used this clOrdId before (for a live order, or a request within the horizon),
     * say again, to the asking session, what became of it.
     *
     * @return true when answered: the request must not be acted on.
     */
    boolean answerRepeat(final Account account, final long clOrdId, final long sessionId, final long time)
    {
        if (clOrdId > account.maxClOrdId)
        {
            return false;
        }
        final Order live = orders.get(account.accountId, clOrdId);
        if (live != null)
        {
            // Only limit orders rest: market orders end within their own request.
            emitter.statusReport(live, OrdType.LIMIT, clOrdId, sessionId, time);
            return true;
        }
        final int row = window.find(account.accountId, clOrdId, time);
        if (row == ClOrdIdWindow.NOT_FOUND)
        {
            return false;
        }
        reportRecordedOutcome(sessionId, row, time);
        return true;
    }

    /**
     * Whether one more request can be remembered at {@code time} (forgetting those a horizon old
     * first). When not, the request must be refused, not executed: executing a request the engine
     * cannot remember would let its resend execute again.
     */
    boolean hasRoom(final long time)
    {
        return window.hasRoom(time);
    }

    /**
     * Record a request's outcome; the caller has checked {@link #hasRoom}.
     *
     * @param previousSeq the order's record before this replace, or {@link ClOrdIdWindow#NO_SEQ}.
     * @return its sequence in the window.
     */
    long remember(
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
        final long cumQty,
        final long time,
        final long previousSeq)
    {
        if (clOrdId > account.maxClOrdId)
        {
            account.maxClOrdId = clOrdId;
        }
        return window.add(
            account.accountId, clOrdId, orderId, instrumentId, side, ordType, timeInForce, ordStatus, reason, price,
            quantity, cumQty, time, previousSeq);
    }

    /**
     * The order is done: each of its records still kept takes the final state a resend will be told.
     */
    void finish(final Order order, final OrdStatus status)
    {
        if (order.recordSeq != ClOrdIdWindow.NO_SEQ)
        {
            window.finish(order.recordSeq, status, order.price, order.quantity, order.cumQty);
        }
    }

    /**
     * The live order an order id, or when that is 0 a clOrdId, names, if it is the account's (and
     * on the instrument, when one is given); else null. A clOrdId names the order that has it now
     * (however old) or had it within the horizon (before a replace).
     */
    Order locate(
        final Account account, final long orderId, final long origClOrdId, final int instrumentId, final long time)
    {
        Order order = null;
        if (orderId != 0)
        {
            order = orders.get(orderId);
        }
        else
        {
            order = orders.get(account.accountId, origClOrdId);
            if (order == null)
            {
                final int row = window.find(account.accountId, origClOrdId, time);
                if (row != ClOrdIdWindow.NOT_FOUND && window.orderId(row) != 0)
                {
                    order = orders.get(window.orderId(row));
                }
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
     * A repeated clOrdId of a recorded request: say again what happened to it, without acting.
     */
    private void reportRecordedOutcome(final long sessionId, final int row, final long time)
    {
        final ClOrdIdWindow w = window;
        final long orderId = w.orderId(row);
        final Order live = orderId == 0 ? null : orders.get(orderId);
        if (live != null)
        {
            emitter.statusReport(live, w.ordType(row), w.clOrdId(row), sessionId, time);
            return;
        }
        // Every record of a finished order holds its final state (see ClOrdIdWindow#finish).
        final OrdStatus status = w.ordStatus(row);
        emitter.detachedReport(
            sessionId, w.accountId(row), orderId, w.clOrdId(row), w.instrumentId(row),
            status == OrdStatus.REJECTED ? ExecType.REJECTED : ExecType.ORDER_STATUS, status, w.side(row),
            w.ordType(row), w.timeInForce(row), w.rejectReason(row), w.price(row), w.quantity(row), w.cumQty(row),
            time);
    }
}
