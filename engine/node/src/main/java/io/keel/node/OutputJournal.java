package io.keel.node;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;

import java.io.File;
import java.util.zip.CRC32C;

import static io.keel.node.JournalSegment.HEADER_LENGTH;
import static io.keel.node.JournalSegment.RECORD_HEADER_LENGTH;

/**
 * Every report the engine produced for a client session, on this node's disk, so that any node can send a session's
 * missed reports again ({@link #replay}) and drop copy can follow all of them in log order ({@link #scan}). Derived
 * output, never state: nothing the engine does depends on it.
 * <p>
 * Append-only memory-mapped {@link JournalSegment}s; an in-memory index rebuilt at open ({@link SessionRange} per
 * session, a sparse position index per segment) makes a replay from any seqNo cost at most
 * {@link SessionRange#CHECKPOINT_INTERVAL} hops plus the records delivered; it costs about 100 bytes per session, 8
 * per 256 reports and 12 per 64 KiB of segment.
 * <p>
 * At open the records of the newest log position are dropped, because the process may have died between two
 * reports of one log entry, unless a snapshot at or after that position was announced to {@link #purge}: the cluster
 * replays from its snapshot and {@link #append} writes them again, skipping what the journal already holds.
 * <p>
 * <b>Not thread safe</b>: written and read on the cluster service thread only. Buffers handed to a
 * {@link ReportHandler} are valid during the call only, and a handler must not call back into the journal.
 */
public final class OutputJournal implements AutoCloseable
{
    private final Context ctx;
    private final int segmentLength;
    private final int maxMessageLength;
    private final CRC32C crc = new CRC32C();
    private final JournalIndex index;
    private final long recoveredPosition;
    private long completePosition;
    private boolean closed;

    /**
     * Receives reports from {@link #replay} and {@link #scan}; {@code buffer} is valid during the call only.
     */
    @FunctionalInterface
    public interface ReportHandler
    {
        void onReport(
            long sessionId, long seqNo, long logPosition, long timestamp, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Opens the journal in {@link Context#dir()} and recovers what is on disk (cold: reads every held segment).
     */
    public OutputJournal(final Context ctx)
    {
        this.ctx = ctx.conclude();
        segmentLength = ctx.segmentLength();
        maxMessageLength = segmentLength - HEADER_LENGTH - RECORD_HEADER_LENGTH;
        index = new JournalIndex(segmentLength);
        final JournalRecovery recovery = new JournalRecovery(index, ctx.dir(), segmentLength, crc);
        try
        {
            recovery.recover();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        recoveredPosition = recovery.recoveredPosition();
        completePosition = recovery.completePosition();
    }

    /**
     * Records one report. Does not allocate, except when rolling over to a new segment, for a session's first report,
     * or when a session's checkpoints need more room (once per doubling).
     *
     * @param sessionId   the client session the report is for.
     * @param seqNo       the engine's number for it in the session, from 1.
     * @param logPosition of the log entry that produced it, > 0; several reports may share one.
     * @param timestamp   cluster time of that entry; time retention compares it.
     * @return false when skipped: {@code logPosition <= recoveredPosition()} (already journaled before a restart).
     * @throws IllegalArgumentException when the message cannot fit in a segment, {@code seqNo < 1},
     *                                  {@code logPosition < 1}, or {@code logPosition} goes backwards.
     * @throws java.io.UncheckedIOException when a new segment cannot be created (disk full): nothing was recorded.
     */
    public boolean append(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (logPosition <= recoveredPosition && logPosition > 0)
        {
            return false;
        }
        if (length < 0 || length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "report length " + length + " must be in 0.." + maxMessageLength + " for segmentLength " + segmentLength);
        }
        if (seqNo < 1 || logPosition < 1 || logPosition < index.lastPosition())
        {
            throw new IllegalArgumentException("seqNo and logPosition must be >= 1, logPosition not going back: seqNo=" +
                seqNo + " logPosition=" + logPosition + " lastPosition=" + index.lastPosition());
        }
        final int alignedLength = JournalSegment.alignedLength(length);
        JournalSegment tail = index.tail();
        if (tail.tail() + alignedLength > segmentLength)
        {
            tail = roll(tail);
        }
        final int recordOffset = tail.append(sessionId, seqNo, logPosition, timestamp, buffer, offset, length, crc);
        index.index(tail, recordOffset, sessionId, seqNo, logPosition, timestamp, alignedLength);
        return true;
    }

    /**
     * One session's reports from {@code fromSeqNo} to {@code toSeqNo} inclusive ({@code toSeqNo <= 0}: to the
     * latest), in seqNo order, at most {@code limit}. Starts at {@link #firstHeldSeqNo} when {@code fromSeqNo} is
     * older; stops at a broken link rather than deliver a range with a hole.
     *
     * @return how many delivered.
     */
    public int replay(
        final long sessionId, final long fromSeqNo, final long toSeqNo, final int limit, final ReportHandler handler)
    {
        final SessionRange range = index.session(sessionId);
        if (null == range || limit <= 0)
        {
            return 0;
        }
        final long from = Math.max(fromSeqNo, range.firstSeqNo());
        final long to = toSeqNo <= 0 ? range.lastSeqNo() : Math.min(toSeqNo, range.lastSeqNo());
        if (from > to)
        {
            return 0;
        }
        long seqNo = range.nearestKnownSeqNo(from);
        long address = range.addressOf(seqNo);
        int count = 0;
        while (seqNo <= to && count < limit)
        {
            final JournalSegment segment = index.segmentOf(address);
            final int offset = index.offsetOf(address);
            if (null == segment || segment.sessionId(offset) != sessionId || segment.seqNo(offset) != seqNo)
            {
                break;
            }
            if (seqNo >= from)
            {
                deliver(segment, offset, handler);
                count++;
            }
            address = segment.next(offset);
            seqNo++;
        }
        return count;
    }

    /**
     * Every session's reports in log order, from the first record whose {@code logPosition >= fromLogPosition}, at
     * most {@code limit}; for drop copy. A limit may end inside the records of one log position: resume from that
     * position and skip what was seen by (sessionId, seqNo).
     *
     * @return how many delivered.
     */
    public int scan(final long fromLogPosition, final int limit, final ReportHandler handler)
    {
        return scanUntil(fromLogPosition, limit, (sessionId, seqNo, logPosition, timestamp, buffer, offset, length) ->
        {
            handler.onReport(sessionId, seqNo, logPosition, timestamp, buffer, offset, length);
            return true;
        });
    }

    /**
     * Receives reports from {@link #scanUntil}; {@code buffer} is valid during the call only.
     */
    @FunctionalInterface
    public interface ScanHandler
    {
        /**
         * @return false to stop the scan after this record.
         */
        boolean onReport(
            long sessionId, long seqNo, long logPosition, long timestamp, DirectBuffer buffer, int offset, int length);
    }

    /**
     * As {@link #scan}, but the handler may stop it (drop copy bounds a batch by bytes too).
     *
     * @return how many delivered, the one that stopped it included.
     */
    public int scanUntil(final long fromLogPosition, final int limit, final ScanHandler handler)
    {
        if (limit <= 0 || 0 == index.bytesHeld() || fromLogPosition > index.lastPosition())
        {
            return 0;
        }
        int i = index.segmentCount() - 1;
        while (i > 0 && !(index.segment(i).recordBytes() > 0 && index.segment(i).firstPosition() < fromLogPosition))
        {
            i--;
        }
        JournalSegment segment = index.segment(i);
        int offset = segment.scanStart(fromLogPosition);
        int count = 0;
        while (count < limit)
        {
            if (offset >= segment.tail())
            {
                if (++i == index.segmentCount())
                {
                    break;
                }
                segment = index.segment(i);
                offset = HEADER_LENGTH;
                continue;
            }
            if (segment.logPosition(offset) >= fromLogPosition)
            {
                count++;
                if (!handler.onReport(
                    segment.sessionId(offset),
                    segment.seqNo(offset),
                    segment.logPosition(offset),
                    segment.timestamp(offset),
                    segment.buffer(),
                    offset + RECORD_HEADER_LENGTH,
                    segment.frameLength(offset) - RECORD_HEADER_LENGTH))
                {
                    break;
                }
            }
            offset += BitUtil.align(segment.frameLength(offset), JournalSegment.ALIGNMENT);
        }
        return count;
    }

    /**
     * @return true when older records were deleted by retention ({@link #purge}): a position before
     * {@link #firstHeldPosition()} may have held reports that are gone.
     */
    public boolean hasPurged()
    {
        return index.bytesHeld() > 0 && index.segment(0).index() > 0;
    }

    /**
     * @return the oldest seqNo of the session still held, 0 when none.
     */
    public long firstHeldSeqNo(final long sessionId)
    {
        final SessionRange range = index.session(sessionId);
        return null == range ? 0 : range.firstSeqNo();
    }

    /**
     * @return the newest seqNo of the session held, 0 when none.
     */
    public long lastSeqNo(final long sessionId)
    {
        final SessionRange range = index.session(sessionId);
        return null == range ? 0 : range.lastSeqNo();
    }

    /**
     * @return the logPosition of the oldest record held, 0 when empty.
     */
    public long firstHeldPosition()
    {
        return 0 == index.bytesHeld() ? 0 : index.segment(0).firstPosition();
    }

    /**
     * @return the last complete logPosition found on disk at open, 0 when none: {@link #append} skips up to it.
     */
    public long recoveredPosition()
    {
        return recoveredPosition;
    }

    /**
     * @return the logPosition of the newest record, 0 when empty.
     */
    public long lastPosition()
    {
        return index.lastPosition();
    }

    /**
     * @return the bytes of the records held, headers and alignment included (not the segments' preallocated tails).
     */
    public long bytesHeld()
    {
        return index.bytesHeld();
    }

    /**
     * Retention, called when a snapshot at {@code snapshotLogPosition} was taken (cold path): delete whole oldest
     * segments, never the one being written, that hold only records with {@code logPosition <= snapshotLogPosition},
     * while over {@link Context#retentionBytes()} or older than {@link Context#retentionTime()} relative to
     * {@code nowClusterTime}. Also records that every position up to the snapshot is complete, so that a restart
     * from this snapshot keeps the newest position's records instead of waiting for a replay that will not come.
     */
    public void purge(final long snapshotLogPosition, final long nowClusterTime)
    {
        if (snapshotLogPosition > completePosition)
        {
            completePosition = snapshotLogPosition;
            index.tail().completePosition(snapshotLogPosition);
        }
        int drop = 0;
        long bytesAfter = index.bytesHeld();
        while (drop < index.segmentCount() - 1)
        {
            final JournalSegment segment = index.segment(drop);
            final boolean overBytes = bytesAfter > ctx.retentionBytes();
            final boolean tooOld = ctx.retentionTime() > 0 &&
                segment.newestTimestamp() < nowClusterTime - ctx.retentionTime();
            if (segment.lastPosition() > snapshotLogPosition || !(overBytes || tooOld))
            {
                break;
            }
            bytesAfter -= segment.recordBytes();
            drop++;
        }
        if (drop > 0)
        {
            index.dropOldest(drop);
        }
    }

    /**
     * Log retention (cold path, {@code keel admin purge}): delete whole oldest segments, never the one being written,
     * that hold only records from before {@code logPosition} (the cluster log's new start), whatever the size and time
     * retention would keep.
     *
     * @return the segments deleted.
     */
    public int purgeBefore(final long logPosition)
    {
        int drop = 0;
        while (drop < index.segmentCount() - 1 && index.segment(drop).lastPosition() < logPosition)
        {
            drop++;
        }
        if (drop > 0)
        {
            index.dropOldest(drop);
        }
        return drop;
    }

    /**
     * Unmaps every segment; idempotent. What was appended stays in the files.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            index.close();
        }
    }

    /**
     * Cold path: a new segment first (a full disk fails here, changing nothing), then the old one's end mark.
     */
    private JournalSegment roll(final JournalSegment tail)
    {
        final JournalSegment next = JournalSegment.create(ctx.dir(), tail.index() + 1, segmentLength, completePosition);
        tail.markEnd();
        index.addSegment(next);
        return next;
    }

    private static void deliver(final JournalSegment segment, final int offset, final ReportHandler handler)
    {
        handler.onReport(
            segment.sessionId(offset),
            segment.seqNo(offset),
            segment.logPosition(offset),
            segment.timestamp(offset),
            segment.buffer(),
            offset + RECORD_HEADER_LENGTH,
            segment.frameLength(offset) - RECORD_HEADER_LENGTH);
    }

    /**
     * Configuration, Aeron style: fluent accessors, {@link #conclude()} validates and fails fast naming the option.
     */
    public static final class Context
    {
        public static final int SEGMENT_LENGTH_DEFAULT = 64 * 1024 * 1024;
        public static final int SEGMENT_LENGTH_MIN = 64 * 1024;
        public static final int SEGMENT_LENGTH_MAX = 1024 * 1024 * 1024;
        public static final long RETENTION_BYTES_DEFAULT = 8L * 1024 * 1024 * 1024;
        public static final long RETENTION_TIME_DEFAULT = 0;

        private File dir;
        private int segmentLength = SEGMENT_LENGTH_DEFAULT;
        private long retentionBytes = RETENTION_BYTES_DEFAULT;
        private long retentionTime = RETENTION_TIME_DEFAULT;
        private boolean concluded;

        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (null == dir)
            {
                throw new IllegalArgumentException("dir is required");
            }
            if (!BitUtil.isPowerOfTwo(segmentLength) || segmentLength < SEGMENT_LENGTH_MIN ||
                segmentLength > SEGMENT_LENGTH_MAX)
            {
                throw new IllegalArgumentException("segmentLength must be a power of two in " + SEGMENT_LENGTH_MIN +
                    ".." + SEGMENT_LENGTH_MAX + ": " + segmentLength);
            }
            if (retentionBytes < 0)
            {
                throw new IllegalArgumentException("retentionBytes must be >= 0: " + retentionBytes);
            }
            if (retentionTime < 0)
            {
                throw new IllegalArgumentException("retentionTime must be >= 0 (0: no time limit): " + retentionTime);
            }
            IoUtil.ensureDirectoryExists(dir, "journal dir");
            concluded = true;
            return this;
        }

        public Context dir(final File dir)
        {
            this.dir = dir;
            return this;
        }

        public File dir()
        {
            return dir;
        }

        /**
         * @param bytes of each segment file: a power of two, at least 64 KiB; must match the segments on disk.
         */
        public Context segmentLength(final int bytes)
        {
            this.segmentLength = bytes;
            return this;
        }

        public int segmentLength()
        {
            return segmentLength;
        }

        /**
         * @param bytes beyond which {@link #purge} may delete whole oldest segments.
         */
        public Context retentionBytes(final long bytes)
        {
            this.retentionBytes = bytes;
            return this;
        }

        public long retentionBytes()
        {
            return retentionBytes;
        }

        /**
         * @param clusterTimeUnits 0: no time limit; else segments whose newest record is older than now minus this
         *                         may go at {@link #purge}.
         */
        public Context retentionTime(final long clusterTimeUnits)
        {
            this.retentionTime = clusterTimeUnits;
            return this;
        }

        public long retentionTime()
        {
            return retentionTime;
        }
    }
}
