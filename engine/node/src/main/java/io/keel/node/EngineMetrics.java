package io.keel.node;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.common.LatencyRecorder;
import io.keel.engine.AccountPage;
import io.keel.engine.EngineListener;
import io.keel.engine.OrderView;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the engine did, counted on the service thread (the single writer: a plain read and a
 * release store per count, no allocation, no lock) as a pass-through {@link EngineListener} in
 * front of the encoder; read at scrape time by the metrics thread. Counts come from the engine's
 * outputs, so every node counts the same. Nothing here feeds back into the engine's state.
 */
final class EngineMetrics implements EngineListener
{
    static final String[] REQUESTS = {"new_order", "cancel", "replace", "mass_cancel", "admin"};
    private static final int NEW_ORDER = 0;
    private static final int CANCEL = 1;
    private static final int REPLACE = 2;
    private static final int MASS_CANCEL = 3;
    private static final int ADMIN = 4;
    private static final int ORD_TYPES = 3; // limit, market, other
    private static final int REASONS = 64;
    private static final ExecType[] EXEC_TYPES = ExecType.values();
    private static final RejectReason[] REASON_VALUES = RejectReason.values();

    private final EngineListener delegate;
    private final AtomicLongArray reports = new AtomicLongArray(EXEC_TYPES.length * ORD_TYPES);
    private final AtomicLongArray rejects = new AtomicLongArray(REASONS * REQUESTS.length);
    private final AtomicLongArray gauges = new AtomicLongArray(5);
    private static final int TRADES = 0;
    private static final int RESTING = 1;
    private static final int ACCOUNTS = 2;
    private static final int COMMANDS = 3;
    private static final int PENDING_TRANSFERS = 4;
    private final LatencyRecorder applyLatency;

    EngineMetrics(final EngineListener delegate, final LatencyRecorder applyLatency)
    {
        this.delegate = delegate;
        this.applyLatency = applyLatency;
    }

    // ------------------------------------------------------------------ service thread

    /**
     * After each applied command: the engine's sizes and how long the service took.
     */
    void onApplied(final int restingOrders, final int accounts, final int pendingTransfers, final long applyNs)
    {
        gauges.setRelease(PENDING_TRANSFERS, pendingTransfers);
        increment(gauges, COMMANDS);
        gauges.setRelease(RESTING, restingOrders);
        gauges.setRelease(ACCOUNTS, accounts);
        if (applyLatency != null)
        {
            applyLatency.record(applyNs);
        }
    }

    boolean timesApply()
    {
        return applyLatency != null;
    }

    public void onExecutionReport(
        final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
    {
        if (execType != null && execType != ExecType.NULL_VAL)
        {
            increment(reports, execType.ordinal() * ORD_TYPES + ordTypeIndex(order.ordType()));
            if (execType == ExecType.REJECTED)
            {
                reject(NEW_ORDER, reason);
            }
        }
        delegate.onExecutionReport(order, execType, reason, execId, time);
    }

    public void onFill(
        final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId, final long time)
    {
        increment(reports, ExecType.TRADE.ordinal() * ORD_TYPES + ordTypeIndex(order.ordType()));
        delegate.onFill(order, execId, lastPrice, lastQty, tradeId, time);
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
        reject(responseTo == CancelRejectResponseTo.REPLACE ? REPLACE : CANCEL, reason);
        delegate.onCancelReject(sessionId, seqNo, accountId, clOrdId, origClOrdId, orderId, instrumentId, responseTo, reason, time);
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
        if (reason != RejectReason.NONE)
        {
            reject(MASS_CANCEL, reason);
        }
        delegate.onMassCancelReport(sessionId, seqNo, accountId, clOrdId, scope, instrumentId, canceledCount, reason, time);
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
        delegate.onSessionStatus(gatewayLink, sessionId, accountId, gatewayId, state, reason, nextSeqNo, time);
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
        increment(gauges, TRADES);
        delegate.onTrade(instrumentId, mdSeqNo, tradeId, price, quantity, aggressorSide, time);
    }

    public void onBookUpdate(
        final int instrumentId, final long mdSeqNo, final Side side, final long price, final long quantity,
        final int orderCount, final long time)
    {
        delegate.onBookUpdate(instrumentId, mdSeqNo, side, price, quantity, orderCount, time);
    }

    public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
    {
        if (result != RejectReason.NONE)
        {
            reject(ADMIN, result);
        }
        delegate.onAdminResponse(correlationId, refTemplateId, result, time);
    }

    public void onBookSnapshotBegin(
        final int instrumentId, final long mdSeqNo, final int pageNo, final int pageCount, final int levelCount, final long time)
    {
        delegate.onBookSnapshotBegin(instrumentId, mdSeqNo, pageNo, pageCount, levelCount, time);
    }

    public void onBookSnapshotLevel(final Side side, final long price, final long quantity, final int orderCount)
    {
        delegate.onBookSnapshotLevel(side, price, quantity, orderCount);
    }

    public void onBookSnapshotEnd(final int instrumentId)
    {
        delegate.onBookSnapshotEnd(instrumentId);
    }

    public void onLimits(
        final long correlationId, final io.keel.codecs.RejectReason result, final io.keel.engine.EngineLimits limits,
        final long time)
    {
        delegate.onLimits(correlationId, result, limits, time);
    }

    public void onAccountStatusBegin(final AccountPage page, final long time)
    {
        delegate.onAccountStatusBegin(page, time);
    }

    public void onAccountBalance(final int assetId, final long available, final long reserved)
    {
        delegate.onAccountBalance(assetId, available, reserved);
    }

    public void onAccountOrder(final OrderView order)
    {
        delegate.onAccountOrder(order);
    }

    public void onAccountStatusEnd(final long sessionId, final long requestId)
    {
        delegate.onAccountStatusEnd(sessionId, requestId);
    }

    public void onTransferStatus(
        final long correlationId,
        final long transferId,
        final io.keel.codecs.TransferStep step,
        final RejectReason result,
        final io.keel.codecs.TransferState state,
        final long accountId,
        final int assetId,
        final long amount,
        final int fromSegment,
        final int toSegment,
        final int pendingCount,
        final long time)
    {
        delegate.onTransferStatus(correlationId, transferId, step, result, state, accountId, assetId, amount, fromSegment,
            toSegment, pendingCount, time);
    }

    public void onTransferListBegin(
        final long correlationId, final RejectReason result, final int pendingCount, final long nextTransferId,
        final int count, final long time)
    {
        delegate.onTransferListBegin(correlationId, result, pendingCount, nextTransferId, count, time);
    }

    public void onTransferListEntry(
        final long transferId, final long accountId, final int assetId, final long amount, final int fromSegment,
        final int toSegment)
    {
        delegate.onTransferListEntry(transferId, accountId, assetId, amount, fromSegment, toSegment);
    }

    public void onTransferListEnd(final long correlationId)
    {
        delegate.onTransferListEnd(correlationId);
    }

    private void reject(final int request, final RejectReason reason)
    {
        increment(rejects, code(reason) * REQUESTS.length + request);
    }

    /**
     * A reject reason's slot: its value, or the last slot for none or a value beyond the table.
     */
    private static int code(final RejectReason reason)
    {
        return reason == null || reason == RejectReason.NULL_VAL ? REASONS - 1 : Math.min(reason.value(), REASONS - 1);
    }

    private static int ordTypeIndex(final OrdType ordType)
    {
        if (ordType == OrdType.LIMIT)
        {
            return 0;
        }
        return ordType == OrdType.MARKET ? 1 : 2;
    }

    private static void increment(final AtomicLongArray array, final int index)
    {
        array.setRelease(index, array.getPlain(index) + 1);
    }

    // ------------------------------------------------------------------ scrape thread

    void register(final PrometheusRegistry registry)
    {
        final String[] ordTypes = {"limit", "market", "other"};
        CounterWithCallback.builder()
            .name("keel_engine_orders")
            .help("New orders the engine decided on, by order type and result (accepted = NEW report, rejected = REJECTED).")
            .labelNames("type", "result")
            .callback((cb) ->
            {
                for (int t = 0; t < ORD_TYPES; t++)
                {
                    cb.call(reports.getAcquire(ExecType.NEW.ordinal() * ORD_TYPES + t), ordTypes[t], "accepted");
                    cb.call(reports.getAcquire(ExecType.REJECTED.ordinal() * ORD_TYPES + t), ordTypes[t], "rejected");
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("keel_engine_execution_reports")
            .help("Execution reports the engine emitted, by exec type and order type.")
            .labelNames("exec_type", "type")
            .callback((cb) ->
            {
                for (final ExecType execType : EXEC_TYPES)
                {
                    if (execType == ExecType.NULL_VAL)
                    {
                        continue;
                    }
                    for (int t = 0; t < ORD_TYPES; t++)
                    {
                        cb.call(reports.getAcquire(execType.ordinal() * ORD_TYPES + t), execType.name().toLowerCase(), ordTypes[t]);
                    }
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("keel_engine_rejects")
            .help("Requests the engine refused, by reason and request kind (series appear at the first reject).")
            .labelNames("reason", "request")
            .callback((cb) ->
            {
                for (final RejectReason reason : REASON_VALUES)
                {
                    final int code = code(reason);
                    for (int r = 0; r < REQUESTS.length; r++)
                    {
                        final long value = rejects.getAcquire(code * REQUESTS.length + r);
                        if (value > 0)
                        {
                            cb.call(value, reason.name().toLowerCase(), REQUESTS[r]);
                        }
                    }
                }
            })
            .register(registry);
        CounterWithCallback.builder()
            .name("keel_engine_trades")
            .help("Trades (fills between two orders) the engine made.")
            .callback((cb) -> cb.call(gauges.getAcquire(TRADES)))
            .register(registry);
        CounterWithCallback.builder()
            .name("keel_engine_commands")
            .help("Client and admin commands the service applied since this process started.")
            .callback((cb) -> cb.call(gauges.getAcquire(COMMANDS)))
            .register(registry);
        GaugeWithCallback.builder()
            .name("keel_engine_resting_orders")
            .help("Orders resting in the books after the last command.")
            .callback((cb) -> cb.call(gauges.getAcquire(RESTING)))
            .register(registry);
        GaugeWithCallback.builder()
            .name("keel_engine_accounts")
            .help("Accounts in the engine after the last command.")
            .callback((cb) -> cb.call(gauges.getAcquire(ACCOUNTS)))
            .register(registry);
        GaugeWithCallback.builder()
            .name("keel_engine_pending_transfers")
            .help("Transfers to other segments debited here and not yet confirmed (keel admin transfer-recover " +
                "completes them) after the last command.")
            .callback((cb) -> cb.call(gauges.getAcquire(PENDING_TRANSFERS)))
            .register(registry);
    }
}
