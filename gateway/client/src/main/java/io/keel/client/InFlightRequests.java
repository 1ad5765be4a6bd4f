package io.keel.client;

import io.keel.codecs.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Requests sent but not yet answered, kept as their encoded bytes so they can be sent again
 * unchanged after a reconnect or a failover: the engine answers a repeated clOrdId with the
 * original outcome, so resending is always safe. Fixed slots, allocated once; a request refused
 * UNAVAILABLE keeps its slot, counts its refusals and waits there for its retry time, so retries
 * allocate nothing either.
 */
final class InFlightRequests
{
    static final int SLOT_LENGTH = 128;
    private static final int LENGTH_OFFSET = 0;
    private static final int UNAVAILABLE_COUNT_OFFSET = 4;
    private static final int SENT_AT_OFFSET = 8;
    /** 0 = not waiting for a retry; otherwise the time it is due (nanoTime, never 0). */
    private static final int RETRY_AT_OFFSET = 16;
    private static final int MESSAGE_OFFSET = 24;
    private static final int TEMPLATE_ID_OFFSET = MESSAGE_OFFSET + 2;
    private static final long NO_RETRY = 0;
    /**
     * Sending may read (a back-pressured write polls), and a report read may remove a request while the retries are
     * walked, which can make the walk miss one: waiting retries are looked at again this often whatever the earliest.
     */
    private static final long RETRY_RESCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    interface Visitor
    {
        void onRequest(DirectBuffer buffer, int offset, int length);
    }

    private final UnsafeBuffer slots;
    private final Long2LongHashMap slotByClOrdId = new Long2LongHashMap(-1);
    private final int[] freeSlots;
    private int freeCount;
    private int retriesWaiting;
    private long earliestRetryNs;

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
        if (freeCount == 0 || length > SLOT_LENGTH - MESSAGE_OFFSET || length < MessageHeaderDecoder.ENCODED_LENGTH ||
            slotByClOrdId.containsKey(clOrdId))
        {
            return false;
        }
        final int slot = freeSlots[--freeCount];
        final int at = slot * SLOT_LENGTH;
        slots.putInt(at + LENGTH_OFFSET, length);
        slots.putInt(at + UNAVAILABLE_COUNT_OFFSET, 0);
        slots.putLong(at + SENT_AT_OFFSET, nowNs);
        slots.putLong(at + RETRY_AT_OFFSET, NO_RETRY);
        slots.putBytes(at + MESSAGE_OFFSET, buffer, offset, length);
        slotByClOrdId.put(clOrdId, slot);
        return true;
    }

    void remove(final long clOrdId)
    {
        final long slot = slotByClOrdId.remove(clOrdId);
        if (slot != -1)
        {
            final int at = (int)slot * SLOT_LENGTH;
            if (slots.getLong(at + RETRY_AT_OFFSET) != NO_RETRY)
            {
                retriesWaiting--;
            }
            freeSlots[freeCount++] = (int)slot;
        }
    }

    int size()
    {
        return slotByClOrdId.size();
    }

    /**
     * @return true when this clOrdId is in flight as a request of this template: a query that names an order's
     * clOrdId (an order status) is not the order.
     */
    boolean contains(final long clOrdId, final int templateId)
    {
        final long slot = slotByClOrdId.get(clOrdId);
        final int at = (int)slot * SLOT_LENGTH;
        return slot != -1 && (slots.getShort(at + TEMPLATE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) == templateId;
    }

    /**
     * The request was refused UNAVAILABLE once more.
     *
     * @return how often it has been refused UNAVAILABLE, this time included; 0 when it is not in flight.
     */
    int countUnavailable(final long clOrdId)
    {
        final long slot = slotByClOrdId.get(clOrdId);
        if (slot == -1)
        {
            return 0;
        }
        final int at = (int)slot * SLOT_LENGTH;
        final int count = slots.getInt(at + UNAVAILABLE_COUNT_OFFSET) + 1;
        slots.putInt(at + UNAVAILABLE_COUNT_OFFSET, count);
        return count;
    }

    /**
     * Keep the request in flight, to be sent again by {@link #sendDueRetries} at {@code retryAtNs}.
     */
    void retryAt(final long clOrdId, final long retryAtNs)
    {
        final long slot = slotByClOrdId.get(clOrdId);
        if (slot == -1)
        {
            return;
        }
        final int at = (int)slot * SLOT_LENGTH;
        // 0 marks "no retry", so a retry due exactly at nanoTime 0 moves by a nanosecond.
        final long dueNs = retryAtNs == NO_RETRY ? 1 : retryAtNs;
        if (slots.getLong(at + RETRY_AT_OFFSET) == NO_RETRY)
        {
            retriesWaiting++;
        }
        slots.putLong(at + RETRY_AT_OFFSET, dueNs);
        if (retriesWaiting == 1 || dueNs - earliestRetryNs < 0)
        {
            earliestRetryNs = dueNs;
        }
    }

    /**
     * @return requests waiting for a retry after UNAVAILABLE.
     */
    int retriesWaiting()
    {
        return retriesWaiting;
    }

    /**
     * Send the requests whose UNAVAILABLE retry is due, marking them sent at {@code nowNs}. Costs nothing until the
     * earliest retry is due.
     */
    int sendDueRetries(final long nowNs, final Visitor visitor)
    {
        if (retriesWaiting == 0 || nowNs - earliestRetryNs < 0)
        {
            return 0;
        }
        int count = 0;
        long earliest = nowNs + RETRY_RESCAN_INTERVAL_NS;
        final Long2LongHashMap.ValueIterator values = slotByClOrdId.values().iterator();
        while (values.hasNext())
        {
            final int at = (int)values.nextValue() * SLOT_LENGTH;
            final long retryAtNs = slots.getLong(at + RETRY_AT_OFFSET);
            if (retryAtNs == NO_RETRY)
            {
                continue;
            }
            if (retryAtNs - nowNs <= 0)
            {
                send(at, nowNs, visitor);
                count++;
            }
            else if (retryAtNs - earliest < 0)
            {
                earliest = retryAtNs;
            }
        }
        earliestRetryNs = earliest;
        return count;
    }

    /**
     * Visit every request, waiting for a retry or not, marking it sent at {@code nowNs}: after a logon everything
     * unanswered goes again.
     */
    int forEach(final long nowNs, final Visitor visitor)
    {
        int count = 0;
        final Long2LongHashMap.ValueIterator values = slotByClOrdId.values().iterator();
        while (values.hasNext())
        {
            send((int)values.nextValue() * SLOT_LENGTH, nowNs, visitor);
            count++;
        }
        return count;
    }

    /**
     * Visit every request sent before {@code sentBeforeNs}, marking it sent again at {@code nowNs}. Those waiting
     * for their UNAVAILABLE retry are left to it: the gateway has answered them.
     */
    int forEachOlderThan(final long sentBeforeNs, final long nowNs, final Visitor visitor)
    {
        int count = 0;
        final Long2LongHashMap.ValueIterator values = slotByClOrdId.values().iterator();
        while (values.hasNext())
        {
            final int at = (int)values.nextValue() * SLOT_LENGTH;
            final boolean waitingForRetry = slots.getLong(at + RETRY_AT_OFFSET) != NO_RETRY;
            if (!waitingForRetry && slots.getLong(at + SENT_AT_OFFSET) - sentBeforeNs < 0)
            {
                send(at, nowNs, visitor);
                count++;
            }
        }
        return count;
    }

    private void send(final int at, final long nowNs, final Visitor visitor)
    {
        if (slots.getLong(at + RETRY_AT_OFFSET) != NO_RETRY)
        {
            slots.putLong(at + RETRY_AT_OFFSET, NO_RETRY);
            retriesWaiting--;
        }
        slots.putLong(at + SENT_AT_OFFSET, nowNs);
        visitor.onRequest(slots, at + MESSAGE_OFFSET, slots.getInt(at + LENGTH_OFFSET));
    }
}
