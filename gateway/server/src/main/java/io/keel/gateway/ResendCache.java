package io.keel.gateway;

import io.keel.codecs.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * A session's outbound reports, numbered: the last {@code capacity} are kept, in fixed slots, so a
 * client that reconnects or asks with a ResendRequest gets exactly what it missed. Allocated once
 * per session; appending copies one message and allocates nothing.
 */
final class ResendCache
{
    /** Every report template has its seqNo right after its sessionId. */
    static final int SEQ_NO_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES;
    static final int SLOT_LENGTH = 256;
    private static final int LENGTH_FIELD = Integer.BYTES;

    private final int capacity;
    private final UnsafeBuffer slots;
    private long nextSeqNo = 1;
    private long oldestSeqNo = 1;

    ResendCache(final int capacity)
    {
        this.capacity = capacity;
        slots = new UnsafeBuffer(new byte[capacity * SLOT_LENGTH]);
    }

    static boolean fits(final int length)
    {
        return length <= SLOT_LENGTH - LENGTH_FIELD;
    }

    /**
     * Number the message with the next seqNo and keep a copy; the copy is what gets sent.
     *
     * @param length at most {@code SLOT_LENGTH - 4} (see {@link #fits(int)}).
     * @return the seqNo given.
     */
    long append(final DirectBuffer buffer, final int offset, final int length)
    {
        final long seqNo = nextSeqNo++;
        final int slot = slotOffset(seqNo);
        slots.putInt(slot, length);
        slots.putBytes(slot + LENGTH_FIELD, buffer, offset, length);
        slots.putLong(slot + LENGTH_FIELD + SEQ_NO_OFFSET, seqNo, ByteOrder.LITTLE_ENDIAN);
        if (nextSeqNo - oldestSeqNo > capacity)
        {
            oldestSeqNo++;
        }
        return seqNo;
    }

    /**
     * @return the seqNo the next report will get.
     */
    long nextSeqNo()
    {
        return nextSeqNo;
    }

    /**
     * @return the oldest seqNo still held; equal to {@link #nextSeqNo()} when none is.
     */
    long oldestSeqNo()
    {
        return oldestSeqNo;
    }

    DirectBuffer buffer()
    {
        return slots;
    }

    /**
     * @return where the message with this seqNo starts in {@link #buffer()}; it must be held.
     */
    int messageOffset(final long seqNo)
    {
        return slotOffset(seqNo) + LENGTH_FIELD;
    }

    int messageLength(final long seqNo)
    {
        return slots.getInt(slotOffset(seqNo));
    }

    private int slotOffset(final long seqNo)
    {
        return (int)(seqNo % capacity) * SLOT_LENGTH;
    }
}
