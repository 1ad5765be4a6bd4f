package io.keel.engine;

/**
 * Resting GTD orders by expiry: a binary min-heap of the orders themselves, by (expireTime, orderId) so expiry order
 * is deterministic. Each order knows its place in the heap, so an order that ends any other way (cancel, fill,
 * replace into a fill, mass cancel) leaves in O(log n) with no scan and nothing stays behind: the heap holds exactly
 * the resting GTD orders.
 *
 * <p>Preallocated for the whole-engine order limit (a GTD order in the heap is a live order): it grows only when an
 * admin raises the limit, or a snapshot holds more orders than the limit now in force — never on the matching thread
 * in steady state.
 */
final class ExpiryQueue
{
    static final int NOT_QUEUED = -1;

    private Order[] heap;
    private int size;

    ExpiryQueue(final int capacity)
    {
        heap = new Order[Math.max(16, capacity)];
    }

    /**
     * Cold: see the class comment.
     */
    void ensureCapacity(final int capacity)
    {
        if (capacity > heap.length)
        {
            heap = java.util.Arrays.copyOf(heap, capacity);
        }
    }

    /**
     * Queue a resting GTD order; one already queued stays where it is (its expiry never changes).
     */
    void add(final Order order)
    {
        if (order.expiryIndex != NOT_QUEUED)
        {
            return;
        }
        siftUp(size++, order);
    }

    /**
     * Take an order out, wherever it is; nothing when it is not queued.
     */
    void remove(final Order order)
    {
        final int index = order.expiryIndex;
        if (index == NOT_QUEUED)
        {
            return;
        }
        order.expiryIndex = NOT_QUEUED;
        final int last = --size;
        final Order moved = heap[last];
        heap[last] = null;
        if (index != last)
        {
            if (index > 0 && less(moved, heap[(index - 1) >>> 1]))
            {
                siftUp(index, moved);
            }
            else
            {
                siftDown(index, moved);
            }
        }
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekTime()
    {
        return size == 0 ? Long.MAX_VALUE : heap[0].expireTime;
    }

    Order peek()
    {
        return size == 0 ? null : heap[0];
    }

    private void siftUp(final int start, final Order order)
    {
        int i = start;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final Order above = heap[parent];
            if (!less(order, above))
            {
                break;
            }
            place(i, above);
            i = parent;
        }
        place(i, order);
    }

    private void siftDown(final int start, final Order order)
    {
        int i = start;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && less(heap[child + 1], heap[child]))
            {
                child++;
            }
            if (!less(heap[child], order))
            {
                break;
            }
            place(i, heap[child]);
            i = child;
        }
        place(i, order);
    }

    private void place(final int index, final Order order)
    {
        heap[index] = order;
        order.expiryIndex = index;
    }

    private static boolean less(final Order a, final Order b)
    {
        return a.expireTime < b.expireTime || (a.expireTime == b.expireTime && a.orderId < b.orderId);
    }
}
