package io.keel.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.ThreadingMode;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.BookSnapshotEncoder;
import io.keel.codecs.BookUpdateEncoder;
import io.keel.codecs.L2Book;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.Side;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The public stream's subscriber assembles a paged snapshot (real media driver, an IPC publication standing in for
 * the gateway's stream): the book is there only once the last page is in, a lost page counts as a gap and waits for
 * the next snapshot, and increments follow the snapshot's mdSeqNo.
 */
@Timeout(60)
class MarketDataSubscriberTest
{
    private static final int INSTRUMENT = 6;
    private static final int PAGE_LEVELS = 1_000;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final BookSnapshotEncoder snapshot = new BookSnapshotEncoder();
    private final BookUpdateEncoder update = new BookUpdateEncoder();
    private File dir;
    private MarketDataSubscriber subscriber;
    private Aeron aeron;
    private ExclusivePublication stream;
    private int books;

    @BeforeEach
    void start()
    {
        dir = new File("target/md-subscriber-test-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(dir, "test dir");
        final File aeronDir = new File(dir, "aeron");
        subscriber = new MarketDataSubscriber(null, 0, "aeron:ipc", INSTRUMENT, aeronDir, ThreadingMode.SHARED,
            new BackoffIdleStrategy(), new MarketDataSubscriber.Listener()
            {
                public void onBook(final L2Book book)
                {
                    books++;
                }
            });
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir.getAbsolutePath()));
        stream = aeron.addExclusivePublication("aeron:ipc?term-length=1m", AeronUdp.MARKET_DATA_STREAM_ID);
        pollUntil(() -> subscriber.isConnected() && stream.isConnected(), "the stream to connect");
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(stream, aeron, subscriber);
        IoUtil.delete(dir, true);
    }

    @Test
    void shouldHaveTheBookOnlyOnceTheLastPageIsIn()
    {
        publishPage(30, 1, 3, 2_500);
        publishPage(30, 2, 3, 2_500);
        pollUntil(() -> subscriber.messages() == 2, "two pages");
        assertNull(subscriber.book(INSTRUMENT), "two pages of three: no book yet");

        publishPage(30, 3, 3, 2_500);
        pollUntil(() -> subscriber.book(INSTRUMENT) != null, "the book");
        assertEquals(1, books, "told once, when whole");
        assertBook(30, 2_500);

        publishUpdate(31, Side.BUY, 999_999);
        pollUntil(() -> subscriber.book(INSTRUMENT).mdSeqNo() == 31, "the increment after the snapshot");
        assertEquals(1_251, subscriber.book(INSTRUMENT).depth(Side.BUY));
        assertEquals(0, subscriber.gaps());
    }

    @Test
    void shouldWaitForTheNextSnapshotWhenAPageIsLost()
    {
        publishPage(30, 1, 3, 2_500);
        publishPage(30, 3, 3, 2_500);
        pollUntil(() -> subscriber.gaps() == 1, "the lost page seen as a gap");
        assertNull(subscriber.book(INSTRUMENT));
        publishUpdate(31, Side.BUY, 999_999);
        pollUntil(() -> subscriber.messages() == 3, "an increment");
        assertNull(subscriber.book(INSTRUMENT), "an increment does not make a broken snapshot whole");

        for (int pageNo = 1; pageNo <= 3; pageNo++)
        {
            publishPage(40, pageNo, 3, 2_500);
        }
        pollUntil(() -> subscriber.book(INSTRUMENT) != null, "the next snapshot");
        assertBook(40, 2_500);
    }

    @Test
    void shouldSkipEveryPageOfASnapshotNoNewerThanItsBook()
    {
        publishPage(30, 1, 1, 10);
        pollUntil(() -> subscriber.book(INSTRUMENT) != null, "the book");
        publishPage(30, 1, 2, 2_000);
        publishPage(30, 2, 2, 2_000);
        pollUntil(() -> subscriber.messages() == 3, "the periodic snapshot");

        assertNotNull(subscriber.book(INSTRUMENT), "the book stays usable");
        assertBook(30, 10);
        assertEquals(1, books);
    }

    @Test
    void shouldAssembleOneHundredThousandLevels()
    {
        for (int pageNo = 1; pageNo <= 100; pageNo++)
        {
            publishPage(77, pageNo, 100, 100_000);
        }
        pollUntil(() -> subscriber.book(INSTRUMENT) != null, "the book");
        assertBook(77, 100_000);
    }

    /**
     * Page {@code pageNo} of a snapshot of a book of {@code levels} levels: half bids, half asks, in pages of
     * {@link #PAGE_LEVELS}, bids best first, then asks best first, as the engine pages.
     */
    private void publishPage(final long mdSeqNo, final int pageNo, final int pageCount, final int levels)
    {
        final int bids = levels / 2;
        final int from = (pageNo - 1) * PAGE_LEVELS;
        final int to = Math.min(levels, from + PAGE_LEVELS);
        snapshot.wrapAndApplyHeader(buffer, 0, header)
            .instrumentId(INSTRUMENT)
            .mdSeqNo(mdSeqNo)
            .transactTime(1)
            .pageNo(pageNo)
            .pageCount(pageCount);
        final BookSnapshotEncoder.LevelsEncoder page = snapshot.levelsCount(to - from);
        for (int level = from; level < to; level++)
        {
            final boolean bid = level < bids;
            page.next()
                .side(bid ? Side.BUY : Side.SELL)
                .price(bid ? 500_000 - level : 500_001 + level - bids)
                .quantity(1 + level % 4)
                .orderCount(1);
        }
        publish(MessageHeaderEncoder.ENCODED_LENGTH + snapshot.encodedLength());
    }

    private void publishUpdate(final long mdSeqNo, final Side side, final long price)
    {
        update.wrapAndApplyHeader(buffer, 0, header)
            .instrumentId(INSTRUMENT)
            .mdSeqNo(mdSeqNo)
            .side(side)
            .price(price)
            .quantity(1)
            .orderCount(1)
            .transactTime(2);
        publish(MessageHeaderEncoder.ENCODED_LENGTH + update.encodedLength());
    }

    private void publish(final int length)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.offer(buffer, 0, length) < 0)
        {
            subscriber.poll();
            if (System.nanoTime() - deadline > 0)
            {
                fail("the stream took no message for 10 s");
            }
        }
    }

    private void assertBook(final long mdSeqNo, final int levels)
    {
        final L2Book book = subscriber.book(INSTRUMENT);
        assertEquals(mdSeqNo, book.mdSeqNo());
        assertEquals(levels / 2, book.depth(Side.BUY));
        assertEquals(levels - levels / 2, book.depth(Side.SELL));
        for (int i = 0; i < levels / 2; i++)
        {
            assertTrue(book.price(Side.BUY, i) == 500_000 - i && book.quantity(Side.BUY, i) == 1 + i % 4, "bid " + i);
        }
        for (int i = 0; i < levels - levels / 2; i++)
        {
            final int level = levels / 2 + i;
            assertTrue(book.price(Side.SELL, i) == 500_001 + i && book.quantity(Side.SELL, i) == 1 + level % 4, "ask " + i);
        }
    }

    private void pollUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (subscriber.poll() == 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    fail("timed out waiting for " + what);
                }
                Thread.yield();
            }
        }
    }
}
