package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * Immutable copies of everything an {@link EngineListener} receives. Records, so two event lists
 * compare with equals and print readably; the reference model builds the same records.
 */
final class Events
{
    private Events()
    {
    }

    sealed interface Event permits Exec, CancelReject, MassCancelReport, Trade, BookUpdate, AdminResponse
    {
    }

    record Exec(
        long sessionId,
        long accountId,
        long orderId,
        long clOrdId,
        long origClOrdId,
        long execId,
        int instrumentId,
        ExecType execType,
        OrdStatus ordStatus,
        Side side,
        OrdType ordType,
        TimeInForce timeInForce,
        RejectReason rejectReason,
        long price,
        long quantity,
        long leavesQty,
        long cumQty,
        long lastPrice,
        long lastQty,
        long tradeId,
        long time) implements Event
    {
        static Exec copyOf(
            final OrderView o,
            final ExecType execType,
            final RejectReason reason,
            final long execId,
            final long lastPrice,
            final long lastQty,
            final long tradeId,
            final long time)
        {
            return new Exec(
                o.sessionId(), o.accountId(), o.orderId(), o.clOrdId(), o.origClOrdId(), execId, o.instrumentId(),
                execType, o.ordStatus(), o.side(), o.ordType(), o.timeInForce(), reason, o.price(), o.quantity(),
                o.leavesQty(), o.cumQty(), lastPrice, lastQty, tradeId, time);
        }

        public String toString()
        {
            return "Exec{" + execType + "/" + ordStatus + " order=" + orderId + " clOrdId=" + clOrdId +
                " orig=" + origClOrdId + " acct=" + accountId + " sess=" + sessionId + " inst=" + instrumentId + " " +
                side + " " + ordType + " " + timeInForce + " reason=" + rejectReason + " px=" + price + " qty=" +
                quantity + " leaves=" + leavesQty + " cum=" + cumQty + " lastPx=" + lastPrice + " lastQty=" + lastQty +
                " trade=" + tradeId + " exec=" + execId + " t=" + time + "}";
        }
    }

    record CancelReject(
        long sessionId,
        long accountId,
        long clOrdId,
        long origClOrdId,
        long orderId,
        int instrumentId,
        CancelRejectResponseTo responseTo,
        RejectReason reason,
        long time) implements Event
    {
    }

    record MassCancelReport(
        long sessionId,
        long accountId,
        long clOrdId,
        MassCancelScope scope,
        int instrumentId,
        int canceledCount,
        RejectReason reason,
        long time) implements Event
    {
    }

    record Trade(int instrumentId, long mdSeqNo, long tradeId, long price, long quantity, Side aggressorSide, long time)
        implements Event
    {
    }

    record BookUpdate(int instrumentId, long mdSeqNo, Side side, long price, long quantity, int orderCount, long time)
        implements Event
    {
    }

    record AdminResponse(long correlationId, int refTemplateId, RejectReason result, long time) implements Event
    {
    }
}
