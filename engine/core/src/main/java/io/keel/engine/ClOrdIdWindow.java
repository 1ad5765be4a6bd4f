package io.keel.engine;

import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The most recent order requests of every account and their outcomes, so a client that retries
 * after a failover gets the original outcome again instead of a second order. One ring of
 * fixed-size rows in a single long[] (a request touches one row, not one array per field)
 * plus an index from (account, clOrdId) to row. The oldest row is forgotten when full.
 *
 * <p>The index is an open-addressing table of request sequence numbers, four times the rows,
 * probed linearly. Entries of forgotten rows are never deleted — a slot holding a sequence that
 * fell out of the window is simply free for reuse.
 *
 * <p>The index is built per account, lazily: most clients use increasing clOrdIds, and a
 * clOrdId above the account's highest cannot be a repeat, so such accounts never need a
 * look-up and never pay for the index (a random cache miss per request). The first look-up for
 * an account scans the ring once for its rows; from then on its requests are indexed as they
 * come. The index is derived state: it changes speed, never outcomes.
 */
final class ClOrdIdWindow
{
    static final int NOT_FOUND = -1;

    private static final int ROW = 8;
    private static final int ACCOUNT = 0;
    private static final int CLORDID = 1;
    private static final int ORDER_ID = 2;
    private static final int PRICE = 3;
    private static final int QUANTITY = 4;
    private static final int CUM_QTY = 5;
    /** instrumentId in the low 32 bits, reject reason code above. */
    private static final int INSTRUMENT_REASON = 6;
    /** side, ordType, timeInForce, ordStatus codes, a byte each. */
    private static final int CODES = 7;

    private static final int INITIAL_ROWS = 1024;
    private static final int INDEX_SLOTS_PER_ROW = 4;
    /** Probes before giving up; at most a quarter of the slots are live, so never reached in practice. */
    private static final int MAX_PROBES = 32;

    private final int capacity;
    private final Long2ObjectHashMap<Account> accounts;
    private long[] rows;
    /** Request sequence + 1 per slot; 0 = never used. */
    private long[] index;
    private int indexMask;
    private int rowCount;
    private long nextSeq;

    /**
     * Rows grow (by doubling, while filling up) to capacity, so a small engine stays small.
     */
    ClOrdIdWindow(final int capacity, final Long2ObjectHashMap<Account> accounts)
    {
        this.capacity = capacity;
        this.accounts = accounts;
        rowCount = Math.min(INITIAL_ROWS, capacity);
        rows = new long[rowCount * ROW];
        index = new long[org.agrona.BitUtil.findNextPositivePowerOfTwo(rowCount * INDEX_SLOTS_PER_ROW)];
        indexMask = index.length - 1;
    }

    /**
     * Mixes account and clOrdId into one hash.
     */
    private static long key(final long accountId, final long clOrdId)
    {
        long z = (accountId * 0x9E3779B97F4A7C15L) ^ clOrdId;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 29);
    }

    private int rowOf(final long seq)
    {
        return (int)(seq % capacity);
    }

    private boolean isLive(final long seq)
    {
        return seq < nextSeq && seq >= nextSeq - size();
    }

    /**
     * @return the row holding this request, or {@link #NOT_FOUND}.
     */
    int find(final Account account, final long clOrdId)
    {
        if (!account.indexed)
        {
            indexAccount(account);
        }
        final long accountId = account.accountId;
        int slot = (int)key(accountId, clOrdId) & indexMask;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final long entry = index[slot];
            if (entry == 0)
            {
                return NOT_FOUND;
            }
            final long seq = entry - 1;
            if (isLive(seq))
            {
                final int row = rowOf(seq);
                if (rows[row * ROW + ACCOUNT] == accountId && rows[row * ROW + CLORDID] == clOrdId)
                {
                    return row;
                }
            }
            slot = (slot + 1) & indexMask;
        }
        return NOT_FOUND;
    }

    /**
     * Remember a request, forgetting the oldest when full.
     *
     * @return its row.
     */
    int add(
        final Account account,
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
        final long cumQty)
    {
        if (nextSeq == rowCount && rowCount < capacity)
        {
            grow(accounts);
        }
        final long accountId = account.accountId;
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
        rows[base + CODES] = (side.value() & 0xFF) | (ordType.value() & 0xFF) << 8 |
            (timeInForce.value() & 0xFF) << 16 | (long)(ordStatus.value() & 0xFF) << 24;
        if (account.indexed)
        {
            insert(key(accountId, clOrdId), seq);
        }
        return row;
    }

    /**
     * Cold, once per account: index the rows it already has in the window.
     */
    private void indexAccount(final Account account)
    {
        account.indexed = true;
        for (long seq = nextSeq - size(); seq < nextSeq; seq++)
        {
            final int base = rowOf(seq) * ROW;
            if (rows[base + ACCOUNT] == account.accountId)
            {
                insert(key(account.accountId, rows[base + CLORDID]), seq);
            }
        }
    }

    private void insert(final long key, final long seq)
    {
        int slot = (int)key & indexMask;
        int oldestSlot = slot;
        long oldestSeq = Long.MAX_VALUE;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final long entry = index[slot];
            if (entry == 0 || !isLive(entry - 1))
            {
                index[slot] = seq + 1;
                return;
            }
            if (entry - 1 < oldestSeq)
            {
                oldestSeq = entry - 1;
                oldestSlot = slot;
            }
            slot = (slot + 1) & indexMask;
        }
        // Unreachable at a quarter load in practice; deterministic all the same.
        index[oldestSlot] = seq + 1;
    }

    /**
     * While the ring is filling up (its rows still in sequence order), double rows and index.
     */
    private void grow(final Long2ObjectHashMap<Account> accounts)
    {
        rowCount = Math.min(capacity, rowCount * 2);
        rows = java.util.Arrays.copyOf(rows, rowCount * ROW);
        index = new long[org.agrona.BitUtil.findNextPositivePowerOfTwo(rowCount * INDEX_SLOTS_PER_ROW)];
        indexMask = index.length - 1;
        for (long seq = 0; seq < nextSeq; seq++)
        {
            final int base = rowOf(seq) * ROW;
            final Account owner = accounts.get(rows[base + ACCOUNT]);
            if (owner != null && owner.indexed)
            {
                insert(key(rows[base + ACCOUNT], rows[base + CLORDID]), seq);
            }
        }
    }

    /**
     * True when the row still describes this order's request (it may have been reused since).
     */
    boolean holds(final int row, final long clOrdId, final long orderId)
    {
        return row >= 0 && rows[row * ROW + CLORDID] == clOrdId && rows[row * ROW + ORDER_ID] == orderId;
    }

    /**
     * Record how an order ended.
     */
    void finish(final int row, final OrdStatus status, final long price, final long quantity, final long cumQty)
    {
        final int base = row * ROW;
        rows[base + PRICE] = price;
        rows[base + QUANTITY] = quantity;
        rows[base + CUM_QTY] = cumQty;
        rows[base + CODES] = (rows[base + CODES] & ~(0xFFL << 24)) | (long)(status.value() & 0xFF) << 24;
    }

    /**
     * The newest row recording this order (each replace adds one). Cold: only for repeated
     * clOrdIds of finished orders.
     */
    int latestRowOf(final long orderId, final int fallback)
    {
        for (int i = size() - 1; i >= 0; i--)
        {
            final int row = rowAt(i);
            if (rows[row * ROW + ORDER_ID] == orderId)
            {
                return row;
            }
        }
        return fallback;
    }

    int size()
    {
        return (int)Math.min(nextSeq, capacity);
    }

    /**
     * Row of the i-th oldest entry.
     */
    int rowAt(final int i)
    {
        return rowOf(nextSeq - size() + i);
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
        return Side.get((short)(rows[row * ROW + CODES] & 0xFF));
    }

    OrdType ordType(final int row)
    {
        return OrdType.get((short)(rows[row * ROW + CODES] >>> 8 & 0xFF));
    }

    TimeInForce timeInForce(final int row)
    {
        return TimeInForce.get((short)(rows[row * ROW + CODES] >>> 16 & 0xFF));
    }

    OrdStatus ordStatus(final int row)
    {
        return OrdStatus.get((short)(rows[row * ROW + CODES] >>> 24 & 0xFF));
    }
}
