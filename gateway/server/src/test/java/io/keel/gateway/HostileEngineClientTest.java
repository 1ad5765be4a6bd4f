package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Engine;
import io.keel.engine.EngineProbe;
import io.keel.node.KeelClusteredService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine half of abuse, over real sockets, a real gateway and a real cluster: each hostile client does what the
 * issue found, gets a clear answer at the bound, leaves nothing behind, and a well-behaved client still logs on and
 * trades afterwards. One cluster for the class; the cases run in order and the last inspects the stopped engines.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileEngineClientTest
{
    private static final int INSTRUMENT = GatewayTestEnv.INSTRUMENT;
    /** Year 3000 in cluster time (epoch milliseconds). */
    private static final long YEAR_3000_MS = 32_503_680_000_000L;
    private static final int EGRESS_QUEUE_BYTES = 64 * 1024;

    private GatewayTestEnv env;
    private long clOrdId = 1;

    @BeforeAll
    void start()
    {
        env = GatewayTestEnv.start("hostile-engine", 1, (config) -> config.egressQueueBytes(EGRESS_QUEUE_BYTES));
        env.startGateway((config) -> {});
    }

    @AfterAll
    void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    @Order(1)
    void shouldRefuseMarketDataForInstrumentsThatDoNotExistAndMakeNoBook()
    {
        final Reports reports = new Reports();
        final KeelClient hostile = env.client(env.clientContext(1, reports));
        env.pollUntil(() -> env.gateway().marketDataBooks() == GatewayTestEnv.INSTRUMENTS, 10_000,
            "the engine's list of instruments", hostile);

        for (int id = 1_000; id < 1_500; id++)
        {
            hostile.subscribe(id, true);
        }
        env.pollUntil(() -> reports.sessionRejects.size() == 500, 10_000, "500 answers", hostile);

        assertTrue(reports.sessionRejects.stream().allMatch((r) ->
            r.refTemplateId() == MarketDataRequestDecoder.TEMPLATE_ID && r.reason() == RejectReason.UNKNOWN_INSTRUMENT),
            reports.sessionRejects.toString());
        assertEquals(GatewayTestEnv.INSTRUMENTS, env.gateway().marketDataBooks(), "no book made for a made-up id");
        final int[] snapshots = {0};
        final KeelClient subscriber = env.client(env.clientContext(2, new io.keel.client.KeelClientListener()
        {
            public void onBookSnapshot(final io.keel.codecs.BookSnapshotDecoder snapshot)
            {
                snapshots[0]++;
            }
        }));
        subscriber.subscribe(INSTRUMENT, true);
        env.pollUntil(() -> snapshots[0] == 1, 10_000, "a real instrument's book", subscriber);
        hostile.close();
        subscriber.close();
    }

    @Test
    @Order(2)
    void shouldRefuseGtdBeyondTheHorizonAndLeaveNoExpiryEntryForGtdOrdersCancelled()
    {
        final Reports reports = new Reports();
        final KeelClient hostile = env.client(env.clientContext(1, reports));
        final long farFuture = clOrdId++;
        hostile.newOrder(farFuture, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTD, false,
            SelfTradePrevention.NONE, 900, 1, YEAR_3000_MS);
        env.pollUntil(() -> reports.has(farFuture, ExecType.REJECTED), 10_000, "year 3000 answered", hostile);
        assertEquals(RejectReason.INVALID_EXPIRE_TIME, reports.execs.get(reports.execs.size() - 1).reason());

        // Within the horizon: they rest, then go, and nothing of them stays in the expiry queue (checked at the end).
        final long first = clOrdId;
        final long tomorrow = System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1);
        for (int i = 0; i < 200; i++)
        {
            hostile.newOrder(clOrdId++, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTD, false,
                SelfTradePrevention.NONE, 900 - i % 50, 1, tomorrow);
            if (i % 50 == 49)
            {
                env.pollUntil(() -> hostile.inFlight() == 0, 10_000, "GTD orders answered", hostile);
            }
        }
        env.pollUntil(() -> reports.count(ExecType.NEW) == 200, 10_000, "200 GTD orders rest", hostile);
        for (long c = first; c < first + 200; c++)
        {
            hostile.cancelOrder(clOrdId++, c, 0, INSTRUMENT);
            if (c % 50 == 0)
            {
                env.pollUntil(() -> hostile.inFlight() == 0, 10_000, "cancels answered", hostile);
            }
        }
        env.pollUntil(() -> reports.count(ExecType.CANCELED) == 200, 10_000, "200 cancelled", hostile);
        hostile.close();
    }

    @Test
    @Order(3)
    void shouldStopOneAccountAtItsOpenOrderLimitWhileAnotherKeepsTrading()
    {
        assertTrue(env.setLimits(0, 50, 0).startsWith("NONE maxOrders=1000000 perAccount=50 "), "limit set in the log");
        final Reports hog = new Reports();
        final KeelClient hogClient = env.client(env.clientContext(3, hog));
        for (int i = 0; i < 60; i++)
        {
            hogClient.newOrder(clOrdId++, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_400 + i % 50, 1);
            if (i % 20 == 19)
            {
                env.pollUntil(() -> hogClient.inFlight() == 0, 10_000, "hog answered", hogClient);
            }
        }
        env.pollUntil(() -> hog.count(ExecType.NEW) + hog.count(ExecType.REJECTED) == 60, 10_000, "60 answers", hogClient);
        assertEquals(50, hog.count(ExecType.NEW));
        assertEquals(10, hog.execs.stream()
            .filter((e) -> e.execType() == ExecType.REJECTED && e.reason() == RejectReason.ACCOUNT_ORDER_LIMIT).count());

        assertWellBehavedClientTrades(4, 5);

        hogClient.massCancel(clOrdId++, io.keel.codecs.MassCancelScope.ACCOUNT, 0);
        env.pollUntil(() -> hog.count(ExecType.CANCELED) == 50, 10_000, "hog cancelled", hogClient);
        assertTrue(env.setLimits(0, 100_000, 0).contains("perAccount=100000"));
        hogClient.close();
    }

    /**
     * A gateway that stops reading its egress (its thread suspended) while its client's orders are filled: the
     * leader's queue for it reaches its 64 KiB bound; what does not fit is dropped, not the gateway; once it reads
     * again it gets the latest report dropped from the journal, sees the gap, and fills it — every report reaches the
     * client in seqNo order, and the gateway's cluster session was never closed.
     */
    @Test
    @Order(4)
    @SuppressWarnings("removal")
    void shouldTurnAnEgressOverflowIntoAGapTheGatewayFillsFromTheJournal()
    {
        // The maker sends fast: a throttle of its own, so none of its orders is refused THROTTLED.
        final Gateway slow = env.launchExtraGateway(2, (config) -> config.throttleRate(1_000_000).throttleBurst(100_000));
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(env.clientContext(slow, 6, maker));
        final int orders = 8_000;
        for (int i = 0; i < orders; i++)
        {
            assertTrue(makerClient.newOrder(clOrdId++, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC,
                1_001 + i % 400, 1), "sent " + i);
            if (i % 200 == 199)
            {
                env.pollUntil(() -> makerClient.inFlight() == 0, 20_000, "maker answered", makerClient);
            }
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) + maker.count(ExecType.REJECTED) + maker.businessRejects.size() == orders,
            20_000, "maker's orders answered", makerClient);
        assertEquals(0, maker.businessRejects.size(), () -> maker.businessRejects.subList(0, 3).toString());
        assertEquals(0, maker.count(ExecType.REJECTED), maker.execs.stream()
            .filter((e) -> e.execType() == ExecType.REJECTED).limit(3).toList().toString());
        final long seqNoBefore = maker.seqNos.get(maker.seqNos.size() - 1);

        final Thread slowThread = Thread.getAllStackTraces().keySet().stream()
            .filter((t) -> t.getName().equals("keel-gateway-2")).findFirst().orElseThrow();
        final KeelClusteredService service = env.cluster().node(0).service();
        final long overflowsBefore = service.egressOverflowed();
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(7, taker));
        slowThread.suspend();
        try
        {
            takerClient.newOrder(clOrdId++, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_400, orders);
            env.pollUntil(() -> taker.filledQty() == orders, 20_000, "taker filled", takerClient);
            env.await(() -> service.egressOverflowed() > overflowsBefore, 5_000, "the slow gateway's queue overflowed");
        }
        finally
        {
            slowThread.resume();
        }

        env.pollUntil(() -> maker.count(ExecType.TRADE) == orders, 60_000, "every fill reached the maker", makerClient);
        assertTrue(service.egressGapsSignalled() > 0, "a gap was signalled from the journal");
        for (int i = 1; i < maker.seqNos.size(); i++)
        {
            assertEquals(maker.seqNos.get(i - 1) + 1, maker.seqNos.get(i), "reports in seqNo order, no gap, no repeat");
        }
        assertEquals(seqNoBefore + orders, maker.seqNos.get(maker.seqNos.size() - 1));
        assertEquals(0, makerClient.reconnects(), "the maker's connection stayed up");
        assertTrue(maker.logouts.isEmpty(), maker.logouts.toString());
        makerClient.close();
        takerClient.close();
    }

    @Test
    @Order(5)
    void shouldStillLetAWellBehavedClientLogOnAndTradeAndLeaveNoExpiryEntryBehind()
    {
        assertWellBehavedClientTrades(4, 5);
        final Engine[] engines = env.stopClusterAndInspect();
        for (final Engine engine : engines)
        {
            assertEquals(0, EngineProbe.expiryEntries(engine), "no GTD order rests: nothing in the expiry queue");
            assertEquals(0, EngineProbe.openOrders(engine, 3), "the hog's orders are all gone");
            engine.verifyInvariants();
        }
    }

    /**
     * Two fresh clients log on; one rests, the other takes it; both see the trade within a second.
     */
    private void assertWellBehavedClientTrades(final int sellerAccount, final int buyerAccount)
    {
        final Reports seller = new Reports();
        final Reports buyer = new Reports();
        final long startNs = System.nanoTime();
        final KeelClient sellerClient = env.client(env.clientContext(sellerAccount, seller));
        final KeelClient buyerClient = env.client(env.clientContext(buyerAccount, buyer));
        final long sell = clOrdId++;
        final long buy = clOrdId++;
        sellerClient.newOrder(sell, 2, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_100, 5);
        env.pollUntil(() -> seller.has(sell, ExecType.NEW), 5_000, "seller rests", sellerClient, buyerClient);
        buyerClient.newOrder(buy, 2, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_100, 5);
        env.pollUntil(() -> buyer.filledQty() == 5 && seller.filledQty() == 5, 5_000, "trade", sellerClient, buyerClient);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(elapsedMs < 5_000, "logged on and traded in " + elapsedMs + " ms");
        sellerClient.close();
        buyerClient.close();
    }
}
