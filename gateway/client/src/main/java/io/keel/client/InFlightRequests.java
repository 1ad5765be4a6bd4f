package io.keel.client;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Requests sent but not yet answered, kept as their encoded bytes so they can be sent again
 * unchanged after a reconnect or a failover: the engine answers a repeated clOrdId with the
 * original outcome, so resending is always safe. Fixed slots, allocated once.
 */
final class InFlightRequests
{
    static final int SLOT_LENGTH = 128;
    private static final int LENGTH_OFFSET = 0;
    private static final int SENT_AT_OFFSET = 8;
    private static final int MESSAGE_OFFSET = 16;

    interface Visitor
    {
        void onRequest(DirectBuffer buffer, int offset, int length);
    }

    private final UnsafeBuffer slots;
    private final Long2LongHashMap slotByClOrdId = new Long2LongHashMap(-1);
    private final int[] freeSlots;
    private int freeCount;

    InFlightRequests(final int capacity)
    {
        slots = new UnsafeBuffer(new byte[capacity * SLOT_LENGTH]);
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /**
     * @return false when full or when this clOrdId is already in flight.
     */
    boolean add(final long clOrdId, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (freeCount == 0 || length > SLOT_LENGTH - MESSAGE_OFFSET || slotByClOrdId.containsKey(clOrdId))
        {
            return false;
        }
        final int slot = freeSlots[--freeCount];
        final int at = slot * SLOT_LENGTH;
        slots.putInt(at + LENGTH_OFFSET, length);
        slots.putLong(at + SENT_AT_OFFSET, nowNs);
        slots.putBytes(at + MESSAGE_OFFSET, buffer, offset, length);
        slotByClOrdId.put(clOrdId, slot);
        return true;
    }

    void remove(final long clOrdId)
    {
        final long slot = slotByClOrdId.remove(clOrdId);
        if (slot != -1)
        {
            freeSlots[freeCount++] = (int)slot;
        }
    }

    int size()
    {
        return slotByClOrdId.size();
    }

    /**
     * Visit every request sent before {@code sentBeforeNs}, marking it sent again at {@code nowNs}.
     */
    int forEachOlderThan(final long sentBeforeNs, final long nowNs, final Visitor visitor)
    {
        int count = 0;
        final Long2LongHashMap.ValueIterator values = slotByClOrdId.values().iterator();
        while (values.hasNext())
        {
            final int at = (int)values.nextValue() * SLOT_LENGTH;
            if (slots.getLong(at + SENT_AT_OFFSET) - sentBeforeNs < 0)
            {
                slots.putLong(at + SENT_AT_OFFSET, nowNs);
                visitor.onRequest(slots, at + MESSAGE_OFFSET, slots.getInt(at + LENGTH_OFFSET));
                count++;
            }
        }
        return count;
    }
}
