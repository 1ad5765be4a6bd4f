package io.keel.common;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.AgentInvoker;

/**
 * The duty cycles of an embedded media driver in {@link io.aeron.driver.ThreadingMode#INVOKER} mode and of
 * an Aeron client built with {@code useConductorAgentInvoker(true)}: they have no threads of their own and
 * run whenever their owner's single thread calls {@link #invoke()}. Either may be absent.
 */
public final class InvokedAeron
{
    /** Nothing to invoke: every duty cycle has a thread of its own (or there is no client yet). */
    public static final InvokedAeron NONE = new InvokedAeron(null);
    /**
     * Most duty cycles of the driver one {@link #invoke()} runs while it finds work: its receiver reads one datagram
     * per cycle from each transport, and it runs only when its owner invokes it.
     */
    static final int MAX_DRIVER_CYCLES = 16;

    private final AgentInvoker driver;
    private final AgentInvoker conductor;

    /**
     * @param aeron a client, whose driver invoker ({@link Aeron.Context#driverAgentInvoker()}) and conductor
     *              invoker are used when set; or null.
     */
    public InvokedAeron(final Aeron aeron)
    {
        driver = aeron == null ? null : aeron.context().driverAgentInvoker();
        conductor = aeron == null ? null : aeron.conductorAgentInvoker();
    }

    /**
     * A client context on an embedded driver: when the driver runs in {@code INVOKER} mode, the client invokes it
     * while it waits and its own conductor is invoked too, so {@link #InvokedAeron(Aeron)} of the client runs both.
     */
    public static Aeron.Context clientContext(final MediaDriver driver)
    {
        final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
        return new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .driverAgentInvoker(driverInvoker)
            .useConductorAgentInvoker(driverInvoker != null);
    }

    /**
     * @return the driver's invoker, for clients that wait on it (e.g. {@code AeronCluster.Context.agentInvoker}),
     * or null.
     */
    public AgentInvoker driver()
    {
        return driver;
    }

    /**
     * Run the driver's duty cycle until it finds nothing to do (at most {@link #MAX_DRIVER_CYCLES} times), then the
     * client conductor's once. One driver cycle would read one datagram: an owner whose own work between invocations
     * takes longer than the gaps between arriving datagrams (a gateway under load) would let them pile up in the
     * socket's receive buffer until the kernel drops them, and each loss costs a NAK and a retransmit from the
     * sender (seen as NAKs at the cluster under pipelined load). An invocation that finds nothing costs one cycle.
     *
     * @return work done.
     */
    public int invoke()
    {
        int work = 0;
        if (driver != null)
        {
            for (int cycle = 0; cycle < MAX_DRIVER_CYCLES; cycle++)
            {
                final int driverWork = driver.invoke();
                work += driverWork;
                if (driverWork == 0)
                {
                    break;
                }
            }
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
