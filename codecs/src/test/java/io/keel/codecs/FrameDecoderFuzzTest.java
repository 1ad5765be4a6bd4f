package io.keel.codecs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary bytes, split arbitrarily and pushed back arbitrarily, through the SOFH/SBE frame
 * decoder: it never throws; it delivers exactly the messages (byte for byte, same templates) that
 * the same bytes give in one piece, each valid for the schema; and at the first bad frame it
 * reports one {@link FrameError} and accepts nothing more.
 * <p>
 * {@code mvn test} replays the inputs under {@code FrameDecoderFuzzTestInputs/}; to fuzz:
 * {@code JAZZER_FUZZ=1 mvn test -pl codecs -Dtest=FrameDecoderFuzzTest}.
 */
class FrameDecoderFuzzTest
{
    @FuzzTest(maxDuration = "5s")
    void deliversTheSameMessagesHoweverSplitOrFailsOnce(final FuzzedDataProvider data)
    {
        final int maxFrameLength = data.consumeInt(Sofh.MIN_FRAME_LENGTH, 4096);
        final int[] cuts = new int[data.consumeInt(1, 8)];
        for (int i = 0; i < cuts.length; i++)
        {
            cuts[i] = data.consumeInt(1, 300);
        }
        final boolean[] pushBack = new boolean[data.consumeInt(0, 4)];
        for (int i = 0; i < pushBack.length; i++)
        {
            pushBack[i] = data.consumeBoolean();
        }
        if (pushBack.length > 0)
        {
            pushBack[pushBack.length - 1] = false; // a handler that pushes back forever stalls any reader
        }
        final byte[] stream = data.consumeRemainingAsBytes();

        // The reference: everything in one piece, no back-pressure.
        final FrameStream.Recorder whole = new FrameStream.Recorder();
        final FrameDecoder reference = new FrameDecoder(maxFrameLength, whole, whole);
        final int consumed = reference.onData(new UnsafeBuffer(stream), 0, stream.length);
        assertTrue(consumed == stream.length || consumed == FrameDecoder.FAILED, "consumed " + consumed);
        assertEquals(reference.isFailed() ? 1 : 0, whole.errors.size(), "one error exactly when failed");

        // The same bytes in pieces, each piece in a buffer of its own size (any read past it throws).
        final FrameStream.Recorder split = new FrameStream.Recorder();
        split.pushBackPattern = pushBack;
        final FrameDecoder decoder = new FrameDecoder(maxFrameLength, split, split);
        int start = 0;
        int end = 0;
        int cut = 0;
        int calls = 0;
        while (start < stream.length && !decoder.isFailed())
        {
            end = Math.min(stream.length, end + cuts[cut++ % cuts.length]);
            final byte[] piece = Arrays.copyOfRange(stream, start, end);
            final int result = decoder.onData(new UnsafeBuffer(piece), 0, piece.length);
            assertTrue(result == FrameDecoder.FAILED || (result >= 0 && result <= piece.length), "result " + result);
            if (result > 0)
            {
                start += result;
            }
            assertTrue(++calls < 100 * (stream.length + 10), "no progress");
        }
        assertEquals(reference.isFailed(), decoder.isFailed(), "fails exactly when the whole stream fails");
        assertEquals(whole.errors, split.errors, "the same error");
        assertEquals(whole.messages.size(), split.messages.size(), "the same number of messages");
        for (int i = 0; i < whole.messages.size(); i++)
        {
            assertArrayEquals(whole.messages.get(i), split.messages.get(i), "message " + i);
            assertEquals(whole.templateIds.get(i), split.templateIds.get(i), "template of message " + i);
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(new UnsafeBuffer(split.messages.get(i)), 0);
            assertEquals(MessageHeaderDecoder.SCHEMA_ID, header.schemaId());
            assertEquals(split.templateIds.get(i).intValue(), header.templateId());
        }
        if (decoder.isFailed())
        {
            assertTrue(decoder.error() != FrameError.NONE, "a failed decoder names its error");
            assertEquals(FrameDecoder.FAILED, decoder.onData(new UnsafeBuffer(new byte[8]), 0, 8), "stays failed");
            assertEquals(1, split.errors.size(), "the error is reported once");
        }
    }
}
