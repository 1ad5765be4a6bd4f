package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.client.MarketDataSubscriber;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.L2Book;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.engine.BookWalk;
import io.keel.engine.Engine;
import io.keel.node.KeelNode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Market data through the gateway: subscribers over TCP (one from the start, one joining late)
 * and a read-only subscriber of the public UDP stream (joining late) each rebuild the book, and
 * all of them equal the engine's book — also after the leader died in the middle of the trading.
 */
@Timeout(150)
class GatewayMarketDataTest
{
    private static final int INSTRUMENT = 1;

    private GatewayTestEnv env;
    private MarketDataSubscriber publicSubscriber;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(publicSubscriber);
        if (env != null)
        {
            env.close();
        }
    }

    private static final class BookKeeper implements KeelClientListener
    {
        L2Book book = new L2Book(INSTRUMENT);
        int snapshots;

        public void onBookSnapshot(final BookSnapshotDecoder snapshot)
        {
            snapshots++;
            if (book.instrumentId() != snapshot.instrumentId())
            {
                book = new L2Book(snapshot.instrumentId());
            }
            book.apply(snapshot);
        }

        public void onBookUpdate(final BookUpdateDecoder update)
        {
            book.apply(update);
        }
    }

    @Test
    void shouldGiveEverySubscriberTheEnginesBookIncludingAfterAFailover() throws Exception
    {
        env = GatewayTestEnv.start("market-data", 3);
        final int mdPort = FreePorts.udpPort();
        env.startGateway((config) -> config.marketDataPort(mdPort).marketDataSnapshotIntervalMs(200));

        final BookKeeper early = new BookKeeper();
        final KeelClient earlyClient = env.client(env.clientContext(3, early));
        earlyClient.subscribe(INSTRUMENT, true);
        final KeelClient maker = env.client(env.clientContext(1, new Reports()).resendTimeoutMs(2_000));
        final KeelClient taker = env.client(env.clientContext(2, new Reports()).resendTimeoutMs(2_000));

        final SplittableRandom random = new SplittableRandom(7);
        final long[] clOrdId = {1};
        final Runnable trade = () ->
        {
            // Makers rest orders around 1000; the taker lifts some of them: levels come and go.
            final Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            final long offset = 1 + random.nextInt(20);
            maker.newOrder(clOrdId[0]++, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC,
                side == Side.BUY ? 1_000 - offset : 1_000 + offset, 1 + random.nextInt(5));
            if (clOrdId[0] % 3 == 0)
            {
                final Side takerSide = random.nextBoolean() ? Side.BUY : Side.SELL;
                taker.newOrder(clOrdId[0]++, INSTRUMENT, takerSide, OrdType.LIMIT, TimeInForce.IOC,
                    takerSide == Side.BUY ? 1_010 : 990, 1 + random.nextInt(6));
            }
        };

        final BookKeeper late = new BookKeeper();
        KeelClient lateClient = null;
        final KeelNode leader = env.cluster().awaitLeader(10_000);
        for (int step = 0; step < 600; step++)
        {
            trade.run();
            earlyClient.poll();
            maker.poll();
            taker.poll();
            if (lateClient != null)
            {
                lateClient.poll();
            }
            if (publicSubscriber != null)
            {
                publicSubscriber.poll();
            }
            if (step == 200)
            {
                lateClient = env.client(env.clientContext(4, late));
                lateClient.subscribe(INSTRUMENT, true);
                publicSubscriber = new MarketDataSubscriber("localhost", mdPort, null, INSTRUMENT,
                    new File("target/gateway-tests/md-subscriber-" + System.nanoTime()), IdleProfile.BACKOFF.threadingMode(),
                    IdleProfile.BACKOFF.newIdleStrategy(),
                    new MarketDataSubscriber.Listener() {});
            }
            if (step == 350)
            {
                env.cluster().stopNode(leader.memberId());
            }
            GatewayTestEnv.sleep(3);
        }

        // Let everything settle: orders answered, the increments and at least one public snapshot through.
        final KeelClient lateFinal = lateClient;
        final long settleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        env.pollUntil(() -> maker.inFlight() == 0 && taker.inFlight() == 0 && System.nanoTime() - settleUntil > 0,
            60_000, "orders answered", maker, taker, earlyClient, lateFinal);
        final long publicUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() - publicUntil < 0)
        {
            publicSubscriber.poll();
            earlyClient.poll();
            lateFinal.poll();
            GatewayTestEnv.sleep(1);
        }

        final L2Book publicBook = publicSubscriber.book(INSTRUMENT);
        assertNotNull(publicBook, "the public stream delivered a snapshot");
        assertTrue(early.snapshots >= 1 && late.snapshots >= 1);

        final Engine[] engines = env.stopClusterAndInspect();
        final L2Book engineBook = new L2Book(INSTRUMENT);
        final Engine survivor = engines[(leader.memberId() + 1) % 3];
        for (final Side side : new Side[]{Side.BUY, Side.SELL})
        {
            BookWalk.forEachLevel(survivor, INSTRUMENT, side, (price, quantity, orderCount) ->
                engineBook.set(side, price, quantity, orderCount));
        }
        assertTrue(engineBook.depth(Side.BUY) + engineBook.depth(Side.SELL) > 5, "a book worth comparing: " + engineBook);
        assertTrue(engineBook.sameLevels(early.book), "early subscriber\n" + early.book + "\nengine\n" + engineBook);
        assertTrue(engineBook.sameLevels(late.book), "late subscriber\n" + late.book + "\nengine\n" + engineBook);
        assertTrue(engineBook.sameLevels(publicBook), "public stream\n" + publicBook + "\nengine\n" + engineBook);
        assertEquals(engines[(leader.memberId() + 1) % 3].stateHash(), engines[(leader.memberId() + 2) % 3].stateHash());
    }

    @Test
    void shouldSendALargeSnapshotToAUdpClientInFragments() throws Exception
    {
        env = GatewayTestEnv.start("market-data-udp", 1);
        final int udpPort = FreePorts.udpPort();
        env.startGateway((config) -> config.udpPort(udpPort));
        final KeelClient maker = env.client(env.clientContext(1, new Reports()));
        // 150 bid levels: a 3 KB snapshot, more than one UDP packet.
        for (int i = 0; i < 150; i++)
        {
            maker.newOrder(i + 1, 2, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900 - i, 1 + i % 3);
        }
        env.pollUntil(() -> maker.inFlight() == 0, 20_000, "orders rest", maker);

        final BookKeeper udpBook = new BookKeeper();
        final KeelClient udpClient = env.client(env.clientContext(2, udpBook)
            .transport(io.keel.client.Transport.UDP).udpPort(env.gateway().udpPort()));
        final L2Book expected = new L2Book(2);
        udpClient.subscribe(2, true);
        env.pollUntil(() -> udpBook.snapshots == 1, 20_000, "snapshot over UDP", udpClient);
        for (int i = 0; i < 150; i++)
        {
            expected.set(Side.BUY, 900 - i, 1 + i % 3, 1);
        }
        assertEquals(150, udpBook.book.depth(Side.BUY));
        assertTrue(expected.sameLevels(udpBook.book), udpBook.book.toString());
    }
}
