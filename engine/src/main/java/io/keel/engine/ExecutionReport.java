package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * A reused, mutable view of one execution report. Valid only during
 * {@link EngineListener#onExecutionReport(ExecutionReport)}.
 */
public final class ExecutionReport
{
    long sessionId;
    long accountId;
    long orderId;
    long clOrdId;
    long origClOrdId;
    long execId;
    int instrumentId;
    ExecType execType;
    OrdStatus ordStatus;
    Side side;
    OrdType ordType;
    TimeInForce timeInForce;
    RejectReason rejectReason;
    long price;
    long quantity;
    long leavesQty;
    long cumQty;
    long lastPrice;
    long lastQty;
    long tradeId;
    long time;

    public long sessionId()
    {
        return sessionId;
    }

    public long accountId()
    {
        return accountId;
    }

    public long orderId()
    {
        return orderId;
    }

    public long clOrdId()
    {
        return clOrdId;
    }

    public long origClOrdId()
    {
        return origClOrdId;
    }

    public long execId()
    {
        return execId;
    }

    public int instrumentId()
    {
        return instrumentId;
    }

    public ExecType execType()
    {
        return execType;
    }

    public OrdStatus ordStatus()
    {
        return ordStatus;
    }

    public Side side()
    {
        return side;
    }

    public OrdType ordType()
    {
        return ordType;
    }

    public TimeInForce timeInForce()
    {
        return timeInForce;
    }

    public RejectReason rejectReason()
    {
        return rejectReason;
    }

    public long price()
    {
        return price;
    }

    public long quantity()
    {
        return quantity;
    }

    public long leavesQty()
    {
        return leavesQty;
    }

    public long cumQty()
    {
        return cumQty;
    }

    public long lastPrice()
    {
        return lastPrice;
    }

    public long lastQty()
    {
        return lastQty;
    }

    public long tradeId()
    {
        return tradeId;
    }

    public long time()
    {
        return time;
    }

    public String toString()
    {
        return "ExecutionReport{" +
            "execType=" + execType +
            ", ordStatus=" + ordStatus +
            ", orderId=" + orderId +
            ", clOrdId=" + clOrdId +
            ", origClOrdId=" + origClOrdId +
            ", accountId=" + accountId +
            ", sessionId=" + sessionId +
            ", instrumentId=" + instrumentId +
            ", side=" + side +
            ", ordType=" + ordType +
            ", tif=" + timeInForce +
            ", reason=" + rejectReason +
            ", price=" + price +
            ", qty=" + quantity +
            ", leaves=" + leavesQty +
            ", cum=" + cumQty +
            ", lastPx=" + lastPrice +
            ", lastQty=" + lastQty +
            ", tradeId=" + tradeId +
            ", execId=" + execId +
            ", time=" + time +
            '}';
    }
}
