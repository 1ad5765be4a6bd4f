package io.keel.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SofhTest
{
    @Test
    void shouldWriteBigEndianLengthIncludingHeaderAndSbeLittleEndianEncodingType()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);

        assertEquals(0x0102 + 6, Sofh.writeHeader(buffer, 2, 0x0102));

        final byte[] header = new byte[Sofh.HEADER_LENGTH];
        buffer.getBytes(2, header);
        assertArrayEquals(new byte[]{ 0x00, 0x00, 0x01, 0x08, (byte)0xEB, 0x50 }, header);
        assertEquals(0x0108, Sofh.frameLength(buffer, 2));
        assertEquals(Sofh.SBE_LE_ENCODING_TYPE, Sofh.encodingType(buffer, 2));
    }

    @Test
    void shouldReadLengthAsUnsigned32Bits()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[]{ (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFE, 0, 0 });

        assertEquals(0xFFFF_FFFEL, Sofh.frameLength(buffer, 0));
    }

    @Test
    void shouldHaveConstantsOfTheSpec()
    {
        assertEquals(6, Sofh.HEADER_LENGTH);
        assertEquals(0xEB50, Sofh.SBE_LE_ENCODING_TYPE, "FIX SOFH: SBE 1.0 little-endian");
        assertEquals(14, Sofh.MIN_FRAME_LENGTH);
    }
}
