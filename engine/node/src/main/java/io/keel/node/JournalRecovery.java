package io.keel.node;

import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static io.keel.node.JournalSegment.ALIGNMENT;
import static io.keel.node.JournalSegment.END_OF_SEGMENT;
import static io.keel.node.JournalSegment.HEADER_LENGTH;
import static io.keel.node.JournalSegment.RECORD_HEADER_LENGTH;

/**
 * Opening an {@link OutputJournal} (cold path): finds where the sound records end, drops the newest log position's
 * records unless a snapshot said that position was complete, and rebuilds the index from what is kept.
 * <p>
 * The first thing that is not a sound record ends the journal: a checksum mismatch, a log position going backwards,
 * a zero frame length in a segment that was rolled over (a lost page), a missing or foreign segment file. Everything
 * after it is deleted and zeroed rather than served: the cluster writes again what it replays, and a session whose
 * seqNos then jump starts a new held range, so nothing is claimed that is not on disk.
 */
final class JournalRecovery
{
    private static final int NO_RECORD = 0;
    private static final int INVALID = -2;

    private final JournalIndex index;
    private final File dir;
    private final int segmentLength;
    private final CRC32C crc;
    private final List<JournalSegment> found = new ArrayList<>();
    private long completePosition;
    private long lastPosition;
    private long previousPosition;
    private int lastPositionSegment = -1;
    private int lastPositionOffset;
    private int endSegment;
    private int endOffset = HEADER_LENGTH;
    private long recoveredPosition;

    JournalRecovery(final JournalIndex index, final File dir, final int segmentLength, final CRC32C crc)
    {
        this.index = index;
        this.dir = dir;
        this.segmentLength = segmentLength;
        this.crc = crc;
    }

    /**
     * Fills the index with what is kept. On failure the segments opened so far are unmapped, or are in the index.
     */
    void recover()
    {
        final int keepOffset;
        try
        {
            final long firstIndex = openSegments();
            if (found.isEmpty())
            {
                index.addSegment(JournalSegment.create(dir, firstIndex, segmentLength, 0));
                return;
            }
            findEnd();
            final boolean dropNewest = lastPosition > completePosition;
            final int keepSegments = 1 + (dropNewest ? lastPositionSegment : endSegment);
            keepOffset = dropNewest ? lastPositionOffset : endOffset;
            recoveredPosition = dropNewest ? previousPosition : lastPosition;
            for (int i = found.size() - 1; i >= keepSegments; i--)
            {
                found.remove(i).delete();
            }
            truncate(found.get(keepSegments - 1), keepOffset);
        }
        catch (final RuntimeException ex)
        {
            found.forEach(JournalSegment::close);
            throw ex;
        }
        found.forEach(index::addSegment);
        indexKept(keepOffset);
    }

    /**
     * @return the last complete position kept: the newest unless it was dropped.
     */
    long recoveredPosition()
    {
        return recoveredPosition;
    }

    /**
     * @return the newest snapshot position the segments' headers record as complete.
     */
    long completePosition()
    {
        return completePosition;
    }

    /**
     * @return the index a new first segment takes when none is kept.
     */
    private long openSegments()
    {
        final File[] files = dir.listFiles();
        final long[] indices = new long[null == files ? 0 : files.length];
        int count = 0;
        for (int i = 0; i < indices.length; i++)
        {
            final String name = files[i].getName();
            if (name.endsWith(JournalSegment.SUFFIX + JournalSegment.TEMP_SUFFIX))
            {
                IoUtil.deleteIfExists(files[i]);
            }
            final long index = JournalSegment.parseIndex(name);
            if (index >= 0)
            {
                indices[count++] = index;
            }
        }
        Arrays.sort(indices, 0, count);
        boolean torn = false;
        for (int i = 0; i < count; i++)
        {
            final File file = new File(dir, JournalSegment.fileName(indices[i]));
            if (!torn)
            {
                final JournalSegment segment = JournalSegment.open(file, indices[i], segmentLength);
                torn = (i > 0 && indices[i] != indices[i - 1] + 1) || !segment.hasValidHeader();
                if (torn)
                {
                    segment.close();
                }
                else
                {
                    found.add(segment);
                    completePosition = Math.max(completePosition, segment.completePosition());
                }
            }
            if (torn)
            {
                IoUtil.deleteIfExists(file);
            }
        }
        return 0 == count ? 0 : indices[0];
    }

    /**
     * First pass: check every record up to the first that is not sound; note where the newest position begins.
     */
    private void findEnd()
    {
        for (int s = 0; s < found.size(); s++)
        {
            final JournalSegment segment = found.get(s);
            final boolean newest = s == found.size() - 1;
            int offset = HEADER_LENGTH;
            int frameLength;
            while ((frameLength = check(segment, offset, lastPosition)) > 0)
            {
                final long position = segment.logPosition(offset);
                if (position != lastPosition || lastPositionSegment < 0)
                {
                    previousPosition = lastPosition;
                    lastPosition = position;
                    lastPositionSegment = s;
                    lastPositionOffset = offset;
                }
                offset += BitUtil.align(frameLength, ALIGNMENT);
            }
            endSegment = s;
            endOffset = offset;
            if (newest || END_OF_SEGMENT != frameLength)
            {
                return;
            }
        }
    }

    /**
     * @return the frame length of a sound record at {@code offset}, {@link #NO_RECORD}, {@code END_OF_SEGMENT} (also
     * when full) or {@link #INVALID} (torn, garbled, or a log position below {@code minPosition}).
     */
    private int check(final JournalSegment segment, final int offset, final long minPosition)
    {
        if (offset >= segmentLength)
        {
            return END_OF_SEGMENT;
        }
        final int frameLength = segment.frameLength(offset);
        if (NO_RECORD == frameLength || END_OF_SEGMENT == frameLength)
        {
            return frameLength;
        }
        if (frameLength < RECORD_HEADER_LENGTH || frameLength > segmentLength - offset ||
            segment.checksum(offset, frameLength, crc) != segment.storedChecksum(offset) ||
            segment.logPosition(offset) < minPosition || segment.seqNo(offset) < 1)
        {
            return INVALID;
        }
        return frameLength;
    }

    /**
     * Forget everything from {@code offset} on, so that no stale byte (the rest of a torn record, a page written out
     * of order) is read as a record later. Only words that are not zero are written: a clean tail costs a read, not
     * 64 MiB of dirty pages.
     */
    private void truncate(final JournalSegment segment, final int offset)
    {
        final UnsafeBuffer buffer = segment.buffer();
        for (int i = offset; i < segmentLength; i += ALIGNMENT)
        {
            if (0 != buffer.getLong(i))
            {
                buffer.putLong(i, 0);
            }
        }
    }

    /**
     * Second pass: index every kept record, re-linking each session's chain (a link may have been lost with a page),
     * and unlink each session's last record from anything dropped.
     */
    private void indexKept(final int keepOffset)
    {
        final int last = found.size() - 1;
        for (int s = 0; s <= last; s++)
        {
            final JournalSegment segment = found.get(s);
            final int end = s == last ? keepOffset : segmentLength;
            int offset = HEADER_LENGTH;
            int frameLength;
            while (offset < end && (frameLength = segment.frameLength(offset)) > 0)
            {
                final int alignedLength = BitUtil.align(frameLength, ALIGNMENT);
                index.index(
                    segment,
                    offset,
                    segment.sessionId(offset),
                    segment.seqNo(offset),
                    segment.logPosition(offset),
                    segment.timestamp(offset),
                    alignedLength);
                offset += alignedLength;
            }
        }
        index.unlinkLastRecords();
    }
}
