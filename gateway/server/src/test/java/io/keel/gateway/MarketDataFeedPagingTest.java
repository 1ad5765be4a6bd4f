package io.keel.gateway;

import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.L2Book;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.BookWalk;
import io.keel.engine.Engine;
import io.keel.node.EventEncoder;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.keel.gateway.MarketDataFeed.Outcome.DROP;
import static io.keel.gateway.MarketDataFeed.Outcome.FORWARD;
import static io.keel.gateway.MarketDataFeed.Outcome.RESYNCED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's copy of a book from the engine's paged snapshots (real engine, real encoder): whole and served
 * only after the last page; a page lost in the middle or at the end makes it ask again at once, as a gap does;
 * a snapshot of a book that is current changes nothing.
 */
class MarketDataFeedPagingTest
{
    private static final int INSTRUMENT = 4;
    private static final long ACCOUNT = 1;
    private static final long SESSION = (1L << 32) | 1;
    private static final long TIME = 5;

    private final List<byte[]> marketData = new ArrayList<>();
    private final Engine engine = new Engine(new EventEncoder(new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            marketData.add(copy);
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
        }
    }));
    private final List<Integer> requests = new ArrayList<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MarketDataFeed feed = new MarketDataFeed(new GatewayContext(), (segment, buffer, offset, length) ->
    {
        final MarketDataRequestDecoder request = new MarketDataRequestDecoder().wrapAndApplyHeader(buffer, offset, header);
        requests.add(request.instrumentId());
        return true;
    }, null);
    private long nowNs = TimeUnit.SECONDS.toNanos(100);
    private long clOrdId = 1;

    MarketDataFeedPagingTest()
    {
        engine.addInstrument(1, INSTRUMENT, 1, 2, 1, 1, 500_000, 0, 500, TIME);
        engine.createAccount(2, ACCOUNT, TIME);
        engine.deposit(3, ACCOUNT, 2, 1L << 50, TIME);
        engine.deposit(4, ACCOUNT, 1, 1L << 40, TIME);
        marketData.clear();
    }

    /**
     * A subscriber for an instrument the gateway knows (the engine announced it) but has not followed since, as after
     * a new leader: true when the book can be served now.
     */
    private boolean isReady(final int instrumentId, final long nowNs)
    {
        feed.book(instrumentId);
        return feed.subscribe(instrumentId, nowNs) == MarketDataFeed.Subscription.READY;
    }

    @Test
    void shouldRefuseAnInstrumentTheEngineNeverAnnouncedAndMakeNoBook()
    {
        assertEquals(MarketDataFeed.Subscription.NOT_YET_KNOWN, feed.subscribe(77, nowNs), "the list is not in yet");
        feed.onLeaderChange(0, nowNs);
        assertEquals(List.of(0), requests, "one request for every book");
        final org.agrona.ExpandableArrayBuffer answer = new org.agrona.ExpandableArrayBuffer(64);
        new io.keel.codecs.AdminResponseEncoder()
            .wrapAndApplyHeader(answer, 0, new io.keel.codecs.MessageHeaderEncoder())
            .correlationId(0).refTemplateId(MarketDataRequestDecoder.TEMPLATE_ID)
            .result(io.keel.codecs.RejectReason.NONE);
        feed.onAdminResponse(0, answer, 0);

        assertEquals(MarketDataFeed.Subscription.UNKNOWN_INSTRUMENT, feed.subscribe(77, nowNs));
        assertEquals(0, feed.bookCount(), "no book made for a name");
        assertEquals(List.of(0), requests, "nothing asked of the cluster");
    }

    @Test
    void shouldServeTheBookOnlyWhenTheLastPageIsIn()
    {
        levels(1_500, 1_000); // 3 pages
        assertFalse(isReady(INSTRUMENT, nowNs), "nothing yet: a snapshot is asked for");
        assertEquals(List.of(INSTRUMENT), requests);

        final List<byte[]> pages = snapshot();
        assertEquals(3, pages.size());
        assertEquals(DROP, deliver(pages.get(0)));
        assertFalse(isReady(INSTRUMENT, nowNs), "page 1 of 3: not whole");
        assertEquals(DROP, deliver(pages.get(1)));
        assertEquals(RESYNCED, deliver(pages.get(2)));

        assertTrue(isReady(INSTRUMENT, nowNs));
        assertSameAsEngine();
        assertEquals(List.of(INSTRUMENT), requests, "asked once");
        assertEquals(FORWARD, deliver(newLevel(Side.BUY, 100)), "increments follow the snapshot's mdSeqNo");
        assertSameAsEngine();
    }

    @Test
    void shouldAskAgainAtOnceWhenAPageIsLost()
    {
        levels(1_500, 1_000);
        isReady(INSTRUMENT, nowNs);
        final List<byte[]> pages = snapshot();

        assertEquals(DROP, deliver(pages.get(0)));
        assertEquals(DROP, deliver(pages.get(2)), "page 2 lost");

        assertEquals(List.of(INSTRUMENT, INSTRUMENT), requests, "asked again at once, as after a gap");
        assertFalse(isReady(INSTRUMENT, nowNs));
        deliverAll(snapshot());
        assertTrue(isReady(INSTRUMENT, nowNs));
        assertSameAsEngine();
    }

    @Test
    void shouldAskAgainAtOnceWhenTheLastPagesAreLost()
    {
        levels(1_500, 1_000);
        isReady(INSTRUMENT, nowNs);
        final List<byte[]> pages = snapshot();

        assertEquals(DROP, deliver(pages.get(0)));
        assertEquals(DROP, deliver(pages.get(1)));
        assertEquals(DROP, deliver(newLevel(Side.SELL, 0)), "page 3 lost: an increment came in its place");

        assertEquals(List.of(INSTRUMENT, INSTRUMENT), requests);
        deliverAll(snapshot());
        assertTrue(isReady(INSTRUMENT, nowNs));
        assertSameAsEngine();
    }

    @Test
    void shouldAskAgainWhenTheLastPagesOfASnapshotItDidNotAskForNeverCome()
    {
        levels(10, 10);
        isReady(INSTRUMENT, nowNs);
        deliverAll(snapshot());
        final int asked = requests.size();
        // Increments this gateway missed without a gap to show it (a leader change), then another gateway's snapshot.
        levels(1_500, 1_000);
        marketData.clear();
        final List<byte[]> pages = snapshot();

        assertEquals(DROP, deliver(pages.get(0)), "newer than ours: taken, and the book is not whole meanwhile");
        assertFalse(isReady(INSTRUMENT, nowNs));
        assertEquals(asked, requests.size(), "more pages may come");

        nowNs += TimeUnit.SECONDS.toNanos(2);
        feed.doWork(nowNs);
        assertEquals(asked + 1, requests.size(), "they did not: asked by the retry");
        deliverAll(snapshot());
        assertSameAsEngine();
    }

    @Test
    void shouldKeepServingACurrentBookThroughAnotherGatewaysSnapshot()
    {
        levels(1_500, 1_000);
        isReady(INSTRUMENT, nowNs);
        deliverAll(snapshot());

        for (final byte[] page : snapshot())
        {
            assertEquals(DROP, deliver(page));
            assertTrue(isReady(INSTRUMENT, nowNs), "a snapshot at our mdSeqNo changes nothing");
        }
        assertEquals(1, requests.size());
        assertSameAsEngine();
    }

    @Test
    void shouldRebuildOneHundredThousandLevels()
    {
        levels(50_000, 50_000);
        isReady(INSTRUMENT, nowNs);
        final List<byte[]> pages = snapshot();
        assertEquals(100, pages.size());

        for (int i = 0; i < pages.size(); i++)
        {
            assertEquals(i == pages.size() - 1 ? RESYNCED : DROP, deliver(pages.get(i)));
        }

        assertEquals(50_000, feed.book(INSTRUMENT).levels.depth(Side.BUY));
        assertEquals(50_000, feed.book(INSTRUMENT).levels.depth(Side.SELL));
        assertSameAsEngine();
        final int length = feed.encodeSnapshot(INSTRUMENT);
        final BookSnapshotDecoder served = new BookSnapshotDecoder().wrapAndApplyHeader(feed.snapshotBuffer(), 0, header);
        assertEquals(2 * new GatewayContext().marketDataDepth(), served.levels().count(), "subscribers get the depth");
        assertTrue(length < 64 * 1024);
    }

    /**
     * Resting orders at new prices, each the best of its side, bids below 500,000 and asks above.
     */
    private void levels(final int bids, final int asks)
    {
        final int bidsBefore = depth(Side.BUY);
        final int asksBefore = depth(Side.SELL);
        for (int i = 0; i < bids; i++)
        {
            order(Side.BUY, 400_000 + bidsBefore + i);
        }
        for (int i = 0; i < asks; i++)
        {
            order(Side.SELL, 600_000 - asksBefore - i);
        }
    }

    /**
     * One more level: a BookUpdate (the increment after whatever was delivered last).
     */
    private byte[] newLevel(final Side side, final int offset)
    {
        marketData.clear();
        order(side, side == Side.BUY ? 490_000 + offset : 510_000 + offset);
        return marketData.get(0);
    }

    private void order(final Side side, final long price)
    {
        engine.newOrder(SESSION, ACCOUNT, clOrdId++, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, false,
            SelfTradePrevention.NONE, price, 1 + price % 3, 0, TIME);
    }

    private int depth(final Side side)
    {
        final int[] depth = {0};
        BookWalk.forEachLevel(engine, INSTRUMENT, side, (price, quantity, orderCount) -> depth[0]++);
        return depth[0];
    }

    private List<byte[]> snapshot()
    {
        marketData.clear();
        engine.bookSnapshot(INSTRUMENT, TIME);
        final List<byte[]> pages = new ArrayList<>(marketData);
        marketData.clear();
        return pages;
    }

    private MarketDataFeed.Outcome deliver(final byte[] message)
    {
        return feed.onMarketData(new UnsafeBuffer(message), 0, message.length, nowNs);
    }

    private void deliverAll(final List<byte[]> pages)
    {
        for (final byte[] page : pages)
        {
            deliver(page);
        }
    }

    private void assertSameAsEngine()
    {
        final L2Book expected = new L2Book(INSTRUMENT);
        for (final Side side : new Side[]{Side.BUY, Side.SELL})
        {
            BookWalk.forEachLevel(engine, INSTRUMENT, side, (price, quantity, orderCount) -> expected.set(side, price, quantity, orderCount));
        }
        final L2Book actual = feed.book(INSTRUMENT).levels;
        assertTrue(actual.sameLevels(expected), "the gateway's copy is the engine's book");
        assertEquals(MarketDataFeed.State.SYNCED, feed.book(INSTRUMENT).state);
    }
}
