package io.keel.engine;

import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.L2Book;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.node.EventEncoder;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A book snapshot asked for through the log carries exactly the engine's aggregated levels, best
 * first, at the instrument's current mdSeqNo, in pages no longer than the longest output.
 */
class BookSnapshotTest
{
    private final List<UnsafeBuffer> marketData = new ArrayList<>();
    private final Engine engine = new Engine(new EventEncoder(new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            marketData.add(copy);
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            adminOutputs.add(copy);
        }
    }));
    private final List<UnsafeBuffer> adminOutputs = new ArrayList<>();

    private long clOrdId = 1;

    private void order(final Side side, final long price, final long quantity)
    {
        engine.newOrder(7L << 32 | 1, 1, clOrdId++, 1, side, OrdType.LIMIT, TimeInForce.GTC, false,
            SelfTradePrevention.NONE, price, quantity, 0, 10);
    }

    @Test
    void shouldSnapshotEveryLevelAtTheCurrentSequence()
    {
        engine.addInstrument(1, 1, 1, 2, 1, 1, 100, 5_000, 500, 1);
        engine.createAccount(2, 1, 1);
        engine.deposit(3, 1, 1, 1_000, 1);
        engine.deposit(4, 1, 2, 1_000_000, 1);
        order(Side.BUY, 99, 5);
        order(Side.BUY, 99, 2);
        order(Side.BUY, 97, 1);
        order(Side.SELL, 101, 3);
        order(Side.SELL, 104, 4);
        marketData.clear();

        engine.bookSnapshot(1, 20);
        assertEquals(1, marketData.size());
        final BookSnapshotDecoder snapshot = new BookSnapshotDecoder()
            .wrapAndApplyHeader(marketData.get(0), 0, new MessageHeaderDecoder());
        assertEquals(1, snapshot.instrumentId());
        assertEquals(5, snapshot.mdSeqNo(), "one BookUpdate per order so far");
        assertEquals(1, snapshot.pageNo());
        assertEquals(1, snapshot.pageCount());
        final StringBuilder levels = new StringBuilder();
        for (final BookSnapshotDecoder.LevelsDecoder level : snapshot.levels())
        {
            levels.append(level.side()).append(' ').append(level.quantity()).append('@').append(level.price())
                .append('/').append(level.orderCount()).append(' ');
        }
        assertEquals("BUY 7@99/2 BUY 1@97/1 SELL 3@101/1 SELL 4@104/1 ", levels.toString());

        marketData.clear();
        adminOutputs.clear();
        engine.bookSnapshot(42, 21);
        assertEquals(0, marketData.size(), "no market data for an instrument that does not exist: no gateway makes a book");
        final io.keel.codecs.AdminResponseDecoder unknown = new io.keel.codecs.AdminResponseDecoder()
            .wrapAndApplyHeader(adminOutputs.get(0), 0, new MessageHeaderDecoder());
        assertEquals(42, unknown.correlationId());
        assertEquals(io.keel.codecs.MarketDataRequestDecoder.TEMPLATE_ID, unknown.refTemplateId());
        assertEquals(io.keel.codecs.RejectReason.UNKNOWN_INSTRUMENT, unknown.result());
    }

    @Test
    void shouldEncodeADeepBookInPagesThatReassembleToIt()
    {
        engine.addInstrument(1, 1, 1, 2, 1, 1, 500_000, 0, 500, 1);
        engine.createAccount(2, 1, 1);
        engine.deposit(3, 1, 1, 1L << 40, 1);
        engine.deposit(4, 1, 2, 1L << 50, 1);
        for (int i = 0; i < 50_000; i++)
        {
            order(Side.BUY, 400_000 + i, 1 + i % 3);
            order(Side.SELL, 600_000 - i, 1 + i % 5);
        }
        marketData.clear();

        engine.bookSnapshot(1, 20);

        assertEquals(100, marketData.size(), "100,000 levels in pages of " + Engine.BOOK_SNAPSHOT_PAGE_LEVELS);
        final L2Book book = new L2Book(1);
        for (int i = 0; i < marketData.size(); i++)
        {
            final UnsafeBuffer page = marketData.get(i);
            assertEquals(EventEncoder.MAX_BOOK_SNAPSHOT_PAGE_LENGTH, page.capacity(), "every page full");
            assertTrue(page.capacity() <= EventEncoder.MAX_OUTPUT_LENGTH);
            final BookSnapshotDecoder snapshot = new BookSnapshotDecoder().wrapAndApplyHeader(page, 0, new MessageHeaderDecoder());
            assertEquals(100_000, snapshot.mdSeqNo());
            assertEquals(i == 99 ? L2Book.PageOutcome.WHOLE : L2Book.PageOutcome.MORE_PAGES, book.apply(snapshot));
        }
        final L2Book expected = new L2Book(1);
        for (final Side side : new Side[]{Side.BUY, Side.SELL})
        {
            BookWalk.forEachLevel(engine, 1, side, (price, quantity, orderCount) -> expected.set(side, price, quantity, orderCount));
        }
        assertEquals(50_000, book.depth(Side.BUY));
        assertTrue(book.sameLevels(expected), "the pages are the engine's book");
        assertEquals(100_000, book.mdSeqNo());
    }
}
