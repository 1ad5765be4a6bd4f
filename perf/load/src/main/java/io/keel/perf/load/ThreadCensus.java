package io.keel.perf.load;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which component of a scenario each thread of this JVM belongs to, and what the threads cost: CPU time and
 * allocated bytes per thread ({@code com.sun.management.ThreadMXBean}), the process's CPU time, and the
 * garbage collectors' counts and times. The perf scenarios run nodes, gateway and client in one JVM, and Aeron
 * names its agent threads by role only ({@code consensus-module}, {@code clustered-service}, ...), so a thread's
 * component is found by when it appeared: a scenario {@link #claim(String)}s every thread not yet claimed right
 * after it started a component (a member, the gateway, the client). Threads alive when the census was taken
 * are the JVM's ({@link #JVM}), except the thread that took it: it drives the load generator and polls the
 * client ({@link #CLIENT}). Threads no one claimed are {@link #OTHER}. Never used on a hot path.
 */
final class ThreadCensus
{
    static final String JVM = "jvm";
    static final String CLIENT = "client";
    static final String GATEWAY = "gateway";
    static final String OTHER = "other";
    /** Threads the gateway starts when a client logs on, after the gateway was claimed. */
    private static final String GATEWAY_THREAD_PREFIX = "keel-gateway";

    /** One thread's counters at a sample. */
    record ThreadCost(long id, String name, String component, long cpuNs, long allocatedBytes)
    {
    }

    /** Everything measured at one instant. */
    record Sample(
        long nanoTime, Map<Long, ThreadCost> threads, long processCpuNs, long gcCount, long gcTimeMs)
    {
    }

    private final com.sun.management.ThreadMXBean threadBean =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final Map<Long, String> componentByThread = new HashMap<>();

    ThreadCensus()
    {
        if (threadBean.isThreadCpuTimeSupported() && !threadBean.isThreadCpuTimeEnabled())
        {
            threadBean.setThreadCpuTimeEnabled(true);
        }
        if (threadBean.isThreadAllocatedMemorySupported() && !threadBean.isThreadAllocatedMemoryEnabled())
        {
            threadBean.setThreadAllocatedMemoryEnabled(true);
        }
        componentByThread.put(Thread.currentThread().getId(), CLIENT);
        claim(JVM);
    }

    /**
     * Every live thread no component has claimed yet belongs to {@code component}: call it right after the
     * component started its threads and before the next one starts any.
     */
    void claim(final String component)
    {
        for (final long id : threadBean.getAllThreadIds())
        {
            componentByThread.putIfAbsent(id, component);
        }
    }

    /**
     * @return the component of a thread: the gateway's by name (it starts its logon thread when the client logs on),
     * else the one that claimed it, else {@link #OTHER}.
     */
    String componentOf(final long id, final String name)
    {
        if (name != null && name.startsWith(GATEWAY_THREAD_PREFIX))
        {
            return GATEWAY;
        }
        final String claimed = componentByThread.get(id);
        return claimed != null ? claimed : OTHER;
    }

    /**
     * A media driver's shared thread is named after its aeron directory ({@code /dev/shm/.../aeron [sender,receiver,
     * driver-conductor]}): keep the roles, the directory is in the component already.
     */
    static String threadName(final String name)
    {
        if (name.startsWith("/"))
        {
            final int roles = name.lastIndexOf(" [");
            return "driver" + (roles >= 0 ? name.substring(roles) : "");
        }
        return name;
    }

    Sample sample()
    {
        final long[] ids = threadBean.getAllThreadIds();
        final long[] allocated = threadBean.getThreadAllocatedBytes(ids);
        final java.lang.management.ThreadInfo[] infos = threadBean.getThreadInfo(ids);
        final Map<Long, ThreadCost> threads = new LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++)
        {
            final long cpuNs = threadBean.getThreadCpuTime(ids[i]);
            if (infos[i] == null || cpuNs < 0)
            {
                continue; // ended meanwhile
            }
            final String name = threadName(infos[i].getThreadName());
            threads.put(ids[i], new ThreadCost(ids[i], name, componentOf(ids[i], name), cpuNs, Math.max(0, allocated[i])));
        }
        long gcCount = 0;
        long gcTimeMs = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTimeMs += Math.max(0, gc.getCollectionTime());
        }
        final long processCpuNs = ManagementFactory.getOperatingSystemMXBean() instanceof
            com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
        return new Sample(System.nanoTime(), threads, processCpuNs, gcCount, gcTimeMs);
    }
}
