package io.keel.engine;

import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.collections.Long2LongHashMap;

/**
 * An account's most recent clOrdIds and their outcomes, so a client that retries after a
 * failover gets the original outcome again instead of a second order. A fixed ring: the
 * oldest entry is forgotten when the window is full.
 */
final class ClOrdIdWindow
{
    static final long MISSING = -1;

    private static final int INITIAL_SLOTS = 16;

    private final int capacity;
    private final Long2LongHashMap slotByClOrdId = new Long2LongHashMap(INITIAL_SLOTS * 2, 0.65f, MISSING);
    long[] clOrdId;
    long[] orderId;
    int[] instrumentId;
    Side[] side;
    OrdType[] ordType;
    TimeInForce[] timeInForce;
    OrdStatus[] ordStatus;
    RejectReason[] rejectReason;
    long[] price;
    long[] quantity;
    long[] cumQty;
    private int next;
    private int size;

    /**
     * Slots grow on demand up to capacity, so idle accounts stay small.
     */
    ClOrdIdWindow(final int capacity)
    {
        this.capacity = capacity;
        resize(Math.min(INITIAL_SLOTS, capacity));
    }

    private void resize(final int slots)
    {
        clOrdId = copy(clOrdId, slots);
        orderId = copy(orderId, slots);
        instrumentId = instrumentId == null ? new int[slots] : java.util.Arrays.copyOf(instrumentId, slots);
        side = copy(side, slots, Side.class);
        ordType = copy(ordType, slots, OrdType.class);
        timeInForce = copy(timeInForce, slots, TimeInForce.class);
        ordStatus = copy(ordStatus, slots, OrdStatus.class);
        rejectReason = copy(rejectReason, slots, RejectReason.class);
        price = copy(price, slots);
        quantity = copy(quantity, slots);
        cumQty = copy(cumQty, slots);
    }

    private static long[] copy(final long[] array, final int length)
    {
        return array == null ? new long[length] : java.util.Arrays.copyOf(array, length);
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] copy(final T[] array, final int length, final Class<T> type)
    {
        return array == null ?
            (T[])java.lang.reflect.Array.newInstance(type, length) : java.util.Arrays.copyOf(array, length);
    }

    /**
     * @return the slot holding this clOrdId, or -1.
     */
    int find(final long id)
    {
        return (int)slotByClOrdId.get(id);
    }

    /**
     * Remember a clOrdId, forgetting the oldest when full.
     *
     * @return its slot.
     */
    int add(
        final long id,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final OrdStatus ordStatus,
        final RejectReason rejectReason,
        final long price,
        final long quantity,
        final long cumQty)
    {
        if (size == clOrdId.length && size < capacity)
        {
            resize(Math.min(capacity, size * 2));
            next = size;
        }
        final int slot = next;
        if (size == capacity)
        {
            slotByClOrdId.remove(clOrdId[slot]);
        }
        else
        {
            size++;
        }
        next = slot + 1 == capacity ? 0 : slot + 1;
        slotByClOrdId.put(id, slot);
        clOrdId[slot] = id;
        this.orderId[slot] = orderId;
        this.instrumentId[slot] = instrumentId;
        this.side[slot] = side;
        this.ordType[slot] = ordType;
        this.timeInForce[slot] = timeInForce;
        this.ordStatus[slot] = ordStatus;
        this.rejectReason[slot] = rejectReason;
        this.price[slot] = price;
        this.quantity[slot] = quantity;
        this.cumQty[slot] = cumQty;
        return slot;
    }

    /**
     * True when the slot still describes this order (it may have been reused since).
     */
    boolean holds(final int slot, final long clOrdId, final long orderId)
    {
        return slot >= 0 && this.clOrdId[slot] == clOrdId && this.orderId[slot] == orderId &&
            slotByClOrdId.get(clOrdId) == slot;
    }

    /**
     * The newest slot recording this order (replaces add one per new clOrdId). Cold: only for
     * repeated clOrdIds of finished orders.
     */
    int latestSlotOf(final long orderId, final int fallback)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            final int slot = slotAt(i);
            if (this.orderId[slot] == orderId)
            {
                return slot;
            }
        }
        return fallback;
    }

    int size()
    {
        return size;
    }

    /**
     * Slot of the i-th oldest entry.
     */
    int slotAt(final int i)
    {
        final int oldest = size == capacity ? next : 0;
        final int slot = oldest + i;
        return slot >= capacity ? slot - capacity : slot;
    }
}
