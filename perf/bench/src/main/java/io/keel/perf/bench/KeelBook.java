package io.keel.perf.bench;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import io.keel.engine.EngineListener;
import io.keel.engine.OrderView;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Replays an {@link OrderStream} through Keel's {@link Engine}, one command per {@link #step()},
 * pass after pass. Instrument index i is Keel instrument i + 1 trading base asset i + 1 for
 * quote asset 0; every account is funded far beyond what any pass can move, so nothing is
 * rejected for funds. Every outcome that is not the stream's intent (a REJECTED report, a
 * cancel reject, a failed admin command) is counted in {@link #rejects()}.
 */
public final class KeelBook
{
    /** Quote funds per account: ~10^5 times what its resting orders ever reserve at once. */
    public static final long QUOTE_FUNDS = 100_000_000_000_000L;
    /** Base funds per account and instrument. */
    public static final long BASE_FUNDS = 1_000_000_000_000L;
    public static final int QUOTE_ASSET = 0;
    public static final int PRICE_BAND_BPS = 1_000;

    private static final Side[] SIDES = { Side.BUY, Side.SELL };

    private final OrderStream stream;
    private final Engine engine;
    private final Sink sink;
    private int position;
    private int passes;
    /** Keel numbers accepted orders 1, 2, 3...: order seq s of this pass is id orderIdBase + s. */
    private long orderIdBase = 1;
    private long clOrdIdBase = 1;
    private long time = 1;

    public KeelBook(final OrderStream stream, final Blackhole blackhole)
    {
        this.stream = stream;
        sink = new Sink(blackhole);
        final int initialOrders = Math.max(EngineContext.INITIAL_ORDERS_DEFAULT, 2 * stream.maxResting + 1024);
        engine = new Engine(
            new EngineContext()
                .initialOrders(initialOrders)
                .maxOrders(Math.max(EngineContext.MAX_ORDERS_DEFAULT, 2 * initialOrders))
                .maxAccounts(Math.max(EngineContext.MAX_ACCOUNTS_DEFAULT, stream.accounts))
                .maxInstruments(Math.max(EngineContext.MAX_INSTRUMENTS_DEFAULT, stream.instruments))
                .maxAssets(Math.max(EngineContext.MAX_ASSETS_DEFAULT, stream.instruments + 1)),
            sink);

        long correlationId = 1;
        for (int i = 0; i < stream.instruments; i++)
        {
            engine.addInstrument(
                correlationId++, i + 1, i + 1, QUOTE_ASSET, 1, 1, OrderStream.CENTER_PRICE, PRICE_BAND_BPS, PRICE_BAND_BPS, 0);
        }
        for (int a = 1; a <= stream.accounts; a++)
        {
            engine.createAccount(correlationId++, a, 0);
            engine.deposit(correlationId++, a, QUOTE_ASSET, QUOTE_FUNDS, 0);
            for (int i = 0; i < stream.instruments; i++)
            {
                engine.deposit(correlationId++, a, i + 1, BASE_FUNDS, 0);
            }
        }
    }

    /**
     * Apply the next command of the stream.
     */
    public void step()
    {
        final OrderStream s = stream;
        final int i = position;
        final long orderId = orderIdBase + s.order[i];
        final long clOrdId = clOrdIdBase + i;
        final long account = s.account[i];
        final int instrumentId = s.instrument[i] + 1;
        final long now = time++;
        switch (s.type[i])
        {
            case OrderStream.NEW_LIMIT:
                engine.newOrder(
                    account, account, clOrdId, instrumentId, SIDES[s.side[i]], OrdType.LIMIT, TimeInForce.GTC, false,
                    SelfTradePrevention.NONE, s.price[i], s.quantity[i], 0, now);
                break;

            case OrderStream.NEW_IOC:
                engine.newOrder(
                    account, account, clOrdId, instrumentId, SIDES[s.side[i]], OrdType.LIMIT, TimeInForce.IOC, false,
                    SelfTradePrevention.NONE, s.price[i], s.quantity[i], 0, now);
                break;

            case OrderStream.CANCEL:
                engine.cancelOrder(account, account, clOrdId, 0, orderId, instrumentId, now);
                break;

            default: // MOVE and REDUCE are both a replace to (price, total quantity)
                engine.replaceOrder(account, account, clOrdId, 0, orderId, instrumentId, s.price[i], s.quantity[i], now);
                break;
        }
        if (++position == s.length)
        {
            position = 0;
            passes++;
            orderIdBase += s.newOrders;
            clOrdIdBase += s.length;
        }
    }

    /**
     * Run to the end of the current pass.
     */
    public void finishPass()
    {
        final int pass = passes;
        while (passes == pass)
        {
            step();
        }
    }

    public Engine engine()
    {
        return engine;
    }

    public int position()
    {
        return position;
    }

    public int passes()
    {
        return passes;
    }

    public long rejects()
    {
        return sink.rejects;
    }

    /**
     * Rejects since the last call.
     */
    public long takeRejects()
    {
        final long rejects = sink.rejects - sink.rejectsTaken;
        sink.rejectsTaken = sink.rejects;
        return rejects;
    }

    public long tradedQuantity()
    {
        return sink.tradedQuantity;
    }

    public RejectReason firstRejectReason()
    {
        return sink.firstReason;
    }

    /**
     * The listener a benchmark wants: hands what it sees to the Blackhole and counts what should
     * not happen.
     */
    static final class Sink implements EngineListener
    {
        public void onSessionStatus(
            final long gatewayLink,
            final long sessionId,
            final long accountId,
            final int gatewayId,
            final io.keel.codecs.SessionState state,
            final io.keel.codecs.RejectReason reason,
            final long nextSeqNo,
            final long time)
        {
        }

        private final Blackhole blackhole;
        long rejects;
        long rejectsTaken;
        long tradedQuantity;
        RejectReason firstReason;

        Sink(final Blackhole blackhole)
        {
            this.blackhole = blackhole;
        }

        public void onExecutionReport(
            final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
        {
            if (execType == ExecType.REJECTED)
            {
                reject(reason);
            }
            blackhole.consume(execId);
        }

        public void onFill(
            final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId,
            final long time)
        {
            blackhole.consume(execId);
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
            reject(reason);
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
            blackhole.consume(canceledCount);
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
            tradedQuantity += quantity;
            blackhole.consume(tradeId);
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
            blackhole.consume(quantity);
        }

        public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
        {
            if (result != RejectReason.NONE)
            {
                reject(result);
            }
        }

        private void reject(final RejectReason reason)
        {
            if (firstReason == null)
            {
                firstReason = reason;
            }
            rejects++;
        }
    }
}
