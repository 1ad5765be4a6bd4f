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
    /** Place in the {@link ExpiryQueue}, or {@link ExpiryQueue#NOT_QUEUED}. */
    int expiryIndex = ExpiryQueue.NOT_QUEUED;

    Account account;
    Instrument instrument;
    /** Sequence of the record of this order's latest request in the clOrdId window, or -1. */
    long recordSeq;
    PriceLevel level;
    Order prev;
    Order next;

    boolean isBuy()
    {
        return side == Side.BUY;
    }
}
