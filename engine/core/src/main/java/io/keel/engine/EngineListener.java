package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionState;
import io.keel.codecs.Side;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;

/**
 * Everything the engine emits, in the order it happens, narrow enough to encode straight into an
 * outgoing message: an execution report is the engine's own order, read through an
 * {@link OrderView}, plus the few values the event adds. Implementations must not call back into
 * the engine, and must not keep the view: it is reused, valid only during the call.
 */
public interface EngineListener
{
    /**
     * An order's life other than fills: NEW, CANCELED, REPLACED, REJECTED, EXPIRED, RESTATED,
     * ORDER_STATUS. lastPrice, lastQty and tradeId of such a report are 0.
     *
     * @param execId numbered by the engine, one per execution report of either kind.
     */
    void onExecutionReport(OrderView order, ExecType execType, RejectReason reason, long execId, long time);

    /**
     * One side of a fill (execType TRADE, no reject reason): the taker's report, then the maker's.
     */
    void onFill(OrderView order, long execId, long lastPrice, long lastQty, long tradeId, long time);

    /**
     * A cancel or replace request that could not be applied; the order is unchanged.
     *
     * @param seqNo the engine's number for this report in the session's reports (0 for a session it does not keep).
     */
    void onCancelReject(
        long sessionId,
        long seqNo,
        long accountId,
        long clOrdId,
        long origClOrdId,
        long orderId,
        int instrumentId,
        CancelRejectResponseTo responseTo,
        RejectReason reason,
        long time);

    /**
     * The outcome of a mass cancel; the CANCELED reports for each order come before it.
     */
    void onMassCancelReport(
        long sessionId,
        long seqNo,
        long accountId,
        long clOrdId,
        MassCancelScope scope,
        int instrumentId,
        int canceledCount,
        RejectReason reason,
        long time);

    /**
     * A session was opened at a gateway, taken from it by a logon elsewhere (EVICTED), or a gateway's request about
     * a session was refused. Goes to the gateway behind {@code gatewayLink} only; not a report of the session (no
     * seqNo of its own): {@code nextSeqNo} is the seqNo its next report will get.
     *
     * Not a default method: a listener that wraps another must pass it on, or sessions stop working.
     *
     * @param gatewayId the gateway that serves the session now (for EVICTED: the one it moved to).
     */
    void onSessionStatus(
        long gatewayLink,
        long sessionId,
        long accountId,
        int gatewayId,
        SessionState state,
        RejectReason reason,
        long nextSeqNo,
        long time);

    /**
     * Public trade print.
     */
    void onTrade(int instrumentId, long mdSeqNo, long tradeId, long price, long quantity, Side aggressorSide, long time);

    /**
     * New aggregate of one price level; quantity 0 means the level is gone.
     */
    void onBookUpdate(int instrumentId, long mdSeqNo, Side side, long price, long quantity, int orderCount, long time);

    /**
     * Result of an admin command; {@link RejectReason#NONE} means it was applied.
     */
    void onAdminResponse(long correlationId, int refTemplateId, RejectReason result, long time);

    /**
     * The limits in force after an admin's SetLimits (or its refusal: {@code result} is not NONE and nothing changed),
     * to the admin that sent it. A listener that wraps another must pass it on: it is an output like any other.
     */
    default void onLimits(long correlationId, RejectReason result, EngineLimits limits, long time)
    {
    }

    /**
     * One page of a book snapshot begins: {@code levelCount} levels follow, at most
     * {@link Engine#BOOK_SNAPSHOT_PAGE_LEVELS}. Across pages 1 to {@code pageCount} the levels run bids best first,
     * then asks best first; every page carries the same mdSeqNo, and the pages of one snapshot come one after
     * another with nothing between them. An empty book is one empty page. Asked for through the log
     * (MarketDataRequest), so every node emits the same.
     */
    default void onBookSnapshotBegin(int instrumentId, long mdSeqNo, int pageNo, int pageCount, int levelCount, long time)
    {
    }

    default void onBookSnapshotLevel(Side side, long price, long quantity, int orderCount)
    {
    }

    /**
     * The page begun last is complete.
     */
    default void onBookSnapshotEnd(int instrumentId)
    {
    }

    /**
     * One page of an account's status begins: {@code balanceCount} balances follow, then {@code orderCount}
     * orders. Asked for through the log (AccountRequest); sessionId 0 means an admin asked.
     */
    default void onAccountStatusBegin(AccountPage page, long time)
    {
    }

    default void onAccountBalance(int assetId, long available, long reserved)
    {
    }

    /**
     * One open order of the account, in canonical order (instrument, bids then asks, book priority).
     */
    default void onAccountOrder(OrderView order)
    {
    }

    default void onAccountStatusEnd(long sessionId, long requestId)
    {
    }

    /**
     * The outcome of a transfer step or query ({@link Engine#transfer}), to the admin that sent it, and what this
     * engine holds under the id now (state NONE: nothing; then the fields are the request's).
     */
    default void onTransferStatus(
        long correlationId,
        long transferId,
        TransferStep step,
        RejectReason result,
        TransferState state,
        long accountId,
        int assetId,
        long amount,
        int fromSegment,
        int toSegment,
        int pendingCount,
        long time)
    {
    }

    /**
     * A page of the pending transfers (a LIST's answer) begins: {@code count} entries follow, by id.
     *
     * @param nextTransferId where the next page starts (ask again from it), 0 when this is the last page.
     */
    default void onTransferListBegin(
        long correlationId, RejectReason result, int pendingCount, long nextTransferId, int count, long time)
    {
    }

    default void onTransferListEntry(
        long transferId, long accountId, int assetId, long amount, int fromSegment, int toSegment)
    {
    }

    default void onTransferListEnd(long correlationId)
    {
    }
}
