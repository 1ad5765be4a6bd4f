package io.keel.codecs;

import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * One instrument's aggregated book (price level → quantity and order count), built from a
 * BookSnapshot and the BookUpdates after it. Levels are kept sorted in arrays: best first, found by
 * binary search, no allocation once the arrays are large enough. Used by the gateway, by
 * KeelClient users and by the market-data subscriber.
 * <p>
 * A large book's snapshot comes in pages of the same mdSeqNo, numbered from 1, one after another. Page 1
 * empties the book and each next page adds its levels, so no second copy of a deep book is kept; the book
 * is whole again, at the snapshot's mdSeqNo, when the last page is in ({@link PageOutcome#WHOLE}) and is
 * not to be used before. A page out of turn means one was lost: resynchronise as after a gap.
 */
public final class L2Book
{
    /**
     * What applying one page of a BookSnapshot left the book as.
     */
    public enum PageOutcome
    {
        /** The snapshot's last page: the book is whole, at the snapshot's mdSeqNo. */
        WHOLE,
        /** Pages of this snapshot are still to come: the book is not whole yet. */
        MORE_PAGES,
        /** The page does not follow the one before (a page was lost): the book is not whole; ask anew. */
        PAGE_MISSING
    }

    private static final int NOT_ASSEMBLING = 0;

    private final int instrumentId;
    private final Levels bids = new Levels(true);
    private final Levels asks = new Levels(false);
    private long mdSeqNo;
    private int nextPageNo = NOT_ASSEMBLING;
    private int assemblingPageCount;
    private long assemblingMdSeqNo;

    public L2Book(final int instrumentId)
    {
        this.instrumentId = instrumentId;
    }

    public int instrumentId()
    {
        return instrumentId;
    }

    /**
     * @return the last market-data sequence number applied.
     */
    public long mdSeqNo()
    {
        return mdSeqNo;
    }

    public void mdSeqNo(final long mdSeqNo)
    {
        this.mdSeqNo = mdSeqNo;
    }

    public void clear()
    {
        bids.size = 0;
        asks.size = 0;
        mdSeqNo = 0;
        nextPageNo = NOT_ASSEMBLING;
    }

    /**
     * Set one level; quantity 0 removes it.
     */
    public void set(final Side side, final long price, final long quantity, final int orderCount)
    {
        (side == Side.BUY ? bids : asks).set(price, quantity, orderCount);
    }

    /**
     * Apply an incremental update and take its sequence number.
     */
    public void apply(final BookUpdateDecoder update)
    {
        set(update.side(), update.price(), update.quantity(), update.orderCount());
        mdSeqNo = update.mdSeqNo();
    }

    /**
     * Apply one page of a snapshot: page 1 replaces the whole book, each next page adds to it. A snapshot with no
     * page numbers (before schema version 3, or 0) is one whole page.
     *
     * @return {@link PageOutcome#WHOLE} when the book is whole again; otherwise it is not to be used until a
     * snapshot's last page makes it whole.
     */
    public PageOutcome apply(final BookSnapshotDecoder snapshot)
    {
        final int pageCount = snapshot.pageCount();
        final boolean paged = pageCount > 0 && pageCount != BookSnapshotDecoder.pageCountNullValue();
        final int pageNo = paged ? snapshot.pageNo() : 1;
        if (pageNo == 1)
        {
            bids.size = 0;
            asks.size = 0;
            assemblingMdSeqNo = snapshot.mdSeqNo();
            assemblingPageCount = paged ? pageCount : 1;
        }
        else if (nextPageNo == NOT_ASSEMBLING || pageNo != nextPageNo || pageCount != assemblingPageCount ||
            snapshot.mdSeqNo() != assemblingMdSeqNo)
        {
            nextPageNo = NOT_ASSEMBLING;
            return PageOutcome.PAGE_MISSING;
        }
        for (final BookSnapshotDecoder.LevelsDecoder level : snapshot.levels())
        {
            set(level.side(), level.price(), level.quantity(), level.orderCount());
        }
        if (pageNo == assemblingPageCount)
        {
            nextPageNo = NOT_ASSEMBLING;
            mdSeqNo = assemblingMdSeqNo;
            return PageOutcome.WHOLE;
        }
        nextPageNo = pageNo + 1;
        return PageOutcome.MORE_PAGES;
    }

    /**
     * Give up a snapshot whose pages are still coming (an increment arrived where its next page should have).
     *
     * @return true if there was one: its last pages were lost.
     */
    public boolean abandonSnapshot()
    {
        final boolean assembling = nextPageNo != NOT_ASSEMBLING;
        nextPageNo = NOT_ASSEMBLING;
        return assembling;
    }

    public int depth(final Side side)
    {
        return (side == Side.BUY ? bids : asks).size;
    }

    /**
     * @param index 0 = best.
     */
    public long price(final Side side, final int index)
    {
        return (side == Side.BUY ? bids : asks).prices[index];
    }

    public long quantity(final Side side, final int index)
    {
        return (side == Side.BUY ? bids : asks).quantities[index];
    }

    public int orderCount(final Side side, final int index)
    {
        return (side == Side.BUY ? bids : asks).orderCounts[index];
    }

    /**
     * Encode as a BookSnapshot (header included) of at most {@code maxDepth} levels per side, in one page.
     *
     * @return the encoded length.
     */
    public int encodeSnapshot(
        final MutableDirectBuffer buffer, final int offset, final int maxDepth, final long transactTime,
        final MessageHeaderEncoder headerEncoder, final BookSnapshotEncoder encoder)
    {
        final int bidCount = Math.min(maxDepth, bids.size);
        final int askCount = Math.min(maxDepth, asks.size);
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .instrumentId(instrumentId)
            .mdSeqNo(mdSeqNo)
            .transactTime(transactTime)
            .pageNo(1)
            .pageCount(1);
        final BookSnapshotEncoder.LevelsEncoder levels = encoder.levelsCount(bidCount + askCount);
        for (int i = 0; i < bidCount; i++)
        {
            levels.next().side(Side.BUY).price(bids.prices[i]).quantity(bids.quantities[i])
                .orderCount(bids.orderCounts[i]);
        }
        for (int i = 0; i < askCount; i++)
        {
            levels.next().side(Side.SELL).price(asks.prices[i]).quantity(asks.quantities[i])
                .orderCount(asks.orderCounts[i]);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @return bytes a snapshot of this book needs at that depth.
     */
    public int snapshotLength(final int maxDepth)
    {
        final int levels = Math.min(maxDepth, bids.size) + Math.min(maxDepth, asks.size);
        return MessageHeaderEncoder.ENCODED_LENGTH + BookSnapshotEncoder.BLOCK_LENGTH +
            BookSnapshotEncoder.LevelsEncoder.sbeHeaderSize() + levels * BookSnapshotEncoder.LevelsEncoder.sbeBlockLength();
    }

    /**
     * Same levels on both sides (the sequence number is not compared).
     */
    public boolean sameLevels(final L2Book other)
    {
        return bids.sameAs(other.bids) && asks.sameAs(other.asks);
    }

    public String toString()
    {
        final StringBuilder text = new StringBuilder("L2Book{instrument=").append(instrumentId)
            .append(", mdSeqNo=").append(mdSeqNo).append(", bids=");
        bids.appendTo(text);
        text.append(", asks=");
        asks.appendTo(text);
        return text.append('}').toString();
    }

    private static final class Levels
    {
        private final boolean descending;
        private long[] prices = new long[64];
        private long[] quantities = new long[64];
        private int[] orderCounts = new int[64];
        private int size;

        Levels(final boolean descending)
        {
            this.descending = descending;
        }

        void set(final long price, final long quantity, final int orderCount)
        {
            final int found = find(price);
            if (found >= 0)
            {
                if (quantity == 0)
                {
                    System.arraycopy(prices, found + 1, prices, found, size - found - 1);
                    System.arraycopy(quantities, found + 1, quantities, found, size - found - 1);
                    System.arraycopy(orderCounts, found + 1, orderCounts, found, size - found - 1);
                    size--;
                }
                else
                {
                    quantities[found] = quantity;
                    orderCounts[found] = orderCount;
                }
                return;
            }
            if (quantity == 0)
            {
                return;
            }
            final int at = -found - 1;
            if (size == prices.length)
            {
                prices = Arrays.copyOf(prices, size * 2);
                quantities = Arrays.copyOf(quantities, size * 2);
                orderCounts = Arrays.copyOf(orderCounts, size * 2);
            }
            System.arraycopy(prices, at, prices, at + 1, size - at);
            System.arraycopy(quantities, at, quantities, at + 1, size - at);
            System.arraycopy(orderCounts, at, orderCounts, at + 1, size - at);
            prices[at] = price;
            quantities[at] = quantity;
            orderCounts[at] = orderCount;
            size++;
        }

        /**
         * @return the index of the price, or -(insertion point) - 1.
         */
        private int find(final long price)
        {
            int low = 0;
            int high = size - 1;
            while (low <= high)
            {
                final int mid = (low + high) >>> 1;
                final long midPrice = prices[mid];
                final boolean before = descending ? midPrice > price : midPrice < price;
                if (midPrice == price)
                {
                    return mid;
                }
                if (before)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return -(low + 1);
        }

        boolean sameAs(final Levels other)
        {
            if (size != other.size)
            {
                return false;
            }
            for (int i = 0; i < size; i++)
            {
                if (prices[i] != other.prices[i] || quantities[i] != other.quantities[i] ||
                    orderCounts[i] != other.orderCounts[i])
                {
                    return false;
                }
            }
            return true;
        }

        void appendTo(final StringBuilder text)
        {
            text.append('[');
            for (int i = 0; i < size; i++)
            {
                text.append(i == 0 ? "" : " ").append(quantities[i]).append('@').append(prices[i])
                    .append('(').append(orderCounts[i]).append(')');
            }
            text.append(']');
        }
    }
}
