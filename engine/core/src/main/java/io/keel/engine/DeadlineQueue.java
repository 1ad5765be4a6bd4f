package io.keel.engine;

/**
 * Deadlines as a binary min-heap of (time, id), ties by id so the order is
 * deterministic. Entries are not removed: the owner skips stale ones on pop (the cancel-on-disconnect
 * deadlines of sessions, whose grace is short).
 */
final class DeadlineQueue
{
    private long[] times = new long[256];
    private long[] orderIds = new long[256];
    private int size;

    void add(final long time, final long orderId)
    {
        if (size == times.length)
        {
            times = java.util.Arrays.copyOf(times, size * 2);
            orderIds = java.util.Arrays.copyOf(orderIds, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(time, orderId, times[parent], orderIds[parent]))
            {
                break;
            }
            times[i] = times[parent];
            orderIds[i] = orderIds[parent];
            i = parent;
        }
        times[i] = time;
        orderIds[i] = orderId;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekTime()
    {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    long peekOrderId()
    {
        return orderIds[0];
    }

    void pop()
    {
        final int last = --size;
        final long time = times[last];
        final long orderId = orderIds[last];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && less(times[child + 1], orderIds[child + 1], times[child], orderIds[child]))
            {
                child++;
            }
            if (!less(times[child], orderIds[child], time, orderId))
            {
                break;
            }
            times[i] = times[child];
            orderIds[i] = orderIds[child];
            i = child;
        }
        times[i] = time;
        orderIds[i] = orderId;
    }

    void clear()
    {
        size = 0;
    }

    private static boolean less(final long t1, final long id1, final long t2, final long id2)
    {
        return t1 < t2 || (t1 == t2 && id1 < id2);
    }
}
