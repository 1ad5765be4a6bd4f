package io.keel.engine;

import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.Exec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An engine, a recording listener and a clock, with short ways to send commands. Every command
 * first forgets the events of the previous one, so {@link #events} holds exactly the output of
 * the last command; the invariants are verified after every command.
 */
final class TestBed
{
    static final int USD = 0;
    static final int BTC = 1;
    static final int ETH = 2;
    /** BTC/USD: tick 1, lot 1, reference 100, no price band, market protection 5 %. */
    static final int BTC_USD = 1;
    static final long REFERENCE_PRICE = 100;
    static final int PROTECTION_BPS = 500;

    final RecordingListener events = new RecordingListener();
    final Engine engine;
    long time = 1_000;
    private long correlationId = 1;

    private TestBed(final EngineContext context)
    {
        engine = new Engine(context, events);
    }

    /**
     * An engine with BTC/USD and nothing else.
     */
    static TestBed create()
    {
        return create(new EngineContext());
    }

    static TestBed create(final EngineContext context)
    {
        final TestBed bed = new TestBed(context);
        bed.instrument(BTC_USD, BTC, USD, 1, 1, REFERENCE_PRICE, 0, PROTECTION_BPS);
        return bed;
    }

    static TestBed empty(final EngineContext context)
    {
        return new TestBed(context);
    }

    long tick()
    {
        return ++time;
    }

    TestBed at(final long time)
    {
        this.time = time;
        return this;
    }

    // ------------------------------------------------------------------ admin

    TestBed instrument(
        final int instrumentId,
        final int base,
        final int quote,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps)
    {
        assertEquals(
            RejectReason.NONE,
            addInstrument(instrumentId, base, quote, tickSize, lotSize, referencePrice, priceBandBps, marketProtectionBps));
        return this;
    }

    RejectReason addInstrument(
        final int instrumentId,
        final int base,
        final int quote,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps)
    {
        events.clear();
        engine.addInstrument(
            correlationId++, instrumentId, base, quote, tickSize, lotSize, referencePrice, priceBandBps,
            marketProtectionBps, tick());
        return checked(events.lastAdmin().result());
    }

    /**
     * Create an account funded with USD and BTC.
     */
    TestBed account(final long accountId, final long usd, final long btc)
    {
        assertEquals(RejectReason.NONE, createAccount(accountId));
        if (usd > 0)
        {
            assertEquals(RejectReason.NONE, deposit(accountId, USD, usd));
        }
        if (btc > 0)
        {
            assertEquals(RejectReason.NONE, deposit(accountId, BTC, btc));
        }
        events.clear();
        return this;
    }

    RejectReason createAccount(final long accountId)
    {
        events.clear();
        engine.createAccount(correlationId++, accountId, tick());
        return checked(events.lastAdmin().result());
    }

    RejectReason deposit(final long accountId, final int assetId, final long amount)
    {
        events.clear();
        engine.deposit(correlationId++, accountId, assetId, amount, tick());
        return checked(events.lastAdmin().result());
    }

    RejectReason withdraw(final long accountId, final int assetId, final long amount)
    {
        events.clear();
        engine.withdraw(correlationId++, accountId, assetId, amount, tick());
        return checked(events.lastAdmin().result());
    }

    RejectReason halt(final int instrumentId)
    {
        events.clear();
        engine.halt(correlationId++, instrumentId, tick());
        return checked(events.lastAdmin().result());
    }

    RejectReason resume(final int instrumentId)
    {
        events.clear();
        engine.resume(correlationId++, instrumentId, tick());
        return checked(events.lastAdmin().result());
    }

    // ------------------------------------------------------------------ order entry

    OrderRequest order(final long accountId, final long clOrdId)
    {
        return new OrderRequest(accountId, clOrdId);
    }

    /**
     * A GTC limit order; returns its orderId (0 when rejected).
     */
    long buy(final long accountId, final long clOrdId, final long price, final long quantity)
    {
        return order(accountId, clOrdId).buy(price, quantity).send();
    }

    long sell(final long accountId, final long clOrdId, final long price, final long quantity)
    {
        return order(accountId, clOrdId).sell(price, quantity).send();
    }

    void cancel(final long accountId, final long clOrdId, final long orderId)
    {
        events.clear();
        engine.cancelOrder(sessionOf(accountId), accountId, clOrdId, 0, orderId, 0, tick());
        checked(null);
    }

    void cancelByClOrdId(final long accountId, final long clOrdId, final long origClOrdId)
    {
        events.clear();
        engine.cancelOrder(sessionOf(accountId), accountId, clOrdId, origClOrdId, 0, 0, tick());
        checked(null);
    }

    void replace(final long accountId, final long clOrdId, final long orderId, final long price, final long quantity)
    {
        replace(sessionOf(accountId), accountId, clOrdId, orderId, price, quantity);
    }

    void replace(
        final long sessionId, final long accountId, final long clOrdId, final long orderId, final long price, final long quantity)
    {
        events.clear();
        engine.replaceOrder(sessionId, accountId, clOrdId, 0, orderId, 0, price, quantity, tick());
        checked(null);
    }

    void massCancel(final long sessionId, final long accountId, final long clOrdId, final MassCancelScope scope, final int instrumentId)
    {
        events.clear();
        engine.massCancel(sessionId, accountId, clOrdId, scope, instrumentId, tick());
        checked(null);
    }

    void sessionLost(final long sessionId, final long accountId)
    {
        events.clear();
        engine.sessionLost(sessionId, accountId, tick());
        checked(null);
    }

    void onTime(final long time)
    {
        events.clear();
        this.time = time;
        engine.onTime(time);
        checked(null);
    }

    /**
     * Default session of an account in these tests.
     */
    static long sessionOf(final long accountId)
    {
        return 100 + accountId;
    }

    // ------------------------------------------------------------------ state

    long balance(final long accountId, final int assetId)
    {
        return engine.balance(accountId, assetId);
    }

    long reserved(final long accountId, final int assetId)
    {
        return engine.reserved(accountId, assetId);
    }

    long available(final long accountId, final int assetId)
    {
        return balance(accountId, assetId) - reserved(accountId, assetId);
    }

    record Resting(long orderId, long clOrdId, long accountId, long sessionId, long price, long quantity, long leavesQty)
    {
    }

    record Level(long price, long quantity, int orderCount)
    {
    }

    /**
     * Resting orders of one side in priority order.
     */
    List<Resting> book(final int instrumentId, final Side side)
    {
        final List<Resting> orders = new ArrayList<>();
        BookWalk.forEachOrder(engine, instrumentId, side, (orderId, clOrdId, accountId, sessionId, price, quantity, leavesQty) ->
            orders.add(new Resting(orderId, clOrdId, accountId, sessionId, price, quantity, leavesQty)));
        return orders;
    }

    List<Long> orderIds(final int instrumentId, final Side side)
    {
        final List<Long> ids = new ArrayList<>();
        for (final Resting resting : book(instrumentId, side))
        {
            ids.add(resting.orderId());
        }
        return ids;
    }

    List<Level> levels(final int instrumentId, final Side side)
    {
        final List<Level> levels = new ArrayList<>();
        BookWalk.forEachLevel(engine, instrumentId, side, (price, quantity, orderCount) -> levels.add(new Level(price, quantity, orderCount)));
        return levels;
    }

    private <T> T checked(final T value)
    {
        engine.verifyInvariants();
        return value;
    }

    /**
     * A new order, GTC LIMIT BUY on BTC/USD without self-trade prevention unless told otherwise.
     */
    final class OrderRequest
    {
        private final long accountId;
        private final long clOrdId;
        private long sessionId;
        private int instrumentId = BTC_USD;
        private Side side = Side.BUY;
        private OrdType ordType = OrdType.LIMIT;
        private TimeInForce timeInForce = TimeInForce.GTC;
        private boolean postOnly;
        private SelfTradePrevention selfTradePrevention = SelfTradePrevention.NONE;
        private long price;
        private long quantity;
        private long expireTime;

        private OrderRequest(final long accountId, final long clOrdId)
        {
            this.accountId = accountId;
            this.clOrdId = clOrdId;
            this.sessionId = sessionOf(accountId);
        }

        OrderRequest buy(final long price, final long quantity)
        {
            side = Side.BUY;
            this.price = price;
            this.quantity = quantity;
            return this;
        }

        OrderRequest sell(final long price, final long quantity)
        {
            side = Side.SELL;
            this.price = price;
            this.quantity = quantity;
            return this;
        }

        OrderRequest marketBuy(final long quantity)
        {
            return buy(0, quantity).ordType(OrdType.MARKET).timeInForce(TimeInForce.IOC);
        }

        OrderRequest marketSell(final long quantity)
        {
            return sell(0, quantity).ordType(OrdType.MARKET).timeInForce(TimeInForce.IOC);
        }

        OrderRequest side(final Side side)
        {
            this.side = side;
            return this;
        }

        OrderRequest price(final long price)
        {
            this.price = price;
            return this;
        }

        OrderRequest quantity(final long quantity)
        {
            this.quantity = quantity;
            return this;
        }

        OrderRequest ordType(final OrdType ordType)
        {
            this.ordType = ordType;
            return this;
        }

        OrderRequest timeInForce(final TimeInForce timeInForce)
        {
            this.timeInForce = timeInForce;
            return this;
        }

        OrderRequest ioc()
        {
            return timeInForce(TimeInForce.IOC);
        }

        OrderRequest fok()
        {
            return timeInForce(TimeInForce.FOK);
        }

        OrderRequest gtd(final long expireTime)
        {
            this.expireTime = expireTime;
            return timeInForce(TimeInForce.GTD);
        }

        OrderRequest expireTime(final long expireTime)
        {
            this.expireTime = expireTime;
            return this;
        }

        OrderRequest postOnly()
        {
            postOnly = true;
            return this;
        }

        OrderRequest stp(final SelfTradePrevention selfTradePrevention)
        {
            this.selfTradePrevention = selfTradePrevention;
            return this;
        }

        OrderRequest session(final long sessionId)
        {
            this.sessionId = sessionId;
            return this;
        }

        OrderRequest instrument(final int instrumentId)
        {
            this.instrumentId = instrumentId;
            return this;
        }

        /**
         * @return the orderId of the first report about this clOrdId, 0 when there is none.
         */
        long send()
        {
            events.clear();
            engine.newOrder(
                sessionId, accountId, clOrdId, instrumentId, side, ordType, timeInForce, postOnly, selfTradePrevention,
                price, quantity, expireTime, tick());
            engine.verifyInvariants();
            for (final Exec exec : events.reports())
            {
                if (exec.clOrdId() == clOrdId && exec.accountId() == accountId)
                {
                    return exec.orderId();
                }
            }
            return 0;
        }
    }
}
