package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.CancelReject;
import io.keel.engine.Events.Exec;
import io.keel.engine.Events.MassCancelReport;
import io.keel.engine.Events.Trade;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately naive model of the engine's documented behaviour, for differential tests: every
 * resting order in one plain list, books sorted on every query, reservations recomputed from the
 * open orders, exact arithmetic for bands. Shares nothing with the engine but the codec enums and
 * the event records, so a bug has to be made twice to go unnoticed.
 *
 * <p>Where the documentation is silent the model follows the engine's observable choices (the
 * order of events, the fields of each report); where the documentation speaks it follows the
 * documentation, so a discrepancy shows up as the first differing event.
 */
final class ReferenceEngine extends ReferenceState implements Command.Venue
{
    ReferenceEngine(final EngineContext context)
    {
        super(context);
    }

    // ------------------------------------------------------------------ orders

    public void newOrder(
        final long sessionId, final long accountId, final long clOrdId, final int instrumentId, final Side sideOrNull,
        final OrdType ordTypeOrNull, final TimeInForce tifOrNull, final boolean postOnly, final SelfTradePrevention stpOrNull,
        final long price, final long quantity, final long expireTime, final long time)
    {
        advanceTime(time);
        final Side side = sideOrNull == null ? Side.NULL_VAL : sideOrNull;
        final OrdType ordType = ordTypeOrNull == null ? OrdType.NULL_VAL : ordTypeOrNull;
        final TimeInForce tif = tifOrNull == null ? TimeInForce.NULL_VAL : tifOrNull;
        final SelfTradePrevention stp = stpOrNull == null ? SelfTradePrevention.NULL_VAL : stpOrNull;
        final Acct acct = accounts.get(accountId);
        if (acct == null)
        {
            out.add(new Exec(
                sessionId, accountId, 0, clOrdId, 0, nextExecId++, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side,
                ordType, tif, RejectReason.UNKNOWN_ACCOUNT, price, quantity, 0, 0, 0, 0, 0, time));
            return;
        }
        if (answerRepeat(sessionId, acct, clOrdId, time))
        {
            return;
        }
        if (!hasRoom(time))
        {
            out.add(new Exec(
                sessionId, accountId, 0, clOrdId, 0, nextExecId++, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side,
                ordType, tif, RejectReason.THROTTLED, price, quantity, 0, 0, 0, 0, 0, time));
            return;
        }

        final Inst inst = instruments.get(instrumentId);
        final boolean buy = side == Side.BUY;
        final boolean sideKnown = side == Side.BUY || side == Side.SELL;
        final long limit = ordType == OrdType.MARKET && inst != null && sideKnown ? protectionLimit(inst, buy) : price;

        RejectReason reason = validate(inst, side, ordType, tif, postOnly, stp, limit, quantity, expireTime, time);
        if (reason == RejectReason.NONE)
        {
            reason = funds(acct, inst, buy, limit, quantity, 0);
        }
        if (reason == RejectReason.NONE && postOnly && crosses(inst, buy, limit))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        if (reason == RejectReason.NONE && resting.size() >= maxOrders)
        {
            reason = RejectReason.ORDER_LIMIT_REACHED;
        }
        if (reason != RejectReason.NONE)
        {
            remember(acct, clOrdId, 0, instrumentId, side, ordType, tif, OrdStatus.REJECTED, reason, price, quantity, 0, time);
            out.add(new Exec(
                sessionId, accountId, 0, clOrdId, 0, nextExecId++, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side,
                ordType, tif, reason, price, quantity, 0, 0, 0, 0, 0, time));
            return;
        }

        final Ord o = new Ord();
        o.orderId = nextOrderId++;
        o.clOrdId = clOrdId;
        o.accountId = accountId;
        o.sessionId = sessionId;
        o.instrumentId = instrumentId;
        o.side = side;
        o.ordType = ordType;
        o.timeInForce = tif;
        o.postOnly = postOnly;
        o.stp = stp;
        o.price = limit;
        o.quantity = quantity;
        o.leavesQty = quantity;
        o.expireTime = tif == TimeInForce.GTD ? expireTime : 0;

        if (tif == TimeInForce.FOK && !fillableNow(inst, o))
        {
            remember(acct, clOrdId, o.orderId, instrumentId, side, ordType, tif, OrdStatus.EXPIRED,
                RejectReason.FOK_NOT_FILLABLE, limit, quantity, 0, time);
            exec(o, ordType, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.FOK_NOT_FILLABLE, clOrdId, 0, 0, 0, 0, time);
            return;
        }

        remember(
            acct, clOrdId, o.orderId, instrumentId, side, ordType, tif, OrdStatus.NEW, RejectReason.NONE, limit, quantity, 0,
            time);
        exec(o, ordType, ExecType.NEW, OrdStatus.NEW, RejectReason.NONE, clOrdId, 0, 0, 0, 0, time);
        final boolean stopped = match(inst, o, ordType, time);
        restOrFinish(inst, o, ordType, stopped, time);
    }

    public void cancelOrder(
        final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
        final int instrumentId, final long time)
    {
        advanceTime(time);
        final Acct acct = accounts.get(accountId);
        final Ord o = acct == null ? null : locate(acct, orderId, origClOrdId, instrumentId, time);
        if (o == null)
        {
            out.add(new CancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.CANCEL,
                acct == null ? RejectReason.UNKNOWN_ACCOUNT : RejectReason.UNKNOWN_ORDER, time));
            return;
        }
        takeOff(o, time);
        o.sessionId = sessionId;
        exec(o, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, clOrdId, o.clOrdId, 0, 0, 0, time);
        finished(o, OrdStatus.CANCELED);
    }

    public void replaceOrder(
        final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
        final int instrumentId, final long price, final long quantity, final long time)
    {
        advanceTime(time);
        final Acct acct = accounts.get(accountId);
        if (acct == null)
        {
            out.add(new CancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ACCOUNT, time));
            return;
        }
        if (answerRepeat(sessionId, acct, clOrdId, time))
        {
            return;
        }
        final Ord o = locate(acct, orderId, origClOrdId, instrumentId, time);
        if (o == null)
        {
            out.add(new CancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ORDER, time));
            return;
        }
        final Inst inst = instruments.get(o.instrumentId);
        RejectReason reason;
        if (inst.halted)
        {
            reason = RejectReason.INSTRUMENT_HALTED;
        }
        else if (!validPrice(inst, price))
        {
            reason = RejectReason.INVALID_PRICE;
        }
        else if (quantity <= o.cumQty || quantity <= 0 || quantity % inst.lot != 0)
        {
            reason = RejectReason.INVALID_QUANTITY;
        }
        else if (price != o.price && outsideBand(inst, price))
        {
            reason = RejectReason.PRICE_OUTSIDE_BAND;
        }
        else
        {
            final long held = o.isBuy() ? o.price * o.leavesQty : o.leavesQty;
            reason = funds(acct, inst, o.isBuy(), price, quantity - o.cumQty, held);
        }
        if (reason == RejectReason.NONE && o.postOnly && crosses(inst, o.isBuy(), price))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        if (reason == RejectReason.NONE && !hasRoom(time))
        {
            reason = RejectReason.THROTTLED;
        }
        if (reason != RejectReason.NONE)
        {
            out.add(new CancelReject(
                sessionId, accountId, clOrdId, origClOrdId, o.orderId, o.instrumentId, CancelRejectResponseTo.REPLACE, reason,
                time));
            return;
        }

        final boolean keepsPriority = price == o.price && quantity <= o.quantity;
        if (!keepsPriority)
        {
            takeOff(o, time);
        }
        final long previousClOrdId = o.clOrdId;
        o.price = price;
        o.quantity = quantity;
        o.leavesQty = quantity - o.cumQty;
        o.sessionId = sessionId;
        o.clOrdId = clOrdId;
        remember(acct, clOrdId, o.orderId, o.instrumentId, o.side, OrdType.LIMIT, o.timeInForce, o.status(),
            RejectReason.NONE, price, quantity, o.cumQty, time);
        exec(o, OrdType.LIMIT, ExecType.REPLACED, o.status(), RejectReason.NONE, clOrdId, previousClOrdId, 0, 0, 0, time);
        if (keepsPriority)
        {
            bookUpdate(inst, o.side, o.price, time);
            return;
        }
        final boolean stopped = match(inst, o, OrdType.LIMIT, time);
        restOrFinish(inst, o, OrdType.LIMIT, stopped, time);
    }

    public void massCancel(
        final long sessionId, final long accountId, final long clOrdId, final MassCancelScope scope, final int instrumentId,
        final long time)
    {
        advanceTime(time);
        RejectReason reason = RejectReason.NONE;
        if (!accounts.containsKey(accountId))
        {
            reason = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (scope != MassCancelScope.SESSION && scope != MassCancelScope.ACCOUNT && scope != MassCancelScope.INSTRUMENT)
        {
            reason = RejectReason.INVALID_MASS_CANCEL_SCOPE;
        }
        else if (scope == MassCancelScope.INSTRUMENT && !instruments.containsKey(instrumentId))
        {
            reason = RejectReason.UNKNOWN_INSTRUMENT;
        }
        int count = 0;
        if (reason == RejectReason.NONE)
        {
            count = cancelAll(
                accountId, scope == MassCancelScope.SESSION ? sessionId : 0,
                scope == MassCancelScope.INSTRUMENT ? instrumentId : 0, time);
        }
        out.add(new MassCancelReport(sessionId, accountId, clOrdId, scope, instrumentId, count, reason, time));
    }

    public void sessionLost(final long sessionId, final long accountId, final long time)
    {
        advanceTime(time);
        if (accounts.containsKey(accountId))
        {
            cancelAll(accountId, sessionId, 0, time);
        }
    }

    public void onTime(final long time)
    {
        advanceTime(time);
    }

    // ------------------------------------------------------------------ internals

    void advanceTime(final long time)
    {
        lastTime = Math.max(lastTime, time);
        final List<Ord> due = new ArrayList<>();
        for (final Ord o : resting)
        {
            if (o.timeInForce == TimeInForce.GTD && o.expireTime <= time)
            {
                due.add(o);
            }
        }
        due.sort(Comparator.<Ord>comparingLong(o -> o.expireTime).thenComparingLong(o -> o.orderId));
        for (final Ord o : due)
        {
            takeOff(o, time);
            exec(o, OrdType.LIMIT, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.NONE, o.clOrdId, 0, 0, 0, 0, time);
            finished(o, OrdStatus.EXPIRED);
        }
    }

    private int cancelAll(final long accountId, final long sessionFilter, final int instrumentFilter, final long time)
    {
        final List<Ord> targets = new ArrayList<>();
        for (final Inst inst : instruments.values())
        {
            if (instrumentFilter == 0 || inst.id == instrumentFilter)
            {
                for (final Side side : new Side[] {Side.BUY, Side.SELL})
                {
                    for (final Ord o : side(inst.id, side))
                    {
                        if (o.accountId == accountId && (sessionFilter == 0 || o.sessionId == sessionFilter))
                        {
                            targets.add(o);
                        }
                    }
                }
            }
        }
        for (final Ord o : targets)
        {
            takeOff(o, time);
            exec(o, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, o.clOrdId, 0, 0, 0, 0, time);
            finished(o, OrdStatus.CANCELED);
        }
        return targets.size();
    }

    /**
     * Remove a resting order and publish its level.
     */
    private void takeOff(final Ord o, final long time)
    {
        resting.remove(o);
        bookUpdate(instruments.get(o.instrumentId), o.side, o.price, time);
    }

    private void rest(final Inst inst, final Ord o, final long time)
    {
        o.arrival = nextArrival++;
        resting.add(o);
        bookUpdate(inst, o.side, o.price, time);
    }

    private void restOrFinish(final Inst inst, final Ord o, final OrdType ordType, final boolean stopped, final long time)
    {
        if (o.leavesQty == 0 && !stopped)
        {
            finished(o, o.status());
        }
        else if (stopped || ordType == OrdType.MARKET || o.timeInForce == TimeInForce.IOC || o.timeInForce == TimeInForce.FOK)
        {
            final RejectReason reason = stopped ? RejectReason.SELF_TRADE_PREVENTED :
                ordType == OrdType.MARKET && o.cumQty == 0 ? RejectReason.NO_LIQUIDITY : RejectReason.NONE;
            exec(o, ordType, ExecType.CANCELED, OrdStatus.CANCELED, reason, o.clOrdId, 0, 0, 0, 0, time);
            finished(o, OrdStatus.CANCELED);
        }
        else
        {
            rest(inst, o, time);
        }
    }

    /**
     * @return true when self-trade prevention stopped the taker.
     */
    private boolean match(final Inst inst, final Ord taker, final OrdType takerType, final long time)
    {
        final Side opposite = taker.isBuy() ? Side.SELL : Side.BUY;
        while (taker.leavesQty > 0)
        {
            final List<Ord> book = side(inst.id, opposite);
            if (book.isEmpty())
            {
                return false;
            }
            final long levelPrice = book.get(0).price;
            if (taker.isBuy() ? levelPrice > taker.price : levelPrice < taker.price)
            {
                return false;
            }
            final long[] before = aggregate(inst.id, opposite, levelPrice);
            boolean stop = false;
            for (final Ord maker : book)
            {
                if (maker.price != levelPrice || taker.leavesQty == 0)
                {
                    break;
                }
                if (maker.accountId == taker.accountId && taker.stp != SelfTradePrevention.NONE)
                {
                    stop = preventSelfTrade(taker, takerType, maker, time);
                    if (stop)
                    {
                        break;
                    }
                }
                else
                {
                    trade(inst, taker, takerType, maker, time);
                }
            }
            final long[] after = aggregate(inst.id, opposite, levelPrice);
            if (before[0] != after[0] || before[1] != after[1])
            {
                bookUpdate(inst, opposite, levelPrice, time);
            }
            if (stop)
            {
                return true;
            }
        }
        return false;
    }

    private void trade(final Inst inst, final Ord taker, final OrdType takerType, final Ord maker, final long time)
    {
        final long qty = Math.min(taker.leavesQty, maker.leavesQty);
        final long price = maker.price;
        final long tradeId = nextTradeId++;
        taker.leavesQty -= qty;
        taker.cumQty += qty;
        maker.leavesQty -= qty;
        maker.cumQty += qty;

        final Acct buyer = accounts.get(taker.isBuy() ? taker.accountId : maker.accountId);
        final Acct seller = accounts.get(taker.isBuy() ? maker.accountId : taker.accountId);
        final long notional = Math.multiplyExact(price, qty);
        buyer.total.merge(inst.quote, -notional, Math::addExact);
        buyer.total.merge(inst.base, qty, Math::addExact);
        seller.total.merge(inst.base, -qty, Math::addExact);
        seller.total.merge(inst.quote, notional, Math::addExact);
        inst.reference = price;

        out.add(new Trade(inst.id, ++inst.mdSeqNo, tradeId, price, qty, taker.side, time));
        exec(taker, takerType, ExecType.TRADE, taker.status(), RejectReason.NONE, taker.clOrdId, 0, price, qty, tradeId, time);
        exec(maker, OrdType.LIMIT, ExecType.TRADE, maker.status(), RejectReason.NONE, maker.clOrdId, 0, price, qty, tradeId, time);
        if (maker.leavesQty == 0)
        {
            resting.remove(maker);
            finished(maker, OrdStatus.FILLED);
        }
    }

    private boolean preventSelfTrade(final Ord taker, final OrdType takerType, final Ord maker, final long time)
    {
        switch (taker.stp)
        {
            case CANCEL_TAKER:
                return true;
            case CANCEL_MAKER:
                cancelMaker(maker, time);
                return false;
            case CANCEL_BOTH:
                cancelMaker(maker, time);
                return true;
            default:
                final long qty = Math.min(taker.leavesQty, maker.leavesQty);
                taker.quantity -= qty;
                taker.leavesQty -= qty;
                maker.quantity -= qty;
                maker.leavesQty -= qty;
                if (maker.leavesQty == 0)
                {
                    cancelMaker(maker, time);
                }
                else
                {
                    exec(maker, OrdType.LIMIT, ExecType.RESTATED, maker.status(), RejectReason.SELF_TRADE_PREVENTED,
                        maker.clOrdId, 0, 0, 0, 0, time);
                }
                if (taker.leavesQty == 0)
                {
                    return true;
                }
                exec(taker, takerType, ExecType.RESTATED, taker.status(), RejectReason.SELF_TRADE_PREVENTED, taker.clOrdId,
                    0, 0, 0, 0, time);
                return false;
        }
    }

    private void cancelMaker(final Ord maker, final long time)
    {
        resting.remove(maker);
        exec(maker, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.SELF_TRADE_PREVENTED, maker.clOrdId, 0,
            0, 0, 0, time);
        finished(maker, OrdStatus.CANCELED);
    }

    /**
     * Would matching fill this fill-or-kill order completely, right now? Walks the book as
     * matching would.
     */
    private boolean fillableNow(final Inst inst, final Ord taker)
    {
        long needed = taker.quantity;
        for (final Ord maker : side(inst.id, taker.isBuy() ? Side.SELL : Side.BUY))
        {
            if (taker.isBuy() ? maker.price > taker.price : maker.price < taker.price)
            {
                return false;
            }
            if (maker.accountId == taker.accountId && taker.stp != SelfTradePrevention.NONE)
            {
                if (taker.stp == SelfTradePrevention.CANCEL_MAKER)
                {
                    continue;
                }
                return false;
            }
            needed -= maker.leavesQty;
            if (needed <= 0)
            {
                return true;
            }
        }
        return false;
    }

    private Ord locate(final Acct acct, final long orderId, final long origClOrdId, final int instrumentId, final long time)
    {
        Ord o = null;
        if (orderId != 0)
        {
            o = live(orderId);
        }
        else
        {
            o = liveByClOrdId(acct, origClOrdId);
            final WindowEntry e = o == null ? find(acct, origClOrdId, time) : null;
            if (e != null && e.orderId != 0)
            {
                o = live(e.orderId);
            }
        }
        if (o == null || o.accountId != acct.id || (instrumentId != 0 && instrumentId != o.instrumentId))
        {
            return null;
        }
        return o;
    }

    private RejectReason validate(
        final Inst inst, final Side side, final OrdType ordType, final TimeInForce tif, final boolean postOnly,
        final SelfTradePrevention stp, final long price, final long quantity, final long expireTime, final long time)
    {
        if (inst == null)
        {
            return RejectReason.UNKNOWN_INSTRUMENT;
        }
        if (side != Side.BUY && side != Side.SELL)
        {
            return RejectReason.INVALID_SIDE;
        }
        if (ordType != OrdType.LIMIT && ordType != OrdType.MARKET)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (tif == TimeInForce.NULL_VAL ||
            (ordType == OrdType.MARKET && tif != TimeInForce.IOC && tif != TimeInForce.FOK) ||
            (postOnly && tif != TimeInForce.GTC && tif != TimeInForce.GTD))
        {
            return RejectReason.INVALID_TIME_IN_FORCE;
        }
        if (postOnly && ordType != OrdType.LIMIT)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (stp == SelfTradePrevention.NULL_VAL)
        {
            return RejectReason.INVALID_SELF_TRADE_PREVENTION;
        }
        if (quantity <= 0 || quantity % inst.lot != 0)
        {
            return RejectReason.INVALID_QUANTITY;
        }
        if (!validPrice(inst, price))
        {
            return RejectReason.INVALID_PRICE;
        }
        if (tif == TimeInForce.GTD && expireTime <= time)
        {
            return RejectReason.INVALID_EXPIRE_TIME;
        }
        if (inst.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }
        if (ordType == OrdType.LIMIT && outsideBand(inst, price))
        {
            return RejectReason.PRICE_OUTSIDE_BAND;
        }
        return RejectReason.NONE;
    }

    private RejectReason funds(
        final Acct acct, final Inst inst, final boolean buy, final long price, final long quantity, final long held)
    {
        if (buy)
        {
            final BigInteger notional = BigInteger.valueOf(price).multiply(BigInteger.valueOf(quantity));
            if (notional.bitLength() > 63)
            {
                return RejectReason.NOTIONAL_OVERFLOW;
            }
            return notional.longValueExact() - held > available(acct, inst.quote) ?
                RejectReason.INSUFFICIENT_FUNDS : RejectReason.NONE;
        }
        return quantity - held > available(acct, inst.base) ? RejectReason.INSUFFICIENT_POSITION : RejectReason.NONE;
    }

    private boolean crosses(final Inst inst, final boolean buy, final long price)
    {
        final List<Ord> opposite = side(inst.id, buy ? Side.SELL : Side.BUY);
        return !opposite.isEmpty() && (buy ? price >= opposite.get(0).price : price <= opposite.get(0).price);
    }

    private static boolean validPrice(final Inst inst, final long price)
    {
        return price > 0 && price <= MAX_PRICE && price % inst.tick == 0;
    }

    /**
     * Outside reference × (1 ± band), compared exactly.
     */
    private static boolean outsideBand(final Inst inst, final long price)
    {
        if (inst.bandBps == 0)
        {
            return false;
        }
        final BigInteger scaledPrice = BigInteger.valueOf(price).multiply(BigInteger.valueOf(MAX_BPS));
        final BigInteger reference = BigInteger.valueOf(inst.reference);
        final BigInteger high = reference.multiply(BigInteger.valueOf(MAX_BPS + inst.bandBps));
        final BigInteger low = reference.multiply(BigInteger.valueOf(MAX_BPS - inst.bandBps));
        return scaledPrice.compareTo(high) > 0 || scaledPrice.compareTo(low) < 0;
    }

    /**
     * The furthest tick a market order may trade at: the last tick within reference × (1 ± protection),
     * never below one tick; no configured protection means 100 %.
     */
    private static long protectionLimit(final Inst inst, final boolean buy)
    {
        final int bps = inst.protectionBps > 0 ? inst.protectionBps : MAX_BPS;
        final BigInteger denominator = BigInteger.valueOf(MAX_BPS).multiply(BigInteger.valueOf(inst.tick));
        final BigInteger tick = BigInteger.valueOf(inst.tick);
        if (buy)
        {
            final BigInteger numerator = BigInteger.valueOf(inst.reference).multiply(BigInteger.valueOf(MAX_BPS + bps));
            return numerator.divide(denominator).multiply(tick).longValueExact();
        }
        final BigInteger numerator = BigInteger.valueOf(inst.reference).multiply(BigInteger.valueOf(MAX_BPS - bps));
        final BigInteger[] qr = numerator.divideAndRemainder(denominator);
        final BigInteger ticks = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
        return Math.max(inst.tick, ticks.multiply(tick).longValueExact());
    }
}
