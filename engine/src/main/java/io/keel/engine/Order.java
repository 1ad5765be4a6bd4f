package io.keel.engine;

import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * A resting or in-flight order. Pooled: links into its price level intrusively, so resting
 * and removing an order allocates nothing.
 */
final class Order
{
    long orderId;
    long clOrdId;
    long accountId;
    long sessionId;
    int instrumentId;
    Side side;
    TimeInForce timeInForce;
    boolean postOnly;
    SelfTradePrevention selfTradePrevention;
    long price;
    long quantity;
    long leavesQty;
    long cumQty;
    /** Amount still reserved for this order: quote for a buy, base for a sell. */
    long reserved;
    long expireTime;

    Account account;
    Instrument instrument;
    /** Row of this order's current clOrdId in the engine's window, or -1. */
    int windowRow;
    PriceLevel level;
    Order prev;
    Order next;

    boolean isBuy()
    {
        return side == Side.BUY;
    }

    void reset()
    {
        orderId = 0;
        clOrdId = 0;
        accountId = 0;
        sessionId = 0;
        instrumentId = 0;
        side = null;
        timeInForce = null;
        postOnly = false;
        selfTradePrevention = null;
        price = 0;
        quantity = 0;
        leavesQty = 0;
        cumQty = 0;
        reserved = 0;
        expireTime = 0;
        account = null;
        instrument = null;
        windowRow = -1;
        level = null;
        prev = null;
        next = null;
    }
}
