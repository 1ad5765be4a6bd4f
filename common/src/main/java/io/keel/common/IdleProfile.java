package io.keel.common;

import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * How every agent of a component waits for work (DESIGN "Processes, threads, configuration").
 * Never busy-spin on a machine without a free core per spinning thread.
 */
public enum IdleProfile
{
    /** Backoff then sleep, shared driver thread: low CPU, for tests, CI and laptops. */
    BACKOFF,
    /** Every agent yields: the best latency when threads outnumber cores. */
    YIELD,
    /** Busy-spin on dedicated driver threads: pinned cores on real hardware. */
    DEDICATED;

    public IdleStrategy newIdleStrategy()
    {
        switch (this)
        {
            case YIELD:
                return new YieldingIdleStrategy();
            case DEDICATED:
                return new BusySpinIdleStrategy();
            case BACKOFF:
            default:
                return new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    public ThreadingMode threadingMode()
    {
        return this == DEDICATED ? ThreadingMode.DEDICATED : ThreadingMode.SHARED;
    }

    /**
     * For a component with one duty-cycle thread of its own and an embedded media driver (the gateway):
     * {@link ThreadingMode#INVOKER}, so the driver works inside that duty cycle and the component costs
     * one thread, except with {@link #DEDICATED} where the driver spins on threads of its own.
     */
    public ThreadingMode embeddedDriverThreadingMode()
    {
        return this == DEDICATED ? ThreadingMode.DEDICATED : ThreadingMode.INVOKER;
    }

    /**
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static IdleProfile parse(final String value)
    {
        for (final IdleProfile profile : values())
        {
            if (profile.name().equalsIgnoreCase(value))
            {
                return profile;
            }
        }
        throw new IllegalArgumentException("idle profile must be backoff, yield or dedicated: " + value);
    }
}
