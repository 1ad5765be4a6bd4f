package io.keel.engine;

import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.BitUtil;

/**
 * The order requests (new orders and replaces) of every account over the last idempotency horizon
 * of cluster time, with their outcomes, so a client that resends gets the original outcome again
 * instead of a second order.
 *
 * <p>Records are numbered in arrival order (their sequence) and kept in a ring of fixed-size rows in
 * one long[] (a request touches one row, not one array per field); record {@code seq} lives in row
 * {@code seq & mask}. Cluster time never goes back, so the ring is in time order too and only its
 * oldest end expires: a record is forgotten no sooner than {@link #horizon()} after it was made,
 * whatever the other accounts send. Nothing else removes a record: at {@link #capacity()} records,
 * all younger than the horizon, {@link #hasRoom} is false and the caller must refuse the request
 * rather than forget one. Rows grow by doubling (cold, at a new high-water mark only) up to the
 * capacity, so a quiet engine stays small.
 *
 * <p>An open-addressing index (linear probing, half full at most) maps (account, clOrdId) to row
 * for every account: a look-up is a hash and a probe or two, never a scan. An expiring record's
 * entry is deleted by shifting its successors back, so the table never fills with tombstones.
 *
 * <p>Each record also links to the previous record of the same order (a replace follows the order's
 * new order or previous replace): when the order ends, its final state is written into every record
 * of it still kept, so a resend of any of its clOrdIds is told how it ended. Each request is finished
 * at most once, so this costs O(1) per request.
 */
final class ClOrdIdWindow
{
    static final int NOT_FOUND = -1;
    static final long NO_SEQ = -1;

    private static final int ROW = 9;
    private static final int ACCOUNT = 0;
    private static final int CLORDID = 1;
    private static final int ORDER_ID = 2;
    private static final int PRICE = 3;
    private static final int QUANTITY = 4;
    private static final int CUM_QTY = 5;
    /** instrumentId in the low 32 bits, reject reason code above. */
    private static final int INSTRUMENT_REASON = 6;
    /**
     * side, ordType, timeInForce, ordStatus codes, a byte each; above them, the distance back to the
     * previous record of the same order (0: none kept).
     */
    private static final int CODES_PREVIOUS = 7;
    private static final int TIME = 8;
    private static final long CODES_MASK = 0xFFFF_FFFFL;

    private static final int INITIAL_ROWS = 1024;
    private static final int INDEX_SLOTS_PER_ROW = 2;

    private final int initialRows;
    private long horizon;
    private int capacity;
    private long[] rows;
    private int rowMask;
    /**
     * Per slot, the key's hash in the upper half and row + 1 in the lower (0 = empty): probing and
     * shifting compare and place entries without reading rows, which are cache misses.
     */
    private long[] index;
    private int indexMask;
    /** Oldest record kept. */
    private long headSeq;
    private long nextSeq;
    private long probes;

    /**
     * @param horizon  cluster time a record is kept at least.
     * @param capacity most records kept at once.
     */
    ClOrdIdWindow(final long horizon, final int capacity)
    {
        this(horizon, capacity, INITIAL_ROWS);
    }

    /**
     * @param initialRows records held before the rows first grow (preallocated; rounded up to a power of two).
     */
    ClOrdIdWindow(final long horizon, final int capacity, final int initialRows)
    {
        this.initialRows = BitUtil.findNextPositivePowerOfTwo(Math.max(1, initialRows));
        limits(horizon, capacity);
    }

    /**
     * Set the limits, e.g. the ones a snapshot carries; only while empty.
     */
    void limits(final long horizon, final int capacity)
    {
        if (size() != 0)
        {
            throw new IllegalStateException("limits of a window in use");
        }
        if (horizon <= 0 || capacity <= 0)
        {
            throw new IllegalArgumentException("horizon and capacity must be > 0: " + horizon + ", " + capacity);
        }
        this.horizon = horizon;
        this.capacity = capacity;
        allocate(Math.min(initialRows, BitUtil.findNextPositivePowerOfTwo(capacity)));
    }

    /**
     * An admin's new limits, through the log: the window keeps its records; a capacity below what it holds is refused
     * before this is called (see {@link EngineLimits#validate}).
     */
    void changeLimits(final long horizon, final int capacity)
    {
        this.horizon = horizon;
        this.capacity = capacity;
    }

    long horizon()
    {
        return horizon;
    }

    int capacity()
    {
        return capacity;
    }

    int size()
    {
        return (int)(nextSeq - headSeq);
    }

    /**
     * Index slots visited by look-ups, inserts and deletes so far: work, for tests that prove a
     * repeat costs no scan. Not state.
     */
    long probes()
    {
        return probes;
    }

    /**
     * Mixes account and clOrdId into one hash (also of {@link OrderIndex}'s live clOrdIds).
     */
    static int hash(final long accountId, final long clOrdId)
    {
        long z = (accountId * 0x9E3779B97F4A7C15L) ^ clOrdId;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return (int)(z ^ (z >>> 29));
    }

    private boolean isExpired(final int row, final long time)
    {
        return time - rows[row * ROW + TIME] >= horizon;
    }

    /**
     * @return the row of the account's request with this clOrdId, or {@link #NOT_FOUND} when there is
     * none younger than the horizon at {@code time}.
     */
    int find(final long accountId, final long clOrdId, final long time)
    {
        final int hash = hash(accountId, clOrdId);
        for (int slot = hash & indexMask; ; slot = (slot + 1) & indexMask)
        {
            probes++;
            final long entry = index[slot];
            if (entry == 0)
            {
                return NOT_FOUND;
            }
            final int row = (int)entry - 1;
            final int base = row * ROW;
            // An expired record still waiting to be evicted is passed over, not taken for the answer.
            if ((int)(entry >>> 32) == hash && rows[base + ACCOUNT] == accountId && rows[base + CLORDID] == clOrdId &&
                !isExpired(row, time))
            {
                return row;
            }
        }
    }

    /**
     * Forget what is at least a horizon old at {@code time}, then say whether one more record fits.
     */
    boolean hasRoom(final long time)
    {
        while (nextSeq > headSeq && isExpired(rowOf(headSeq), time))
        {
            unindex(rowOf(headSeq));
            headSeq++;
        }
        return size() < capacity;
    }

    /**
     * Remember a request; the caller has checked {@link #hasRoom}.
     *
     * @param previousSeq the order's previous record (a replace), or {@link #NO_SEQ}.
     * @return its sequence.
     */
    long add(
        final long accountId,
        final long clOrdId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final OrdStatus ordStatus,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long cumQty,
        final long time,
        final long previousSeq)
    {
        if (size() == capacity)
        {
            throw new IllegalStateException("clOrdId window full: hasRoom was not asked");
        }
        if (size() == rows.length / ROW)
        {
            grow();
        }
        final long seq = nextSeq++;
        final int row = rowOf(seq);
        final int base = row * ROW;
        rows[base + ACCOUNT] = accountId;
        rows[base + CLORDID] = clOrdId;
        rows[base + ORDER_ID] = orderId;
        rows[base + PRICE] = price;
        rows[base + QUANTITY] = quantity;
        rows[base + CUM_QTY] = cumQty;
        rows[base + INSTRUMENT_REASON] = (instrumentId & 0xFFFF_FFFFL) | ((long)rejectReason.value() << 32);
        rows[base + CODES_PREVIOUS] = (side.value() & 0xFF) | (ordType.value() & 0xFF) << 8 |
            (timeInForce.value() & 0xFF) << 16 | (long)(ordStatus.value() & 0xFF) << 24;
        // Cluster time never goes back in the log; held monotonic here too so expiry stays first in, first out.
        rows[base + TIME] = seq == headSeq ? time : Math.max(time, rows[rowOf(seq - 1) * ROW + TIME]);
        link(seq, previousSeq);
        index(row);
        return seq;
    }

    /**
     * Link a record to the previous record of its order (a snapshot does not carry the links).
     */
    void link(final long seq, final long previousSeq)
    {
        final int base = rowOf(seq) * ROW;
        final long distance = previousSeq == NO_SEQ || previousSeq < headSeq ? 0 : seq - previousSeq;
        rows[base + CODES_PREVIOUS] = (rows[base + CODES_PREVIOUS] & CODES_MASK) | distance << 32;
    }

    /**
     * The order ended: every record of it still kept, from {@code seq} back, takes its final state.
     */
    void finish(final long seq, final OrdStatus status, final long price, final long quantity, final long cumQty)
    {
        long s = seq;
        while (s >= headSeq && s < nextSeq)
        {
            final int base = rowOf(s) * ROW;
            rows[base + PRICE] = price;
            rows[base + QUANTITY] = quantity;
            rows[base + CUM_QTY] = cumQty;
            final long codes = rows[base + CODES_PREVIOUS];
            rows[base + CODES_PREVIOUS] = (codes & ~(0xFFL << 24)) | (long)(status.value() & 0xFF) << 24;
            final long distance = codes >>> 32;
            if (distance == 0)
            {
                break;
            }
            s -= distance;
        }
    }

    /**
     * Sequence of the i-th oldest record.
     */
    long seqAt(final int i)
    {
        return headSeq + i;
    }

    /**
     * Row of the i-th oldest record.
     */
    int rowAt(final int i)
    {
        return rowOf(headSeq + i);
    }

    int rowOf(final long seq)
    {
        return (int)seq & rowMask;
    }

    private void allocate(final int rowCount)
    {
        rows = new long[rowCount * ROW];
        rowMask = rowCount - 1;
        index = new long[rowCount * INDEX_SLOTS_PER_ROW];
        indexMask = index.length - 1;
    }

    /**
     * Cold, at a new high-water mark only: double the rows (each record moves to its row under the
     * new mask) and rebuild the index.
     */
    private void grow()
    {
        final long[] oldRows = rows;
        final int oldMask = rowMask;
        allocate(Math.min(2 * (oldMask + 1), BitUtil.findNextPositivePowerOfTwo(capacity)));
        for (long seq = headSeq; seq < nextSeq; seq++)
        {
            System.arraycopy(oldRows, ((int)seq & oldMask) * ROW, rows, rowOf(seq) * ROW, ROW);
            index(rowOf(seq));
        }
    }

    private int hashOf(final int row)
    {
        final int base = row * ROW;
        return hash(rows[base + ACCOUNT], rows[base + CLORDID]);
    }

    private void index(final int row)
    {
        final int hash = hashOf(row);
        int slot = hash & indexMask;
        while (index[slot] != 0)
        {
            probes++;
            slot = (slot + 1) & indexMask;
        }
        probes++;
        index[slot] = (long)hash << 32 | (row + 1);
    }

    /**
     * Delete the row's entry and shift back the entries after it that may move closer to home
     * (Knuth's algorithm R), so every look-up still finds its entry before an empty slot.
     */
    private void unindex(final int row)
    {
        int hole = hashOf(row) & indexMask;
        while ((int)index[hole] != row + 1)
        {
            probes++;
            hole = (hole + 1) & indexMask;
        }
        for (int slot = (hole + 1) & indexMask; index[slot] != 0; slot = (slot + 1) & indexMask)
        {
            probes++;
            final int home = (int)(index[slot] >>> 32) & indexMask;
            if (((slot - home) & indexMask) >= ((slot - hole) & indexMask))
            {
                index[hole] = index[slot];
                hole = slot;
            }
        }
        index[hole] = 0;
    }

    long accountId(final int row)
    {
        return rows[row * ROW + ACCOUNT];
    }

    long clOrdId(final int row)
    {
        return rows[row * ROW + CLORDID];
    }

    long orderId(final int row)
    {
        return rows[row * ROW + ORDER_ID];
    }

    long price(final int row)
    {
        return rows[row * ROW + PRICE];
    }

    long quantity(final int row)
    {
        return rows[row * ROW + QUANTITY];
    }

    long cumQty(final int row)
    {
        return rows[row * ROW + CUM_QTY];
    }

    long time(final int row)
    {
        return rows[row * ROW + TIME];
    }

    int instrumentId(final int row)
    {
        return (int)rows[row * ROW + INSTRUMENT_REASON];
    }

    RejectReason rejectReason(final int row)
    {
        return RejectReason.get((int)(rows[row * ROW + INSTRUMENT_REASON] >>> 32));
    }

    Side side(final int row)
    {
        return Side.get((short)(rows[row * ROW + CODES_PREVIOUS] & 0xFF));
    }

    OrdType ordType(final int row)
    {
        return OrdType.get((short)(rows[row * ROW + CODES_PREVIOUS] >>> 8 & 0xFF));
    }

    TimeInForce timeInForce(final int row)
    {
        return TimeInForce.get((short)(rows[row * ROW + CODES_PREVIOUS] >>> 16 & 0xFF));
    }

    OrdStatus ordStatus(final int row)
    {
        return OrdStatus.get((short)(rows[row * ROW + CODES_PREVIOUS] >>> 24 & 0xFF));
    }
}
