package io.keel.codecs;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * However the stream is cut into reads, the same messages come out, in order, byte for byte.
 */
class FrameDecoderSplitTest
{
    private static final int MAX_FRAME_LENGTH = 16 * 1024;

    @Test
    void shouldReassembleWhenSplitAtEveryByteBoundary()
    {
        // One frame of every template, so every split lands in every kind of field of some frame.
        final FrameStream stream = FrameStream.ofAllTemplates(MessageSamples.ALL.size(), 11);
        for (int split = 0; split <= stream.length; split++)
        {
            final FrameStream.Recorder recorder = new FrameStream.Recorder();
            final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);

            assertEquals(split, decoder.onData(stream.buffer, 0, split));
            assertEquals(stream.length - split, decoder.onData(stream.buffer, split, stream.length - split));

            stream.assertDelivered(recorder);
            assertEquals(0, decoder.bufferedLength(), "split at " + split);
        }
    }

    @Test
    void shouldReassembleOneByteAtATime()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(MessageSamples.ALL.size() * 2, 21);
        final FrameStream.Recorder recorder = new FrameStream.Recorder();
        final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);

        for (int position = 0; position < stream.length; position++)
        {
            assertEquals(1, decoder.onData(stream.buffer, position, 1));
        }

        stream.assertDelivered(recorder);
    }

    @Property(tries = 300)
    void shouldDeliverRandomFramesWhateverTheReadSizes(
        @ForAll @Size(min = 1, max = 60) final List<@IntRange(min = 0, max = 10_000) Integer> frames,
        @ForAll @Size(min = 1, max = 20) final List<@IntRange(min = 0, max = 3000) Integer> readLengths)
    {
        // Empty reads are part of the mix, but some read must bring bytes.
        Assume.that(readLengths.stream().anyMatch(length -> length > 0));
        final FrameStream stream = streamOf(frames);
        final FrameStream.Recorder recorder = new FrameStream.Recorder();
        final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);

        int position = 0;
        for (int read = 0; position < stream.length; read++)
        {
            final int length = Math.min(readLengths.get(read % readLengths.size()), stream.length - position);
            assertEquals(length, decoder.onData(stream.buffer, position, length));
            position += length;
        }

        stream.assertDelivered(recorder);
        assertEquals(0, decoder.bufferedLength());
    }

    @Property(tries = 200)
    void shouldDeliverRandomFramesUnderBackPressure(
        @ForAll @Size(min = 1, max = 40) final List<@IntRange(min = 0, max = 10_000) Integer> frames,
        @ForAll @Size(min = 1, max = 10) final List<@IntRange(min = 1, max = 3000) Integer> readLengths,
        @ForAll @Size(min = 1, max = 5) final List<Boolean> pushBacks)
    {
        final FrameStream stream = streamOf(frames);
        final FrameStream.Recorder recorder = new FrameStream.Recorder();
        recorder.pushBackPattern = new boolean[pushBacks.size() + 1];
        for (int i = 0; i < pushBacks.size(); i++)
        {
            recorder.pushBackPattern[i] = pushBacks.get(i);
        }
        final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);

        // Like a socket reader: unconsumed bytes stay at the front of its buffer and are offered again with more.
        int position = 0;
        int received = 0;
        for (int read = 0; position < stream.length || decoder.bufferedLength() > 0; read++)
        {
            received = Math.min(stream.length, received + readLengths.get(read % readLengths.size()));
            final int consumed = decoder.onData(stream.buffer, position, received - position);
            assertTrue(consumed >= 0 && consumed <= received - position, "consumed " + consumed);
            position += consumed;
            assertTrue(read < 100_000, "no progress");
        }

        stream.assertDelivered(recorder);
    }

    private static FrameStream streamOf(final List<Integer> frames)
    {
        final FrameStream stream = new FrameStream(frames.size() * MAX_FRAME_LENGTH);
        for (final int frame : frames)
        {
            stream.append(MessageSamples.ALL.get(frame % MessageSamples.ALL.size()), frame);
        }

        return stream;
    }
}
