package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;

/**
 * Price-time matching of one aggressive order against the opposite side, with settlement of
 * both accounts and self-trade prevention. The taker's reservation is already in place.
 */
final class Matcher
{
    private final OrderLifecycle lifecycle;
    private final EventEmitter emitter;
    long nextTradeId = 1;

    Matcher(final OrderLifecycle lifecycle, final EventEmitter emitter)
    {
        this.lifecycle = lifecycle;
        this.emitter = emitter;
    }

    /**
     * Match until the taker is filled, the book no longer crosses, or self-trade prevention
     * stops the taker.
     *
     * @return true when self-trade prevention ended the taker (its remainder must be cancelled).
     */
    boolean match(final Instrument instrument, final Order taker, final OrdType takerType, final long time)
    {
        final BookSide book = instrument.opposite(taker.side);
        final boolean buy = taker.isBuy();
        boolean stopTaker = false;
        while (taker.leavesQty > 0 && !stopTaker)
        {
            final PriceLevel level = book.best();
            if (level == null || (buy ? level.price > taker.price : level.price < taker.price))
            {
                break;
            }

            final long quantityBefore = level.quantity;
            final int countBefore = level.orderCount;
            Order maker = level.head;
            while (maker != null && taker.leavesQty > 0)
            {
                final Order next = maker.next;
                if (maker.accountId == taker.accountId && taker.selfTradePrevention != SelfTradePrevention.NONE)
                {
                    stopTaker = preventSelfTrade(instrument, level, taker, takerType, maker, time);
                    if (stopTaker)
                    {
                        break;
                    }
                }
                else
                {
                    trade(instrument, level, taker, takerType, maker, time);
                }
                maker = next;
            }

            if (level.quantity != quantityBefore || level.orderCount != countBefore)
            {
                emitter.bookUpdate(instrument, book.side, level, time);
            }
            if (level.isEmpty())
            {
                book.removeLevel(level);
            }
        }
        return stopTaker;
    }

    private void trade(
        final Instrument instrument,
        final PriceLevel level,
        final Order taker,
        final OrdType takerType,
        final Order maker,
        final long time)
    {
        final long qty = Math.min(taker.leavesQty, maker.leavesQty);
        final long price = maker.price;
        final long tradeId = nextTradeId++;

        maker.leavesQty -= qty;
        maker.cumQty += qty;
        level.quantity -= qty;
        taker.leavesQty -= qty;
        taker.cumQty += qty;

        final Order buyer = taker.isBuy() ? taker : maker;
        final Order seller = taker.isBuy() ? maker : taker;
        settle(instrument, buyer, seller, price, qty);
        instrument.referencePrice = price;

        emitter.trade(instrument, tradeId, price, qty, taker.side, time);
        emitter.fill(taker, takerType, price, qty, tradeId, time);
        emitter.fill(maker, OrdType.LIMIT, price, qty, tradeId, time);

        if (maker.leavesQty == 0)
        {
            level.remove(maker);
            lifecycle.finish(maker);
        }
    }

    /**
     * Buyer pays price × qty out of its reservation (made at its own limit price, so the
     * difference is released) and receives the base; the seller the reverse.
     */
    private static void settle(final Instrument instrument, final Order buyer, final Order seller, final long price, final long qty)
    {
        final int base = instrument.baseAssetId;
        final int quote = instrument.quoteAssetId;
        final long notional = price * qty;
        final long buyerRelease = buyer.price * qty;

        final Account buyerAccount = buyer.account;
        buyer.reserved -= buyerRelease;
        buyerAccount.balances[(quote << 1) + 1] -= buyerRelease;
        buyerAccount.balances[quote << 1] -= notional;
        buyerAccount.balances[base << 1] += qty;

        final Account sellerAccount = seller.account;
        seller.reserved -= qty;
        sellerAccount.balances[(base << 1) + 1] -= qty;
        sellerAccount.balances[base << 1] -= qty;
        sellerAccount.balances[quote << 1] += notional;
    }

    /**
     * @return true when the taker must stop.
     */
    private boolean preventSelfTrade(
        final Instrument instrument,
        final PriceLevel level,
        final Order taker,
        final OrdType takerType,
        final Order maker,
        final long time)
    {
        switch (taker.selfTradePrevention)
        {
            case CANCEL_TAKER:
                return true;

            case CANCEL_MAKER:
                cancelMaker(level, maker, time);
                return false;

            case CANCEL_BOTH:
                cancelMaker(level, maker, time);
                return true;

            case DECREMENT_AND_CANCEL:
            default:
                final long qty = Math.min(taker.leavesQty, maker.leavesQty);
                decrement(instrument, taker, qty);
                decrement(instrument, maker, qty);
                level.quantity -= qty;
                if (maker.leavesQty == 0)
                {
                    level.remove(maker);
                    emitter.orderReport(
                        maker, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.SELF_TRADE_PREVENTED,
                        maker.clOrdId, 0, time);
                    lifecycle.finishCanceled(maker);
                }
                else
                {
                    emitter.orderReport(maker, OrdType.LIMIT, ExecType.RESTATED, RejectReason.SELF_TRADE_PREVENTED, time);
                }
                if (taker.leavesQty == 0)
                {
                    return true;
                }
                emitter.orderReport(taker, takerType, ExecType.RESTATED, RejectReason.SELF_TRADE_PREVENTED, time);
                return false;
        }
    }

    private void cancelMaker(final PriceLevel level, final Order maker, final long time)
    {
        level.remove(maker);
        emitter.orderReport(
            maker, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.SELF_TRADE_PREVENTED, maker.clOrdId,
            0, time);
        lifecycle.finishCanceled(maker);
    }

    /**
     * Shrink an order's quantity without a trade, releasing its reservation for that part.
     */
    private static void decrement(final Instrument instrument, final Order order, final long qty)
    {
        order.leavesQty -= qty;
        order.quantity -= qty;
        final Account account = order.account;
        if (order.isBuy())
        {
            final long release = order.price * qty;
            order.reserved -= release;
            account.balances[(instrument.quoteAssetId << 1) + 1] -= release;
        }
        else
        {
            order.reserved -= qty;
            account.balances[(instrument.baseAssetId << 1) + 1] -= qty;
        }
    }

    /**
     * Whether a fill-or-kill order can fill completely right now, counting self-trade prevention
     * the way {@link #match} would apply it.
     */
    boolean canFillCompletely(final Instrument instrument, final Order taker)
    {
        final BookSide book = instrument.opposite(taker.side);
        final boolean buy = taker.isBuy();
        final SelfTradePrevention stp = taker.selfTradePrevention;
        long needed = taker.leavesQty;
        for (int depth = 0, levels = book.levelCount(); depth < levels; depth++)
        {
            final PriceLevel level = book.level(depth);
            if (buy ? level.price > taker.price : level.price < taker.price)
            {
                return false;
            }
            if (stp == SelfTradePrevention.NONE && level.quantity < needed)
            {
                needed -= level.quantity;
                continue;
            }
            for (Order maker = level.head; maker != null; maker = maker.next)
            {
                if (maker.accountId == taker.accountId && stp != SelfTradePrevention.NONE)
                {
                    if (stp != SelfTradePrevention.CANCEL_MAKER)
                    {
                        return false;
                    }
                    continue;
                }
                needed -= maker.leavesQty;
                if (needed <= 0)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
