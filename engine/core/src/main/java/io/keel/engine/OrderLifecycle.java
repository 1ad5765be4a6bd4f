package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TimeInForce;

/**
 * An accepted order's life after entry: resting, GTD expiry, cancel (one, mass, or on a lost
 * session) and the end of it (reservation released, clOrdId records finished, order back in the pool).
 */
final class OrderLifecycle
{
    private final Accounts accounts;
    private final Instruments instruments;
    private final OrderPool pool;
    private final OrderIndex orders;
    private final ExpiryQueue expiries;
    private final Idempotency idempotency;
    private final EventEmitter emitter;

    OrderLifecycle(
        final Accounts accounts,
        final Instruments instruments,
        final OrderPool pool,
        final OrderIndex orders,
        final ExpiryQueue expiries,
        final Idempotency idempotency,
        final EventEmitter emitter)
    {
        this.accounts = accounts;
        this.instruments = instruments;
        this.pool = pool;
        this.orders = orders;
        this.expiries = expiries;
        this.idempotency = idempotency;
        this.emitter = emitter;
    }

    /**
     * Cancel a live order of this account, found by orderId or, when that is 0, by origClOrdId.
     * Allowed while the instrument is halted. The answer goes to the session that asked, which
     * then owns the order.
     */
    void cancelOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final long time)
    {
        final Account account = accounts.get(accountId);
        final Order order = account == null ? null : idempotency.locate(account, orderId, origClOrdId, instrumentId, time);
        if (order == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.CANCEL,
                account == null ? RejectReason.UNKNOWN_ACCOUNT : RejectReason.UNKNOWN_ORDER, time);
            return;
        }

        removeFromBook(order.instrument, order, time);
        order.sessionId = sessionId;
        emitter.orderReport(
            order, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, clOrdId, order.clOrdId,
            time);
        finishCanceled(order);
    }

    /**
     * Cancel every live order of the account (ACCOUNT), of the requesting session (SESSION), or
     * of the account on one instrument (INSTRUMENT): a CANCELED report per order, then one
     * MassCancelReport with the count.
     */
    void massCancel(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final MassCancelScope scope,
        final int instrumentId,
        final long time)
    {
        RejectReason reason = RejectReason.NONE;
        if (!accounts.exists(accountId))
        {
            reason = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (scope != MassCancelScope.SESSION && scope != MassCancelScope.ACCOUNT &&
            scope != MassCancelScope.INSTRUMENT)
        {
            reason = RejectReason.INVALID_MASS_CANCEL_SCOPE;
        }
        else if (scope == MassCancelScope.INSTRUMENT && !instruments.exists(instrumentId))
        {
            reason = RejectReason.UNKNOWN_INSTRUMENT;
        }

        int canceled = 0;
        if (reason == RejectReason.NONE)
        {
            final long sessionFilter = scope == MassCancelScope.SESSION ? sessionId : 0;
            final int instrumentFilter = scope == MassCancelScope.INSTRUMENT ? instrumentId : 0;
            canceled = cancelAll(accountId, sessionFilter, instrumentFilter, time);
        }
        emitter.massCancelReport(sessionId, accountId, clOrdId, scope, instrumentId, canceled, reason, time);
    }

    /**
     * A client session with cancel-on-disconnect went away: cancel its live orders, reporting a
     * CANCELED per order (no MassCancelReport: nobody asked).
     */
    void sessionLost(final long sessionId, final long accountId, final long time)
    {
        if (accounts.exists(accountId))
        {
            cancelAll(accountId, sessionId, 0, time);
        }
    }

    /**
     * Expire the GTD orders due by {@code time}, earliest first (ties by orderId). The queue holds only resting GTD
     * orders: one that ended any other way left it then.
     */
    void expireDue(final long time)
    {
        while (expiries.peekTime() <= time)
        {
            final Order order = expiries.peek();
            removeFromBook(order.instrument, order, time);
            emitter.orderReport(
                order, OrdType.LIMIT, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.NONE, order.clOrdId, 0, time);
            finishWithStatus(order, OrdStatus.EXPIRED);
        }
    }

    /**
     * After matching: a filled order is done; an IOC, FOK or market remainder (or a taker stopped
     * by self-trade prevention) is canceled; anything else rests at the back of its level.
     */
    void restOrFinish(
        final Instrument instrument, final Order order, final OrdType ordType, final boolean stopped, final long time)
    {
        if (order.leavesQty == 0 && !stopped)
        {
            finish(order);
        }
        else if (stopped || ordType == OrdType.MARKET || order.timeInForce == TimeInForce.IOC ||
            order.timeInForce == TimeInForce.FOK)
        {
            final RejectReason reason = stopped ? RejectReason.SELF_TRADE_PREVENTED :
                ordType == OrdType.MARKET && order.cumQty == 0 ? RejectReason.NO_LIQUIDITY : RejectReason.NONE;
            emitter.orderReport(
                order, ordType, ExecType.CANCELED, OrdStatus.CANCELED, reason, order.clOrdId, 0, time);
            finishCanceled(order);
        }
        else
        {
            final BookSide book = instrument.side(order.side);
            final PriceLevel level = book.levelFor(order.price);
            level.append(order);
            emitter.bookUpdate(instrument, book.side, level, time);
            if (order.timeInForce == TimeInForce.GTD)
            {
                expiries.add(order);
            }
        }
    }

    /**
     * Take a resting order off its level and publish the level's new aggregate.
     */
    void removeFromBook(final Instrument instrument, final Order order, final long time)
    {
        final PriceLevel level = order.level;
        final BookSide book = instrument.side(order.side);
        level.remove(order);
        emitter.bookUpdate(instrument, book.side, level, time);
        if (level.isEmpty())
        {
            book.removeLevel(level);
        }
    }

    /**
     * The order is done (filled): release what it still reserves and forget it.
     */
    void finish(final Order order)
    {
        finishWithStatus(order, EventEmitter.statusOf(order));
    }

    void finishCanceled(final Order order)
    {
        finishWithStatus(order, OrdStatus.CANCELED);
    }

    private void finishWithStatus(final Order order, final OrdStatus status)
    {
        Accounts.release(order, order.instrument);
        // Every way an order ends passes here, so its expiry entry never outlives it.
        expiries.remove(order);
        idempotency.finish(order, status);
        orders.remove(order);
        pool.release(order);
    }

    /**
     * Instruments in id order, each side best level first: the same cancel order on every node.
     */
    private int cancelAll(final long accountId, final long sessionFilter, final int instrumentFilter, final long time)
    {
        int canceled = 0;
        for (int i = 0; i < instruments.count; i++)
        {
            final Instrument instrument = instruments.sorted[i];
            if (instrumentFilter == 0 || instrument.instrumentId == instrumentFilter)
            {
                canceled += cancelAll(instrument, instrument.bids, accountId, sessionFilter, time);
                canceled += cancelAll(instrument, instrument.asks, accountId, sessionFilter, time);
            }
        }
        return canceled;
    }

    private int cancelAll(
        final Instrument instrument, final BookSide book, final long accountId, final long sessionFilter, final long time)
    {
        int canceled = 0;
        // Best level first; a removed level only shifts the ones already visited.
        for (int depth = 0; depth < book.levelCount(); )
        {
            final PriceLevel level = book.level(depth);
            final int levelsBefore = book.levelCount();
            for (Order order = level.head; order != null; )
            {
                final Order next = order.next;
                if (order.accountId == accountId && (sessionFilter == 0 || order.sessionId == sessionFilter))
                {
                    removeFromBook(instrument, order, time);
                    emitter.orderReport(
                        order, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, order.clOrdId,
                        0, time);
                    finishCanceled(order);
                    canceled++;
                }
                order = next;
            }
            if (book.levelCount() == levelsBefore)
            {
                depth++;
            }
        }
        return canceled;
    }
}
