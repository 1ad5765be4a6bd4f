package io.keel.node;

/**
 * Remembers this node's output hash chain at the log positions where state checks were
 * scheduled, and compares them with the leader's values when the StateCheck arrives through
 * the log. A small ring: checks arrive a few messages after they are recorded.
 */
final class StateChecker
{
    private static final int CAPACITY = 64;

    private final long[] positions = new long[CAPACITY];
    private final long[] chains = new long[CAPACITY];
    private int next;
    private long checksPassed;
    private long checksSkipped;

    void record(final long logPosition, final long chain)
    {
        positions[next] = logPosition;
        chains[next] = chain;
        next = (next + 1) % CAPACITY;
    }

    /**
     * @return true when this node agrees, or has no record for that position (e.g. it recovered
     * from a snapshot taken in between); false on divergence.
     */
    boolean verify(final long logPosition, final long leaderChain)
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (positions[i] == logPosition && positions[i] != 0)
            {
                if (chains[i] != leaderChain)
                {
                    return false;
                }
                checksPassed++;
                return true;
            }
        }
        checksSkipped++;
        return true;
    }

    long checksPassed()
    {
        return checksPassed;
    }

    long checksSkipped()
    {
        return checksSkipped;
    }

    long ownChainAt(final long logPosition)
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (positions[i] == logPosition)
            {
                return chains[i];
            }
        }
        return 0;
    }
}
