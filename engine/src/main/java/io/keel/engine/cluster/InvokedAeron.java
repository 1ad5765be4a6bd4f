package io.keel.engine.cluster;

import io.aeron.Aeron;
import org.agrona.concurrent.AgentInvoker;

/**
 * The duty cycles of an embedded media driver in {@link io.aeron.driver.ThreadingMode#INVOKER} mode and of
 * an Aeron client built with {@code useConductorAgentInvoker(true)}: they have no threads of their own and
 * run whenever their owner's single thread calls {@link #invoke()}. Either may be absent (null).
 */
public final class InvokedAeron
{
    private final AgentInvoker driver;
    private final AgentInvoker conductor;

    /**
     * @param driver the driver's {@code sharedAgentInvoker()}, or null.
     * @param aeron  the client, whose {@code conductorAgentInvoker()} is used, or null.
     */
    public InvokedAeron(final AgentInvoker driver, final Aeron aeron)
    {
        this.driver = driver;
        this.conductor = aeron == null ? null : aeron.conductorAgentInvoker();
    }

    /**
     * @return work done.
     */
    public int invoke()
    {
        int work = 0;
        if (driver != null)
        {
            work += driver.invoke();
        }
        if (conductor != null)
        {
            work += conductor.invoke();
        }
        return work;
    }

    /**
     * Keep the duty cycles running for a while, yielding when idle: before closing, so that what was
     * offered last (a logout, a session close) is sent — no driver thread will send it afterwards.
     */
    public void linger(final long durationNs)
    {
        if (driver == null && conductor == null)
        {
            return;
        }
        final long deadlineNs = System.nanoTime() + durationNs; // determinism-ok: client side
        while (System.nanoTime() - deadlineNs < 0) // determinism-ok: client side
        {
            if (invoke() == 0)
            {
                Thread.yield();
            }
        }
    }
}
