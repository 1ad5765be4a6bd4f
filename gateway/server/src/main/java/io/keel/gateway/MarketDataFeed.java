package io.keel.gateway;

import io.aeron.ExclusivePublication;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookSnapshotEncoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.L2Book;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MarketDataRequestEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TradeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's copy of every instrument's L2 book, one feed merged from every market segment's egress (each segment
 * owns its instruments, so no book is fed by two), kept from the engine's market data by
 * per-instrument sequence number. A gap (an update lost with a failed leader, or a gateway that
 * joined late) makes the book stale: the gateway asks the engine, through the log, for a snapshot
 * and serves nothing for that instrument until it arrives. Subscribers get a BookSnapshot from
 * this copy, then the increments. The public stream gets the same increments plus a snapshot of
 * every book now and then, for subscribers that join late.
 * <p>
 * The engine's snapshot of a deep book comes in pages, one after another. Page 1 starts the copy afresh and
 * the book stays stale until the last page is in (see {@link L2Book#apply(BookSnapshotDecoder)}): a page out
 * of turn, or an increment where the next page should be, means pages were lost, and the gateway asks again
 * at once, as after a gap.
 * <p>
 * Books exist for the instruments the engine announced, never for the ones a client names: the engine announces an
 * instrument when it is added (an empty snapshot to every gateway), and answers the gateway's request for every
 * book (instrument 0, sent on each new cluster session or leader) with each instrument's snapshot and then an
 * AdminResponse that ends the list. A subscription to an instrument with no book is refused UNKNOWN_INSTRUMENT once
 * that list is in (UNAVAILABLE before): nothing is made, nothing reaches the log, so a client naming made-up ids costs
 * the gateway and the cluster nothing.
 */
final class MarketDataFeed implements AutoCloseable
{
    /**
     * Offers a message to one segment's cluster (the gateway's cluster session with it).
     */
    @FunctionalInterface
    interface ClusterIngress
    {
        /**
         * @return true when the cluster took it.
         */
        boolean offer(int segment, DirectBuffer buffer, int offset, int length);
    }

    /** What the session layer should do with a market-data message it passed in. */
    enum Outcome
    {
        /** Applied in sequence: forward the message to the instrument's subscribers. */
        FORWARD,
        /** Out of sequence or while stale: drop. */
        DROP,
        /** A snapshot made the book whole again: send subscribers a fresh snapshot. */
        RESYNCED
    }

    /** What a client's subscription finds. */
    enum Subscription
    {
        /** The book is whole: send the subscriber its snapshot now. */
        READY,
        /** The book is being resynchronised: {@link Outcome#RESYNCED} will follow. */
        PENDING,
        /** The engine has no such instrument. */
        UNKNOWN_INSTRUMENT,
        /** The gateway does not know yet which instruments exist (it just connected). */
        NOT_YET_KNOWN
    }

    enum State
    {
        /** Not seen since start: the next message tells whether it starts from the beginning. */
        UNKNOWN,
        SYNCED,
        /** A gap was seen, or a snapshot's pages are coming in; a snapshot is asked for. */
        STALE
    }

    static final class Book
    {
        final L2Book levels;
        State state = State.UNKNOWN;
        long snapshotRequestedNs;
        boolean snapshotRequested;

        Book(final int instrumentId)
        {
            levels = new L2Book(instrumentId);
        }
    }

    private static final long SNAPSHOT_RETRY_NS = TimeUnit.SECONDS.toNanos(1);

    private final ClusterIngress cluster;
    private final GatewayContext config;
    private final ExclusivePublication publicStream;
    private final Int2ObjectHashMap<Book> books = new Int2ObjectHashMap<>();
    private final ArrayList<Book> bookList = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BookUpdateDecoder bookUpdateDecoder = new BookUpdateDecoder();
    private final TradeDecoder tradeDecoder = new TradeDecoder();
    private final BookSnapshotDecoder bookSnapshotDecoder = new BookSnapshotDecoder();
    private final BookSnapshotEncoder bookSnapshotEncoder = new BookSnapshotEncoder();
    private final MarketDataRequestEncoder requestEncoder = new MarketDataRequestEncoder();
    private final UnsafeBuffer requestBuffer = new UnsafeBuffer(new byte[64]);
    private final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(4096);
    private final AdminResponseDecoder adminResponseDecoder = new AdminResponseDecoder();
    private long nextPublicSnapshotNs;
    /** Every segment's engine's list of instruments is in: a book missing now is an instrument that does not exist. */
    private boolean instrumentsKnown;
    /** Per segment: its engine's list of instruments is in. */
    private final boolean[] segmentInstrumentsKnown;
    private final boolean[] allBooksRequested;
    private final long[] allBooksRequestedNs;

    /**
     * @param publicStream where market data is published for read-only subscribers, or null.
     */
    MarketDataFeed(final GatewayContext config, final ClusterIngress cluster, final ExclusivePublication publicStream)
    {
        this.config = config;
        this.cluster = cluster;
        this.publicStream = publicStream;
        segmentInstrumentsKnown = new boolean[config.segmentCount()];
        allBooksRequested = new boolean[config.segmentCount()];
        allBooksRequestedNs = new long[config.segmentCount()];
    }

    Book book(final int instrumentId)
    {
        Book book = books.get(instrumentId);
        if (book == null)
        {
            book = new Book(instrumentId);
            books.put(instrumentId, book);
            bookList.add(book);
        }
        return book;
    }

    /**
     * A BookUpdate, Trade or BookSnapshot from the cluster.
     */
    Outcome onMarketData(final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (templateId == BookSnapshotDecoder.TEMPLATE_ID)
        {
            bookSnapshotDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            final Book book = book(bookSnapshotDecoder.instrumentId());
            if (book.state == State.SYNCED && bookSnapshotDecoder.mdSeqNo() <= book.levels.mdSeqNo())
            {
                book.snapshotRequested = false; // ours is current (a check after a leader change, or another gateway's)
                return Outcome.DROP;
            }
            return onSnapshotPage(book, nowNs);
        }

        final int instrumentId = buffer.getInt(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final Book book = book(instrumentId);
        final long mdSeqNo;
        if (templateId == BookUpdateDecoder.TEMPLATE_ID)
        {
            bookUpdateDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            mdSeqNo = bookUpdateDecoder.mdSeqNo();
        }
        else
        {
            tradeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            mdSeqNo = tradeDecoder.mdSeqNo();
        }

        if (book.state == State.STALE)
        {
            if (book.levels.abandonSnapshot())
            {
                requestSnapshot(book, nowNs); // the snapshot's last pages were lost: an increment came in their place
            }
            return Outcome.DROP;
        }
        if (mdSeqNo <= book.levels.mdSeqNo())
        {
            return Outcome.DROP;
        }
        if (mdSeqNo != book.levels.mdSeqNo() + 1)
        {
            book.state = State.STALE;
            requestSnapshot(book, nowNs);
            return Outcome.DROP;
        }
        if (templateId == BookUpdateDecoder.TEMPLATE_ID)
        {
            book.levels.apply(bookUpdateDecoder);
        }
        else
        {
            book.levels.mdSeqNo(mdSeqNo);
        }
        book.state = State.SYNCED;
        publish(buffer, offset, length);
        return Outcome.FORWARD;
    }

    private Outcome onSnapshotPage(final Book book, final long nowNs)
    {
        switch (book.levels.apply(bookSnapshotDecoder))
        {
            case WHOLE:
                book.state = State.SYNCED;
                book.snapshotRequested = false;
                publishSnapshot(book);
                return Outcome.RESYNCED;

            case MORE_PAGES:
                book.state = State.STALE;
                if (!book.snapshotRequested)
                {
                    // Not asked for by this gateway: should the last pages never come, the retry asks.
                    book.snapshotRequested = true;
                    book.snapshotRequestedNs = nowNs;
                }
                return Outcome.DROP;

            default:
                book.state = State.STALE;
                requestSnapshot(book, nowNs);
                return Outcome.DROP;
        }
    }

    /**
     * A subscriber wants this instrument. Never makes a book: only the engine's market data does.
     */
    Subscription subscribe(final int instrumentId, final long nowNs)
    {
        final Book book = books.get(instrumentId);
        if (book == null)
        {
            return instrumentsKnown ? Subscription.UNKNOWN_INSTRUMENT : Subscription.NOT_YET_KNOWN;
        }
        if (book.state == State.SYNCED)
        {
            return Subscription.READY;
        }
        if (!book.snapshotRequested)
        {
            requestSnapshot(book, nowNs);
        }
        return Subscription.PENDING;
    }

    /**
     * An AdminResponse on a segment's egress: the end of its engine's answer to a request for every book.
     */
    void onAdminResponse(final int segment, final DirectBuffer buffer, final int offset)
    {
        adminResponseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder.wrap(buffer, offset));
        if (adminResponseDecoder.refTemplateId() == MarketDataRequestDecoder.TEMPLATE_ID &&
            adminResponseDecoder.correlationId() == 0 && adminResponseDecoder.result() == RejectReason.NONE &&
            segment < allBooksRequested.length)
        {
            segmentInstrumentsKnown[segment] = true;
            allBooksRequested[segment] = false;
            boolean all = true;
            for (final boolean known : segmentInstrumentsKnown)
            {
                all &= known;
            }
            instrumentsKnown = all;
        }
    }

    boolean instrumentsKnown()
    {
        return instrumentsKnown;
    }

    int bookCount()
    {
        return bookList.size();
    }

    /**
     * Encode the gateway's snapshot of an instrument.
     *
     * @return its length in {@link #snapshotBuffer()}.
     */
    int encodeSnapshot(final int instrumentId)
    {
        final L2Book levels = book(instrumentId).levels;
        snapshotBuffer.checkLimit(levels.snapshotLength(config.marketDataDepth()));
        return levels.encodeSnapshot(snapshotBuffer, 0, config.marketDataDepth(), System.currentTimeMillis(),
            headerEncoder, bookSnapshotEncoder);
    }

    DirectBuffer snapshotBuffer()
    {
        return snapshotBuffer;
    }

    /**
     * A segment's cluster has a new leader (or the gateway a new session with it). The last increments the old leader
     * sent may have gone with it, and when nothing follows them no gap ever shows: ask the new leader for every book
     * of the segment. A book that was current stays in use meanwhile; the snapshot replaces it only if the engine is
     * ahead. The other segments' books are not touched.
     *
     * @return work done.
     */
    int onLeaderChange(final int segment, final long nowNs)
    {
        for (int i = 0, size = bookList.size(); i < size; i++)
        {
            final Book book = bookList.get(i);
            if (!book.snapshotRequested && config.segmentOf(book.levels.instrumentId()) == segment)
            {
                // Answered by the request for every book; asked again one by one if that answer never comes.
                book.snapshotRequested = true;
                book.snapshotRequestedNs = nowNs;
            }
        }
        requestAllBooks(segment, nowNs);
        return 1;
    }

    /**
     * Retry snapshot requests that went unanswered; publish the periodic snapshots.
     */
    int doWork(final long nowNs)
    {
        int work = 0;
        for (int segment = 0; segment < allBooksRequested.length; segment++)
        {
            if (allBooksRequested[segment] && nowNs - allBooksRequestedNs[segment] > SNAPSHOT_RETRY_NS)
            {
                requestAllBooks(segment, nowNs);
                work++;
            }
        }
        for (int i = 0, size = bookList.size(); i < size; i++)
        {
            final Book book = bookList.get(i);
            if (book.snapshotRequested && nowNs - book.snapshotRequestedNs > SNAPSHOT_RETRY_NS)
            {
                requestSnapshot(book, nowNs);
                work++;
            }
        }
        if (publicStream != null && nowNs - nextPublicSnapshotNs >= 0)
        {
            nextPublicSnapshotNs = nowNs + TimeUnit.MILLISECONDS.toNanos(config.marketDataSnapshotIntervalMs());
            for (int i = 0, size = bookList.size(); i < size; i++)
            {
                final Book book = bookList.get(i);
                if (book.state == State.SYNCED)
                {
                    publishSnapshot(book);
                    work++;
                }
            }
        }
        return work;
    }

    private void requestSnapshot(final Book book, final long nowNs)
    {
        book.snapshotRequested = true;
        book.snapshotRequestedNs = nowNs;
        final int instrumentId = book.levels.instrumentId();
        offerRequest(config.segmentOf(instrumentId), instrumentId);
    }

    /**
     * Every instrument's book of a segment, then the end of its list (kept asking until it comes).
     */
    private void requestAllBooks(final int segment, final long nowNs)
    {
        allBooksRequested[segment] = true;
        allBooksRequestedNs[segment] = nowNs;
        offerRequest(segment, 0);
    }

    private void offerRequest(final int segment, final int instrumentId)
    {
        requestEncoder.wrapAndApplyHeader(requestBuffer, 0, headerEncoder)
            .instrumentId(instrumentId)
            .subscribe(BooleanType.TRUE);
        cluster.offer(segment, requestBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + requestEncoder.encodedLength());
    }

    private void publishSnapshot(final Book book)
    {
        if (publicStream != null)
        {
            final int length = encodeSnapshot(book.levels.instrumentId());
            publish(snapshotBuffer, 0, length);
        }
    }

    private void publish(final DirectBuffer buffer, final int offset, final int length)
    {
        // Never waits: a read-only subscriber that misses something sees the gap and takes the next snapshot.
        if (publicStream != null)
        {
            publicStream.offer(buffer, offset, length);
        }
    }

    public void close()
    {
        CloseHelper.quietClose(publicStream);
    }
}
