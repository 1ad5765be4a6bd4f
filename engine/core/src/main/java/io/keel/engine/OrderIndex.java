package io.keel.engine;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Live orders by id. The engine assigns ids in sequence, so an id's low bits pick a slot
 * directly, with no hashing; the rare order still alive when a much newer one wants its slot
 * goes to an overflow map.
 */
final class OrderIndex
{
    private final Order[] slots;
    private final int mask;
    private final Long2ObjectHashMap<Order> overflow = new Long2ObjectHashMap<>();
    private int size;

    OrderIndex(final int capacityPowerOfTwo)
    {
        slots = new Order[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
    }

    Order get(final long orderId)
    {
        final Order order = slots[(int)orderId & mask];
        if (order != null && order.orderId == orderId)
        {
            return order;
        }
        return overflow.isEmpty() ? null : overflow.get(orderId);
    }

    void put(final Order order)
    {
        final int index = (int)order.orderId & mask;
        if (slots[index] == null)
        {
            slots[index] = order;
        }
        else
        {
            overflow.put(order.orderId, order);
        }
        size++;
    }

    void remove(final Order order)
    {
        final int index = (int)order.orderId & mask;
        if (slots[index] == order)
        {
            slots[index] = null;
        }
        else
        {
            overflow.remove(order.orderId);
        }
        size--;
    }

    int size()
    {
        return size;
    }
}
