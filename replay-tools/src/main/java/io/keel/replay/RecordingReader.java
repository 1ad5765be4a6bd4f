package io.keel.replay;

import io.aeron.archive.client.AeronArchive;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Reads one recording straight from its archive segment files ({@code <id>-<base>.rec}), read-only
 * and with no media driver or archive running, reassembling fragmented messages. Every frame is
 * checked (length, type, term offset, stream id) so that a truncated or corrupt segment fails
 * with the file and log position, instead of being replayed as garbage.
 */
final class RecordingReader
{
    /**
     * Receives each whole message and the log position just after it (what the cluster service
     * sees as {@code cluster.logPosition()} for that entry).
     */
    @FunctionalInterface
    interface MessageHandler
    {
        /**
         * @return false to stop reading.
         */
        boolean onMessage(DirectBuffer buffer, int offset, int length, long endPosition);
    }

    private static final int HEADER_LENGTH = DataHeaderFlyweight.HEADER_LENGTH;
    private static final int PAD_TYPE = DataHeaderFlyweight.HDR_TYPE_PAD;
    private static final int DATA_TYPE = DataHeaderFlyweight.HDR_TYPE_DATA;

    private final File archiveDir;
    private final RecordingDescriptor recording;
    private final ExpandableArrayBuffer assembly = new ExpandableArrayBuffer(4096);
    private int assembledLength = -1;
    private File currentFile;

    RecordingReader(final File archiveDir, final RecordingDescriptor recording)
    {
        this.archiveDir = archiveDir;
        this.recording = recording;
    }

    RecordingDescriptor recording()
    {
        return recording;
    }

    /**
     * The segment file being read (for error messages).
     */
    File currentFile()
    {
        return currentFile;
    }

    File segmentFile(final long position)
    {
        final long base = AeronArchive.segmentFileBasePosition(
            recording.startPosition(), position, recording.termBufferLength(), recording.segmentFileLength());
        return new File(archiveDir, recording.recordingId() + "-" + base + ".rec");
    }

    /**
     * Read from {@code fromPosition} (a message boundary, e.g. the recording's start or a
     * snapshot's log position) to the end of the recording or until the handler says stop.
     *
     * @return the position reached: the end of the last message read.
     */
    long read(final long fromPosition, final MessageHandler handler)
    {
        final long stop = recording.stopPosition();
        final int termLength = recording.termBufferLength();
        final int segmentLength = recording.segmentFileLength();
        if (fromPosition < recording.startPosition() || (recording.isStopped() && fromPosition > stop) ||
            (fromPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            throw ReplayException.at(segmentFile(Math.max(fromPosition, recording.startPosition())), fromPosition,
                "cannot start reading recording " + recording.recordingId() + " (it spans " +
                recording.startPosition() + ".." + (recording.isStopped() ? stop : "?") + ")");
        }
        if (termLength <= 0 || !BitUtil.isPowerOfTwo(termLength) || segmentLength <= 0)
        {
            throw new ReplayException(archiveDir + ": recording " + recording.recordingId() +
                " has an invalid term or segment length in the catalog");
        }

        long position = fromPosition;
        assembledLength = -1;
        while (!recording.isStopped() || position < stop)
        {
            final long base = AeronArchive.segmentFileBasePosition(
                recording.startPosition(), position, termLength, segmentLength);
            currentFile = new File(archiveDir, recording.recordingId() + "-" + base + ".rec");
            if (!currentFile.isFile())
            {
                if (recording.isStopped())
                {
                    throw ReplayException.at(currentFile, position, "segment file missing (recording " +
                        recording.recordingId() + " stops at " + stop + ")");
                }
                return position;
            }
            final MappedByteBuffer mapped = map(currentFile, position);
            try
            {
                final UnsafeBuffer segment = new UnsafeBuffer(mapped);
                final long segmentEnd = base + Math.min(segment.capacity(), segmentLength);
                while (position < segmentEnd && (!recording.isStopped() || position < stop))
                {
                    final int frameOffset = (int)(position - base);
                    if (frameOffset + HEADER_LENGTH > segment.capacity())
                    {
                        return endOfData(position, "the file ends here");
                    }
                    final int frameLength = segment.getInt(frameOffset, ByteOrder.LITTLE_ENDIAN);
                    if (frameLength == 0)
                    {
                        return endOfData(position, "no data from here");
                    }
                    final int alignedLength = BitUtil.align(frameLength, FrameDescriptor.FRAME_ALIGNMENT);
                    checkFrame(segment, frameOffset, frameLength, alignedLength, position, segmentEnd);
                    final long endPosition = position + alignedLength;
                    if (recording.isStopped() && endPosition > stop)
                    {
                        throw ReplayException.at(currentFile, position, "corrupt frame: runs past the recording's stop " +
                            "position " + stop);
                    }
                    final int type = segment.getShort(frameOffset + DataHeaderFlyweight.TYPE_FIELD_OFFSET,
                        ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                    if (type == DATA_TYPE &&
                        !onFragment(segment, frameOffset, frameLength, endPosition, handler))
                    {
                        return endPosition;
                    }
                    position = endPosition;
                }
                if (position < base + segmentLength && (!recording.isStopped() || position < stop))
                {
                    return endOfData(position, "the file ends here");
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        return position;
    }

    private long endOfData(final long position, final String what)
    {
        if (recording.isStopped())
        {
            throw ReplayException.at(currentFile, position, "truncated segment (" + what + "; the recording stops at " +
                recording.stopPosition() + ")");
        }
        return position;
    }

    private void checkFrame(
        final UnsafeBuffer segment,
        final int frameOffset,
        final int frameLength,
        final int alignedLength,
        final long position,
        final long segmentEnd)
    {
        final int termOffsetExpected = (int)(position & (recording.termBufferLength() - 1));
        final int type = segment.getShort(frameOffset + DataHeaderFlyweight.TYPE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final String problem;
        if (frameLength < HEADER_LENGTH || position + alignedLength > segmentEnd)
        {
            problem = "bad frame length " + frameLength;
        }
        else if (type != DATA_TYPE && type != PAD_TYPE)
        {
            problem = "bad frame type " + type;
        }
        else if (segment.getInt(frameOffset + DataHeaderFlyweight.TERM_OFFSET_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) !=
            termOffsetExpected)
        {
            problem = "frame header says term offset " +
                segment.getInt(frameOffset + DataHeaderFlyweight.TERM_OFFSET_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) +
                ", expected " + termOffsetExpected;
        }
        else if (segment.getInt(frameOffset + DataHeaderFlyweight.STREAM_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) !=
            recording.streamId())
        {
            problem = "frame of another stream";
        }
        else
        {
            return;
        }
        throw ReplayException.at(currentFile, position, "corrupt frame (" + problem + ")");
    }

    private boolean onFragment(
        final UnsafeBuffer segment,
        final int frameOffset,
        final int frameLength,
        final long endPosition,
        final MessageHandler handler)
    {
        final byte flags = segment.getByte(frameOffset + DataHeaderFlyweight.FLAGS_FIELD_OFFSET);
        final int payloadOffset = frameOffset + HEADER_LENGTH;
        final int payloadLength = frameLength - HEADER_LENGTH;
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED)
        {
            assembledLength = -1;
            return handler.onMessage(segment, payloadOffset, payloadLength, endPosition);
        }
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0)
        {
            assembly.putBytes(0, segment, payloadOffset, payloadLength);
            assembledLength = payloadLength;
            return true;
        }
        if (assembledLength < 0)
        {
            throw ReplayException.at(currentFile, endPosition - BitUtil.align(frameLength, FrameDescriptor.FRAME_ALIGNMENT),
                "corrupt frame (a middle or end fragment without its beginning)");
        }
        assembly.putBytes(assembledLength, segment, payloadOffset, payloadLength);
        assembledLength += payloadLength;
        if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0)
        {
            final int length = assembledLength;
            assembledLength = -1;
            return handler.onMessage(assembly, 0, length, endPosition);
        }
        return true;
    }

    private static MappedByteBuffer map(final File file, final long position)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            throw ReplayException.at(file, position, "cannot read segment: " + ex.getMessage());
        }
    }
}
