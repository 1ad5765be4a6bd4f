package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionState;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;

/**
 * Tells the listener what happened, through one reused {@link OrderView} over the engine's own
 * order, and numbers executions, market data and each session's reports (its seqNo), so every
 * output carries ids drawn from engine state in log order.
 */
final class EventEmitter
{
    private final OrderView view = new OrderView();
    /** Stands in for the order a refused or finished request no longer has (never pooled). */
    private final Order detached = new Order();
    private EngineListener listener;
    private Sessions sessions;
    long nextExecId = 1;

    EventEmitter(final EngineListener listener)
    {
        this.listener = listener;
    }

    void listener(final EngineListener listener)
    {
        this.listener = listener;
    }

    EngineListener listener()
    {
        return listener;
    }

    void sessions(final Sessions sessions)
    {
        this.sessions = sessions;
    }

    private long seqNo(final long sessionId)
    {
        return sessions.takeSeqNo(sessionId);
    }

    static OrdStatus statusOf(final Order order)
    {
        if (order.leavesQty == 0 && order.cumQty > 0)
        {
            return OrdStatus.FILLED;
        }
        return order.cumQty == 0 ? OrdStatus.NEW : OrdStatus.PARTIALLY_FILLED;
    }

    /**
     * An execution report about a live order (any but TRADE: see {@link #fill}), to its owner.
     */
    void orderReport(
        final Order order,
        final OrdType ordType,
        final ExecType execType,
        final OrdStatus ordStatus,
        final RejectReason reason,
        final long clOrdId,
        final long origClOrdId,
        final long time)
    {
        listener.onExecutionReport(
            view.wrap(order, order.sessionId, seqNo(order.sessionId), clOrdId, origClOrdId, ordType, ordStatus),
            execType, reason, nextExecId++, time);
    }

    void orderReport(final Order order, final OrdType ordType, final ExecType execType, final RejectReason reason, final long time)
    {
        orderReport(order, ordType, execType, statusOf(order), reason, order.clOrdId, 0, time);
    }

    /**
     * One side of a fill: the TRADE report of this order.
     */
    void fill(final Order order, final OrdType ordType, final long lastPrice, final long lastQty, final long tradeId, final long time)
    {
        listener.onFill(
            view.wrap(order, order.sessionId, seqNo(order.sessionId), order.clOrdId, 0, ordType, statusOf(order)),
            nextExecId++, lastPrice, lastQty, tradeId, time);
    }

    /**
     * ORDER_STATUS of a live order, to whichever session asked.
     */
    void statusReport(final Order order, final OrdType ordType, final long clOrdId, final long sessionId, final long time)
    {
        listener.onExecutionReport(
            view.wrap(order, sessionId, seqNo(sessionId), clOrdId, 0, ordType, statusOf(order)), ExecType.ORDER_STATUS, RejectReason.NONE,
            nextExecId++, time);
    }

    /**
     * One open order in an account's status page (an AccountRequest's answer).
     */
    void accountOrder(final Order order)
    {
        listener.onAccountOrder(view.wrap(order, order.sessionId, 0, order.clOrdId, 0, OrdType.LIMIT, statusOf(order)));
    }

    /**
     * A report about no live order: a rejected request, or the recorded outcome of a finished one.
     * Told through a scratch order holding what the request or the record says (a cold path).
     */
    void detachedReport(
        final long sessionId,
        final long accountId,
        final long orderId,
        final long clOrdId,
        final int instrumentId,
        final ExecType execType,
        final OrdStatus ordStatus,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final RejectReason reason,
        final long price,
        final long quantity,
        final long cumQty,
        final long time)
    {
        final Order o = detached;
        o.accountId = accountId;
        o.orderId = orderId;
        o.clOrdId = clOrdId;
        o.sessionId = sessionId;
        o.instrumentId = instrumentId;
        o.side = side;
        o.timeInForce = timeInForce;
        o.price = price;
        o.quantity = quantity;
        o.leavesQty = 0;
        o.cumQty = cumQty;
        listener.onExecutionReport(
            view.wrap(o, sessionId, seqNo(sessionId), clOrdId, 0, ordType, ordStatus), execType, reason, nextExecId++, time);
    }

    void cancelReject(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final CancelRejectResponseTo responseTo,
        final RejectReason reason,
        final long time)
    {
        listener.onCancelReject(
            sessionId, seqNo(sessionId), accountId, clOrdId, origClOrdId, orderId, instrumentId, responseTo, reason, time);
    }

    void massCancelReport(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final MassCancelScope scope,
        final int instrumentId,
        final int count,
        final RejectReason reason,
        final long time)
    {
        listener.onMassCancelReport(
            sessionId, seqNo(sessionId), accountId, clOrdId, scope, instrumentId, count, reason, time);
    }

    void trade(final Instrument instrument, final long tradeId, final long price, final long qty, final Side aggressor, final long time)
    {
        listener.onTrade(instrument.instrumentId, ++instrument.mdSeqNo, tradeId, price, qty, aggressor, time);
    }

    /**
     * The whole aggregated book of an instrument, at its current mdSeqNo (one empty page, mdSeqNo 0, for an
     * unknown instrument), in pages of at most {@link Engine#BOOK_SNAPSHOT_PAGE_LEVELS} levels: the page count
     * depends only on the book, so every node pages alike and no page can outgrow a message.
     */
    /**
     * See {@link Engine#bookSnapshot}: the book of one instrument, or of each (instrument 0), answered to the asker.
     */
    void marketDataRequest(final int instrumentId, final Instruments instruments, final long time)
    {
        if (instrumentId == 0)
        {
            for (int i = 0; i < instruments.count; i++)
            {
                final Instrument instrument = instruments.sorted[i];
                bookSnapshot(instrument.instrumentId, instrument, time);
            }
        }
        final Instrument instrument = instruments.get(instrumentId);
        if (instrument != null)
        {
            bookSnapshot(instrumentId, instrument, time);
            return;
        }
        adminResponse(instrumentId, io.keel.codecs.MarketDataRequestDecoder.TEMPLATE_ID,
            instrumentId == 0 ? RejectReason.NONE : RejectReason.UNKNOWN_INSTRUMENT, time);
    }

    /**
     * The limits in force after a SetLimits (or its refusal), to the admin that sent it.
     */
    void limits(final long correlationId, final RejectReason result, final EngineLimits limits, final long time)
    {
        listener.onLimits(correlationId, result, limits, time);
    }

    void bookSnapshot(final int instrumentId, final Instrument instrument, final long time)
    {
        final BookSide bids = instrument.bids;
        final BookSide asks = instrument.asks;
        final int bidCount = bids.levelCount();
        final int levelCount = bidCount + asks.levelCount();
        final int pageCount = Math.max(1, (levelCount + Engine.BOOK_SNAPSHOT_PAGE_LEVELS - 1) / Engine.BOOK_SNAPSHOT_PAGE_LEVELS);
        int next = 0;
        for (int pageNo = 1; pageNo <= pageCount; pageNo++)
        {
            final int pageEnd = Math.min(levelCount, next + Engine.BOOK_SNAPSHOT_PAGE_LEVELS);
            listener.onBookSnapshotBegin(instrumentId, instrument.mdSeqNo, pageNo, pageCount, pageEnd - next, time);
            for (; next < pageEnd; next++)
            {
                final BookSide book = next < bidCount ? bids : asks;
                final PriceLevel level = book.level(next < bidCount ? next : next - bidCount);
                listener.onBookSnapshotLevel(book.side, level.price, level.quantity, level.orderCount);
            }
            listener.onBookSnapshotEnd(instrumentId);
        }
    }

    void bookUpdate(final Instrument instrument, final Side side, final PriceLevel level, final long time)
    {
        listener.onBookUpdate(
            instrument.instrumentId, ++instrument.mdSeqNo, side, level.price, level.quantity, level.orderCount, time);
    }

    void sessionStatus(
        final long gatewayLink,
        final long sessionId,
        final long accountId,
        final int gatewayId,
        final SessionState state,
        final RejectReason reason,
        final long nextSeqNo,
        final long time)
    {
        listener.onSessionStatus(gatewayLink, sessionId, accountId, gatewayId, state, reason, nextSeqNo, time);
    }

    /**
     * The seqNo an account status page to this session gets (0 for an admin's).
     */
    long accountPageSeqNo(final long sessionId)
    {
        return seqNo(sessionId);
    }

    void adminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
    {
        listener.onAdminResponse(correlationId, refTemplateId, result, time);
    }

    /**
     * The answer to a transfer step or query: what the engine holds under the id (the request's fields if nothing).
     */
    void transferStatus(
        final long correlationId,
        final long transferId,
        final TransferStep step,
        final RejectReason result,
        final Transfers transfers,
        final long accountId,
        final int assetId,
        final long amount,
        final int from,
        final int to,
        final long time)
    {
        final Transfers.Transfer t = transfers.last;
        if (t == null)
        {
            listener.onTransferStatus(correlationId, transferId, step, result, TransferState.NONE, accountId, assetId,
                amount, from, to, transfers.pendingCount, time);
        }
        else
        {
            listener.onTransferStatus(correlationId, transferId, step, result, t.state, t.accountId, t.assetId,
                t.amount, t.fromSegment, t.toSegment, transfers.pendingCount, time);
        }
    }

    /**
     * One page of the pending transfers above {@code afterId}, by id (see {@link Transfers#LIST_PAGE}).
     */
    void transferList(final long correlationId, final long afterId, final Transfers transfers, final long time)
    {
        final long[] ids = transfers.sortedPendingIds(afterId);
        final int count = Math.min(ids.length, Transfers.LIST_PAGE);
        final long next = ids.length > count ? ids[count - 1] : 0;
        listener.onTransferListBegin(correlationId, RejectReason.NONE, transfers.pendingCount, next, count, time);
        for (int i = 0; i < count; i++)
        {
            final Transfers.Transfer t = transfers.byId.get(ids[i]);
            listener.onTransferListEntry(t.transferId, t.accountId, t.assetId, t.amount, t.fromSegment, t.toSegment);
        }
        listener.onTransferListEnd(correlationId);
    }
}
