package io.keel.gateway;

import org.agrona.collections.Long2LongHashMap;

/**
 * Recent failed logons per key (a user's or an address's), in preallocated arrays of a fixed capacity: when full, a
 * new key takes the slot of the entry whose last failure is oldest, preferring one not locked out. A failure counts
 * for one window from the first failure of its run; a lockout lasts one window from when it began.
 * <p>
 * Duty-cycle thread only; allocation-free after construction (the index is sized never to grow).
 */
final class FailureTable
{
    static final int MISSING = -1;

    private final Long2LongHashMap slotByKey;
    private final long[] keys;
    private final int[] failures;
    private final long[] windowStartNs;
    private final long[] lastFailureNs;
    private final long[] lockedUntilNs;
    private final long windowNs;
    private int size;

    FailureTable(final int capacity, final long windowNs)
    {
        // Twice the capacity at Agrona's default load factor of 0.65: never resized, so never allocates.
        slotByKey = new Long2LongHashMap(capacity * 2, org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR, MISSING);
        keys = new long[capacity];
        failures = new int[capacity];
        windowStartNs = new long[capacity];
        lastFailureNs = new long[capacity];
        lockedUntilNs = new long[capacity];
        this.windowNs = windowNs;
    }

    int size()
    {
        return size;
    }

    int find(final long key)
    {
        return (int)slotByKey.get(key);
    }

    /**
     * One more failure of {@code key}.
     *
     * @return its slot, whose {@link #failures} include this one.
     */
    int recordFailure(final long key, final long nowNs)
    {
        int slot = find(key);
        if (slot == MISSING)
        {
            slot = size < keys.length ? size++ : evict(nowNs);
            slotByKey.put(key, slot);
            keys[slot] = key;
            failures[slot] = 0;
            windowStartNs[slot] = nowNs;
            lockedUntilNs[slot] = 0;
        }
        else if (nowNs - windowStartNs[slot] > windowNs && !isLocked(slot, nowNs))
        {
            failures[slot] = 0;
            windowStartNs[slot] = nowNs;
        }
        failures[slot]++;
        lastFailureNs[slot] = nowNs;
        return slot;
    }

    int failures(final int slot)
    {
        return failures[slot];
    }

    long lastFailureNs(final int slot)
    {
        return lastFailureNs[slot];
    }

    boolean isLocked(final int slot, final long nowNs)
    {
        return lockedUntilNs[slot] != 0 && lockedUntilNs[slot] - nowNs > 0;
    }

    void lock(final int slot, final long nowNs)
    {
        lockedUntilNs[slot] = nowNs + windowNs;
    }

    /**
     * @return true if the key had an entry.
     */
    boolean remove(final long key)
    {
        final int slot = find(key);
        if (slot == MISSING)
        {
            return false;
        }
        slotByKey.remove(key);
        final int last = --size;
        if (slot != last)
        {
            keys[slot] = keys[last];
            failures[slot] = failures[last];
            windowStartNs[slot] = windowStartNs[last];
            lastFailureNs[slot] = lastFailureNs[last];
            lockedUntilNs[slot] = lockedUntilNs[last];
            slotByKey.put(keys[slot], slot);
        }
        return true;
    }

    /**
     * Full: the oldest entry not locked out gives up its slot (the oldest locked one if all are), so a spray of new
     * names forgets stale failures before it forgets a lockout. A scan, only when full and a new key fails.
     */
    private int evict(final long nowNs)
    {
        int oldest = MISSING;
        int oldestLocked = MISSING;
        for (int i = 0; i < size; i++)
        {
            if (isLocked(i, nowNs))
            {
                if (oldestLocked == MISSING || lastFailureNs[i] - lastFailureNs[oldestLocked] < 0)
                {
                    oldestLocked = i;
                }
            }
            else if (oldest == MISSING || lastFailureNs[i] - lastFailureNs[oldest] < 0)
            {
                oldest = i;
            }
        }
        final int slot = oldest != MISSING ? oldest : oldestLocked;
        slotByKey.remove(keys[slot]);
        return slot;
    }
}
