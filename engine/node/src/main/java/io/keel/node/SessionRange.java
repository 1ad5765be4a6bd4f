package io.keel.node;

/**
 * What the {@link OutputJournal} holds of one session: a contiguous range of seqNos, first to last, the addresses of
 * both ends, and a checkpoint (the record's address) at every seqNo that is a multiple of
 * {@link #CHECKPOINT_INTERVAL} inside the range, so that any seqNo is at most that many links away from a known
 * address. The range is always contiguous: a seqNo that does not follow the last one starts a new range.
 * <p>
 * Memory: 8 bytes per {@link #CHECKPOINT_INTERVAL} reports plus a fixed part per session. The checkpoint array grows
 * by doubling and is compacted when purges have emptied its front half, so appends stop allocating once a session's
 * held range stops growing. Single-threaded, like the journal.
 */
final class SessionRange
{
    static final int CHECKPOINT_SHIFT = 8;
    static final long CHECKPOINT_INTERVAL = 1L << CHECKPOINT_SHIFT;
    private static final int INITIAL_CHECKPOINTS = 4;

    private long firstSeqNo;
    private long firstAddress;
    private long lastSeqNo;
    private long lastAddress;
    private long[] checkpoints = new long[INITIAL_CHECKPOINTS];
    private int head;
    private int count;
    private long headSeqNo;

    /**
     * A new range of one record: the first ever, or after a hole.
     */
    void restart(final long seqNo, final long address)
    {
        firstSeqNo = seqNo;
        firstAddress = address;
        lastSeqNo = seqNo;
        lastAddress = address;
        head = 0;
        count = 0;
    }

    /**
     * The record of {@code lastSeqNo() + 1}.
     */
    void extend(final long seqNo, final long address)
    {
        lastSeqNo = seqNo;
        lastAddress = address;
        if (0 == (seqNo & (CHECKPOINT_INTERVAL - 1)))
        {
            addCheckpoint(seqNo, address);
        }
    }

    /**
     * @return the seqNo nearest at or below {@code seqNo} (within the range) whose address is known.
     */
    long nearestKnownSeqNo(final long seqNo)
    {
        if (0 == count || seqNo < headSeqNo)
        {
            return firstSeqNo;
        }
        final long k = Math.min((seqNo - headSeqNo) >> CHECKPOINT_SHIFT, count - 1);
        return headSeqNo + (k << CHECKPOINT_SHIFT);
    }

    /**
     * @param knownSeqNo a value returned by {@link #nearestKnownSeqNo(long)}.
     */
    long addressOf(final long knownSeqNo)
    {
        if (knownSeqNo == firstSeqNo)
        {
            return firstAddress;
        }
        return checkpoints[head + (int)((knownSeqNo - headSeqNo) >> CHECKPOINT_SHIFT)];
    }

    /**
     * @return how many checkpoints lie below {@code address}: those a purge up to it removes.
     */
    int checkpointsBelow(final long address)
    {
        int k = 0;
        while (k < count && checkpoints[head + k] < address)
        {
            k++;
        }
        return k;
    }

    long checkpointSeqNo(final int k)
    {
        return headSeqNo + ((long)k << CHECKPOINT_SHIFT);
    }

    long checkpointAddress(final int k)
    {
        return checkpoints[head + k];
    }

    /**
     * A purge removed the first {@code dropped} checkpoints and every record before {@code seqNo}.
     */
    void trimFront(final int dropped, final long seqNo, final long address)
    {
        head += dropped;
        count -= dropped;
        headSeqNo += (long)dropped << CHECKPOINT_SHIFT;
        if (0 == count)
        {
            head = 0;
        }
        firstSeqNo = seqNo;
        firstAddress = address;
    }

    private void addCheckpoint(final long seqNo, final long address)
    {
        if (0 == count)
        {
            head = 0;
            headSeqNo = seqNo;
        }
        if (head + count == checkpoints.length)
        {
            if (head >= checkpoints.length >> 1)
            {
                System.arraycopy(checkpoints, head, checkpoints, 0, count);
            }
            else
            {
                final long[] grown = new long[checkpoints.length << 1];
                System.arraycopy(checkpoints, head, grown, 0, count);
                checkpoints = grown;
            }
            head = 0;
        }
        checkpoints[head + count] = address;
        count++;
    }

    long firstSeqNo()
    {
        return firstSeqNo;
    }

    long firstAddress()
    {
        return firstAddress;
    }

    long lastSeqNo()
    {
        return lastSeqNo;
    }

    long lastAddress()
    {
        return lastAddress;
    }
}
