package io.keel.gateway;

import java.util.concurrent.locks.LockSupport;

import java.util.concurrent.TimeUnit;

import java.util.ArrayList;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.client.KeelClientListener;
import io.keel.client.Transport;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.ExecType;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients over Aeron UDP, through a real gateway, against a real cluster: the same session behaviour and the same
 * answers to bad input as over TCP. UDP clients share one media driver of the test's, but one that launches its own.
 */
@Timeout(90)
class GatewayUdpTest
{
    private static GatewayTestEnv env;
    private static File driverDir;
    private static MediaDriver driver;
    private static Aeron aeron;
    private static KeelClient bystander;
    private static Reports bystanderReports;
    private static long nextBystanderClOrdId = 1;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("udp", 1);
        env.startGateway((config) -> config.udpPort(FreePorts.udpPort()).logonTimeoutMs(1_000));
        driverDir = new File("target/gateway-tests/udp-clients-" + System.nanoTime()).getAbsoluteFile();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(driverDir.getPath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(AeronUdp.TERM_LENGTH)
            .ipcTermBufferLength(AeronUdp.TERM_LENGTH)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir.getPath()));
        bystanderReports = new Reports();
        // Polled only between tests: a long heartbeat keeps it logged on meanwhile.
        bystander = env.client(udpContext(env.gateway(), 8, bystanderReports).heartbeatIntervalMs(10_000));
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
        CloseHelper.quietCloseAll(aeron, driver);
        if (driverDir != null)
        {
            IoUtil.delete(driverDir, true);
        }
    }

    @AfterEach
    void gatewayStillServesOthers()
    {
        final long clOrdId = nextBystanderClOrdId++;
        assertTrue(bystander.newOrder(clOrdId, 8, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1));
        env.pollUntil(() -> bystander.inFlight() == 0, 10_000, "bystander's order answered", bystander);
        assertTrue(bystander.isLoggedOn());
        assertTrue(bystanderReports.execs.stream().anyMatch((e) -> e.clOrdId() == clOrdId));
    }

    static KeelClient.Context udpContext(final Gateway via, final int account, final KeelClientListener listener)
    {
        return env.clientContext(via, account, listener)
            .transport(Transport.UDP)
            .udpPort(via.udpPort())
            .aeronDir(driverDir.getPath());
    }

    @Test
    void shouldTradeBetweenUdpAndTcpClientsWithTheSameReports()
    {
        final int instrument = 2;
        final Reports seller = new Reports();
        final Reports buyer = new Reports();
        final KeelClient sell = env.client(udpContext(env.gateway(), 1, seller));
        final KeelClient buy = env.client(env.clientContext(2, buyer));
        assertTrue(sell.isLoggedOn());

        assertTrue(sell.newOrder(100, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10));
        env.pollUntil(() -> seller.has(100, ExecType.NEW), 10_000, "sell order acknowledged", sell);
        assertTrue(buy.newOrder(200, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 1_000, 4));
        assertTrue(buy.newOrder(201, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_001, 3));
        env.pollUntil(() -> seller.count(100, ExecType.TRADE) == 2 && buyer.has(200, ExecType.TRADE) &&
            buyer.has(201, ExecType.TRADE), 10_000, "fills on both sides", sell, buy);

        final List<Reports.Exec> sellerFills = seller.execs.stream().filter((e) -> e.execType() == ExecType.TRADE).toList();
        final List<Reports.Exec> buyerFills = buyer.execs.stream().filter((e) -> e.execType() == ExecType.TRADE).toList();
        assertEquals(2, buyerFills.size());
        for (int i = 0; i < 2; i++)
        {
            assertEquals(buyerFills.get(i).tradeId(), sellerFills.get(i).tradeId(), "trade " + i);
            assertEquals(buyerFills.get(i).lastQty(), sellerFills.get(i).lastQty(), "trade " + i);
            assertEquals(buyerFills.get(i).lastPrice(), sellerFills.get(i).lastPrice(), "trade " + i);
            assertEquals(1_000, sellerFills.get(i).lastPrice());
        }
        assertEquals(List.of(4L, 3L), sellerFills.stream().map(Reports.Exec::lastQty).toList());
        assertEquals(3, sellerFills.get(1).leavesQty());
        assertEquals(LongStream.rangeClosed(1, seller.seqNos.size()).boxed().toList(), seller.seqNos);
        assertEquals(0, sell.inFlight());
        assertTrue(env.gateway().udpConnections() >= 2);
        sell.logout();
        buy.logout();
    }

    @Test
    void shouldRefuseABadPasswordOverUdp()
    {
        final KeelClientException wrong = assertThrows(KeelClientException.class,
            () -> env.client(udpContext(env.gateway(), 2, new Reports()).password("not-the-password")));
        assertEquals(LogonResult.BAD_CREDENTIALS, wrong.result());

        // Not polled while the second one tries: a long heartbeat keeps it logged on.
        final KeelClient first = env.client(udpContext(env.gateway(), 2, new Reports()).heartbeatIntervalMs(10_000));
        final KeelClientException twice = assertThrows(KeelClientException.class,
            () -> env.client(udpContext(env.gateway(), 2, new Reports())));
        assertEquals(LogonResult.ALREADY_LOGGED_ON, twice.result());
        first.logout();
    }

    @Test
    void shouldLogOutASilentUdpSessionOnHeartbeatTimeout()
    {
        try (RawUdpClient raw = new RawUdpClient(aeron, env.gateway().udpPort()))
        {
            raw.send(raw.logon("trader3", "pw3", 500));
            final List<RawClient.Message> messages = raw.readUntilClosed(10_000);
            assertEquals(LogonResponseDecoder.TEMPLATE_ID, messages.get(0).templateId(), "LogonResponse first");
            final RawClient.Message last = messages.get(messages.size() - 1);
            assertEquals(LogoutDecoder.TEMPLATE_ID, last.templateId());
            assertEquals(LogoutReason.HEARTBEAT_TIMEOUT, last.logoutReason());
            assertTrue(messages.stream().anyMatch((m) -> m.templateId() == 4), "the gateway heartbeated first");
        }
    }

    @Test
    void shouldCancelOrdersWhenAUdpClientWithItsOwnDriverCloses()
    {
        final int instrument = 5;
        final Reports maker = new Reports();
        // No aeronDir: this client launches, and closes, a media driver of its own.
        final KeelClient makerClient = env.client(env.clientContext(5, maker)
            .transport(Transport.UDP).udpPort(env.gateway().udpPort()).cancelOnDisconnect(true));
        makerClient.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 3);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "resting", makerClient);
        final long before = env.gateway().cancelOnDisconnects();

        makerClient.close(); // no logout
        env.await(() -> env.gateway().cancelOnDisconnects() > before, 10_000, "cancel-on-disconnect sent");

        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(udpContext(env.gateway(), 6, taker));
        takerClient.newOrder(2, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 3);
        env.pollUntil(() -> takerClient.inFlight() == 0 && !taker.execs.isEmpty(), 10_000, "taker answered",
            takerClient);
        assertFalse(taker.has(2, ExecType.TRADE), "the lost session's order was canceled: nothing to trade with");
        takerClient.logout();
    }

    @Test
    void shouldDeliverReportsMissedWhileDisconnectedOverUdpExactlyOnce()
    {
        final int instrument = 6;
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(udpContext(env.gateway(), 7, maker));
        makerClient.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 5);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "resting", makerClient);

        makerClient.dropConnection();
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(4, taker));
        takerClient.newOrder(2, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 2);
        takerClient.newOrder(3, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 2);
        env.pollUntil(() -> taker.count(2, ExecType.TRADE) + taker.count(3, ExecType.TRADE) == 2, 10_000, "taker fills",
            takerClient);

        // The maker's next poll reconnects over UDP (a new publication: a new image at the gateway) and gets the
        // two fills it missed, in sequence, once.
        env.pollUntil(() -> maker.count(1, ExecType.TRADE) == 2, 10_000, "missed fills", makerClient);
        assertEquals(1, makerClient.reconnects());
        assertEquals(LongStream.rangeClosed(1, 3).boxed().toList(), maker.seqNos);
        makerClient.logout();
        takerClient.logout();
    }

    // ------------------------------------------------------------------ bad input, as GatewayBadInputTest over TCP

    @Test
    void wrongSchemaId()
    {
        assertHeaderFieldRejected(4, 999, RejectReason.UNSUPPORTED_MESSAGE, "WRONG_SCHEMA_ID 999");
    }

    @Test
    void newerSchemaVersion()
    {
        assertHeaderFieldRejected(6, 99, RejectReason.UNSUPPORTED_MESSAGE, "UNSUPPORTED_VERSION 99");
    }

    @Test
    void unknownTemplate()
    {
        assertHeaderFieldRejected(2, 777, RejectReason.UNSUPPORTED_MESSAGE, "UNKNOWN_TEMPLATE_ID 777");
    }

    @Test
    void blockLengthTooShort()
    {
        assertHeaderFieldRejected(0, 2, RejectReason.INVALID_MESSAGE, "BLOCK_LENGTH_TOO_SHORT 2");
    }

    @Test
    void fragmentedMessage()
    {
        assertRejectedAfterLogon((raw) -> raw.send(new UnsafeBuffer(new byte[3_000]), 3_000),
            RejectReason.INVALID_MESSAGE, "FRAGMENTED");
    }

    @Test
    void messageBeforeTheLogonCompleted()
    {
        assertRejectedAfterLogon((raw) -> raw.send(newOrder(), newOrderLength()),
            RejectReason.NOT_LOGGED_ON, "wait for the LogonResponse");
    }

    @Test
    void messageBeforeAnyLogonIsDroppedUnanswered()
    {
        final long before = env.gateway().protocolErrors();
        try (RawUdpClient raw = new RawUdpClient(aeron, env.gateway().udpPort()))
        {
            // Nowhere to answer: no Logon named a response endpoint.
            raw.send(newOrder(), newOrderLength());
            env.await(() -> env.gateway().protocolErrors() > before, 5_000, "protocol error counted");
            assertEquals(List.of(), raw.readFor(200));
        }
    }

    @Test
    void logonWithAnInjectedResponseChannelIsDroppedUnanswered()
    {
        final long before = env.gateway().protocolErrors();
        try (RawUdpClient raw = new RawUdpClient(aeron, env.gateway().udpPort()))
        {
            raw.send(RawUdpClient.logon("trader3", "pw3", 1_000, raw.responseEndpoint() + "|ttl=8"));
            env.await(() -> env.gateway().protocolErrors() > before, 5_000, "protocol error counted");
            assertEquals(List.of(), raw.readFor(200));
        }
    }

    private static void assertHeaderFieldRejected(
        final int headerOffset, final int value, final RejectReason reason, final String text)
    {
        assertRejectedAfterLogon((raw) ->
        {
            final UnsafeBuffer order = newOrder();
            order.putShort(headerOffset, (short)value, ByteOrder.LITTLE_ENDIAN);
            raw.send(order, newOrderLength());
        }, reason, text);
    }

    /**
     * A Logon naming our endpoint, then at once the bad message, before the LogonResponse: a UDP client's first
     * message must be a Logon, for the gateway to know where to answer.
     */
    private static void assertRejectedAfterLogon(
        final Consumer<RawUdpClient> sendBad, final RejectReason reason, final String textContains)
    {
        try (RawUdpClient raw = new RawUdpClient(aeron, env.gateway().udpPort()))
        {
            raw.send(raw.logon("trader3", "pw3", 1_000));
            sendBad.accept(raw);
            final List<RawClient.Message> messages = raw.readUntilClosed(10_000);
            assertEquals(List.of(SessionRejectDecoder.TEMPLATE_ID, LogoutDecoder.TEMPLATE_ID),
                RawClient.templates(messages), "a SessionReject, then a Logout, then the publication closed");
            final SessionRejectDecoder reject = messages.get(0).sessionReject();
            assertEquals(reason, reject.reason());
            final String text = reject.text();
            assertTrue(text.contains(textContains), text);
            assertEquals(LogoutReason.PROTOCOL_ERROR, messages.get(1).logoutReason());
        }
    }

    private static UnsafeBuffer newOrder()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clOrdId(1).instrumentId(1).side(Side.BUY).ordType(OrdType.LIMIT).timeInForce(TimeInForce.GTC)
            .price(900).quantity(1);
        return buffer;
    }

    private static int newOrderLength()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + NewOrderEncoder.BLOCK_LENGTH;
    }

    @Test
    void shouldNotAllocateOnTheGatewayThreadPerUdpMessage()
    {
        final int instrument = 7;
        final Reports reports = new Reports();
        // A gateway of its own, so that nothing but this client's traffic runs on its thread.
        final Gateway quiet = env.launchExtraGateway(10, (config) -> config.udpPort(FreePorts.udpPort()));
        final KeelClient client = env.client(udpContext(quiet, 3, reports).heartbeatIntervalMs(10_000));
        final long allocated = env.gatewayThreadAllocation(quiet, client, instrument);
        System.out.println("gateway thread allocated " + allocated + " bytes over 2000 UDP orders and their reports");
        assertTrue(allocated < 8_000, "allocated " + allocated + " bytes for 2000 orders and 2000 reports over UDP");
        client.logout();
    }

    @Test
    void udpClientsFromOneAddressMeetThePerAddressBoundOnImagesNotLoggedOn()
    {
        // A gateway of its own: two images not logged on per address. (Aeron binds a publication's interface= only
        // to an address some interface holds, so a test cannot send from a second loopback address: that the
        // bounds are per address, and the eviction when every pending slot is full, are shown over TCP in
        // HostileClientTest; the admission rules are the same object.)
        final Gateway bounded = env.launchExtraGateway(11, (config) ->
        {
            config.udpPort(FreePorts.udpPort()).logonTimeoutMs(30_000);
            config.limits().maxPendingPerAddress(2);
        });
        final List<RawUdpClient> clients = new ArrayList<>();
        try
        {
            clients.add(new RawUdpClient(aeron, bounded.udpPort()));
            clients.add(new RawUdpClient(aeron, bounded.udpPort()));
            env.await(() -> bounded.udpConnections() == 2, 5_000, "two images from 127.0.0.1 admitted");
            final long refusedBefore = bounded.refusedPerAddress();
            clients.add(new RawUdpClient(aeron, bounded.udpPort()));
            env.await(() -> bounded.refusedPerAddress() == refusedBefore + 1, 5_000,
                "a third image from 127.0.0.1, not logged on, refused per address");
            assertEquals(2, bounded.udpConnections());

            // A slot given back is taken again (once the gateway has seen the closed image go).
            CloseHelper.close(clients.remove(0));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (bounded.udpConnections() < 3)
            {
                assertTrue(System.nanoTime() - deadline < 0, "an image admitted again once one had closed");
                final long refused = bounded.refusedPerAddress();
                final RawUdpClient again = new RawUdpClient(aeron, bounded.udpPort());
                clients.add(again);
                env.await(() -> bounded.udpConnections() == 3 || bounded.refusedPerAddress() > refused, 5_000,
                    "the new image admitted or refused");
                if (bounded.udpConnections() < 3)
                {
                    clients.remove(again);
                    CloseHelper.close(again);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(clients);
        }
    }
}
