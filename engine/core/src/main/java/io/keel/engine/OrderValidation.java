package io.keel.engine;

import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Whether a new order or a replace may enter the book: the checks in the order their reject
 * reasons take precedence (a request with several faults is refused for the first). Pure
 * functions of the request and the state they are given.
 */
final class OrderValidation
{
    private OrderValidation()
    {
    }

    static RejectReason validateNewOrder(
        final Instrument instrument,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention selfTradePrevention,
        final long price,
        final long quantity,
        final long expireTime,
        final long time,
        final long gtdHorizon)
    {
        if (instrument == null)
        {
            return RejectReason.UNKNOWN_INSTRUMENT;
        }
        if (!isValidSide(side))
        {
            return RejectReason.INVALID_SIDE;
        }
        if (ordType != OrdType.LIMIT && ordType != OrdType.MARKET)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (timeInForce == null || timeInForce == TimeInForce.NULL_VAL ||
            (ordType == OrdType.MARKET && timeInForce != TimeInForce.IOC && timeInForce != TimeInForce.FOK) ||
            (postOnly && timeInForce != TimeInForce.GTC && timeInForce != TimeInForce.GTD))
        {
            return RejectReason.INVALID_TIME_IN_FORCE;
        }
        if (postOnly && ordType != OrdType.LIMIT)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (selfTradePrevention == null || selfTradePrevention == SelfTradePrevention.NULL_VAL)
        {
            return RejectReason.INVALID_SELF_TRADE_PREVENTION;
        }
        if (!isValidQuantity(instrument, quantity))
        {
            return RejectReason.INVALID_QUANTITY;
        }
        if (!isValidPrice(instrument, price))
        {
            return RejectReason.INVALID_PRICE;
        }
        // Both sides positive once expireTime > time: the difference cannot overflow.
        if (timeInForce == TimeInForce.GTD && (expireTime <= time || expireTime - time > gtdHorizon))
        {
            return RejectReason.INVALID_EXPIRE_TIME;
        }
        if (instrument.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }
        if (ordType == OrdType.LIMIT && instrument.isOutsideBand(price))
        {
            return RejectReason.PRICE_OUTSIDE_BAND;
        }
        return RejectReason.NONE;
    }

    /**
     * A replace of a live order to a new price and total quantity (funds and post-only checked after).
     */
    static RejectReason validateReplace(final Order order, final long price, final long quantity)
    {
        final Instrument instrument = order.instrument;
        if (instrument.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }
        if (!isValidPrice(instrument, price))
        {
            return RejectReason.INVALID_PRICE;
        }
        if (quantity <= order.cumQty || !isValidQuantity(instrument, quantity))
        {
            return RejectReason.INVALID_QUANTITY;
        }
        // Only a new price is checked: reducing an order the market moved away from stays possible.
        if (price != order.price && instrument.isOutsideBand(price))
        {
            return RejectReason.PRICE_OUTSIDE_BAND;
        }
        return RejectReason.NONE;
    }

    /**
     * Can the account reserve what an order of this size needs, counting what it already holds?
     */
    static RejectReason checkFunds(
        final Account account,
        final Instrument instrument,
        final Side side,
        final long price,
        final long leavesQty,
        final long alreadyReserved)
    {
        if (side == Side.BUY)
        {
            final long high = Math.multiplyHigh(price, leavesQty);
            final long notional = price * leavesQty;
            if (high != 0 || notional < 0)
            {
                return RejectReason.NOTIONAL_OVERFLOW;
            }
            return notional - alreadyReserved > account.available(instrument.quoteAssetId) ?
                RejectReason.INSUFFICIENT_FUNDS : RejectReason.NONE;
        }
        return leavesQty - alreadyReserved > account.available(instrument.baseAssetId) ?
            RejectReason.INSUFFICIENT_POSITION : RejectReason.NONE;
    }

    /**
     * Would a post-only order at this price take liquidity?
     */
    static boolean crosses(final Instrument instrument, final Side side, final long price)
    {
        final PriceLevel best = instrument.opposite(side).best();
        return best != null && (side == Side.BUY ? price >= best.price : price <= best.price);
    }

    /**
     * A market protection of 0 means 100 %.
     */
    static int marketProtectionBps(final Instrument instrument)
    {
        return instrument.marketProtectionBps > 0 ? instrument.marketProtectionBps : Engine.MAX_BPS;
    }

    static boolean isValidSide(final Side side)
    {
        return side == Side.BUY || side == Side.SELL;
    }

    static boolean isValidPrice(final Instrument instrument, final long price)
    {
        // Tick and lot of 1 are common: skip the division for them.
        return price > 0 && price <= Engine.MAX_PRICE && (instrument.tickSize == 1 || price % instrument.tickSize == 0);
    }

    static boolean isValidQuantity(final Instrument instrument, final long quantity)
    {
        return quantity > 0 && (instrument.lotSize == 1 || quantity % instrument.lotSize == 0);
    }
}
