package io.keel.chaos;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import io.keel.engine.AccountPage;
import io.keel.engine.EngineListener;
import io.keel.engine.OrderView;

import java.util.function.UnaryOperator;

/**
 * A deliberately faulty engine for the chaos run that must fail: its state is right, but some of its reports never
 * leave it — every TRADE report whose execId is a multiple of {@link #FILL_EVERY}, every CANCELED one whose execId is
 * a multiple of {@link #CANCEL_EVERY}. Decided by execId, so every node and every replay drops the same ones and the
 * nodes still agree with each other. Started in the node processes by class name
 * ({@code keel node --test-engine-listener}).
 */
public final class DropSomeReports implements UnaryOperator<EngineListener>
{
    static final long FILL_EVERY = 29;
    /** Fewer CANCELED reports than fills in a short run: a tighter step, so some are surely dropped. */
    static final long CANCEL_EVERY = 13;

    public EngineListener apply(final EngineListener next)
    {
        return new Dropping(next);
    }

    private static final class Dropping implements EngineListener
    {
        private final EngineListener next;

        Dropping(final EngineListener next)
        {
            this.next = next;
        }

        public void onExecutionReport(
            final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
        {
            if (execType != ExecType.CANCELED || execId % CANCEL_EVERY != 0)
            {
                next.onExecutionReport(order, execType, reason, execId, time);
            }
        }

        public void onFill(
            final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId,
            final long time)
        {
            if (execId % FILL_EVERY != 0)
            {
                next.onFill(order, execId, lastPrice, lastQty, tradeId, time);
            }
        }

        public void onCancelReject(
            final long sessionId,
            final long seqNo,
            final long accountId,
            final long clOrdId,
            final long origClOrdId,
            final long orderId,
            final int instrumentId,
            final CancelRejectResponseTo responseTo,
            final RejectReason reason,
            final long time)
        {
            next.onCancelReject(sessionId, seqNo, accountId, clOrdId, origClOrdId, orderId, instrumentId, responseTo, reason, time);
        }

        public void onMassCancelReport(
            final long sessionId,
            final long seqNo,
            final long accountId,
            final long clOrdId,
            final MassCancelScope scope,
            final int instrumentId,
            final int canceledCount,
            final RejectReason reason,
            final long time)
        {
            next.onMassCancelReport(sessionId, seqNo, accountId, clOrdId, scope, instrumentId, canceledCount, reason, time);
        }

        public void onSessionStatus(
            final long gatewayLink,
            final long sessionId,
            final long accountId,
            final int gatewayId,
            final io.keel.codecs.SessionState state,
            final RejectReason reason,
            final long nextSeqNo,
            final long time)
        {
            next.onSessionStatus(gatewayLink, sessionId, accountId, gatewayId, state, reason, nextSeqNo, time);
        }

        public void onTrade(
            final int instrumentId, final long mdSeqNo, final long tradeId, final long price, final long quantity,
            final Side aggressorSide, final long time)
        {
            next.onTrade(instrumentId, mdSeqNo, tradeId, price, quantity, aggressorSide, time);
        }

        public void onBookUpdate(
            final int instrumentId, final long mdSeqNo, final Side side, final long price, final long quantity,
            final int orderCount, final long time)
        {
            next.onBookUpdate(instrumentId, mdSeqNo, side, price, quantity, orderCount, time);
        }

        public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
        {
            next.onAdminResponse(correlationId, refTemplateId, result, time);
        }

        public void onBookSnapshotBegin(
            final int instrumentId, final long mdSeqNo, final int pageNo, final int pageCount, final int levelCount,
            final long time)
        {
            next.onBookSnapshotBegin(instrumentId, mdSeqNo, pageNo, pageCount, levelCount, time);
        }

        public void onBookSnapshotLevel(final Side side, final long price, final long quantity, final int orderCount)
        {
            next.onBookSnapshotLevel(side, price, quantity, orderCount);
        }

        public void onBookSnapshotEnd(final int instrumentId)
        {
            next.onBookSnapshotEnd(instrumentId);
        }

        public void onLimits(
            final long correlationId, final RejectReason result, final io.keel.engine.EngineLimits limits, final long time)
        {
            next.onLimits(correlationId, result, limits, time);
        }

        public void onAccountStatusBegin(final AccountPage page, final long time)
        {
            next.onAccountStatusBegin(page, time);
        }

        public void onAccountBalance(final int assetId, final long available, final long reserved)
        {
            next.onAccountBalance(assetId, available, reserved);
        }

        public void onAccountOrder(final OrderView order)
        {
            next.onAccountOrder(order);
        }

        public void onAccountStatusEnd(final long sessionId, final long requestId)
        {
            next.onAccountStatusEnd(sessionId, requestId);
        }

        // Transfers between segments: answered as usual (the fault is in execution reports only).
        public void onTransferStatus(
            final long correlationId,
            final long transferId,
            final TransferStep step,
            final RejectReason result,
            final TransferState state,
            final long accountId,
            final int assetId,
            final long amount,
            final int fromSegment,
            final int toSegment,
            final int pendingCount,
            final long time)
        {
            next.onTransferStatus(correlationId, transferId, step, result, state, accountId, assetId, amount,
                fromSegment, toSegment, pendingCount, time);
        }

        public void onTransferListBegin(
            final long correlationId, final RejectReason result, final int pendingCount, final long nextTransferId,
            final int count, final long time)
        {
            next.onTransferListBegin(correlationId, result, pendingCount, nextTransferId, count, time);
        }

        public void onTransferListEntry(
            final long transferId, final long accountId, final int assetId, final long amount, final int fromSegment,
            final int toSegment)
        {
            next.onTransferListEntry(transferId, accountId, assetId, amount, fromSegment, toSegment);
        }

        public void onTransferListEnd(final long correlationId)
        {
            next.onTransferListEnd(correlationId);
        }
    }
}
