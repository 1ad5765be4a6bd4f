package io.keel.client;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.L2Book;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;

/**
 * A read-only subscriber to a gateway's public market-data stream (Aeron UDP): keeps an
 * {@link L2Book} per instrument from the periodic snapshots and the increments between them. A book
 * is usable once a snapshot has arrived; a gap (a lost packet) makes it wait for the next snapshot.
 * A snapshot in pages is usable once its last page has arrived, each in turn (page 1 starts the book
 * afresh: no second copy of a deep book); a page lost counts as a gap.
 * Runs its own media driver in {@code aeronDir}. Single-threaded: call {@link #poll()} from one thread.
 */
public final class MarketDataSubscriber implements AutoCloseable
{
    /**
     * What the subscriber reports, on the polling thread.
     */
    public interface Listener
    {
        /**
         * The book changed (a snapshot or an increment was applied).
         */
        default void onBook(L2Book book)
        {
        }

        default void onTrade(TradeDecoder trade)
        {
        }
    }

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription subscription;
    private final Listener listener;
    private final int instrumentFilter;
    private final Int2ObjectHashMap<L2Book> books = new Int2ObjectHashMap<>();
    private final IntHashSet synced = new IntHashSet();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final BookUpdateDecoder bookUpdate = new BookUpdateDecoder();
    private final BookSnapshotDecoder bookSnapshot = new BookSnapshotDecoder();
    private final TradeDecoder trade = new TradeDecoder();
    // Snapshots are longer than a datagram: whole messages only, never a first fragment read as a message.
    private final FragmentHandler handler = new FragmentAssembler(this::onFragment);
    private long gaps;
    private long messages;

    /**
     * @param gatewayHost      host of the gateway's market-data control port.
     * @param marketDataPort   the gateway's {@code --md-port}.
     * @param channel          a full channel instead (e.g. multicast), or null.
     * @param instrumentFilter only this instrument, or 0 for all.
     */
    public MarketDataSubscriber(
        final String gatewayHost,
        final int marketDataPort,
        final String channel,
        final int instrumentFilter,
        final File aeronDir,
        final ThreadingMode driverThreadingMode,
        final IdleStrategy driverIdleStrategy,
        final Listener listener)
    {
        this.listener = listener;
        this.instrumentFilter = instrumentFilter;
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.getAbsolutePath())
            .threadingMode(driverThreadingMode)
            .sharedIdleStrategy(driverIdleStrategy)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            subscription = aeron.addSubscription(channel != null ? channel :
                "aeron:udp?endpoint=localhost:0|control=" + gatewayHost + ":" + marketDataPort + "|control-mode=dynamic",
                AeronUdp.MARKET_DATA_STREAM_ID);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * @return fragments handled.
     */
    public int poll()
    {
        return subscription.poll(handler, 64);
    }

    public boolean isConnected()
    {
        return subscription.isConnected();
    }

    /**
     * @return the book, or null when none has been received whole yet.
     */
    public L2Book book(final int instrumentId)
    {
        return synced.contains(instrumentId) ? books.get(instrumentId) : null;
    }

    public long gaps()
    {
        return gaps;
    }

    public long messages()
    {
        return messages;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header fragmentHeader)
    {
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        messages++;
        switch (header.templateId())
        {
            case BookSnapshotDecoder.TEMPLATE_ID:
                bookSnapshot.wrapAndApplyHeader(buffer, offset, header);
                if (wanted(bookSnapshot.instrumentId()))
                {
                    onSnapshotPage(bookOf(bookSnapshot.instrumentId()));
                }
                break;

            case BookUpdateDecoder.TEMPLATE_ID:
                bookUpdate.wrapAndApplyHeader(buffer, offset, header);
                if (wanted(bookUpdate.instrumentId()) && inSequence(bookUpdate.instrumentId(), bookUpdate.mdSeqNo()))
                {
                    final L2Book book = books.get(bookUpdate.instrumentId());
                    book.apply(bookUpdate);
                    listener.onBook(book);
                }
                break;

            case TradeDecoder.TEMPLATE_ID:
                trade.wrapAndApplyHeader(buffer, offset, header);
                if (wanted(trade.instrumentId()) && inSequence(trade.instrumentId(), trade.mdSeqNo()))
                {
                    books.get(trade.instrumentId()).mdSeqNo(trade.mdSeqNo());
                    listener.onTrade(trade);
                }
                break;

            default:
                break;
        }
    }

    private void onSnapshotPage(final L2Book book)
    {
        final int instrumentId = book.instrumentId();
        if (synced.contains(instrumentId) && bookSnapshot.mdSeqNo() <= book.mdSeqNo())
        {
            return; // ours is as new: every page of this snapshot is skipped
        }
        synced.remove(instrumentId); // not usable until the last page is in
        switch (book.apply(bookSnapshot))
        {
            case WHOLE:
                synced.add(instrumentId);
                listener.onBook(book);
                break;

            case PAGE_MISSING:
                gaps++; // wait for the next snapshot
                break;

            default:
                break;
        }
    }

    private boolean wanted(final int instrumentId)
    {
        return instrumentFilter == 0 || instrumentFilter == instrumentId;
    }

    private L2Book bookOf(final int instrumentId)
    {
        L2Book book = books.get(instrumentId);
        if (book == null)
        {
            book = new L2Book(instrumentId);
            books.put(instrumentId, book);
        }
        return book;
    }

    private boolean inSequence(final int instrumentId, final long mdSeqNo)
    {
        if (!synced.contains(instrumentId))
        {
            return false;
        }
        final L2Book book = books.get(instrumentId);
        if (mdSeqNo <= book.mdSeqNo())
        {
            return false;
        }
        if (mdSeqNo != book.mdSeqNo() + 1)
        {
            gaps++;
            synced.remove(instrumentId); // wait for the next snapshot
            return false;
        }
        return true;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(subscription, aeron, driver);
    }
}
