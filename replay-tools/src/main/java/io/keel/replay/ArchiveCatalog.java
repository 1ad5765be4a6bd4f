package io.keel.replay;

import io.aeron.archive.codecs.CatalogHeaderDecoder;
import io.aeron.archive.codecs.RecordingDescriptorDecoder;
import io.aeron.archive.codecs.RecordingDescriptorHeaderDecoder;
import io.aeron.archive.codecs.RecordingState;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an archive's {@code archive.catalog} without a running archive and without writing to
 * it: the layout is Aeron's (a {@code CatalogHeader}, then one aligned
 * {@code RecordingDescriptorHeader} + {@code RecordingDescriptor} per recording).
 */
final class ArchiveCatalog
{
    static final String FILE_NAME = "archive.catalog";
    private static final int LEGACY_ALIGNMENT = 1024;

    private ArchiveCatalog()
    {
    }

    /**
     * @return the valid recordings, in recording id order.
     * @throws ReplayException when the catalog is missing or unreadable.
     */
    static List<RecordingDescriptor> read(final File archiveDir)
    {
        final File file = new File(archiveDir, FILE_NAME);
        if (!file.isFile())
        {
            throw new ReplayException(file + ": no archive catalog (is this a node directory?)");
        }
        final UnsafeBuffer buffer;
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < CatalogHeaderDecoder.BLOCK_LENGTH || size > Integer.MAX_VALUE)
            {
                throw new ReplayException(file + ": not an archive catalog (" + size + " bytes)");
            }
            final ByteBuffer bytes = ByteBuffer.allocate((int)size);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // read it all
            }
            buffer = new UnsafeBuffer(bytes.array(), 0, bytes.position());
        }
        catch (final IOException ex)
        {
            throw new ReplayException(file + ": cannot read: " + ex.getMessage());
        }

        final CatalogHeaderDecoder header = new CatalogHeaderDecoder()
            .wrap(buffer, 0, CatalogHeaderDecoder.BLOCK_LENGTH, CatalogHeaderDecoder.SCHEMA_VERSION);
        final int alignment = header.alignment() == 0 ? LEGACY_ALIGNMENT : header.alignment();
        if (!BitUtil.isPowerOfTwo(alignment))
        {
            throw new ReplayException(file + ": corrupt catalog header (alignment " + alignment + ")");
        }
        int offset = header.alignment() == 0 ? LEGACY_ALIGNMENT : CatalogHeaderDecoder.BLOCK_LENGTH;

        final RecordingDescriptorHeaderDecoder descriptorHeader = new RecordingDescriptorHeaderDecoder();
        final RecordingDescriptorDecoder descriptor = new RecordingDescriptorDecoder();
        final List<RecordingDescriptor> recordings = new ArrayList<>();
        final int headerLength = RecordingDescriptorHeaderDecoder.BLOCK_LENGTH;
        while (offset + headerLength <= buffer.capacity())
        {
            descriptorHeader.wrap(buffer, offset, headerLength, RecordingDescriptorHeaderDecoder.SCHEMA_VERSION);
            final int length = descriptorHeader.length();
            if (length <= 0)
            {
                break;
            }
            if (offset + headerLength + (long)length > buffer.capacity() || length < RecordingDescriptorDecoder.BLOCK_LENGTH)
            {
                throw new ReplayException(file + ": corrupt recording descriptor at catalog offset " + offset);
            }
            if (descriptorHeader.state() == RecordingState.VALID)
            {
                descriptor.wrap(
                    buffer, offset + headerLength, RecordingDescriptorDecoder.BLOCK_LENGTH,
                    RecordingDescriptorDecoder.SCHEMA_VERSION);
                final long recordingId = descriptor.recordingId();
                final long startTimestamp = descriptor.startTimestamp();
                final long stopTimestamp = descriptor.stopTimestamp();
                final long startPosition = descriptor.startPosition();
                final long stopPosition = descriptor.stopPosition();
                final int initialTermId = descriptor.initialTermId();
                final int segmentFileLength = descriptor.segmentFileLength();
                final int termBufferLength = descriptor.termBufferLength();
                final int streamId = descriptor.streamId();
                final String channel = descriptor.strippedChannel();
                recordings.add(new RecordingDescriptor(
                    recordingId, startPosition, stopPosition, startTimestamp, stopTimestamp, initialTermId,
                    segmentFileLength, termBufferLength, streamId, channel));
            }
            offset += BitUtil.align(headerLength + length, alignment);
        }
        return recordings;
    }
}
