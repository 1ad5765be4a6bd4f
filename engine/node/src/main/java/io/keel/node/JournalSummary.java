package io.keel.node;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * What an output journal directory holds, read from its files without opening the journal (offline tools, a running
 * node alike: read only, nothing mapped): how many segments, their bytes on disk, and the oldest record still held,
 * the journal's earliest point after retention and purges.
 *
 * @param segments          segment files.
 * @param bytes             their length on disk (preallocated: a segment is created whole).
 * @param firstLogPosition  the log position of the oldest record held, -1 when none.
 * @param firstTimestamp    its cluster time, -1 when none.
 */
public record JournalSummary(int segments, long bytes, long firstLogPosition, long firstTimestamp)
{
    /**
     * @return the summary, or null when {@code dir} is not a journal directory.
     */
    public static JournalSummary read(final File dir)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return readOnce(dir);
            }
            catch (final UncheckedIOException ex)
            {
                if (!(ex.getCause() instanceof java.nio.file.NoSuchFileException) || attempt >= 10)
                {
                    throw ex;
                }
                // The oldest segment was purged while being read (a running node): list again.
            }
        }
    }

    private static JournalSummary readOnce(final File dir)
    {
        final File[] files = dir.listFiles((d, name) -> JournalSegment.parseIndex(name) >= 0);
        if (files == null)
        {
            return null;
        }
        long bytes = 0;
        File oldest = null;
        long oldestIndex = Long.MAX_VALUE;
        for (final File file : files)
        {
            bytes += file.length();
            final long index = JournalSegment.parseIndex(file.getName());
            if (index < oldestIndex)
            {
                oldestIndex = index;
                oldest = file;
            }
        }
        long firstPosition = -1;
        long firstTimestamp = -1;
        if (oldest != null)
        {
            final ByteBuffer header = ByteBuffer.allocate(JournalSegment.RECORD_HEADER_LENGTH).order(ByteOrder.nativeOrder());
            try (FileChannel channel = FileChannel.open(oldest.toPath(), StandardOpenOption.READ))
            {
                while (header.hasRemaining() &&
                    channel.read(header, JournalSegment.HEADER_LENGTH + header.position()) > 0)
                {
                    // read the first record's header
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(oldest + ": cannot read", ex);
            }
            if (!header.hasRemaining() && header.getInt(JournalSegment.FRAME_LENGTH_OFFSET) > 0)
            {
                firstPosition = header.getLong(JournalSegment.LOG_POSITION_OFFSET);
                firstTimestamp = header.getLong(JournalSegment.TIMESTAMP_OFFSET);
            }
        }
        return new JournalSummary(files.length, bytes, firstPosition, firstTimestamp);
    }
}
