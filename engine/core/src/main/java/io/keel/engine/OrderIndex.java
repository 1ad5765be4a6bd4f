package io.keel.engine;

import org.agrona.BitUtil;

/**
 * Live orders by id and by (account, current clOrdId), and each account's count of open orders.
 *
 * <p>Both tables are open-addressing arrays of the orders themselves (the key is read from the order, so nothing is
 * stored twice and nothing is allocated per order), probed linearly, with deletion by shifting back. They are
 * preallocated for the whole-engine order limit, at most half full: nothing here rehashes or grows on the matching
 * thread. Only an admin raising the limit ({@link #ensureCapacity}, a command in the log) or a snapshot load grows
 * them — the same on every node, since the limit travels in the log and the snapshot.
 *
 * <p>By id: the engine assigns ids in sequence, so an id's low bits are its home slot and recent orders sit next to
 * each other; an order still alive when a newer one wants its slot simply sits one probe further.
 *
 * <p>By clOrdId: finds a live order however old — the clOrdId window only remembers requests for the idempotency
 * horizon.
 */
final class OrderIndex
{
    private Order[] byId;
    private int idMask;
    private Order[] byClOrdId;
    /** The hash of each slot's order's key: probing and shifting compare it instead of reading the order. */
    private int[] clOrdIdHashes;
    private int clOrdIdMask;
    private int capacity;
    private int size;

    /**
     * @param capacity live orders the tables hold (the engine's order limit).
     */
    OrderIndex(final int capacity)
    {
        allocate(capacity);
    }

    /**
     * Hold at least this many live orders (cold: an admin raised the order limit, or a snapshot holds more orders
     * than the limit now in force). Never shrinks.
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity <= this.capacity)
        {
            return;
        }
        final Order[] old = byId;
        allocate(capacity);
        for (final Order order : old)
        {
            if (order != null)
            {
                indexId(order);
                indexClOrdId(order);
            }
        }
    }

    int capacity()
    {
        return capacity;
    }

    Order get(final long orderId)
    {
        for (int slot = (int)orderId & idMask; ; slot = (slot + 1) & idMask)
        {
            final Order order = byId[slot];
            if (order == null || order.orderId == orderId)
            {
                return order;
            }
        }
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

    /**
     * Callers keep within {@link #capacity()}: the engine checks its order limit first.
     */
    void put(final Order order)
    {
        indexId(order);
        indexClOrdId(order);
        order.account.openOrders++;
        size++;
    }

    void remove(final Order order)
    {
        unindexId(order);
        unindexClOrdId(order);
        order.account.openOrders--;
        size--;
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

    private void allocate(final int capacity)
    {
        this.capacity = capacity;
        final int slots = BitUtil.findNextPositivePowerOfTwo(Math.max(16, 2 * capacity));
        byId = new Order[slots];
        idMask = slots - 1;
        byClOrdId = new Order[slots];
        clOrdIdHashes = new int[slots];
        clOrdIdMask = slots - 1;
    }

    private void indexId(final Order order)
    {
        int slot = (int)order.orderId & idMask;
        while (byId[slot] != null)
        {
            slot = (slot + 1) & idMask;
        }
        byId[slot] = order;
    }

    /**
     * Knuth's algorithm R, as {@link #unindexClOrdId}: the home slot is the id's low bits.
     */
    private void unindexId(final Order order)
    {
        int hole = (int)order.orderId & idMask;
        while (byId[hole] != order)
        {
            hole = (hole + 1) & idMask;
        }
        for (int slot = (hole + 1) & idMask; byId[slot] != null; slot = (slot + 1) & idMask)
        {
            final int home = (int)byId[slot].orderId & idMask;
            if (((slot - home) & idMask) >= ((slot - hole) & idMask))
            {
                byId[hole] = byId[slot];
                hole = slot;
            }
        }
        byId[hole] = null;
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
}
