package io.keel.node;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * One append-only, memory-mapped file of the {@link OutputJournal}, and the byte layout of its records.
 * <p>
 * A segment is a 64-byte header, then records one after the other, each 8-byte aligned, never spanning two
 * segments. A record is a 48-byte header and the message:
 * <pre>
 *   0 int  frameLength   header + message, unaligned; written last, so 0 means "nothing here yet"
 *   4 int  checksum      CRC32C of bytes 16..frameLength: a torn or garbled record is found at open, never served
 *   8 long next          address of the same session's next record, patched when that one is appended (0: none)
 *  16 long sessionId
 *  24 long seqNo
 *  32 long logPosition
 *  40 long timestamp
 *  48      message bytes
 * </pre>
 * A segment that was rolled over ends with an {@link #END_OF_SEGMENT} frame length (unless exactly full), so a zero
 * frame length anywhere but in the newest segment is a tear, not an end. An address is
 * {@code (segment index << log2(segment length)) + offset}; 0 is never a record's address.
 * <p>
 * Segments are created whole, zero filled under a temporary name and renamed: a full disk fails the roll-over, not a
 * later store into a sparse mapping. Single-threaded, like the journal.
 */
final class JournalSegment
{
    static final String SUFFIX = ".journal";
    static final String TEMP_SUFFIX = ".tmp";

    static final int MAGIC = 0x4C4E4A4B;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int SEGMENT_LENGTH_OFFSET = 8;
    static final int INDEX_OFFSET = 16;
    static final int COMPLETE_POSITION_OFFSET = 24;
    static final int HEADER_LENGTH = 64;

    static final int FRAME_LENGTH_OFFSET = 0;
    static final int CHECKSUM_OFFSET = 4;
    static final int NEXT_OFFSET = 8;
    static final int SESSION_ID_OFFSET = 16;
    static final int SEQ_NO_OFFSET = 24;
    static final int LOG_POSITION_OFFSET = 32;
    static final int TIMESTAMP_OFFSET = 40;
    static final int RECORD_HEADER_LENGTH = 48;
    static final int ALIGNMENT = 8;

    static final int END_OF_SEGMENT = -1;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1024 * 1024);

    /** The position index keeps the first record starting in each 64 KiB block: 16 bytes per block. */
    private static final int BLOCK_SHIFT = 16;

    private final long index;
    private final File file;
    private final MappedByteBuffer mapped;
    private final ByteBuffer checksumView;
    private final UnsafeBuffer buffer;
    private final int[] blockOffsets;
    private final long[] blockPositions;
    private int blockCount;
    private int tail = HEADER_LENGTH;
    private long recordBytes;
    private long firstPosition;
    private long lastPosition;
    private long newestTimestamp = Long.MIN_VALUE;

    private JournalSegment(final long index, final File file, final MappedByteBuffer mapped)
    {
        this.index = index;
        this.file = file;
        this.mapped = mapped;
        this.checksumView = mapped.duplicate();
        this.buffer = new UnsafeBuffer(mapped);
        final int blocks = Math.max(1, mapped.capacity() >> BLOCK_SHIFT);
        this.blockOffsets = new int[blocks];
        this.blockPositions = new long[blocks];
    }

    static String fileName(final long index)
    {
        return String.format("%019d", index) + SUFFIX;
    }

    /**
     * @return the index in a segment's file name, or -1 when the name is not a segment's.
     */
    static long parseIndex(final String name)
    {
        if (!name.endsWith(SUFFIX) || name.length() != 19 + SUFFIX.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(0, 19));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    static int alignedLength(final int messageLength)
    {
        return BitUtil.align(RECORD_HEADER_LENGTH + messageLength, ALIGNMENT);
    }

    /**
     * Cold path: a new zero-filled segment. A failure (disk full) deletes the partial file and changes nothing else.
     */
    static JournalSegment create(final File dir, final long index, final int length, final long completePosition)
    {
        final File file = new File(dir, fileName(index));
        final File temp = new File(dir, fileName(index) + TEMP_SUFFIX);
        MappedByteBuffer mapped = null;
        try
        {
            try (RandomAccessFile raf = new RandomAccessFile(temp, "rw"); FileChannel channel = raf.getChannel())
            {
                zeroFill(channel, 0, length);
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            }
            final UnsafeBuffer header = new UnsafeBuffer(mapped);
            header.putInt(MAGIC_OFFSET, MAGIC);
            header.putInt(VERSION_OFFSET, VERSION);
            header.putInt(SEGMENT_LENGTH_OFFSET, length);
            header.putLong(INDEX_OFFSET, index);
            header.putLong(COMPLETE_POSITION_OFFSET, completePosition);
            Files.move(temp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
            return new JournalSegment(index, file, mapped);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            IoUtil.deleteIfExists(temp);
            throw ex instanceof IOException ?
                new UncheckedIOException("cannot create journal segment " + file, (IOException)ex) : (RuntimeException)ex;
        }
    }

    /**
     * Cold path: maps a segment found on disk, refusing one written with another segment length (addresses depend
     * on it). A file cut short (the file system lost its tail) is extended with
     * zeros first, so that stores past the old end never fault.
     */
    static JournalSegment open(final File file, final long index, final int length)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"); FileChannel channel = raf.getChannel())
        {
            final long size = channel.size();
            if (size >= HEADER_LENGTH)
            {
                final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.nativeOrder());
                int read = 0;
                while (header.hasRemaining() && read >= 0)
                {
                    read = channel.read(header, header.position());
                }
                final int onDisk = header.getInt(SEGMENT_LENGTH_OFFSET);
                if (header.getInt(MAGIC_OFFSET) == MAGIC && onDisk != length)
                {
                    throw new IllegalStateException("segmentLength " + length + " differs from the journal's segments (" +
                        onDisk + "): " + file);
                }
            }
            if (size < length)
            {
                zeroFill(channel, size, length);
            }
            return new JournalSegment(index, file, channel.map(FileChannel.MapMode.READ_WRITE, 0, length));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open journal segment " + file, ex);
        }
    }

    /**
     * Writes zeros rather than setting a length: the blocks are allocated now, so a full disk fails here and not as a
     * fault on a later store into the mapping. In 1 MiB writes: 4 KiB ones made a roll-over several times slower.
     */
    private static void zeroFill(final FileChannel channel, final long from, final long to) throws IOException
    {
        final ByteBuffer zeros = ZEROS.duplicate();
        long position = from;
        while (position < to)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), to - position));
            position += channel.write(zeros, position);
        }
    }

    /**
     * @return true when the header says this is segment {@code index} of this format.
     */
    boolean hasValidHeader()
    {
        return buffer.getInt(MAGIC_OFFSET) == MAGIC &&
            buffer.getInt(VERSION_OFFSET) == VERSION &&
            buffer.getLong(INDEX_OFFSET) == index;
    }

    long completePosition()
    {
        return buffer.getLong(COMPLETE_POSITION_OFFSET);
    }

    void completePosition(final long position)
    {
        buffer.putLongRelease(COMPLETE_POSITION_OFFSET, position);
    }

    /**
     * Writes one record at the tail; the caller checked it fits. Does not allocate.
     *
     * @return the record's offset.
     */
    int append(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final DirectBuffer src,
        final int srcOffset,
        final int length,
        final CRC32C crc)
    {
        final int offset = tail;
        final int frameLength = RECORD_HEADER_LENGTH + length;
        buffer.putLong(offset + SESSION_ID_OFFSET, sessionId);
        buffer.putLong(offset + SEQ_NO_OFFSET, seqNo);
        buffer.putLong(offset + LOG_POSITION_OFFSET, logPosition);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp);
        buffer.putBytes(offset + RECORD_HEADER_LENGTH, src, srcOffset, length);
        buffer.putInt(offset + CHECKSUM_OFFSET, checksum(offset, frameLength, crc));
        buffer.putIntRelease(offset + FRAME_LENGTH_OFFSET, frameLength);
        return offset;
    }

    /**
     * @return the CRC32C of the record at {@code offset} as it is now; compare with {@link #storedChecksum(int)}.
     */
    int checksum(final int offset, final int frameLength, final CRC32C crc)
    {
        crc.reset();
        checksumView.limit(offset + frameLength);
        checksumView.position(offset + SESSION_ID_OFFSET);
        crc.update(checksumView);
        return (int)crc.getValue();
    }

    /**
     * Accounts for a record written (or found at open) at {@code offset}.
     */
    void onRecord(final int offset, final long logPosition, final long timestamp, final int alignedLength)
    {
        final int block = offset >> BLOCK_SHIFT;
        if (0 == blockCount || blockOffsets[blockCount - 1] >> BLOCK_SHIFT != block)
        {
            blockOffsets[blockCount] = offset;
            blockPositions[blockCount] = logPosition;
            blockCount++;
        }
        if (0 == recordBytes)
        {
            firstPosition = logPosition;
        }
        lastPosition = logPosition;
        newestTimestamp = Math.max(newestTimestamp, timestamp);
        recordBytes += alignedLength;
        tail = offset + alignedLength;
    }

    /**
     * @return the offset of the last indexed record before {@code logPosition}, or the first record's: scanning on
     * from there finds the first record at or after it within one block.
     */
    int scanStart(final long logPosition)
    {
        int low = 0;
        int high = blockCount - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (blockPositions[mid] < logPosition)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found < 0 ? HEADER_LENGTH : blockOffsets[found];
    }

    /**
     * Rolled over: mark the end so that a zero frame length found here at open means a tear.
     */
    void markEnd()
    {
        if (tail < buffer.capacity())
        {
            buffer.putIntRelease(tail + FRAME_LENGTH_OFFSET, END_OF_SEGMENT);
        }
    }

    void close()
    {
        IoUtil.unmap(mapped);
    }

    void delete()
    {
        close();
        IoUtil.deleteIfExists(file);
    }

    long index()
    {
        return index;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int tail()
    {
        return tail;
    }

    long recordBytes()
    {
        return recordBytes;
    }

    long firstPosition()
    {
        return firstPosition;
    }

    long lastPosition()
    {
        return lastPosition;
    }

    long newestTimestamp()
    {
        return newestTimestamp;
    }

    int storedChecksum(final int offset)
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET);
    }

    int frameLength(final int offset)
    {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET);
    }

    long next(final int offset)
    {
        return buffer.getLong(offset + NEXT_OFFSET);
    }

    void next(final int offset, final long address)
    {
        buffer.putLong(offset + NEXT_OFFSET, address);
    }

    long sessionId(final int offset)
    {
        return buffer.getLong(offset + SESSION_ID_OFFSET);
    }

    long seqNo(final int offset)
    {
        return buffer.getLong(offset + SEQ_NO_OFFSET);
    }

    long logPosition(final int offset)
    {
        return buffer.getLong(offset + LOG_POSITION_OFFSET);
    }

    long timestamp(final int offset)
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }
}
