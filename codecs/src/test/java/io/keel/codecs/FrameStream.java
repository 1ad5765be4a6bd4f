package io.keel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Valid SOFH frames laid end to end, as a peer would write them, and the messages they should decode to.
 */
final class FrameStream
{
    final UnsafeBuffer buffer;
    final List<MessageSamples.Sample<?, ?>> samples = new ArrayList<>();
    final List<Long> seeds = new ArrayList<>();
    final List<byte[]> messages = new ArrayList<>();
    int length;

    FrameStream(final int capacity)
    {
        buffer = new UnsafeBuffer(new byte[capacity]);
    }

    /**
     * @return the length of the frame appended.
     */
    int append(final MessageSamples.Sample<?, ?> sample, final long seed)
    {
        final int frameLength = sample.encodeFrame(buffer, length, seed);
        final byte[] message = new byte[frameLength - Sofh.HEADER_LENGTH];
        buffer.getBytes(length + Sofh.HEADER_LENGTH, message);

        samples.add(sample);
        seeds.add(seed);
        messages.add(message);
        length += frameLength;

        return frameLength;
    }

    /**
     * Frames from every template, cycling, each with its own seed.
     */
    static FrameStream ofAllTemplates(final int frameCount, final long firstSeed)
    {
        final FrameStream stream = new FrameStream(1024 * 1024);
        for (int i = 0; i < frameCount; i++)
        {
            stream.append(MessageSamples.ALL.get(i % MessageSamples.ALL.size()), firstSeed + i);
        }

        return stream;
    }

    /**
     * Every message delivered exactly once, in order, byte for byte, and decoding to the values it was built from.
     */
    void assertDelivered(final Recorder recorder)
    {
        assertEquals(List.of(), recorder.errors, "errors");
        assertEquals(messages.size(), recorder.messages.size(), "messages delivered");
        for (int i = 0; i < messages.size(); i++)
        {
            final MessageSamples.Sample<?, ?> sample = samples.get(i);
            final byte[] message = recorder.messages.get(i);
            assertEquals(sample.templateId(), recorder.templateIds.get(i), "template of message " + i);
            assertArrayEquals(messages.get(i), message, "bytes of message " + i);
            sample.check(new UnsafeBuffer(message), 0, message.length, seeds.get(i));
        }
    }

    /**
     * Records what a {@link FrameDecoder} hands over; can push back on a pattern of calls.
     */
    static final class Recorder implements FrameHandler, FrameErrorHandler
    {
        final List<byte[]> messages = new ArrayList<>();
        final List<Integer> templateIds = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        boolean[] pushBackPattern = new boolean[0];
        int calls;

        public boolean onFrame(final DirectBuffer buffer, final int offset, final int length, final int templateId)
        {
            final int call = calls++;
            if (pushBackPattern.length > 0 && pushBackPattern[call % pushBackPattern.length])
            {
                return false;
            }

            // The view ends with the message: nothing of the next frame is visible.
            assertEquals(offset + length, buffer.capacity(), "view capacity");
            final byte[] message = new byte[length];
            buffer.getBytes(offset, message);
            messages.add(message);
            templateIds.add(templateId);

            return true;
        }

        public void onFrameError(final FrameError error, final long detail)
        {
            errors.add(error + ":" + detail);
        }
    }
}
