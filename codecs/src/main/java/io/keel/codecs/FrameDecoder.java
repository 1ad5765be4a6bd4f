package io.keel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Cuts a TCP byte stream into SOFH frames and hands each validated SBE message to a {@link FrameHandler}.
 * <p>
 * Bytes may arrive split anywhere. Whole frames inside one {@link #onData(DirectBuffer, int, int)} call are handed
 * over in place, without a copy; only a frame split across calls is copied, into a reassembly buffer of
 * {@code maxFrameLength} bytes allocated once. The SOFH length is checked against that maximum as soon as its 6 bytes
 * are in, before any more of the frame is accepted, so a peer can never make the decoder buffer more than that.
 * <p>
 * On the first bad frame the {@link FrameErrorHandler} is told once and the decoder stops: every later call returns
 * {@link #FAILED} until {@link #reset()}. The caller should disconnect.
 * <p>
 * Not thread safe; allocation free after construction.
 */
public final class FrameDecoder
{
    /**
     * Returned by {@link #onData(DirectBuffer, int, int)} once the stream has failed.
     */
    public static final int FAILED = -1;

    private static final int BACK_PRESSURED = 0;
    private static final int DELIVERED = 1;

    /**
     * Configuration options for {@link FrameDecoder}.
     */
    public static final class Configuration
    {
        /**
         * Largest frame accepted, SOFH included, in bytes.
         */
        public static final String MAX_FRAME_LENGTH_PROP_NAME = "keel.codecs.max.frame.length";

        /**
         * Fits a Logon with both strings at their 1024-byte maximum (2079 bytes) with room to spare, while keeping
         * the per-connection buffer small. Peers receiving large snapshots over TCP need more.
         */
        public static final int MAX_FRAME_LENGTH_DEFAULT = 4096;

        private Configuration()
        {
        }

        /**
         * @return {@link #MAX_FRAME_LENGTH_PROP_NAME} or {@link #MAX_FRAME_LENGTH_DEFAULT}.
         */
        public static int maxFrameLength()
        {
            return Integer.getInteger(MAX_FRAME_LENGTH_PROP_NAME, MAX_FRAME_LENGTH_DEFAULT);
        }
    }

    /**
     * IDLE -> (partial frame left at the end of a read) READING_HEADER or READING_FRAME -> (frame complete and
     * consumed) IDLE; any state -> (bad frame) FAILED -> (reset) IDLE.
     */
    enum State
    {
        /** Nothing buffered. */
        IDLE,
        /** Fewer than {@link Sofh#HEADER_LENGTH} bytes of the next frame buffered. */
        READING_HEADER,
        /** Header checked, frame length known; the rest of the frame is being buffered. */
        READING_FRAME,
        /** A bad frame was seen; nothing more is accepted. */
        FAILED
    }

    private final int maxFrameLength;
    private final UnsafeBuffer reassemblyBuffer;
    private final MessageValidator validator = new MessageValidator();
    private final FrameHandler frameHandler;
    private final FrameErrorHandler errorHandler;

    private State state = State.IDLE;
    private int assembledLength;
    private int frameLength;
    private FrameError error = FrameError.NONE;
    private long errorDetail;

    /**
     * A decoder accepting frames up to {@link Configuration#maxFrameLength()}.
     *
     * @param frameHandler for each valid message.
     * @param errorHandler for the first invalid frame.
     */
    public FrameDecoder(final FrameHandler frameHandler, final FrameErrorHandler errorHandler)
    {
        this(Configuration.maxFrameLength(), frameHandler, errorHandler);
    }

    /**
     * @param maxFrameLength largest frame accepted, SOFH included; at least {@link Sofh#MIN_FRAME_LENGTH}.
     * @param frameHandler   for each valid message.
     * @param errorHandler   for the first invalid frame.
     */
    public FrameDecoder(
        final int maxFrameLength, final FrameHandler frameHandler, final FrameErrorHandler errorHandler)
    {
        if (maxFrameLength < Sofh.MIN_FRAME_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxFrameLength=" + maxFrameLength + " is less than the minimum frame length " + Sofh.MIN_FRAME_LENGTH);
        }
        if (null == frameHandler || null == errorHandler)
        {
            throw new NullPointerException("frameHandler and errorHandler are required");
        }

        this.maxFrameLength = maxFrameLength;
        this.frameHandler = frameHandler;
        this.errorHandler = errorHandler;
        reassemblyBuffer = new UnsafeBuffer(new byte[maxFrameLength]);
    }

    /**
     * Feed bytes read from the stream. Each complete frame is validated and handed to the {@link FrameHandler}, in
     * order; a trailing partial frame is kept until the next call.
     * <p>
     * If the handler pushes back, this returns early: bytes from {@code offset + consumed} on have not been looked
     * at and must be passed again (with any new bytes after them) on the next call, which first re-offers the
     * message that was pushed back. Without back-pressure the whole of {@code length} is consumed.
     *
     * @param buffer holding the bytes.
     * @param offset of the first new byte.
     * @param length of the new bytes, may be 0 (to retry after back-pressure).
     * @return bytes consumed, {@code 0..length}, or {@link #FAILED} if the stream is bad.
     */
    public int onData(final DirectBuffer buffer, final int offset, final int length)
    {
        if (State.FAILED == state)
        {
            return FAILED;
        }

        final int end = offset + length;
        int position = offset;

        if (State.IDLE != state)
        {
            position = assemble(buffer, position, end);
            if (FAILED == position)
            {
                return FAILED;
            }
            if (State.IDLE != state)
            {
                return position - offset;
            }
        }

        while (end - position >= Sofh.HEADER_LENGTH)
        {
            final int frameLength = checkHeader(buffer, position);
            if (FAILED == frameLength)
            {
                return FAILED;
            }

            if (end - position < frameLength)
            {
                this.frameLength = frameLength;
                break;
            }

            final int result = deliver(buffer, position, frameLength);
            if (DELIVERED != result)
            {
                return FAILED == result ? FAILED : position - offset;
            }

            position += frameLength;
        }

        if (position < end)
        {
            // Only a partial frame is copied: fewer than frameLength <= maxFrameLength bytes.
            final int remaining = end - position;
            reassemblyBuffer.putBytes(0, buffer, position, remaining);
            assembledLength = remaining;
            state = remaining < Sofh.HEADER_LENGTH ? State.READING_HEADER : State.READING_FRAME;
        }

        return length;
    }

    /**
     * Forget any buffered bytes and any error, ready for a new connection.
     */
    public void reset()
    {
        state = State.IDLE;
        assembledLength = 0;
        frameLength = 0;
        error = FrameError.NONE;
        errorDetail = 0;
    }

    /**
     * @return largest frame accepted, SOFH included.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @return bytes of an incomplete (or pushed back) frame held in the reassembly buffer.
     */
    public int bufferedLength()
    {
        return assembledLength;
    }

    /**
     * @return true once a bad frame has been seen, until {@link #reset()}.
     */
    public boolean isFailed()
    {
        return State.FAILED == state;
    }

    /**
     * @return the error that stopped the stream, or {@link FrameError#NONE}.
     */
    public FrameError error()
    {
        return error;
    }

    /**
     * @return the detail of {@link #error()}.
     */
    public long errorDetail()
    {
        return errorDetail;
    }

    State state()
    {
        return state;
    }

    private int assemble(final DirectBuffer buffer, final int offset, final int end)
    {
        int position = offset;
        if (State.READING_HEADER == state)
        {
            position = copy(buffer, position, end, Sofh.HEADER_LENGTH);
            if (assembledLength < Sofh.HEADER_LENGTH)
            {
                return position;
            }

            frameLength = checkHeader(reassemblyBuffer, 0);
            if (FAILED == frameLength)
            {
                return FAILED;
            }
            state = State.READING_FRAME;
        }

        position = copy(buffer, position, end, frameLength);
        if (assembledLength < frameLength)
        {
            return position;
        }

        final int result = deliver(reassemblyBuffer, 0, frameLength);
        if (FAILED == result)
        {
            return FAILED;
        }
        if (DELIVERED == result)
        {
            state = State.IDLE;
            assembledLength = 0;
            frameLength = 0;
        }

        return position;
    }

    private int copy(final DirectBuffer buffer, final int position, final int end, final int targetLength)
    {
        final int count = Math.min(targetLength - assembledLength, end - position);
        reassemblyBuffer.putBytes(assembledLength, buffer, position, count);
        assembledLength += count;

        return position + count;
    }

    private int checkHeader(final DirectBuffer buffer, final int frameOffset)
    {
        final long frameLength = Sofh.frameLength(buffer, frameOffset);
        if (frameLength < Sofh.MIN_FRAME_LENGTH)
        {
            return fail(FrameError.FRAME_TOO_SHORT, frameLength);
        }
        if (frameLength > maxFrameLength)
        {
            return fail(FrameError.FRAME_TOO_LONG, frameLength);
        }

        final int encodingType = Sofh.encodingType(buffer, frameOffset);
        if (Sofh.SBE_LE_ENCODING_TYPE != encodingType)
        {
            return fail(FrameError.WRONG_ENCODING_TYPE, encodingType);
        }

        return (int)frameLength;
    }

    private int deliver(final DirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        final int sbeLength = frameLength - Sofh.HEADER_LENGTH;
        final FrameError error = validator.validate(buffer, frameOffset + Sofh.HEADER_LENGTH, sbeLength);
        if (FrameError.NONE != error)
        {
            return fail(error, validator.errorDetail());
        }

        // The handler sees a view ending where this message ends, never the bytes of the next frame.
        return frameHandler.onFrame(validator.buffer(), 0, sbeLength, validator.templateId()) ?
            DELIVERED : BACK_PRESSURED;
    }

    private int fail(final FrameError error, final long detail)
    {
        state = State.FAILED;
        this.error = error;
        errorDetail = detail;
        errorHandler.onFrameError(error, detail);

        return FAILED;
    }
}
