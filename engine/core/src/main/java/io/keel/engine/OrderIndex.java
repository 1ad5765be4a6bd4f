package io.keel.engine;

import org.agrona.BitUtil;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Live orders by id and by (account, current clOrdId).
 *
 * <p>By id: the engine assigns ids in sequence, so an id's low bits pick a slot directly, with no
 * hashing; the rare order still alive when a much newer one wants its slot goes to an overflow map.
 *
 * <p>By clOrdId: an open-addressing table of the orders themselves (the key is read from the order,
 * so nothing is stored twice and nothing is allocated per request), probed linearly, at most half
 * full, with deletion by shifting back. It finds a live order however old — the clOrdId window only
 * remembers requests for the idempotency horizon. It doubles (cold, at a new high-water mark of live
 * orders, as the pool does) up to twice maxOrders slots.
 */
final class OrderIndex
{
    private final Order[] slots;
    private final int mask;
    private final Long2ObjectHashMap<Order> overflow = new Long2ObjectHashMap<>();
    private Order[] byClOrdId;
    /** The hash of each slot's order's key: probing and shifting compare it instead of reading the order. */
    private int[] clOrdIdHashes;
    private int clOrdIdMask;
    private int size;

    /**
     * @param capacityPowerOfTwo  slots of the by-id table.
     * @param initialOrders       live orders the by-clOrdId table holds before it first grows.
     */
    OrderIndex(final int capacityPowerOfTwo, final int initialOrders)
    {
        slots = new Order[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
        allocateByClOrdId(BitUtil.findNextPositivePowerOfTwo(Math.max(16, 2 * initialOrders)));
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

    /**
     * @return the live order of this account whose current clOrdId this is, or null.
     */
    Order get(final long accountId, final long clOrdId)
    {
        final int hash = ClOrdIdWindow.hash(accountId, clOrdId);
        for (int slot = hash & clOrdIdMask; ; slot = (slot + 1) & clOrdIdMask)
        {
            final Order order = byClOrdId[slot];
            if (order == null ||
                (clOrdIdHashes[slot] == hash && order.accountId == accountId && order.clOrdId == clOrdId))
            {
                return order;
            }
        }
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
        if (2 * size > byClOrdId.length)
        {
            growByClOrdId();
        }
        indexClOrdId(order);
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
        unindexClOrdId(order);
    }

    /**
     * A replace gives the order the request's clOrdId.
     */
    void changeClOrdId(final Order order, final long clOrdId)
    {
        unindexClOrdId(order);
        order.clOrdId = clOrdId;
        indexClOrdId(order);
    }

    int size()
    {
        return size;
    }

    private void allocateByClOrdId(final int slots)
    {
        byClOrdId = new Order[slots];
        clOrdIdHashes = new int[slots];
        clOrdIdMask = slots - 1;
    }

    private void indexClOrdId(final Order order)
    {
        final int hash = ClOrdIdWindow.hash(order.accountId, order.clOrdId);
        int slot = hash & clOrdIdMask;
        while (byClOrdId[slot] != null)
        {
            slot = (slot + 1) & clOrdIdMask;
        }
        byClOrdId[slot] = order;
        clOrdIdHashes[slot] = hash;
    }

    /**
     * Knuth's algorithm R: shift back the entries after the hole that may move closer to home.
     */
    private void unindexClOrdId(final Order order)
    {
        int hole = ClOrdIdWindow.hash(order.accountId, order.clOrdId) & clOrdIdMask;
        while (byClOrdId[hole] != order)
        {
            hole = (hole + 1) & clOrdIdMask;
        }
        for (int slot = (hole + 1) & clOrdIdMask; byClOrdId[slot] != null; slot = (slot + 1) & clOrdIdMask)
        {
            final int home = clOrdIdHashes[slot] & clOrdIdMask;
            if (((slot - home) & clOrdIdMask) >= ((slot - hole) & clOrdIdMask))
            {
                byClOrdId[hole] = byClOrdId[slot];
                clOrdIdHashes[hole] = clOrdIdHashes[slot];
                hole = slot;
            }
        }
        byClOrdId[hole] = null;
    }

    /**
     * Cold: double and reinsert.
     */
    private void growByClOrdId()
    {
        final Order[] old = byClOrdId;
        allocateByClOrdId(old.length * 2);
        for (final Order order : old)
        {
            if (order != null)
            {
                indexClOrdId(order);
            }
        }
    }
}
