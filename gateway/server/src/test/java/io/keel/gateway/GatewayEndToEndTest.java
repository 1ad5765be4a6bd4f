package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.codecs.ExecType;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients over real sockets, through a real gateway, against a real 3-node cluster. Each test
 * trades its own instrument so the tests sharing the cluster do not meet in a book.
 */
@Timeout(120)
class GatewayEndToEndTest
{
    private static GatewayTestEnv env;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("end-to-end", 3);
        env.startGateway((config) -> {});
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldLogOnWithGoodPasswordAndRefuseBadOnes()
    {
        final Reports reports = new Reports();
        // Not polled while the refused logons wait out their backoffs (which grow with the address's failures in
        // this class): a long heartbeat keeps it logged on, so the last logon meets ALREADY_LOGGED_ON.
        final KeelClient client = env.client(env.clientContext(1, reports).heartbeatIntervalMs(10_000));
        assertTrue(client.isLoggedOn());
        assertEquals(1, client.accountId());
        assertEquals(Session.sessionIdOf("trader1"), client.sessionId(), "the session id is the user's, not the gateway's");

        final KeelClientException wrong = assertThrows(KeelClientException.class,
            () -> env.client(env.clientContext(2, new Reports()).password("not-the-password")));
        assertEquals(LogonResult.BAD_CREDENTIALS, wrong.result());

        final KeelClientException unknown = assertThrows(KeelClientException.class,
            () -> env.client(env.clientContext(2, new Reports()).username("nobody")));
        assertEquals(LogonResult.BAD_CREDENTIALS, unknown.result());

        final KeelClientException twice = assertThrows(KeelClientException.class,
            () -> env.client(env.clientContext(1, new Reports())));
        assertEquals(LogonResult.ALREADY_LOGGED_ON, twice.result());
        client.logout();
    }

    @Test
    void shouldMatchOrdersBetweenClientsAndNumberReports()
    {
        final int instrument = 2;
        final Reports seller = new Reports();
        final Reports buyer = new Reports();
        final KeelClient sell = env.client(env.clientContext(1, seller));
        final KeelClient buy = env.client(env.clientContext(2, buyer));

        assertTrue(sell.newOrder(100, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10));
        env.pollUntil(() -> seller.has(100, ExecType.NEW), 10_000, "sell order acknowledged", sell);
        assertTrue(buy.newOrder(200, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 1_000, 4));
        env.pollUntil(() -> buyer.has(200, ExecType.TRADE) && seller.has(100, ExecType.TRADE), 10_000, "fill", sell, buy);

        final Reports.Exec buyerFill = buyer.execs.stream().filter((e) -> e.execType() == ExecType.TRADE).findFirst().get();
        assertEquals(4, buyerFill.lastQty());
        assertEquals(1_000, buyerFill.lastPrice());
        final Reports.Exec sellerFill = seller.execs.stream().filter((e) -> e.execType() == ExecType.TRADE).findFirst().get();
        assertEquals(6, sellerFill.leavesQty());
        assertEquals(0, sell.inFlight());
        assertEquals(0, buy.inFlight());

        // Per-session sequence numbers, from 1, without gaps.
        assertEquals(LongStream.rangeClosed(1, seller.seqNos.size()).boxed().toList(), seller.seqNos);
        assertEquals(LongStream.rangeClosed(1, buyer.seqNos.size()).boxed().toList(), buyer.seqNos);
        sell.logout();
        buy.logout();
    }

    @Test
    void shouldReplaceAndCancel()
    {
        final int instrument = 3;
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(3, reports));

        client.newOrder(10, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 5);
        env.pollUntil(() -> reports.has(10, ExecType.NEW), 10_000, "new", client);
        final long orderId = reports.execs.get(0).orderId();

        client.replaceOrder(11, 10, 0, instrument, 910, 6);
        env.pollUntil(() -> reports.has(11, ExecType.REPLACED), 10_000, "replaced", client);
        final Reports.Exec replaced = reports.execs.stream().filter((e) -> e.clOrdId() == 11).findFirst().get();
        assertEquals(910, replaced.price());
        assertEquals(6, replaced.quantity());
        assertEquals(orderId, replaced.orderId());

        client.cancelOrder(12, 0, orderId, instrument);
        env.pollUntil(() -> reports.has(12, ExecType.CANCELED), 10_000, "canceled", client);

        client.cancelOrder(13, 0, orderId, instrument);
        env.pollUntil(() -> !reports.cancelRejects.isEmpty(), 10_000, "cancel reject", client);
        assertEquals(RejectReason.UNKNOWN_ORDER, reports.cancelRejects.get(0).reason());

        client.newOrder(14, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 905, 1);
        client.newOrder(15, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 906, 1);
        client.massCancel(16, MassCancelScope.SESSION, 0);
        env.pollUntil(() -> reports.massCancelCount == 1 && reports.has(14, ExecType.CANCELED) &&
            reports.has(15, ExecType.CANCELED), 10_000, "mass cancel", client);
        assertEquals(0, client.inFlight());
        client.logout();
    }

    @Test
    void shouldThrottleAndDisconnectAbusers()
    {
        final Gateway throttling = env.launchExtraGateway(8,
            (config) -> config.throttleRate(20).throttleBurst(10).throttleAbuse(40));
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(throttling, 4, reports).autoReconnect(false));

        for (int i = 0; i < 30; i++)
        {
            client.newOrder(1_000 + i, 4, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 600, 1);
        }
        env.pollUntil(() -> client.inFlight() == 0, 10_000, "every request answered", client);
        final long throttled = reports.businessRejects.stream().filter((r) -> r.reason() == RejectReason.THROTTLED).count();
        assertTrue(throttled >= 15, "throttled " + throttled);
        assertTrue(client.isLoggedOn(), "a throttled client within the abuse limit stays connected");

        for (int i = 0; i < 200 && client.isLoggedOn(); i++)
        {
            client.newOrder(2_000 + i, 4, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 600, 1);
            client.poll();
        }
        env.pollUntil(() -> !reports.disconnects.isEmpty(), 10_000, "abuser disconnected", client);
        assertEquals(List.of(LogoutReason.THROTTLE_ABUSE), reports.logouts);
        assertTrue(throttling.throttled() > 40);
    }

    @Test
    void shouldCancelOrdersOfALostSessionWithCancelOnDisconnect()
    {
        final int instrument = 5;
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(env.clientContext(5, maker).cancelOnDisconnect(true));
        makerClient.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 3);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "resting", makerClient);
        final long before = env.gateway().cancelOnDisconnects();

        makerClient.close(); // the connection is lost: no logout
        env.await(() -> env.gateway().cancelOnDisconnects() > before, 10_000, "cancel-on-disconnect sent");

        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(6, taker));
        takerClient.newOrder(2, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 3);
        env.pollUntil(() -> takerClient.inFlight() == 0 && !taker.execs.isEmpty(), 10_000, "taker answered",
            takerClient);
        assertFalse(taker.has(2, ExecType.TRADE), "the lost session's order was canceled: nothing to trade with");
        takerClient.logout();
    }

    @Test
    void shouldDeliverReportsMissedWhileDisconnectedExactlyOnce()
    {
        final int instrument = 6;
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(env.clientContext(7, maker));
        makerClient.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 5);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "resting", makerClient);

        makerClient.dropConnection();
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(8, taker));
        takerClient.newOrder(2, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 2);
        takerClient.newOrder(3, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 2);
        env.pollUntil(() -> taker.count(2, ExecType.TRADE) + taker.count(3, ExecType.TRADE) == 2, 10_000, "taker fills",
            takerClient);

        // The maker's next poll reconnects; the two fills it missed arrive, in sequence, once.
        env.pollUntil(() -> maker.count(1, ExecType.TRADE) == 2, 10_000, "missed fills", makerClient);
        assertEquals(1, makerClient.reconnects());
        assertEquals(LongStream.rangeClosed(1, 3).boxed().toList(), maker.seqNos);

        // Asking again delivers nothing twice.
        makerClient.requestResend(1, 0);
        final long deadline = System.nanoTime() + 300_000_000L;
        env.pollUntil(() -> System.nanoTime() - deadline > 0, 5_000, "resend window", makerClient);
        assertEquals(3, maker.seqNos.size());
        makerClient.logout();
        takerClient.logout();
    }

    @Test
    void shouldNotAllocateOnTheGatewayThreadPerMessage()
    {
        final int instrument = 7;
        final Reports reports = new Reports();
        // A gateway of its own, so that nothing but this client's traffic runs on its thread.
        final Gateway quiet = env.launchExtraGateway(10, (config) -> {});
        final KeelClient client = env.client(env.clientContext(quiet, 3, reports).heartbeatIntervalMs(10_000));
        final long allocated = env.gatewayThreadAllocation(quiet, client, instrument);
        System.out.println("gateway thread allocated " + allocated + " bytes over 2000 orders and their reports");
        // One allocation per message would be at least 16 B x 4000 messages = 64 KB; the JDK's selector
        // and Aeron's client allocate a few hundred bytes now and then, which is not per message.
        assertTrue(allocated < 8_000, "allocated " + allocated + " bytes for 2000 orders and 2000 reports");
        client.logout();
    }

    @Test
    void shouldRefuseNothingAcrossIngressTermRotations()
    {
        // 12,000 orders of ~100 bytes: the gateway's 1 MiB ingress term rolls over at least once, which Aeron
        // reports as ADMIN_ACTION; that must be retried, never turned into an UNAVAILABLE.
        final Gateway unthrottled = env.launchExtraGateway(11,
            (config) -> config.throttleRate(1_000_000).throttleBurst(100_000).throttleAbuse(1_000_000));
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(unthrottled, 4, reports).heartbeatIntervalMs(10_000));
        for (int i = 0; i < 12_000; i++)
        {
            client.newOrder(500_000 + i, 8, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1);
            if (i % 100 == 99)
            {
                env.pollUntil(() -> client.inFlight() == 0, 20_000, "batch answered", client);
            }
        }
        env.pollUntil(() -> client.inFlight() == 0, 20_000, "all answered", client);
        assertEquals(0, reports.businessRejects.size(), () -> "refused: " + reports.businessRejects.get(0));
        assertEquals(12_000, reports.execs.stream().filter((e) -> e.execType() == ExecType.CANCELED).count());
        client.logout();
    }
}
