package io.keel.engine;

/**
 * Preallocated orders. Grows in chunks (a cold, bounded event) up to the configured maximum
 * so a small engine does not pay for a large one's memory.
 */
final class OrderPool
{
    private static final int CHUNK = 16 * 1024;

    private final int maxOrders;
    private Order[] free;
    private int freeCount;
    private int created;

    OrderPool(final int initialOrders, final int maxOrders)
    {
        this.maxOrders = maxOrders;
        free = new Order[Math.max(16, initialOrders)];
        grow(Math.min(initialOrders, maxOrders));
    }

    /**
     * @return an order, or null when the configured maximum is in use.
     */
    Order acquire()
    {
        if (freeCount == 0 && !grow(Math.min(CHUNK, maxOrders - created)))
        {
            return null;
        }
        // The stale reference left in the array is harmless: the slot is overwritten on release.
        return free[--freeCount];
    }

    /**
     * No field is cleared: every acquirer sets all it reads (the snapshot round-trip property
     * tests hold a fresh and a recycled order to the same outputs).
     */
    void release(final Order order)
    {
        free[freeCount++] = order;
    }

    int inUse()
    {
        return created - freeCount;
    }

    private boolean grow(final int count)
    {
        if (count <= 0)
        {
            return false;
        }
        if (free.length < created + count)
        {
            final Order[] bigger = new Order[created + count];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        for (int i = 0; i < count; i++)
        {
            final Order order = new Order();
            order.recordSeq = ClOrdIdWindow.NO_SEQ;
            free[freeCount++] = order;
        }
        created += count;
        return true;
    }
}
