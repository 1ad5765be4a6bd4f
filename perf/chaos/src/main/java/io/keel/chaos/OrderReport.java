package io.keel.chaos;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;

/**
 * One execution report as a client received it, in the words of the report: what the history checker replays.
 */
record OrderReport(
    long seqNo,
    ExecType execType,
    OrdStatus ordStatus,
    long orderId,
    long execId,
    long leavesQty,
    long cumQty,
    long lastQty,
    long lastPrice)
{
    /**
     * NEW, TRADE, CANCELED, EXPIRED, REJECTED, REPLACED, RESTATED: the engine changed the order. ORDER_STATUS only
     * tells its state.
     */
    boolean isTransition()
    {
        return execType != ExecType.ORDER_STATUS;
    }

    public String toString()
    {
        return execType + " status=" + ordStatus + " leaves=" + leavesQty + " cum=" + cumQty +
            (execType == ExecType.TRADE ? " last=" + lastQty + "@" + lastPrice + " execId=" + execId : "") +
            " (seqNo " + seqNo + ")";
    }
}
