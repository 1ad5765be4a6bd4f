package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Orders into the book: a new order and a replace, each checked for a repeated clOrdId, validated,
 * funded, matched, then rested or finished. The hot path: nothing here allocates.
 */
final class OrderEntry
{
    private final Accounts accounts;
    private final Instruments instruments;
    private final OrderPool pool;
    private final OrderIndex orders;
    private final Idempotency idempotency;
    private final OrderLifecycle lifecycle;
    private final Matcher matcher;
    private final EventEmitter emitter;
    private final EngineLimits limits;
    long nextOrderId = 1;

    OrderEntry(
        final Accounts accounts,
        final Instruments instruments,
        final OrderPool pool,
        final OrderIndex orders,
        final Idempotency idempotency,
        final OrderLifecycle lifecycle,
        final Matcher matcher,
        final EventEmitter emitter,
        final EngineLimits limits)
    {
        this.limits = limits;
        this.accounts = accounts;
        this.instruments = instruments;
        this.pool = pool;
        this.orders = orders;
        this.idempotency = idempotency;
        this.lifecycle = lifecycle;
        this.matcher = matcher;
        this.emitter = emitter;
    }

    /**
     * See {@link Engine#newOrder}. The enums are never null here: the engine maps null to NULL_VAL.
     */
    void newOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention selfTradePrevention,
        final long price,
        final long quantity,
        final long expireTime,
        final long time)
    {
        final Account account = accounts.get(accountId);
        if (account == null)
        {
            emitter.detachedReport(
                sessionId, accountId, 0, clOrdId, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side, ordType,
                timeInForce, RejectReason.UNKNOWN_ACCOUNT, price, quantity, 0, time);
            return;
        }

        if (idempotency.answerRepeat(account, clOrdId, sessionId, time))
        {
            return;
        }
        // Every outcome from here on is remembered; one that cannot be is refused before anything happens.
        if (!idempotency.hasRoom(time))
        {
            emitter.detachedReport(
                sessionId, accountId, 0, clOrdId, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side, ordType,
                timeInForce, RejectReason.THROTTLED, price, quantity, 0, time);
            return;
        }

        final Instrument instrument = instruments.get(instrumentId);
        final boolean market = ordType == OrdType.MARKET;
        final long limitPrice = market && instrument != null && OrderValidation.isValidSide(side) ?
            instrument.bandPrice(OrderValidation.marketProtectionBps(instrument), side == Side.BUY) : price;
        RejectReason reason = OrderValidation.validateNewOrder(
            instrument, side, ordType, timeInForce, postOnly, selfTradePrevention, limitPrice, quantity, expireTime, time,
            limits.gtdHorizon);
        if (reason == RejectReason.NONE)
        {
            reason = OrderValidation.checkFunds(account, instrument, side, limitPrice, quantity, 0);
        }
        if (reason == RejectReason.NONE && postOnly && OrderValidation.crosses(instrument, side, limitPrice))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        if (reason == RejectReason.NONE)
        {
            // One account's share first, so an account at its own bound is told so while the engine has room;
            // the whole engine's bound protects memory. Both are limits in force (from the log), never flags.
            reason = account.openOrders >= limits.maxOpenOrdersPerAccount ? RejectReason.ACCOUNT_ORDER_LIMIT :
                pool.inUse() >= limits.maxOrders ? RejectReason.ORDER_LIMIT_REACHED : RejectReason.NONE;
        }
        final Order order = reason == RejectReason.NONE ? pool.acquire() : null;
        if (reason != RejectReason.NONE)
        {
            idempotency.remember(
                account, clOrdId, 0, instrumentId, side, ordType, timeInForce, OrdStatus.REJECTED, reason, price, quantity, 0,
                time, ClOrdIdWindow.NO_SEQ);
            emitter.detachedReport(
                sessionId, accountId, 0, clOrdId, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side, ordType,
                timeInForce, reason, price, quantity, 0, time);
            return;
        }

        order.orderId = nextOrderId++;
        order.clOrdId = clOrdId;
        order.accountId = accountId;
        order.sessionId = sessionId;
        order.instrumentId = instrumentId;
        order.side = side;
        order.timeInForce = timeInForce;
        order.postOnly = postOnly;
        order.selfTradePrevention = selfTradePrevention;
        order.price = limitPrice;
        order.quantity = quantity;
        order.leavesQty = quantity;
        order.cumQty = 0;
        order.expireTime = timeInForce == TimeInForce.GTD ? expireTime : 0;
        order.expiryIndex = ExpiryQueue.NOT_QUEUED;
        order.account = account;
        order.instrument = instrument;

        if (timeInForce == TimeInForce.FOK && !matcher.canFillCompletely(instrument, order))
        {
            idempotency.remember(
                account, clOrdId, order.orderId, instrumentId, side, ordType, timeInForce, OrdStatus.EXPIRED,
                RejectReason.FOK_NOT_FILLABLE, limitPrice, quantity, 0, time, ClOrdIdWindow.NO_SEQ);
            emitter.orderReport(
                order, ordType, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.FOK_NOT_FILLABLE, clOrdId, 0, time);
            pool.release(order);
            return;
        }

        Accounts.reserve(order, instrument);
        order.recordSeq = idempotency.remember(
            account, clOrdId, order.orderId, instrumentId, side, ordType, timeInForce, OrdStatus.NEW, RejectReason.NONE,
            limitPrice, quantity, 0, time, ClOrdIdWindow.NO_SEQ);
        orders.put(order);
        emitter.orderReport(order, ordType, ExecType.NEW, RejectReason.NONE, time);

        final boolean stopped = matcher.match(instrument, order, ordType, time);
        lifecycle.restOrFinish(instrument, order, ordType, stopped, time);
    }

    /**
     * See {@link Engine#replaceOrder}.
     */
    void replaceOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final long price,
        final long quantity,
        final long time)
    {
        final Account account = accounts.get(accountId);
        if (account == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ACCOUNT, time);
            return;
        }
        if (idempotency.answerRepeat(account, clOrdId, sessionId, time))
        {
            return;
        }
        final Order order = idempotency.locate(account, orderId, origClOrdId, instrumentId, time);
        if (order == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ORDER, time);
            return;
        }

        final Instrument instrument = order.instrument;
        RejectReason reason = OrderValidation.validateReplace(order, price, quantity);
        if (reason == RejectReason.NONE)
        {
            reason = OrderValidation.checkFunds(account, instrument, order.side, price, quantity - order.cumQty, order.reserved);
        }
        if (reason == RejectReason.NONE && order.postOnly && OrderValidation.crosses(instrument, order.side, price))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        // Only a replace that happens is remembered: one that could not be is refused before it happens.
        if (reason == RejectReason.NONE && !idempotency.hasRoom(time))
        {
            reason = RejectReason.THROTTLED;
        }
        if (reason != RejectReason.NONE)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, order.orderId, order.instrumentId,
                CancelRejectResponseTo.REPLACE, reason, time);
            return;
        }

        final boolean keepsPriority = price == order.price && quantity <= order.quantity;
        final long previousClOrdId = order.clOrdId;
        final PriceLevel level = order.level;
        final BookSide bookSide = instrument.side(order.side);
        if (keepsPriority)
        {
            level.quantity -= order.leavesQty;
        }
        else
        {
            lifecycle.removeFromBook(instrument, order, time);
        }

        Accounts.release(order, instrument);
        order.price = price;
        order.quantity = quantity;
        order.leavesQty = quantity - order.cumQty;
        order.sessionId = sessionId;
        orders.changeClOrdId(order, clOrdId);
        Accounts.reserve(order, instrument);
        order.recordSeq = idempotency.remember(
            account, clOrdId, order.orderId, order.instrumentId, order.side, OrdType.LIMIT, order.timeInForce,
            EventEmitter.statusOf(order), RejectReason.NONE, price, quantity, order.cumQty, time, order.recordSeq);

        emitter.orderReport(
            order, OrdType.LIMIT, ExecType.REPLACED, EventEmitter.statusOf(order), RejectReason.NONE, clOrdId,
            previousClOrdId, time);
        if (keepsPriority)
        {
            level.quantity += order.leavesQty;
            emitter.bookUpdate(instrument, bookSide.side, level, time);
            return;
        }

        final boolean stopped = matcher.match(instrument, order, OrdType.LIMIT, time);
        lifecycle.restOrFinish(instrument, order, OrdType.LIMIT, stopped, time);
    }
}
