package io.keel.engine;

import io.keel.codecs.MarketDataRequestDecoder;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static io.keel.engine.Engine.BOOK_SNAPSHOT_PAGE_LEVELS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A book snapshot goes out in pages of at most {@link Engine#BOOK_SNAPSHOT_PAGE_LEVELS} levels, numbered 1 to
 * pageCount, all at the book's mdSeqNo, whose levels in order are the whole book: bids best first, then asks best
 * first. The boundaries: an empty book, one level, a page exactly full, one level over, a page boundary between the
 * sides, and a book of 100,000 levels.
 */
class BookSnapshotPagingTest
{
    private static final int INSTRUMENT = 3;
    private static final int BASE = 1;
    private static final int QUOTE = 2;
    private static final long ACCOUNT = 9;
    private static final long SESSION = (1L << 32) | 1;
    private static final long LOWEST_BID = 400_000;
    private static final long HIGHEST_ASK = 900_000;
    /** Orders and snapshots at one cluster time: a snapshot then changes nothing, not even the clock. */
    private static final long TIME = 10;

    /**
     * What the listener was told about book snapshots, page by page.
     */
    private static final class Pages implements EngineListener
    {
        record Level(Side side, long price, long quantity, int orderCount)
        {
        }

        record Page(int instrumentId, long mdSeqNo, int pageNo, int pageCount, int levelCount, long time, List<Level> levels)
        {
        }

        final List<Page> pages = new ArrayList<>();
        long lastMdSeqNo;
        private Page open;

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

        public void onBookSnapshotBegin(
            final int instrumentId, final long mdSeqNo, final int pageNo, final int pageCount, final int levelCount,
            final long time)
        {
            assertEquals(null, open, "a page begins only after the last one ended");
            open = new Page(instrumentId, mdSeqNo, pageNo, pageCount, levelCount, time, new ArrayList<>());
        }

        public void onBookSnapshotLevel(final Side side, final long price, final long quantity, final int orderCount)
        {
            open.levels().add(new Level(side, price, quantity, orderCount));
        }

        public void onBookSnapshotEnd(final int instrumentId)
        {
            assertEquals(open.instrumentId(), instrumentId);
            pages.add(open);
            open = null;
        }

        public void onExecutionReport(
            final OrderView order, final ExecType execType, final RejectReason reason,
            final long execId, final long time)
        {
        }

        public void onFill(
            final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId,
            final long time)
        {
        }

        public void onCancelReject(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
            final int instrumentId, final CancelRejectResponseTo responseTo,
            final RejectReason reason, final long time)
        {
        }

        public void onMassCancelReport(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId, final MassCancelScope scope,
            final int instrumentId, final int canceledCount, final RejectReason reason, final long time)
        {
        }

        public void onTrade(
            final int instrumentId, final long mdSeqNo, final long tradeId, final long price, final long quantity,
            final Side aggressorSide, final long time)
        {
        }

        public void onBookUpdate(
            final int instrumentId, final long mdSeqNo, final Side side, final long price, final long quantity,
            final int orderCount, final long time)
        {
            lastMdSeqNo = mdSeqNo;
        }

        public void onAdminResponse(
            final long correlationId, final int refTemplateId, final RejectReason result, final long time)
        {
            answers.add(correlationId + " " + refTemplateId + " " + result);
        }

        final List<String> answers = new ArrayList<>();
    }

    private final Pages pages = new Pages();
    /** One account fills a 100,000-level book: its open-order share is the whole engine's here. */
    private final Engine engine = new Engine(
        new EngineContext().maxOpenOrdersPerAccount(EngineContext.MAX_ORDERS_DEFAULT), pages);
    private long clOrdId = 1;

    BookSnapshotPagingTest()
    {
        engine.addInstrument(1, INSTRUMENT, BASE, QUOTE, 1, 1, (LOWEST_BID + HIGHEST_ASK) / 2, 0, 500, TIME);
        engine.createAccount(2, ACCOUNT, TIME);
        engine.deposit(3, ACCOUNT, QUOTE, 1L << 50, TIME);
        engine.deposit(4, ACCOUNT, BASE, 1L << 40, TIME);
    }

    @ParameterizedTest(name = "{0} levels")
    @ValueSource(ints = {0, 1, BOOK_SNAPSHOT_PAGE_LEVELS - 1, BOOK_SNAPSHOT_PAGE_LEVELS, BOOK_SNAPSHOT_PAGE_LEVELS + 1,
        2 * BOOK_SNAPSHOT_PAGE_LEVELS, 2 * BOOK_SNAPSHOT_PAGE_LEVELS + 1, 100_000})
    void shouldPageTheWholeBookInOrder(final int levelCount)
    {
        final int bids = (levelCount + 1) / 2;
        final int asks = levelCount / 2;
        fill(bids, asks);
        final long hash = engine.stateHash();
        pages.pages.clear();

        engine.bookSnapshot(INSTRUMENT, TIME);

        final int pageCount = Math.max(1, (levelCount + BOOK_SNAPSHOT_PAGE_LEVELS - 1) / BOOK_SNAPSHOT_PAGE_LEVELS);
        assertEquals(pageCount, pages.pages.size(), "pages");
        final List<Pages.Level> all = new ArrayList<>();
        for (int i = 0; i < pageCount; i++)
        {
            final Pages.Page page = pages.pages.get(i);
            assertEquals(INSTRUMENT, page.instrumentId());
            assertEquals(pages.lastMdSeqNo, page.mdSeqNo(), "every page at the book's mdSeqNo");
            assertEquals(i + 1, page.pageNo());
            assertEquals(pageCount, page.pageCount());
            assertEquals(TIME, page.time());
            final int expected = Math.min(BOOK_SNAPSHOT_PAGE_LEVELS, levelCount - i * BOOK_SNAPSHOT_PAGE_LEVELS);
            assertEquals(expected, page.levelCount(), "page " + page.pageNo() + " is full but the last");
            assertEquals(expected, page.levels().size(), "as many levels as announced");
            all.addAll(page.levels());
        }
        assertEquals(book(), all, "the pages in order are the book, bids best first, then asks best first");
        assertEquals(hash, engine.stateHash(), "a snapshot changes no state");
    }

    @Test
    void shouldAnswerAnUnknownInstrumentWithNoMarketDataButUnknownInstrumentToTheAsker()
    {
        pages.pages.clear();
        pages.answers.clear();

        engine.bookSnapshot(42, 7);

        assertEquals(List.of(), pages.pages, "no page: no gateway makes a book for an instrument that does not exist");
        assertEquals(List.of("42 " + MarketDataRequestDecoder.TEMPLATE_ID + " UNKNOWN_INSTRUMENT"), pages.answers);
    }

    @Test
    void shouldAnnounceANewInstrumentWithAnEmptyPageAndAnswerInstrumentZeroWithEveryBook()
    {
        assertEquals(List.of(new Pages.Page(INSTRUMENT, 0, 1, 1, 0, TIME, List.of())), pages.pages, "the announcement");
        engine.addInstrument(9, 1, BASE, QUOTE, 1, 1, 500_000, 0, 500, TIME);
        pages.pages.clear();
        pages.answers.clear();

        engine.bookSnapshot(0, TIME);

        assertEquals(List.of(new Pages.Page(1, 0, 1, 1, 0, TIME, List.of()),
            new Pages.Page(INSTRUMENT, 0, 1, 1, 0, TIME, List.of())), pages.pages, "every book, by instrument id");
        assertEquals(List.of("0 " + MarketDataRequestDecoder.TEMPLATE_ID + " NONE"), pages.answers, "then the end");
    }

    @Test
    void shouldPageTheSameWhenAskedAgain()
    {
        fill(1_500, 1_000);
        pages.pages.clear();
        engine.bookSnapshot(INSTRUMENT, TIME);
        final List<Pages.Page> first = new ArrayList<>(pages.pages);
        pages.pages.clear();

        engine.bookSnapshot(INSTRUMENT, TIME);

        assertEquals(3, first.size());
        assertEquals(first, pages.pages);
    }

    /**
     * Resting orders at {@code bids} and {@code asks} distinct prices, one per level, each the new best of its side
     * (a cheap insert), with quantities and order counts that differ from level to level.
     */
    private void fill(final int bids, final int asks)
    {
        for (int i = 0; i < bids; i++)
        {
            final long price = LOWEST_BID + i;
            final int orders = i % 3 == 0 ? 2 : 1;
            for (int o = 0; o < orders; o++)
            {
                limit(Side.BUY, price, 1 + i % 5);
            }
        }
        for (int i = 0; i < asks; i++)
        {
            limit(Side.SELL, HIGHEST_ASK - i, 1 + i % 7);
        }
        assertEquals(bids, levels(Side.BUY).size());
        assertEquals(asks, levels(Side.SELL).size());
        assertTrue(bids == 0 || asks == 0 || engine.bestPrice(INSTRUMENT, Side.BUY) < engine.bestPrice(INSTRUMENT, Side.SELL));
    }

    private void limit(final Side side, final long price, final long quantity)
    {
        engine.newOrder(SESSION, ACCOUNT, clOrdId++, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, false,
            SelfTradePrevention.NONE, price, quantity, 0, TIME);
    }

    private List<Pages.Level> book()
    {
        final List<Pages.Level> book = new ArrayList<>(levels(Side.BUY));
        book.addAll(levels(Side.SELL));
        return book;
    }

    private List<Pages.Level> levels(final Side side)
    {
        final List<Pages.Level> levels = new ArrayList<>();
        BookWalk.forEachLevel(engine, INSTRUMENT, side, (price, quantity, orderCount) ->
            levels.add(new Pages.Level(side, price, quantity, orderCount)));
        return levels;
    }
}
