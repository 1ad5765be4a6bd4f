package io.keel.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every message of the schema: encode, put a SOFH in front, push through a {@link FrameDecoder}, decode, and compare
 * every field with what was encoded.
 */
class RoundTripTest
{
    private static final int SEEDS_PER_TEMPLATE = 50;
    private static final List<MessageSamples.Sample<?, ?>> SAMPLES = MessageSamples.ALL;

    static List<MessageSamples.Sample<?, ?>> samples()
    {
        return SAMPLES;
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);

    @Test
    void shouldHaveRoundTripCaseForEveryTemplateOfTheSchema()
    {
        final Map<Integer, String> sampleNames = new TreeMap<>();
        for (final MessageSamples.Sample<?, ?> sample : SAMPLES)
        {
            if (null != sampleNames.put(sample.templateId(), sample.name()))
            {
                fail("two round-trip cases for template " + sample);
            }
        }

        assertEquals(
            Schema.load().messageNameByTemplateId,
            sampleNames,
            "MessageSamples must have exactly one case per message of keel-schema.xml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldRoundTripThroughSofhFrameDecoder(final MessageSamples.Sample<?, ?> sample)
    {
        final int frameOffset = 3;
        for (long seed = 0; seed < SEEDS_PER_TEMPLATE; seed++)
        {
            final int frameLength = sample.encodeFrame(buffer, frameOffset, seed);
            assertEquals(frameLength, Sofh.frameLength(buffer, frameOffset));

            final long expectedSeed = seed;
            final List<Integer> delivered = new ArrayList<>();
            final FrameDecoder decoder = new FrameDecoder(
                buffer.capacity(),
                (buffer, offset, length, templateId) ->
                {
                    assertEquals(sample.templateId(), templateId);
                    assertEquals(frameLength - Sofh.HEADER_LENGTH, length);
                    sample.check(buffer, offset, length, expectedSeed);
                    delivered.add(templateId);
                    return true;
                },
                (error, detail) -> fail(sample + " seed " + expectedSeed + ": " + error + " " + detail));

            assertEquals(frameLength, decoder.onData(buffer, frameOffset, frameLength));
            assertEquals(List.of(sample.templateId()), delivered);
            assertEquals(0, decoder.bufferedLength());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldEncodeEveryByteOfTheMessage(final MessageSamples.Sample<?, ?> sample)
    {
        // A field the case forgets to set keeps whatever the buffer held, so the two encodings would differ there.
        for (long seed = 0; seed < SEEDS_PER_TEMPLATE; seed++)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0x00);
            final int length = sample.encode(buffer, 0, seed);
            final byte[] overZeros = new byte[length];
            buffer.getBytes(0, overZeros);

            buffer.setMemory(0, buffer.capacity(), (byte)0xFF);
            assertEquals(length, sample.encode(buffer, 0, seed));
            final byte[] overOnes = new byte[length];
            buffer.getBytes(0, overOnes);

            assertArrayEquals(overZeros, overOnes, sample + " seed " + seed + " leaves bytes unwritten");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldCheckEveryByteOfTheMessage(final MessageSamples.Sample<?, ?> sample)
    {
        // A field the case forgets to compare could be corrupted without the check noticing.
        // The longest of a few encodings has non-empty groups: with no entries, a group's block length is moot.
        long seed = 0;
        for (long candidate = 1; candidate < 20; candidate++)
        {
            if (sample.encode(buffer, 0, candidate) > sample.encode(buffer, 0, seed))
            {
                seed = candidate;
            }
        }

        final int length = sample.encode(buffer, 0, seed);
        final int bytesToCorrupt = Math.min(length, MessageHeaderEncoder.ENCODED_LENGTH + sample.blockLength() + 64);
        for (int i = 0; i < bytesToCorrupt; i++)
        {
            buffer.putByte(i, (byte)~buffer.getByte(i));
            try
            {
                sample.check(buffer, 0, length, seed);
                fail(sample + ": check did not notice byte " + i + " changed");
            }
            catch (final AssertionError | RuntimeException expected)
            {
                if (expected.getMessage() != null && expected.getMessage().contains("did not notice"))
                {
                    throw expected;
                }
            }
            buffer.putByte(i, (byte)~buffer.getByte(i));
        }

        sample.check(buffer, 0, length, seed);
    }
}
