package io.keel.node;

import io.aeron.cluster.client.AeronCluster;
import io.keel.codecs.AccountStatusEncoder;
import io.keel.codecs.AdminResponseEncoder;
import io.keel.codecs.BookSnapshotEncoder;
import io.keel.codecs.BookUpdateEncoder;
import io.keel.codecs.CancelRejectEncoder;
import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.LimitsEncoder;
import io.keel.codecs.MassCancelReportEncoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionState;
import io.keel.codecs.SessionStatusEncoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TradeEncoder;
import io.keel.codecs.TransferListEncoder;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStatusEncoder;
import io.keel.codecs.TransferStep;
import io.keel.engine.AccountPage;
import io.keel.engine.Engine;
import io.keel.engine.EngineLimits;
import io.keel.engine.EngineListener;
import io.keel.engine.OrderView;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The node's {@link EngineListener}: encodes each engine event as SBE straight into one reused
 * buffer and hands it to an {@link OutputSink}. Every report carries the engine's seqNo for its
 * session; session statuses go to the gateway they answer.
 * <p>
 * Every output is at most {@link #MAX_OUTPUT_LENGTH} long, on every node alike: reports and market-data increments
 * have a fixed length, account status and book snapshot pages a bounded number of entries (the engine pages them),
 * each encoded in a fixed buffer no longer than that. A page with more entries than its buffer holds is never
 * thrown and never reaches a node's egress: it is replaced by the same bounded answer on every node (see
 * {@link #replacedOutputs()}).
 */
public final class EventEncoder implements EngineListener
{
    /**
     * The longest output: an eighth of the node's egress term ({@link KeelNode#PUBLICATION_TERM_LENGTH}), the
     * largest message Aeron takes, less the cluster's egress header. Longer, Aeron would throw on the leader only
     * (a follower's offer is mocked), and the leader would skip part of a command the followers apply.
     */
    public static final int MAX_OUTPUT_LENGTH = KeelNode.PUBLICATION_TERM_LENGTH / 8 - AeronCluster.SESSION_HEADER_LENGTH;
    /** A book snapshot page of {@link Engine#BOOK_SNAPSHOT_PAGE_LEVELS} levels, encoded. */
    public static final int MAX_BOOK_SNAPSHOT_PAGE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        BookSnapshotEncoder.BLOCK_LENGTH + BookSnapshotEncoder.LevelsEncoder.sbeHeaderSize() +
        Engine.BOOK_SNAPSHOT_PAGE_LEVELS * BookSnapshotEncoder.LevelsEncoder.sbeBlockLength();
    /** Account status pages are bounded by the engine (about 4 KiB): twice that. */
    static final int ACCOUNT_STATUS_BUFFER_LENGTH = 8 * 1024;
    private static final int BUFFER_LENGTH = 1024;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_LENGTH]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ExecutionReportEncoder executionReport = new ExecutionReportEncoder();
    private final CancelRejectEncoder cancelReject = new CancelRejectEncoder();
    private final MassCancelReportEncoder massCancelReport = new MassCancelReportEncoder();
    private final TradeEncoder trade = new TradeEncoder();
    private final LimitsEncoder limits = new LimitsEncoder();
    private final BookUpdateEncoder bookUpdate = new BookUpdateEncoder();
    private final AdminResponseEncoder adminResponse = new AdminResponseEncoder();
    private final OutputSink sink;
    // Book snapshots come in pages of a bounded number of levels: a fixed buffer that holds the longest page.
    private final UnsafeBuffer snapshotBuffer = new UnsafeBuffer(new byte[MAX_BOOK_SNAPSHOT_PAGE_LENGTH]);
    private final BookSnapshotEncoder bookSnapshot = new BookSnapshotEncoder();
    private BookSnapshotEncoder.LevelsEncoder snapshotLevels;
    private boolean snapshotPageLeftOut;
    // Account pages are bounded (AccountQuery.PAGE_ENTRIES): a fixed buffer of their own.
    private final UnsafeBuffer accountBuffer = new UnsafeBuffer(new byte[ACCOUNT_STATUS_BUFFER_LENGTH]);
    private final AccountStatusEncoder accountStatus = new AccountStatusEncoder();
    private AccountStatusEncoder.BalancesEncoder accountBalances;
    private AccountStatusEncoder.OrdersEncoder accountOrders;
    private int accountOrderCount;
    private long accountSeqNo;
    private final SessionStatusEncoder sessionStatus = new SessionStatusEncoder();
    private boolean accountPageReplaced;
    private volatile long replacedOutputs; // written by the service thread only, and hardly ever
    private final TransferStatusEncoder transferStatus = new TransferStatusEncoder();
    // A list page holds at most Transfers.LIST_PAGE (64) entries of 32 bytes: a fixed buffer of its own.
    private final UnsafeBuffer transferListBuffer = new UnsafeBuffer(new byte[4 * 1024]);
    private final TransferListEncoder transferList = new TransferListEncoder();
    private TransferListEncoder.TransfersEncoder transferListEntries;

    public EventEncoder(final OutputSink sink)
    {
        this.sink = sink;
    }

    /**
     * Pages that were longer than their buffer and went out replaced (the same count on every node): never, while
     * the engine pages as it does.
     */
    public long replacedOutputs()
    {
        return replacedOutputs;
    }

    public void onExecutionReport(
        final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
    {
        executionReport(order, execType, reason, execId, 0, 0, 0, time);
    }

    public void onFill(
        final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId, final long time)
    {
        executionReport(order, ExecType.TRADE, RejectReason.NONE, execId, lastPrice, lastQty, tradeId, time);
    }

    /**
     * Straight from the engine's order into the message: one write per field, no copy between.
     */
    private void executionReport(
        final OrderView order,
        final ExecType execType,
        final RejectReason reason,
        final long execId,
        final long lastPrice,
        final long lastQty,
        final long tradeId,
        final long time)
    {
        final long sessionId = order.sessionId();
        final Side side = order.side();
        final OrdType ordType = order.ordType();
        final TimeInForce timeInForce = order.timeInForce();
        final long seqNo = order.seqNo();
        executionReport.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .seqNo(seqNo)
            .accountId(order.accountId())
            .orderId(order.orderId())
            .clOrdId(order.clOrdId())
            .origClOrdId(order.origClOrdId())
            .execId(execId)
            .instrumentId(order.instrumentId())
            .execType(execType)
            .ordStatus(order.ordStatus())
            .side(side == null ? Side.NULL_VAL : side)
            .ordType(ordType == null ? OrdType.NULL_VAL : ordType)
            .timeInForce(timeInForce == null ? TimeInForce.NULL_VAL : timeInForce)
            .rejectReason(reason)
            .price(order.price())
            .quantity(order.quantity())
            .leavesQty(order.leavesQty())
            .cumQty(order.cumQty())
            .lastPrice(lastPrice)
            .lastQty(lastQty)
            .tradeId(tradeId)
            .transactTime(time);
        sink.onSessionOutput(
            sessionId, seqNo, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + executionReport.encodedLength());
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
        cancelReject.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .seqNo(seqNo)
            .accountId(accountId)
            .orderId(orderId)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .instrumentId(instrumentId)
            .responseTo(responseTo)
            .reason(reason)
            .transactTime(time);
        sink.onSessionOutput(sessionId, seqNo, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + cancelReject.encodedLength());
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
        massCancelReport.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .seqNo(seqNo)
            .accountId(accountId)
            .clOrdId(clOrdId)
            .scope(scope == null ? MassCancelScope.NULL_VAL : scope)
            .instrumentId(instrumentId)
            .canceledCount(canceledCount)
            .rejectReason(reason)
            .transactTime(time);
        sink.onSessionOutput(
            sessionId, seqNo, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + massCancelReport.encodedLength());
    }

    public void onSessionStatus(
        final long gatewayLink,
        final long sessionId,
        final long accountId,
        final int gatewayId,
        final SessionState state,
        final RejectReason reason,
        final long nextSeqNo,
        final long time)
    {
        sessionStatus.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .gatewayId(gatewayId)
            .state(state)
            .reason(reason)
            .nextSeqNo(nextSeqNo)
            .transactTime(time);
        sink.onGatewayOutput(gatewayLink, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + sessionStatus.encodedLength());
    }

    public void onTrade(
        final int instrumentId,
        final long mdSeqNo,
        final long tradeId,
        final long price,
        final long quantity,
        final Side aggressorSide,
        final long time)
    {
        trade.wrapAndApplyHeader(buffer, 0, header)
            .instrumentId(instrumentId)
            .mdSeqNo(mdSeqNo)
            .tradeId(tradeId)
            .price(price)
            .quantity(quantity)
            .aggressorSide(aggressorSide)
            .transactTime(time);
        sink.onMarketData(instrumentId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + trade.encodedLength());
    }

    public void onBookUpdate(
        final int instrumentId,
        final long mdSeqNo,
        final Side side,
        final long price,
        final long quantity,
        final int orderCount,
        final long time)
    {
        bookUpdate.wrapAndApplyHeader(buffer, 0, header)
            .instrumentId(instrumentId)
            .mdSeqNo(mdSeqNo)
            .side(side)
            .price(price)
            .quantity(quantity)
            .orderCount(orderCount)
            .transactTime(time);
        sink.onMarketData(instrumentId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bookUpdate.encodedLength());
    }

    public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
    {
        adminResponse.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .refTemplateId(refTemplateId)
            .result(result)
            .transactTime(time)
            .value(0)
            .logPosition(0);
        sink.onAdminOutput(correlationId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + adminResponse.encodedLength());
    }

    public void onLimits(final long correlationId, final RejectReason result, final EngineLimits inForce, final long time)
    {
        limits.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .result(result)
            .maxOrders(inForce.maxOrders())
            .maxOpenOrdersPerAccount(inForce.maxOpenOrdersPerAccount())
            .gtdHorizon(inForce.gtdHorizon())
            .idempotencyHorizon(inForce.idempotencyHorizon())
            .maxClOrdIds(inForce.maxClOrdIds())
            .changes(inForce.changes())
            .transactTime(time);
        sink.onAdminOutput(correlationId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + limits.encodedLength());
    }

    public void onBookSnapshotBegin(
        final int instrumentId, final long mdSeqNo, final int pageNo, final int pageCount, final int levelCount, final long time)
    {
        // Longer than any page the engine makes: left out on every node (a consumer missing a page asks again, as
        // after a gap), where writing on would throw on every node and offering it would throw on the leader only.
        snapshotPageLeftOut = levelCount > Engine.BOOK_SNAPSHOT_PAGE_LEVELS;
        if (snapshotPageLeftOut)
        {
            replacedOutputs++;
            return;
        }
        bookSnapshot.wrapAndApplyHeader(snapshotBuffer, 0, header)
            .instrumentId(instrumentId)
            .mdSeqNo(mdSeqNo)
            .transactTime(time)
            .pageNo(pageNo)
            .pageCount(pageCount);
        snapshotLevels = bookSnapshot.levelsCount(levelCount);
    }

    public void onBookSnapshotLevel(final Side side, final long price, final long quantity, final int orderCount)
    {
        if (!snapshotPageLeftOut)
        {
            snapshotLevels.next().side(side).price(price).quantity(quantity).orderCount(orderCount);
        }
    }

    public void onBookSnapshotEnd(final int instrumentId)
    {
        if (!snapshotPageLeftOut)
        {
            sink.onMarketData(instrumentId, snapshotBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bookSnapshot.encodedLength());
        }
    }

    public void onAccountStatusBegin(final AccountPage page, final long time)
    {
        // More entries than the buffer holds (never, as the engine pages): the same page, empty, UNAVAILABLE.
        accountPageReplaced = accountStatusLength(page.balanceCount(), page.orderCount()) > accountBuffer.capacity();
        if (accountPageReplaced)
        {
            replacedOutputs++;
        }
        accountStatus.wrapAndApplyHeader(accountBuffer, 0, header)
            .sessionId(page.sessionId())
            .accountId(page.accountId())
            .requestId(page.requestId())
            .pageNo(page.pageNo())
            .pageCount(page.pageCount())
            .result(accountPageReplaced ? RejectReason.UNAVAILABLE : page.result())
            .openOrderCount(page.openOrderCount())
            .transactTime(time)
            .seqNo(page.seqNo());
        accountSeqNo = page.seqNo();
        accountBalances = accountStatus.balancesCount(accountPageReplaced ? 0 : page.balanceCount());
        accountOrders = null;
        accountOrderCount = accountPageReplaced ? 0 : page.orderCount();
    }

    /**
     * The encoded length of an AccountStatus page with these entries.
     */
    static int accountStatusLength(final int balanceCount, final int orderCount)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + AccountStatusEncoder.BLOCK_LENGTH +
            AccountStatusEncoder.BalancesEncoder.sbeHeaderSize() +
            balanceCount * AccountStatusEncoder.BalancesEncoder.sbeBlockLength() +
            AccountStatusEncoder.OrdersEncoder.sbeHeaderSize() + orderCount * AccountStatusEncoder.OrdersEncoder.sbeBlockLength();
    }

    public void onAccountBalance(final int assetId, final long available, final long reserved)
    {
        if (!accountPageReplaced)
        {
            accountBalances.next().assetId(assetId).available(available).reserved(reserved);
        }
    }

    public void onAccountOrder(final OrderView order)
    {
        if (accountPageReplaced)
        {
            return;
        }
        if (accountOrders == null)
        {
            accountOrders = accountStatus.ordersCount(accountOrderCount);
        }
        accountOrders.next()
            .orderId(order.orderId())
            .clOrdId(order.clOrdId())
            .instrumentId(order.instrumentId())
            .side(order.side())
            .timeInForce(order.timeInForce())
            .price(order.price())
            .quantity(order.quantity())
            .leavesQty(order.leavesQty())
            .cumQty(order.cumQty())
            .expireTime(order.expireTime());
    }

    public void onAccountStatusEnd(final long sessionId, final long requestId)
    {
        if (accountOrders == null)
        {
            accountOrders = accountStatus.ordersCount(accountOrderCount);
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + accountStatus.encodedLength();
        // Client session id 0 is reserved: it marks an admin's request, answered to the admin session.
        if (sessionId == 0)
        {
            sink.onAdminOutput(requestId, accountBuffer, 0, length);
        }
        else
        {
            sink.onSessionOutput(sessionId, accountSeqNo, accountBuffer, 0, length);
        }
    }

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
        transferStatus.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .transferId(transferId)
            .step(step)
            .result(result)
            .state(state)
            .accountId(accountId)
            .assetId(assetId)
            .amount(amount)
            .fromSegment(fromSegment & 0xFFFF)
            .toSegment(toSegment & 0xFFFF)
            .pendingCount(pendingCount)
            .transactTime(time);
        sink.onAdminOutput(correlationId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + transferStatus.encodedLength());
    }

    public void onTransferListBegin(
        final long correlationId,
        final RejectReason result,
        final int pendingCount,
        final long nextTransferId,
        final int count,
        final long time)
    {
        transferListEntries = transferList.wrapAndApplyHeader(transferListBuffer, 0, header)
            .correlationId(correlationId)
            .result(result)
            .pendingCount(pendingCount)
            .nextTransferId(nextTransferId)
            .transactTime(time)
            .transfersCount(count);
    }

    public void onTransferListEntry(
        final long transferId, final long accountId, final int assetId, final long amount, final int fromSegment,
        final int toSegment)
    {
        transferListEntries.next()
            .transferId(transferId)
            .accountId(accountId)
            .assetId(assetId)
            .amount(amount)
            .fromSegment(fromSegment & 0xFFFF)
            .toSegment(toSegment & 0xFFFF);
    }

    public void onTransferListEnd(final long correlationId)
    {
        sink.onAdminOutput(
            correlationId, transferListBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + transferList.encodedLength());
    }
}
