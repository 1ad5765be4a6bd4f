package io.keel.node;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * The {@link OutputJournal}'s in-memory view of its files, rebuilt at open: the held segments oldest first, the
 * address arithmetic over them, and a {@link SessionRange} per session. Records of one session are chained on disk
 * by their {@code next} field, which this class patches as records are indexed. Single-threaded, like the journal.
 */
final class JournalIndex
{
    private final int segmentShift;
    private final long offsetMask;
    private final Long2ObjectHashMap<SessionRange> sessions = new Long2ObjectHashMap<>();
    private JournalSegment[] segments = new JournalSegment[16];
    private int segmentCount;
    private long lastPosition;
    private long bytesHeld;

    JournalIndex(final int segmentLength)
    {
        segmentShift = Integer.numberOfTrailingZeros(segmentLength);
        offsetMask = segmentLength - 1;
    }

    /**
     * Indexes one record, just appended or found at open; links it from the session's previous record unless its
     * seqNo does not follow that one's, which starts a new range: a held range never has a hole.
     */
    void index(
        final JournalSegment segment,
        final int offset,
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final int alignedLength)
    {
        final long address = (segment.index() << segmentShift) + offset;
        segment.onRecord(offset, logPosition, timestamp, alignedLength);
        SessionRange range = sessions.get(sessionId);
        if (null == range)
        {
            range = new SessionRange();
            sessions.put(sessionId, range);
            range.restart(seqNo, address);
        }
        else if (seqNo == range.lastSeqNo() + 1)
        {
            link(range.lastAddress(), address);
            range.extend(seqNo, address);
        }
        else
        {
            range.restart(seqNo, address);
        }
        lastPosition = logPosition;
        bytesHeld += alignedLength;
    }

    /**
     * Cold path (open): each session's last record must not point at a record dropped at open.
     */
    void unlinkLastRecords()
    {
        sessions.forEachLong((sessionId, range) -> link(range.lastAddress(), 0));
    }

    private void link(final long from, final long to)
    {
        final JournalSegment segment = segmentOf(from);
        final int offset = offsetOf(from);
        if (segment.next(offset) != to)
        {
            segment.next(offset, to);
        }
    }

    void addSegment(final JournalSegment segment)
    {
        if (segmentCount == segments.length)
        {
            segments = Arrays.copyOf(segments, segmentCount << 1);
        }
        segments[segmentCount++] = segment;
    }

    /**
     * Cold path (purge): deletes the {@code count} oldest segments, never the newest, after moving each session's
     * first held record up past them.
     */
    void dropOldest(final int count)
    {
        trimSessions(segments[count].index() << segmentShift);
        for (int i = 0; i < count; i++)
        {
            bytesHeld -= segments[i].recordBytes();
            segments[i].delete();
        }
        System.arraycopy(segments, count, segments, 0, segmentCount - count);
        Arrays.fill(segments, segmentCount - count, segmentCount, null);
        segmentCount -= count;
    }

    /**
     * Each session with records below {@code boundary} (the first address kept) finds its new first record: walk the
     * chain from the last known address below the boundary, at most a checkpoint interval plus the session's records
     * in the purged segments, while they are still mapped. A session with nothing left, or a chain that does not
     * lead there, is forgotten: the index never claims what it cannot reach.
     */
    private void trimSessions(final long boundary)
    {
        final Long2ObjectHashMap<SessionRange>.EntryIterator iterator = sessions.entrySet().iterator();
        while (iterator.hasNext())
        {
            iterator.next();
            final SessionRange range = iterator.getValue();
            if (range.firstAddress() >= boundary)
            {
                continue;
            }
            final int below = range.checkpointsBelow(boundary);
            long seqNo = below > 0 ? range.checkpointSeqNo(below - 1) : range.firstSeqNo();
            long address = below > 0 ? range.checkpointAddress(below - 1) : range.firstAddress();
            while (address > 0 && address < boundary && seqNo < range.lastSeqNo())
            {
                final JournalSegment segment = segmentOf(address);
                address = null == segment ? 0 : segment.next(offsetOf(address));
                seqNo++;
            }
            final JournalSegment segment = address < boundary ? null : segmentOf(address);
            final int offset = offsetOf(address);
            if (null == segment || segment.seqNo(offset) != seqNo || segment.sessionId(offset) != iterator.getLongKey())
            {
                iterator.remove();
            }
            else
            {
                range.trimFront(below, seqNo, address);
            }
        }
    }

    void close()
    {
        for (int i = 0; i < segmentCount; i++)
        {
            segments[i].close();
            segments[i] = null;
        }
        segmentCount = 0;
        sessions.clear();
    }

    /**
     * @return the held segment that contains {@code address}, or null when none does (0, purged, or garbage).
     */
    JournalSegment segmentOf(final long address)
    {
        if (address <= 0 || 0 == segmentCount)
        {
            return null;
        }
        final long i = (address >>> segmentShift) - segments[0].index();
        return i < 0 || i >= segmentCount ? null : segments[(int)i];
    }

    int offsetOf(final long address)
    {
        return (int)(address & offsetMask);
    }

    SessionRange session(final long sessionId)
    {
        return sessions.get(sessionId);
    }

    JournalSegment segment(final int i)
    {
        return segments[i];
    }

    JournalSegment tail()
    {
        return segments[segmentCount - 1];
    }

    int segmentCount()
    {
        return segmentCount;
    }

    long lastPosition()
    {
        return lastPosition;
    }

    long bytesHeld()
    {
        return bytesHeld;
    }
}
