package io.keel.client;

import java.util.SplittableRandom;

/**
 * How long a {@link KeelClient} waits before it tries the gateways again: from the initial interval, doubling with
 * each step up to the maximum, each wait spread by a jitter of ±{@value #JITTER_PERCENT} % so that the clients of a
 * lost gateway do not all come back at the same instant; back to the initial interval after a logon.
 * <p>
 * The jitter comes from a seeded {@link SplittableRandom}, never from a clock: a seed gives one schedule, which is what
 * a test can check.
 */
final class ReconnectBackoff
{
    static final int JITTER_PERCENT = 20;

    private final long initialNs;
    private final long maxNs;
    private final SplittableRandom random;
    private long stepNs;

    /**
     * @param initialNs the first wait, before jitter; > 0.
     * @param maxNs     where doubling stops, before jitter; >= initialNs.
     * @param seed      of the jitter.
     */
    ReconnectBackoff(final long initialNs, final long maxNs, final long seed)
    {
        if (initialNs <= 0 || maxNs < initialNs)
        {
            throw new IllegalArgumentException("need 0 < initial <= max: " + initialNs + ", " + maxNs);
        }
        this.initialNs = initialNs;
        this.maxNs = maxNs;
        random = new SplittableRandom(seed);
        stepNs = initialNs;
    }

    /**
     * @return the next wait: this step's interval ±{@value #JITTER_PERCENT} %; the step after it is twice as long, up
     * to the maximum.
     */
    long nextDelayNs()
    {
        final long baseNs = stepNs;
        stepNs = baseNs > maxNs / 2 ? maxNs : Math.min(maxNs, 2 * baseNs);
        final long spreadNs = baseNs / 100 * JITTER_PERCENT;
        return baseNs - spreadNs + (spreadNs > 0 ? random.nextLong(2 * spreadNs + 1) : 0);
    }

    /**
     * After a logon: the next wait is the initial one again.
     */
    void reset()
    {
        stepNs = initialNs;
    }

    /**
     * @return the interval of the next step, before jitter.
     */
    long stepNs()
    {
        return stepNs;
    }
}
