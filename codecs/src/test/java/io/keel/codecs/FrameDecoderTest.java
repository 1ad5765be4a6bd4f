package io.keel.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SOFH framing over a byte stream: one test per {@link FrameError} (each fed whole and one byte at a time), stopping
 * at the first error, in-place delivery, back-pressure, reset, and no allocation in steady state.
 */
class FrameDecoderTest
{
    private static final int MAX_FRAME_LENGTH = 8 * 1024;
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private final FrameStream.Recorder recorder = new FrameStream.Recorder();
    private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    @Test
    void shouldRefuseMaxFrameLengthThatCannotHoldAMessageHeader()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> new FrameDecoder(Sofh.MIN_FRAME_LENGTH - 1, recorder, recorder));
        assertTrue(ex.getMessage().contains("maxFrameLength"));
    }

    @Test
    void shouldTakeMaxFrameLengthFromConfigurationByDefault()
    {
        assertEquals(
            FrameDecoder.Configuration.MAX_FRAME_LENGTH_DEFAULT,
            new FrameDecoder(recorder, recorder).maxFrameLength());
    }

    @ParameterizedTest
    @ValueSource(longs = { 0, 1, Sofh.HEADER_LENGTH, Sofh.MIN_FRAME_LENGTH - 1 })
    void shouldRejectFrameTooShortForAMessageHeader(final long frameLength)
    {
        final FrameStream stream = streamWithOneGoodFrame();
        final int badOffset = stream.length;
        Sofh.writeHeader(stream.buffer, badOffset, 0);
        stream.buffer.putInt(badOffset, (int)frameLength, Sofh.BYTE_ORDER);
        stream.length = badOffset + Sofh.HEADER_LENGTH;

        assertStreamFails(stream, FrameError.FRAME_TOO_SHORT, frameLength);
    }

    @ParameterizedTest
    @ValueSource(longs = { MAX_FRAME_LENGTH + 1, Integer.MAX_VALUE, 0xFFFF_FFFFL })
    void shouldRejectFrameTooLongAsSoonAsItsHeaderArrives(final long frameLength)
    {
        // Only the 6 header bytes are sent: the length is refused before any body is buffered.
        final FrameStream stream = streamWithOneGoodFrame();
        final int badOffset = stream.length;
        Sofh.writeHeader(stream.buffer, badOffset, 0);
        stream.buffer.putInt(badOffset, (int)frameLength, Sofh.BYTE_ORDER);
        stream.length = badOffset + Sofh.HEADER_LENGTH;

        assertStreamFails(stream, FrameError.FRAME_TOO_LONG, frameLength);
    }

    @Test
    void shouldAcceptFrameOfExactlyMaxFrameLength()
    {
        final FrameStream stream = new FrameStream(MAX_FRAME_LENGTH * 2);
        final String username = "u".repeat(1024);
        final int fixedLength = Sofh.HEADER_LENGTH + HEADER + LogonDecoder.BLOCK_LENGTH + 2 + 1024 + 2 + 2;
        final int maxFrameLength = fixedLength + 100;
        final int frameLength = Sofh.writeHeader(stream.buffer, 0, HEADER + new LogonEncoder()
            .wrapAndApplyHeader(stream.buffer, Sofh.HEADER_LENGTH, headerEncoder)
            .username(username)
            .password("p".repeat(100))
            .responseChannel("")
            .encodedLength());
        assertEquals(maxFrameLength, frameLength);

        final FrameDecoder exact = new FrameDecoder(maxFrameLength, recorder, recorder);
        for (int i = 0; i < frameLength; i++)
        {
            assertEquals(1, exact.onData(stream.buffer, i, 1));
        }
        assertEquals(List.of(LogonDecoder.TEMPLATE_ID), recorder.templateIds);

        final FrameDecoder oneShort = new FrameDecoder(maxFrameLength - 1, recorder, recorder);
        assertEquals(FrameDecoder.FAILED, oneShort.onData(stream.buffer, 0, frameLength));
        assertEquals(FrameError.FRAME_TOO_LONG, oneShort.error());
        assertEquals(frameLength, oneShort.errorDetail());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0x5BE0, 0x0000, 0x50EB, 0xEB51 })
    void shouldRejectWrongEncodingType(final int encodingType)
    {
        final FrameStream stream = streamWithOneGoodFrame();
        final int badOffset = stream.length;
        stream.append(MessageSamples.byTemplateId(NewOrderDecoder.TEMPLATE_ID), 2);
        stream.buffer.putShort(badOffset + Sofh.ENCODING_TYPE_OFFSET, (short)encodingType, Sofh.BYTE_ORDER);

        assertStreamFails(stream, FrameError.WRONG_ENCODING_TYPE, encodingType);
    }

    @Test
    void shouldRejectWrongSchemaId()
    {
        final FrameStream stream = streamWithOneGoodFrame();
        headerEncoder.wrap(stream.buffer, appendNewOrder(stream)).schemaId(1);

        assertStreamFails(stream, FrameError.WRONG_SCHEMA_ID, 1);
    }

    @Test
    void shouldRejectUnsupportedVersion()
    {
        final FrameStream stream = streamWithOneGoodFrame();
        headerEncoder.wrap(stream.buffer, appendNewOrder(stream)).version(MessageHeaderDecoder.SCHEMA_VERSION + 1);

        assertStreamFails(stream, FrameError.UNSUPPORTED_VERSION, MessageHeaderDecoder.SCHEMA_VERSION + 1);
    }

    @Test
    void shouldRejectUnknownTemplateId()
    {
        final FrameStream stream = streamWithOneGoodFrame();
        headerEncoder.wrap(stream.buffer, appendNewOrder(stream)).templateId(9);

        assertStreamFails(stream, FrameError.UNKNOWN_TEMPLATE_ID, 9);
    }

    @Test
    void shouldRejectBlockLengthTooShort()
    {
        final FrameStream stream = streamWithOneGoodFrame();
        headerEncoder.wrap(stream.buffer, appendNewOrder(stream)).blockLength(NewOrderDecoder.BLOCK_LENGTH - 1);

        assertStreamFails(stream, FrameError.BLOCK_LENGTH_TOO_SHORT, NewOrderDecoder.BLOCK_LENGTH - 1);
    }

    @Test
    void shouldRejectMessageTruncatedByItsFrame()
    {
        // The SOFH says the frame ends before the Logon's password does.
        final FrameStream stream = streamWithOneGoodFrame();
        final int badOffset = stream.length;
        final int frameLength = stream.append(MessageSamples.byTemplateId(LogonDecoder.TEMPLATE_ID), 3);
        stream.buffer.putInt(badOffset, frameLength - 1, Sofh.BYTE_ORDER);
        stream.length -= 1;

        assertStreamFails(stream, FrameError.TRUNCATED, frameLength - Sofh.HEADER_LENGTH);
    }

    @Test
    void shouldRejectVarDataTooLong()
    {
        final FrameStream stream = streamWithOneGoodFrame();
        final int badOffset = stream.length;
        final int sbeLength = HEADER + new LogonEncoder()
            .wrapAndApplyHeader(stream.buffer, badOffset + Sofh.HEADER_LENGTH, headerEncoder)
            .username("")
            .password("")
            .encodedLength();
        final int usernameOffset = badOffset + Sofh.HEADER_LENGTH + HEADER + LogonDecoder.BLOCK_LENGTH;
        stream.buffer.putShort(usernameOffset, (short)2000, LogonDecoder.BYTE_ORDER);
        stream.length += Sofh.writeHeader(stream.buffer, badOffset, sbeLength + 2000);

        assertStreamFails(stream, FrameError.VAR_DATA_TOO_LONG, 2000);
    }

    @Test
    void shouldDeliverManyFramesFromOneReadInPlace()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(MessageSamples.ALL.size() * 3, 100);

        assertEquals(stream.length, decoder.onData(stream.buffer, 0, stream.length));

        stream.assertDelivered(recorder);
        assertEquals(0, decoder.bufferedLength(), "whole frames are never copied");
    }

    @Test
    void shouldKeepOnlyThePartialFrameUntilTheRestArrives()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(3, 1);
        final int firstFrameLength = (int)Sofh.frameLength(stream.buffer, 0);
        final int split = firstFrameLength + 2;

        assertEquals(split, decoder.onData(stream.buffer, 0, split));
        assertEquals(1, recorder.messages.size());
        assertEquals(2, decoder.bufferedLength());
        assertEquals(FrameDecoder.State.READING_HEADER, decoder.state());

        assertEquals(Sofh.HEADER_LENGTH, decoder.onData(stream.buffer, split, Sofh.HEADER_LENGTH));
        assertEquals(2 + Sofh.HEADER_LENGTH, decoder.bufferedLength());
        assertEquals(FrameDecoder.State.READING_FRAME, decoder.state());

        final int rest = stream.length - split - Sofh.HEADER_LENGTH;
        assertEquals(rest, decoder.onData(stream.buffer, split + Sofh.HEADER_LENGTH, rest));
        assertEquals(0, decoder.bufferedLength());
        assertEquals(FrameDecoder.State.IDLE, decoder.state());
        stream.assertDelivered(recorder);
    }

    @Test
    void shouldOfferPushedBackFrameAgainOnNextCall()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(4, 7);
        final int first = (int)Sofh.frameLength(stream.buffer, 0);
        recorder.pushBackPattern = new boolean[]{ false, true };

        // Frame 1 is taken, frame 2 pushed back: consumed stops at its start.
        assertEquals(first, decoder.onData(stream.buffer, 0, stream.length));
        assertEquals(1, recorder.messages.size());
        assertEquals(0, decoder.bufferedLength());

        // Each later call takes the frame pushed back last time and pushes back the next one.
        int position = first;
        for (int call = 0; call < 10 && position < stream.length; call++)
        {
            final int consumed = decoder.onData(stream.buffer, position, stream.length - position);
            assertEquals(Sofh.frameLength(stream.buffer, position), consumed);
            position += consumed;
        }

        assertEquals(stream.length, position);
        stream.assertDelivered(recorder);
    }

    @Test
    void shouldOfferPushedBackReassembledFrameAgainOnNextCall()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(2, 7);
        final int first = (int)Sofh.frameLength(stream.buffer, 0);
        recorder.pushBackPattern = new boolean[]{ true, false };

        // The first frame arrives in two reads and is pushed back while held in the reassembly buffer: the bytes
        // that completed it count as consumed, the second frame's bytes do not.
        assertEquals(5, decoder.onData(stream.buffer, 0, 5));
        assertEquals(first - 5, decoder.onData(stream.buffer, 5, stream.length - 5));
        assertEquals(0, recorder.messages.size());
        assertEquals(first, decoder.bufferedLength());

        // Next call: the held frame is taken, the second (in place) is pushed back.
        assertEquals(0, decoder.onData(stream.buffer, first, stream.length - first));
        assertEquals(1, recorder.messages.size());
        assertEquals(0, decoder.bufferedLength());

        assertEquals(stream.length - first, decoder.onData(stream.buffer, first, stream.length - first));
        stream.assertDelivered(recorder);
    }

    @Test
    void shouldStopAtFirstErrorAndResetForNewConnection()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(3, 1);
        final int second = (int)Sofh.frameLength(stream.buffer, 0);
        headerEncoder.wrap(stream.buffer, second + Sofh.HEADER_LENGTH).schemaId(99);

        assertEquals(FrameDecoder.FAILED, decoder.onData(stream.buffer, 0, stream.length));
        assertEquals(1, recorder.messages.size(), "frames after the bad one are not delivered");
        assertEquals(List.of("WRONG_SCHEMA_ID:99"), recorder.errors);
        assertTrue(decoder.isFailed());

        assertEquals(FrameDecoder.FAILED, decoder.onData(stream.buffer, 0, stream.length));
        assertEquals(1, recorder.messages.size());
        assertEquals(1, recorder.errors.size(), "the error is reported once");

        decoder.reset();
        assertFalse(decoder.isFailed());
        assertEquals(FrameError.NONE, decoder.error());
        assertEquals(0, decoder.bufferedLength());
        assertEquals(second, decoder.onData(stream.buffer, 0, second));
        assertEquals(2, recorder.messages.size());
    }

    @Test
    void shouldForgetPartialFrameOnReset()
    {
        final FrameStream stream = FrameStream.ofAllTemplates(1, 1);
        decoder.onData(stream.buffer, 0, stream.length - 1);
        assertEquals(stream.length - 1, decoder.bufferedLength());

        decoder.reset();
        assertEquals(stream.length, decoder.onData(stream.buffer, 0, stream.length));
        stream.assertDelivered(recorder);
    }

    @Test
    void shouldNotAllocateWhileDecoding()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final FrameStream stream = FrameStream.ofAllTemplates(MessageSamples.ALL.size() * 2, 5);
        final int[] count = new int[1];
        final FrameDecoder counting = new FrameDecoder(
            MAX_FRAME_LENGTH,
            (buffer, offset, length, templateId) ->
            {
                count[0]++;
                return true;
            },
            recorder);
        final UnsafeBuffer source = stream.buffer;
        final int length = stream.length;

        // Whole reads and reads cut into 7-byte pieces, so both the in-place and the reassembly paths run.
        for (int i = 0; i < 200; i++)
        {
            decodeInPieces(counting, source, length);
        }

        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++)
        {
            decodeInPieces(counting, source, length);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(List.of(), recorder.errors);
        assertEquals(400 * 2 * stream.messages.size(), count[0]);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in steady state");
    }

    private static void decodeInPieces(final FrameDecoder decoder, final UnsafeBuffer source, final int length)
    {
        decoder.onData(source, 0, length);
        for (int position = 0; position < length; position += 7)
        {
            decoder.onData(source, position, Math.min(7, length - position));
        }
    }

    private FrameStream streamWithOneGoodFrame()
    {
        final FrameStream stream = new FrameStream(64 * 1024);
        stream.append(MessageSamples.byTemplateId(HeartbeatDecoder.TEMPLATE_ID), 1);

        return stream;
    }

    /**
     * @return offset of the NewOrder's SBE message header, for corrupting it.
     */
    private static int appendNewOrder(final FrameStream stream)
    {
        final int frameOffset = stream.length;
        stream.append(MessageSamples.byTemplateId(NewOrderDecoder.TEMPLATE_ID), 2);

        return frameOffset + Sofh.HEADER_LENGTH;
    }

    /**
     * The first frame of the stream is good, the last is bad: the first is delivered, then the error is told once,
     * whether the stream comes whole or a byte at a time.
     */
    private void assertStreamFails(final FrameStream stream, final FrameError error, final long detail)
    {
        for (final int readLength : new int[]{ stream.length, 1 })
        {
            final FrameStream.Recorder recorder = new FrameStream.Recorder();
            final FrameDecoder decoder = new FrameDecoder(MAX_FRAME_LENGTH, recorder, recorder);

            int result = 0;
            for (int position = 0; position < stream.length && result != FrameDecoder.FAILED; position += readLength)
            {
                result = decoder.onData(stream.buffer, position, Math.min(readLength, stream.length - position));
            }

            final String reads = "reads of " + readLength;
            assertEquals(FrameDecoder.FAILED, result, reads);
            assertEquals(1, recorder.messages.size(), reads);
            assertEquals(List.of(error + ":" + detail), recorder.errors, reads);
            assertEquals(error, decoder.error(), reads);
            assertEquals(detail, decoder.errorDetail(), reads);
            assertTrue(decoder.isFailed(), reads);
            assertEquals(FrameDecoder.FAILED, decoder.onData(stream.buffer, 0, stream.length), reads);
            assertEquals(1, recorder.errors.size(), reads);
        }
    }
}
