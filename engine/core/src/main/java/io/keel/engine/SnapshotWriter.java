package io.keel.engine;

import io.keel.codecs.BooleanType;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.SnapshotAccountEncoder;
import io.keel.codecs.SnapshotBeginEncoder;
import io.keel.codecs.SnapshotClOrdIdsEncoder;
import io.keel.codecs.SnapshotEndEncoder;
import io.keel.codecs.SnapshotInstrumentEncoder;
import io.keel.codecs.SnapshotLimitsEncoder;
import io.keel.codecs.SnapshotOrderEncoder;
import io.keel.codecs.SnapshotSessionEncoder;
import io.keel.codecs.SnapshotTransfersEncoder;
import io.keel.codecs.TransferState;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Encodes engine state in one canonical order (see the schema): the same state always gives
 * the same bytes, which is what {@link StateHash} relies on. Cold path.
 */
final class SnapshotWriter
{
    /** 2: SnapshotLimits after SnapshotBegin (format 1 had none: its engine keeps the limits it starts with). */
    static final int FORMAT_VERSION = 2;
    /** Group entries per message, to keep each message far below Aeron's maximum. */
    static final int ENTRIES_PER_MESSAGE = 512;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotBeginEncoder begin = new SnapshotBeginEncoder();
    private final SnapshotInstrumentEncoder instrumentEncoder = new SnapshotInstrumentEncoder();
    private final SnapshotAccountEncoder accountEncoder = new SnapshotAccountEncoder();
    private final SnapshotClOrdIdsEncoder clOrdIdsEncoder = new SnapshotClOrdIdsEncoder();
    private final SnapshotOrderEncoder orderEncoder = new SnapshotOrderEncoder();
    private final SnapshotSessionEncoder sessionEncoder = new SnapshotSessionEncoder();
    private final SnapshotLimitsEncoder limitsEncoder = new SnapshotLimitsEncoder();
    private final SnapshotTransfersEncoder transfersEncoder = new SnapshotTransfersEncoder();
    private final SnapshotEndEncoder end = new SnapshotEndEncoder();
    private SnapshotSink sink;
    private int messageCount;

    static void write(final Engine engine, final SnapshotSink sink)
    {
        new SnapshotWriter().writeAll(engine, sink);
    }

    private void writeAll(final Engine engine, final SnapshotSink sink)
    {
        this.sink = sink;
        messageCount = 0;
        writeBegin(engine);
        writeLimits(engine.limits);
        for (int i = 0; i < engine.instruments.count; i++)
        {
            writeInstrument(engine.instruments.sorted[i]);
        }
        final long[] accountIds = sortedAccountIds(engine);
        for (final long accountId : accountIds)
        {
            final Account account = engine.accounts.byId.get(accountId);
            writeBalances(account);
        }
        writeClOrdIds(engine.window);
        for (int i = 0; i < engine.instruments.count; i++)
        {
            writeOrders(engine.instruments.sorted[i].bids);
            writeOrders(engine.instruments.sorted[i].asks);
        }
        for (final long sessionId : engine.sessions.sortedIds())
        {
            writeSession(engine.sessions.get(sessionId));
        }
        if (!engine.transfers.isPristine())
        {
            writeTransfers(engine.transfers);
        }
        end.wrapAndApplyHeader(buffer, 0, header).messageCount(messageCount);
        emit(end.encodedLength());
    }

    private static long[] sortedAccountIds(final Engine engine)
    {
        final long[] ids = new long[engine.accounts.byId.size()];
        int i = 0;
        final Long2ObjectHashMap<Account>.KeyIterator keys = engine.accounts.byId.keySet().iterator();
        while (keys.hasNext())
        {
            ids[i++] = keys.nextLong();
        }
        Arrays.sort(ids);
        return ids;
    }

    private void writeBegin(final Engine engine)
    {
        int assets = 0;
        for (final long netDeposit : engine.accounts.netDeposits)
        {
            assets += netDeposit != 0 ? 1 : 0;
        }
        begin.wrapAndApplyHeader(buffer, 0, header)
            .formatVersion(FORMAT_VERSION)
            .nextOrderId(engine.entry.nextOrderId)
            .nextTradeId(engine.matcher.nextTradeId)
            .nextExecId(engine.emitter.nextExecId)
            .lastTime(engine.clock.lastTime)
            .instrumentCount(engine.instruments.count)
            .accountCount(engine.accounts.byId.size())
            .orderCount(engine.orders.size());
        final SnapshotBeginEncoder.NetDepositsEncoder group = begin.netDepositsCount(assets);
        for (int assetId = 0; assetId < engine.accounts.netDeposits.length; assetId++)
        {
            if (engine.accounts.netDeposits[assetId] != 0)
            {
                group.next().assetId(assetId).amount(engine.accounts.netDeposits[assetId]);
            }
        }
        emit(begin.encodedLength());
    }

    private void writeLimits(final EngineLimits limits)
    {
        limitsEncoder.wrapAndApplyHeader(buffer, 0, header)
            .maxOrders(limits.maxOrders)
            .maxOpenOrdersPerAccount(limits.maxOpenOrdersPerAccount)
            .gtdHorizon(limits.gtdHorizon)
            .changes(limits.changes);
        emit(limitsEncoder.encodedLength());
    }

    private void writeInstrument(final Instrument instrument)
    {
        instrumentEncoder.wrapAndApplyHeader(buffer, 0, header)
            .instrumentId(instrument.instrumentId)
            .baseAssetId(instrument.baseAssetId)
            .quoteAssetId(instrument.quoteAssetId)
            .tickSize(instrument.tickSize)
            .lotSize(instrument.lotSize)
            .referencePrice(instrument.referencePrice)
            .priceBandBps(instrument.priceBandBps)
            .marketProtectionBps(instrument.marketProtectionBps)
            .halted(instrument.halted ? BooleanType.TRUE : BooleanType.FALSE)
            .mdSeqNo(instrument.mdSeqNo);
        emit(instrumentEncoder.encodedLength());
    }

    private void writeBalances(final Account account)
    {
        int held = 0;
        for (int assetId = 0; assetId < account.assetCapacity(); assetId++)
        {
            held += account.total(assetId) != 0 || account.reserved(assetId) != 0 ? 1 : 0;
        }
        // Always at least one message, so an account without balances still exists after load.
        int assetId = 0;
        do
        {
            final int count = Math.min(held, ENTRIES_PER_MESSAGE);
            final SnapshotAccountEncoder.BalancesEncoder group = accountEncoder.wrapAndApplyHeader(buffer, 0, header)
                .accountId(account.accountId)
                .maxClOrdId(account.maxClOrdId)
                .balancesCount(count);
            for (int written = 0; written < count; assetId++)
            {
                if (account.total(assetId) != 0 || account.reserved(assetId) != 0)
                {
                    group.next().assetId(assetId).total(account.total(assetId)).reserved(account.reserved(assetId));
                    written++;
                }
            }
            held -= count;
            emit(accountEncoder.encodedLength());
        }
        while (held > 0);
    }

    /**
     * Always at least one message, so the limits travel even with no entry. Records past the horizon
     * that no request has evicted yet are written too: eviction happens at the same commands on every
     * node, so they are state like any other, and a loaded engine evicts them at the same commands.
     */
    private void writeClOrdIds(final ClOrdIdWindow w)
    {
        int i = 0;
        do
        {
            final int count = Math.min(w.size() - i, ENTRIES_PER_MESSAGE);
            final SnapshotClOrdIdsEncoder.EntriesEncoder group = clOrdIdsEncoder.wrapAndApplyHeader(buffer, 0, header)
                .windowSize(w.size())
                .horizon(w.horizon())
                .maxEntries(w.capacity())
                .entriesCount(count);
            for (int n = 0; n < count; n++, i++)
            {
                final int row = w.rowAt(i);
                group.next()
                    .accountId(w.accountId(row))
                    .clOrdId(w.clOrdId(row))
                    .orderId(w.orderId(row))
                    .instrumentId(w.instrumentId(row))
                    .side(w.side(row))
                    .ordType(w.ordType(row))
                    .timeInForce(w.timeInForce(row))
                    .ordStatus(w.ordStatus(row))
                    .rejectReason(w.rejectReason(row))
                    .price(w.price(row))
                    .quantity(w.quantity(row))
                    .cumQty(w.cumQty(row))
                    .time(w.time(row));
            }
            emit(clOrdIdsEncoder.encodedLength());
        }
        while (i < w.size());
    }

    private void writeOrders(final BookSide book)
    {
        for (int depth = 0; depth < book.levelCount(); depth++)
        {
            for (Order o = book.level(depth).head; o != null; o = o.next)
            {
                orderEncoder.wrapAndApplyHeader(buffer, 0, header)
                    .orderId(o.orderId)
                    .clOrdId(o.clOrdId)
                    .accountId(o.accountId)
                    .sessionId(o.sessionId)
                    .instrumentId(o.instrumentId)
                    .side(o.side)
                    .timeInForce(o.timeInForce)
                    .selfTradePrevention(o.selfTradePrevention)
                    .price(o.price)
                    .quantity(o.quantity)
                    .leavesQty(o.leavesQty)
                    .cumQty(o.cumQty)
                    .reserved(o.reserved)
                    .expireTime(o.expireTime)
                    .execInst().clear().postOnly(o.postOnly);
                emit(orderEncoder.encodedLength());
            }
        }
    }

    private void writeSession(final Sessions.Session session)
    {
        sessionEncoder.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session.sessionId)
            .accountId(session.accountId)
            .gatewayId(session.gatewayId)
            .gatewayLink(session.gatewayLink)
            .state(session.state)
            .cancelOnDisconnect(session.cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .graceTime(session.graceTime)
            .cancelDeadline(session.cancelDeadline)
            .nextSeqNo(session.nextSeqNo);
        emit(sessionEncoder.encodedLength());
    }

    /**
     * Transfer state, after the sessions (an engine that never saw a transfer writes none, so its snapshot and state
     * hash are those of a build without transfers): the pending transfers by id, then the remembered ones oldest
     * first (the order they are forgotten in). At least one message, which carries the bounds.
     */
    private void writeTransfers(final Transfers transfers)
    {
        final long[] pending = transfers.sortedPendingIds(Long.MIN_VALUE);
        final int total = pending.length + transfers.rememberedCount;
        int i = 0;
        do
        {
            final int count = Math.min(total - i, ENTRIES_PER_MESSAGE);
            final SnapshotTransfersEncoder.TransfersEncoder group = transfersEncoder.wrapAndApplyHeader(buffer, 0, header)
                .maxPending(transfers.maxPending)
                .maxRemembered(transfers.maxRemembered)
                .forgottenUpTo(transfers.forgottenUpTo)
                .pendingCount(pending.length)
                .rememberedCount(transfers.rememberedCount)
                .transfersCount(count);
            for (int n = 0; n < count; n++, i++)
            {
                final long id = i < pending.length ? pending[i] : transfers.rememberedAt(i - pending.length);
                final Transfers.Transfer t = transfers.byId.get(id);
                group.next()
                    .transferId(t.transferId)
                    .accountId(t.accountId)
                    .assetId(t.assetId)
                    .amount(t.amount)
                    .fromSegment(t.fromSegment)
                    .toSegment(t.toSegment)
                    .state(i < pending.length ? TransferState.PENDING : t.state);
            }
            emit(transfersEncoder.encodedLength());
        }
        while (i < total);
    }

    private void emit(final int bodyLength)
    {
        messageCount++;
        sink.onSnapshotMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength);
    }
}
