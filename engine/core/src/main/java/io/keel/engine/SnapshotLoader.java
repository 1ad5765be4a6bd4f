package io.keel.engine;

import io.keel.codecs.BooleanType;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.SnapshotAccountDecoder;
import io.keel.codecs.SnapshotBeginDecoder;
import io.keel.codecs.SnapshotClOrdIdsDecoder;
import io.keel.codecs.SnapshotEndDecoder;
import io.keel.codecs.SnapshotInstrumentDecoder;
import io.keel.codecs.SnapshotLimitsDecoder;
import io.keel.codecs.SnapshotOrderDecoder;
import io.keel.codecs.SnapshotSessionDecoder;
import io.keel.codecs.SnapshotTransfersDecoder;
import io.keel.codecs.TransferState;
import io.keel.codecs.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

/**
 * Rebuilds an empty engine from the messages {@link SnapshotWriter} produced, in the same
 * order. Feed every message to {@link #onMessage}; it returns true at the end marker. A
 * malformed or incomplete snapshot fails with an {@link IllegalStateException} that says why.
 */
public final class SnapshotLoader implements SnapshotSink
{
    private final Engine engine;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SnapshotBeginDecoder begin = new SnapshotBeginDecoder();
    private final SnapshotInstrumentDecoder instrumentDecoder = new SnapshotInstrumentDecoder();
    private final SnapshotAccountDecoder accountDecoder = new SnapshotAccountDecoder();
    private final SnapshotClOrdIdsDecoder clOrdIdsDecoder = new SnapshotClOrdIdsDecoder();
    private final SnapshotOrderDecoder orderDecoder = new SnapshotOrderDecoder();
    private final SnapshotSessionDecoder sessionDecoder = new SnapshotSessionDecoder();
    private final SnapshotLimitsDecoder limitsDecoder = new SnapshotLimitsDecoder();
    private final SnapshotTransfersDecoder transfersDecoder = new SnapshotTransfersDecoder();
    private final SnapshotEndDecoder end = new SnapshotEndDecoder();
    private int transferMessages;
    private int transfersPending = -1;
    private int transfersRemembered;
    private int messageCount;
    private int clOrdIdMessages;
    private int windowSize;
    private boolean begun;
    private boolean complete;

    public SnapshotLoader(final Engine engine)
    {
        if (engine.accounts.byId.size() != 0 || engine.instruments.count != 0 || engine.orders.size() != 0)
        {
            throw new IllegalStateException("snapshot must be loaded into an empty engine");
        }
        this.engine = engine;
    }

    public boolean isComplete()
    {
        return complete;
    }

    public void onSnapshotMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        onMessage(buffer, offset, length);
    }

    /**
     * @return true when this was the end marker and the engine is whole.
     */
    public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (complete)
        {
            throw new IllegalStateException("snapshot message after the end marker");
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IllegalStateException("snapshot message too short: " + length + " bytes");
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            throw new IllegalStateException("snapshot message of schema " + header.schemaId() + ", expected " +
                MessageHeaderDecoder.SCHEMA_ID);
        }
        if (header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            throw new IllegalStateException("snapshot written by a newer schema version " + header.version() +
                " (this build reads up to " + MessageHeaderDecoder.SCHEMA_VERSION + ")");
        }
        final int templateId = header.templateId();
        if (!begun && templateId != SnapshotBeginDecoder.TEMPLATE_ID)
        {
            throw new IllegalStateException("snapshot does not start with SnapshotBegin (template " + templateId + ")");
        }

        switch (templateId)
        {
            case SnapshotBeginDecoder.TEMPLATE_ID:
                onBegin(buffer, offset);
                break;
            case SnapshotLimitsDecoder.TEMPLATE_ID:
                onLimits(buffer, offset);
                break;
            case SnapshotInstrumentDecoder.TEMPLATE_ID:
                onInstrument(buffer, offset);
                break;
            case SnapshotAccountDecoder.TEMPLATE_ID:
                onAccount(buffer, offset);
                break;
            case SnapshotClOrdIdsDecoder.TEMPLATE_ID:
                onClOrdIds(buffer, offset);
                break;
            case SnapshotOrderDecoder.TEMPLATE_ID:
                onOrder(buffer, offset);
                break;
            case SnapshotSessionDecoder.TEMPLATE_ID:
                onSession(buffer, offset);
                break;
            case SnapshotTransfersDecoder.TEMPLATE_ID:
                onTransfers(buffer, offset);
                break;
            case SnapshotEndDecoder.TEMPLATE_ID:
                onEnd(buffer, offset);
                return true;
            default:
                throw new IllegalStateException("unexpected template " + templateId + " in snapshot");
        }
        messageCount++;
        return false;
    }

    private void onBegin(final DirectBuffer buffer, final int offset)
    {
        if (begun)
        {
            throw new IllegalStateException("second SnapshotBegin in snapshot");
        }
        begun = true;
        begin.wrapAndApplyHeader(buffer, offset, header);
        // Format 1 carries no limits: the engine keeps the ones it started with, as the node that wrote it did.
        if (begin.formatVersion() != SnapshotWriter.FORMAT_VERSION && begin.formatVersion() != 1)
        {
            throw new IllegalStateException("unsupported snapshot format " + begin.formatVersion());
        }
        // Orders lowered below the orders held are kept: the order structures hold every one of them.
        engine.orders.ensureCapacity(begin.orderCount());
        engine.expiries.ensureCapacity(begin.orderCount());
        engine.entry.nextOrderId = begin.nextOrderId();
        engine.matcher.nextTradeId = begin.nextTradeId();
        engine.emitter.nextExecId = begin.nextExecId();
        engine.clock.lastTime = begin.lastTime();
        for (final SnapshotBeginDecoder.NetDepositsDecoder asset : begin.netDeposits())
        {
            engine.accounts.ensureAssetCapacity(asset.assetId() + 1);
            engine.accounts.netDeposits[asset.assetId()] = asset.amount();
        }
    }

    /**
     * The limits change outcomes, so the snapshot's win over the values this engine started with.
     */
    private void onLimits(final DirectBuffer buffer, final int offset)
    {
        final SnapshotLimitsDecoder d = limitsDecoder.wrapAndApplyHeader(buffer, offset, header);
        final EngineLimits limits = engine.limits;
        limits.maxOrders = d.maxOrders();
        limits.maxOpenOrdersPerAccount = d.maxOpenOrdersPerAccount();
        limits.gtdHorizon = d.gtdHorizon();
        limits.changes = d.changes();
        engine.orders.ensureCapacity(limits.maxOrders);
        engine.expiries.ensureCapacity(limits.maxOrders);
    }

    private void onInstrument(final DirectBuffer buffer, final int offset)
    {
        final SnapshotInstrumentDecoder d = instrumentDecoder.wrapAndApplyHeader(buffer, offset, header);
        final Instrument instrument = new Instrument(
            d.instrumentId(), d.baseAssetId(), d.quoteAssetId(), d.tickSize(), d.lotSize(), d.referencePrice(),
            d.priceBandBps(), d.marketProtectionBps());
        instrument.halted = d.halted() == BooleanType.TRUE;
        instrument.mdSeqNo = d.mdSeqNo();
        engine.accounts.ensureAssetCapacity(Math.max(instrument.baseAssetId, instrument.quoteAssetId) + 1);
        engine.instruments.add(instrument);
    }

    private void onAccount(final DirectBuffer buffer, final int offset)
    {
        final SnapshotAccountDecoder d = accountDecoder.wrapAndApplyHeader(buffer, offset, header);
        Account account = engine.accounts.byId.get(d.accountId());
        if (account == null)
        {
            account = engine.accounts.add(d.accountId());
        }
        account.maxClOrdId = d.maxClOrdId();
        for (final SnapshotAccountDecoder.BalancesDecoder balance : d.balances())
        {
            final int assetId = balance.assetId();
            engine.accounts.ensureAssetCapacity(assetId + 1);
            account.balances[assetId << 1] = balance.total();
            account.balances[(assetId << 1) + 1] = balance.reserved();
        }
    }

    private void onClOrdIds(final DirectBuffer buffer, final int offset)
    {
        final SnapshotClOrdIdsDecoder d = clOrdIdsDecoder.wrapAndApplyHeader(buffer, offset, header);
        final ClOrdIdWindow window = engine.window;
        if (clOrdIdMessages++ == 0)
        {
            // The limits change outcomes, so the snapshot's win over this node's options; a snapshot
            // older than them keeps the options.
            final long horizon = d.horizon();
            final int maxEntries = d.maxEntries();
            window.limits(
                horizon == SnapshotClOrdIdsDecoder.horizonNullValue() ? window.horizon() : horizon,
                maxEntries == SnapshotClOrdIdsDecoder.maxEntriesNullValue() ? window.capacity() : maxEntries);
            windowSize = d.windowSize();
        }
        for (final SnapshotClOrdIdsDecoder.EntriesDecoder e : d.entries())
        {
            final Account account = engine.accounts.byId.get(e.accountId());
            if (account == null)
            {
                throw new IllegalStateException("clOrdId " + e.clOrdId() + " of unknown account " + e.accountId());
            }
            if (window.size() == window.capacity())
            {
                throw new IllegalStateException("snapshot holds more clOrdIds than its bound " + window.capacity());
            }
            // An entry from before the horizon was recorded is kept a whole horizon from the snapshot's time.
            final long time = e.time();
            window.add(
                account.accountId, e.clOrdId(), e.orderId(), e.instrumentId(), e.side(), e.ordType(), e.timeInForce(),
                e.ordStatus(), e.rejectReason(), e.price(), e.quantity(), e.cumQty(),
                time == SnapshotClOrdIdsDecoder.EntriesDecoder.timeNullValue() ? engine.clock.lastTime : time,
                ClOrdIdWindow.NO_SEQ);
        }
    }

    private void onOrder(final DirectBuffer buffer, final int offset)
    {
        final SnapshotOrderDecoder d = orderDecoder.wrapAndApplyHeader(buffer, offset, header);
        final Account account = engine.accounts.byId.get(d.accountId());
        final Instrument instrument = engine.instruments.get(d.instrumentId());
        if (account == null || instrument == null)
        {
            throw new IllegalStateException("order " + d.orderId() + " of unknown account or instrument");
        }
        final Order order = engine.pool.acquire();
        if (order == null)
        {
            throw new IllegalStateException("snapshot holds more orders than " + EngineLimits.MAX_ORDERS_MAX);
        }
        order.orderId = d.orderId();
        order.clOrdId = d.clOrdId();
        order.accountId = d.accountId();
        order.sessionId = d.sessionId();
        order.instrumentId = d.instrumentId();
        order.side = d.side();
        order.timeInForce = d.timeInForce();
        order.postOnly = d.execInst().postOnly();
        order.selfTradePrevention = d.selfTradePrevention();
        order.price = d.price();
        order.quantity = d.quantity();
        order.leavesQty = d.leavesQty();
        order.cumQty = d.cumQty();
        order.reserved = d.reserved();
        order.expireTime = d.expireTime();
        order.account = account;
        order.instrument = instrument;
        order.recordSeq = ClOrdIdWindow.NO_SEQ; // linked to its records at the end, in one pass
        order.expiryIndex = ExpiryQueue.NOT_QUEUED;

        instrument.side(order.side).levelFor(order.price).append(order);
        engine.orders.put(order);
        if (order.timeInForce == TimeInForce.GTD)
        {
            engine.expiries.add(order);
        }
    }

    private void onSession(final DirectBuffer buffer, final int offset)
    {
        final SnapshotSessionDecoder d = sessionDecoder.wrapAndApplyHeader(buffer, offset, header);
        engine.sessions.restore(d.sessionId(), d.accountId(), d.gatewayId(), d.gatewayLink(), d.state(),
            d.cancelOnDisconnect() == BooleanType.TRUE, d.graceTime(), d.cancelDeadline(), d.nextSeqNo());
    }

    /**
     * The bounds in force are the snapshot's (they change outcomes); pending transfers first, then the remembered ones
     * oldest first, as written.
     */
    private void onTransfers(final DirectBuffer buffer, final int offset)
    {
        final SnapshotTransfersDecoder d = transfersDecoder.wrapAndApplyHeader(buffer, offset, header);
        final Transfers transfers = engine.transfers;
        if (transferMessages++ == 0)
        {
            if (d.maxPending() <= 0 || d.maxRemembered() <= 0)
            {
                throw new IllegalStateException("snapshot transfer bounds must be > 0: " + d.maxPending() + ", " +
                    d.maxRemembered());
            }
            transfers.maxPending = d.maxPending();
            transfers.maxRemembered = d.maxRemembered();
            transfers.forgottenUpTo = d.forgottenUpTo();
            transfersPending = d.pendingCount();
            transfersRemembered = d.rememberedCount();
        }
        for (final SnapshotTransfersDecoder.TransfersDecoder e : d.transfers())
        {
            final TransferState state = e.state();
            if (state != TransferState.PENDING && state != TransferState.COMPLETED && state != TransferState.CREDITED ||
                transfers.byId.containsKey(e.transferId()))
            {
                throw new IllegalStateException("snapshot transfer " + e.transferId() + " repeated or in state " + state);
            }
            final Transfers.Transfer transfer = new Transfers.Transfer(
                e.transferId(), e.accountId(), e.assetId(), e.amount(), e.fromSegment(), e.toSegment(), state);
            if (state == TransferState.PENDING)
            {
                if (transfers.rememberedCount != 0)
                {
                    throw new IllegalStateException("snapshot pending transfer " + e.transferId() + " after a remembered one");
                }
                transfers.restorePending(transfer);
            }
            else
            {
                transfers.restoreRemembered(transfer);
            }
        }
    }

    private void onEnd(final DirectBuffer buffer, final int offset)
    {
        end.wrapAndApplyHeader(buffer, offset, header);
        if (end.messageCount() != messageCount)
        {
            throw new IllegalStateException(
                "snapshot incomplete: end marker counts " + end.messageCount() + " messages, received " + messageCount);
        }
        linkOrdersToWindow();
        if (transferMessages > 0 && (engine.transfers.pendingCount != transfersPending ||
            engine.transfers.rememberedCount != transfersRemembered))
        {
            throw new IllegalStateException("snapshot incomplete: transfers " + engine.transfers.pendingCount + "+" +
                engine.transfers.rememberedCount + " received of " + transfersPending + "+" + transfersRemembered);
        }
        complete = true;
    }

    /**
     * The links a snapshot does not carry: each live order to its latest record, and each of its
     * records to the one before (see {@link ClOrdIdWindow#finish}). Cold: one pass, one map.
     */
    private void linkOrdersToWindow()
    {
        final ClOrdIdWindow window = engine.window;
        if (window.size() != windowSize)
        {
            throw new IllegalStateException(
                "snapshot incomplete: " + window.size() + " clOrdIds received of " + windowSize);
        }
        final Long2LongHashMap latestSeq = new Long2LongHashMap(ClOrdIdWindow.NO_SEQ);
        for (int i = 0, size = window.size(); i < size; i++)
        {
            final int row = window.rowAt(i);
            final long orderId = window.orderId(row);
            final Order order = orderId == 0 ? null : engine.orders.get(orderId);
            if (order != null)
            {
                final long seq = window.seqAt(i);
                window.link(seq, latestSeq.get(orderId));
                latestSeq.put(orderId, seq);
                if (order.clOrdId == window.clOrdId(row))
                {
                    order.recordSeq = seq;
                }
            }
        }
    }
}
