package io.keel.codecs;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.keel.codecs.L2Book.PageOutcome.MORE_PAGES;
import static io.keel.codecs.L2Book.PageOutcome.PAGE_MISSING;
import static io.keel.codecs.L2Book.PageOutcome.WHOLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A paged book snapshot is applied page by page: page 1 starts the book afresh, the book is whole at the
 * snapshot's mdSeqNo after the last page only, and a page out of turn (one lost, another snapshot's) is told
 * as {@link L2Book.PageOutcome#PAGE_MISSING} so the caller resynchronises.
 */
class L2BookTest
{
    private static final int INSTRUMENT = 5;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final BookSnapshotEncoder encoder = new BookSnapshotEncoder();
    private final BookSnapshotDecoder decoder = new BookSnapshotDecoder();
    private final L2Book book = new L2Book(INSTRUMENT);

    @Test
    void shouldApplyPagesInTurnAndBeWholeOnlyAfterTheLast()
    {
        book.set(Side.BUY, 1, 1, 1); // an older book, replaced by page 1
        book.mdSeqNo(3);

        assertEquals(MORE_PAGES, book.apply(page(40, 1, 3, 100, 99)));
        assertEquals(3, book.mdSeqNo(), "the mdSeqNo is the snapshot's only once it is whole");
        assertEquals(MORE_PAGES, book.apply(page(40, 2, 3, 98, -200)));
        assertEquals(WHOLE, book.apply(page(40, 3, 3, -201, -202)));

        assertEquals(40, book.mdSeqNo());
        assertEquals(expected(40, 100, 99, 98, -200, -201, -202), book.toString());
        assertFalse(book.abandonSnapshot(), "nothing left to assemble");
    }

    @Test
    void shouldTellAMissingPage()
    {
        assertEquals(MORE_PAGES, book.apply(page(40, 1, 3, 100)));
        assertEquals(PAGE_MISSING, book.apply(page(40, 3, 3, -200)), "page 2 was lost");
        assertEquals(PAGE_MISSING, book.apply(page(40, 3, 3, -200)), "nothing follows a broken snapshot but a page 1");

        assertEquals(MORE_PAGES, book.apply(page(41, 1, 2, 100)));
        assertEquals(WHOLE, book.apply(page(41, 2, 2, -200)));
        assertEquals(expected(41, 100, -200), book.toString());
    }

    @Test
    void shouldTellAPageOfAnotherSnapshot()
    {
        assertEquals(MORE_PAGES, book.apply(page(40, 1, 3, 100)));
        assertEquals(PAGE_MISSING, book.apply(page(44, 2, 3, 99)), "another mdSeqNo");

        assertEquals(MORE_PAGES, book.apply(page(44, 1, 3, 100)));
        assertEquals(PAGE_MISSING, book.apply(page(44, 2, 4, 99)), "another page count");

        assertEquals(PAGE_MISSING, book.apply(page(44, 2, 3, 99)), "a page 2 with no page 1 before it");
        assertEquals(PAGE_MISSING, book.apply(page(44, 0, 3, 99)), "no page 0");
        assertEquals(PAGE_MISSING, book.apply(page(44, 4, 3, 99)), "no page past the count");
    }

    @Test
    void shouldStartAfreshAtAnyPageOne()
    {
        assertEquals(MORE_PAGES, book.apply(page(40, 1, 2, 100, 99)));
        assertEquals(MORE_PAGES, book.apply(page(45, 1, 2, 97)));
        assertEquals(WHOLE, book.apply(page(45, 2, 2, -300)));

        assertEquals(expected(45, 97, -300), book.toString());
    }

    @Test
    void shouldAbandonASnapshotWhosePagesStopped()
    {
        assertFalse(book.abandonSnapshot());
        assertEquals(MORE_PAGES, book.apply(page(40, 1, 2, 100)));

        assertTrue(book.abandonSnapshot());
        assertEquals(PAGE_MISSING, book.apply(page(40, 2, 2, -100)));
    }

    @Test
    void shouldTakeASnapshotWithoutPageNumbersAsWhole()
    {
        assertEquals(WHOLE, book.apply(page(7, 0, 0, 100, -101)), "pageNo and pageCount 0");
        assertEquals(expected(7, 100, -101), book.toString());

        page(8, 5, 9, 99);
        assertEquals(WHOLE, book.apply(versionTwo(1)), "schema version 2: no page fields at all");
        assertEquals(expected(8, 99), book.toString());
    }

    @Test
    void shouldEncodeItsOwnSnapshotAsOneWholePage()
    {
        book.set(Side.BUY, 100, 5, 2);
        book.set(Side.SELL, 101, 6, 1);
        book.mdSeqNo(12);
        book.encodeSnapshot(buffer, 0, 10, 0, headerEncoder, encoder);

        decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(1, decoder.pageNo());
        assertEquals(1, decoder.pageCount());
        final L2Book copy = new L2Book(INSTRUMENT);
        assertEquals(WHOLE, copy.apply(decoder));
        assertTrue(copy.sameLevels(book));
    }

    @Test
    void shouldAssembleOneHundredThousandLevelsFromOneHundredPages()
    {
        final int pages = 100;
        final int perPage = 1_000;
        final L2Book expected = new L2Book(INSTRUMENT);
        for (int pageNo = 1; pageNo <= pages; pageNo++)
        {
            final long[] prices = new long[perPage];
            for (int i = 0; i < perPage; i++)
            {
                final int level = (pageNo - 1) * perPage + i;
                // 50,000 bids best first, then 50,000 asks best first.
                prices[i] = level < 50_000 ? 1_000_000 - level : -(1_000_001 + level - 50_000);
                expected.set(prices[i] > 0 ? Side.BUY : Side.SELL, Math.abs(prices[i]), quantityAt(prices[i]), 1);
            }
            assertEquals(pageNo == pages ? WHOLE : MORE_PAGES, book.apply(page(77, pageNo, pages, prices)));
        }

        assertEquals(50_000, book.depth(Side.BUY));
        assertEquals(50_000, book.depth(Side.SELL));
        assertTrue(book.sameLevels(expected));
        assertEquals(77, book.mdSeqNo());
    }

    /**
     * One encoded page: a positive price is a bid, a negative one an ask at its absolute value.
     */
    private BookSnapshotDecoder page(final long mdSeqNo, final int pageNo, final int pageCount, final long... prices)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .instrumentId(INSTRUMENT)
            .mdSeqNo(mdSeqNo)
            .transactTime(1)
            .pageNo(pageNo)
            .pageCount(pageCount);
        final BookSnapshotEncoder.LevelsEncoder levels = encoder.levelsCount(prices.length);
        for (int i = 0; i < prices.length; i++)
        {
            final long price = prices[i];
            levels.next().side(price > 0 ? Side.BUY : Side.SELL).price(Math.abs(price)).quantity(quantityAt(price))
                .orderCount(1);
        }
        return decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
    }

    private static long quantityAt(final long price)
    {
        return Math.abs(price) % 10 + 1;
    }

    private static String expected(final long mdSeqNo, final long... prices)
    {
        final L2Book expected = new L2Book(INSTRUMENT);
        for (final long price : prices)
        {
            expected.set(price > 0 ? Side.BUY : Side.SELL, Math.abs(price), quantityAt(price), 1);
        }
        expected.mdSeqNo(mdSeqNo);
        return expected.toString();
    }

    /**
     * The page last encoded, as schema version 2 wrote it: a block without pageNo and pageCount.
     */
    private BookSnapshotDecoder versionTwo(final int levelCount)
    {
        final int v2BlockLength = BookSnapshotDecoder.pageNoEncodingOffset();
        final int levelsOffset = MessageHeaderDecoder.ENCODED_LENGTH + BookSnapshotDecoder.BLOCK_LENGTH;
        final int levelsLength = BookSnapshotDecoder.LevelsDecoder.sbeHeaderSize() +
            levelCount * BookSnapshotDecoder.LevelsDecoder.sbeBlockLength();
        final MutableDirectBuffer old = new UnsafeBuffer(new byte[MessageHeaderDecoder.ENCODED_LENGTH + v2BlockLength +
            levelsLength]);
        old.putBytes(0, buffer, 0, MessageHeaderDecoder.ENCODED_LENGTH + v2BlockLength);
        old.putBytes(MessageHeaderDecoder.ENCODED_LENGTH + v2BlockLength, buffer, levelsOffset, levelsLength);
        new MessageHeaderEncoder().wrap(old, 0).blockLength(v2BlockLength).version(2);
        return new BookSnapshotDecoder().wrapAndApplyHeader(old, 0, new MessageHeaderDecoder());
    }
}
