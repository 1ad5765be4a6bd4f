package io.keel.engine;

import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * A read-only view of one order as an execution report states it, so a listener can encode the
 * report straight from the engine's own order with no copy in between. The identity and
 * quantities are read from the order itself; what the report adds (the session told, the clOrdId
 * it answers, the previous clOrdId, the order type and the status) is set by the engine for the
 * call. Reused: valid only during the listener call that passes it, and never kept.
 */
public final class OrderView
{
    private Order order;
    private long sessionId;
    private long seqNo;
    private long clOrdId;
    private long origClOrdId;
    private OrdType ordType;
    private OrdStatus ordStatus;

    OrderView wrap(
        final Order order,
        final long sessionId,
        final long seqNo,
        final long clOrdId,
        final long origClOrdId,
        final OrdType ordType,
        final OrdStatus ordStatus)
    {
        this.order = order;
        this.sessionId = sessionId;
        this.seqNo = seqNo;
        this.clOrdId = clOrdId;
        this.origClOrdId = origClOrdId;
        this.ordType = ordType;
        this.ordStatus = ordStatus;
        return this;
    }

    /**
     * The client session the report goes to: the owner, or whoever asked (a cancel, a repeated clOrdId).
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * The engine's number for this report in the session's reports, from 1; 0 when the engine keeps no such
     * session, and in an account status page's order list.
     */
    public long seqNo()
    {
        return seqNo;
    }

    public long accountId()
    {
        return order.accountId;
    }

    /**
     * 0 for a request refused before it became an order.
     */
    public long orderId()
    {
        return order.orderId;
    }

    /**
     * The clOrdId of the request this report answers.
     */
    public long clOrdId()
    {
        return clOrdId;
    }

    /**
     * The clOrdId a cancel or replace named (the order's before the request), else 0.
     */
    public long origClOrdId()
    {
        return origClOrdId;
    }

    public int instrumentId()
    {
        return order.instrumentId;
    }

    public Side side()
    {
        return order.side;
    }

    public OrdType ordType()
    {
        return ordType;
    }

    public TimeInForce timeInForce()
    {
        return order.timeInForce;
    }

    public OrdStatus ordStatus()
    {
        return ordStatus;
    }

    public long price()
    {
        return order.price;
    }

    public long quantity()
    {
        return order.quantity;
    }

    /**
     * As in FIX, a canceled or expired order leaves nothing open, whatever it did not trade.
     */
    public long leavesQty()
    {
        return ordStatus == OrdStatus.CANCELED || ordStatus == OrdStatus.EXPIRED ? 0 : order.leavesQty;
    }

    public long cumQty()
    {
        return order.cumQty;
    }

    /**
     * A GTD order's expiry in cluster time, else 0.
     */
    public long expireTime()
    {
        return order.expireTime;
    }

    public String toString()
    {
        return "OrderView{" + ordStatus + " order=" + orderId() + " clOrdId=" + clOrdId + " orig=" + origClOrdId +
            " acct=" + accountId() + " sess=" + sessionId + " inst=" + instrumentId() + " " + side() + " " + ordType +
            " " + timeInForce() + " px=" + price() + " qty=" + quantity() + " leaves=" + leavesQty() + " cum=" + cumQty() +
            "}";
    }
}
