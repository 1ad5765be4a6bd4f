package io.keel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * FIX Simple Open Framing Header: the 6 bytes in front of every SBE message on a TCP stream.
 * <pre>
 *   0: message length  uint32, big-endian, counts the whole frame including these 6 bytes
 *   4: encoding type   uint16, big-endian, 0xEB50 = SBE 1.0 little-endian (0x5BE0 would be big-endian)
 *   6: SBE message header, then the body
 * </pre>
 * The header is big-endian by the SOFH spec even though the SBE message after it is little-endian.
 */
public final class Sofh
{
    public static final int HEADER_LENGTH = 6;
    public static final int MESSAGE_LENGTH_OFFSET = 0;
    public static final int ENCODING_TYPE_OFFSET = 4;
    public static final int SBE_LE_ENCODING_TYPE = 0xEB50;
    public static final ByteOrder BYTE_ORDER = ByteOrder.BIG_ENDIAN;

    /**
     * Smallest frame that can hold an SBE message: the SOFH plus the SBE message header.
     */
    public static final int MIN_FRAME_LENGTH = HEADER_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH;

    private Sofh()
    {
    }

    /**
     * Write a SOFH at {@code frameOffset} for an SBE message of {@code sbeLength} bytes that is (or will be)
     * encoded at {@code frameOffset + HEADER_LENGTH}.
     *
     * @param buffer      to write into.
     * @param frameOffset where the frame starts.
     * @param sbeLength   of the SBE message header plus body, non-negative.
     * @return the length of the whole frame, {@code sbeLength + HEADER_LENGTH}.
     */
    public static int writeHeader(final MutableDirectBuffer buffer, final int frameOffset, final int sbeLength)
    {
        final int frameLength = sbeLength + HEADER_LENGTH;
        buffer.putInt(frameOffset + MESSAGE_LENGTH_OFFSET, frameLength, BYTE_ORDER);
        buffer.putShort(frameOffset + ENCODING_TYPE_OFFSET, (short)SBE_LE_ENCODING_TYPE, BYTE_ORDER);

        return frameLength;
    }

    /**
     * The frame length as declared by the peer; untrusted until checked against a maximum.
     *
     * @param buffer      holding the header.
     * @param frameOffset where the frame starts.
     * @return the uint32 message length, including the header.
     */
    public static long frameLength(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + MESSAGE_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF_FFFFL;
    }

    /**
     * @param buffer      holding the header.
     * @param frameOffset where the frame starts.
     * @return the uint16 encoding type.
     */
    public static int encodingType(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + ENCODING_TYPE_OFFSET, BYTE_ORDER) & 0xFFFF;
    }
}
