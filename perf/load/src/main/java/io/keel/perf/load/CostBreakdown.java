package io.keel.perf.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a measured window cost, per message: CPU time and allocated bytes per thread between two
 * {@link ThreadCensus.Sample}s, summed by component (node-0, gateway, client, ...) and by thread name within a
 * component (threads of one name in one component — a member's several Aeron client conductors — are one row),
 * garbage collections in the window, and the CPU time of the JVM's own native threads (GC, JIT, VM: the
 * process's CPU time less that of every Java thread). The path is every component but {@link ThreadCensus#JVM}.
 */
final class CostBreakdown
{
    /** CPU and allocation of one component, or of the threads of one name within it, over the window. */
    record Row(String component, String thread, int threads, long cpuNs, long allocatedBytes)
    {
    }

    private final List<Row> components;
    private final List<Row> threads;
    private final long messages;
    private final long windowNs;
    private final long gcCount;
    private final long gcTimeMs;
    private final long nativeCpuNs;
    private final int endedThreads;

    private CostBreakdown(
        final List<Row> components, final List<Row> threads, final long messages, final long windowNs,
        final long gcCount, final long gcTimeMs, final long nativeCpuNs, final int endedThreads)
    {
        this.components = components;
        this.threads = threads;
        this.messages = messages;
        this.windowNs = windowNs;
        this.gcCount = gcCount;
        this.gcTimeMs = gcTimeMs;
        this.nativeCpuNs = nativeCpuNs;
        this.endedThreads = endedThreads;
    }

    /**
     * @param messages answered requests in the window (the unit of every per-message figure).
     */
    static CostBreakdown between(final ThreadCensus.Sample before, final ThreadCensus.Sample after, final long messages)
    {
        final Map<String, Row> byComponent = new TreeMap<>(CostBreakdown::compareComponents);
        final Map<String, Row> byThread = new LinkedHashMap<>();
        long javaCpuNs = 0;
        for (final ThreadCensus.ThreadCost end : after.threads().values())
        {
            final ThreadCensus.ThreadCost start = before.threads().get(end.id());
            // A thread started in the window counts from zero.
            final long cpuNs = Math.max(0, end.cpuNs() - (start == null ? 0 : start.cpuNs()));
            final long bytes = Math.max(0, end.allocatedBytes() - (start == null ? 0 : start.allocatedBytes()));
            javaCpuNs += cpuNs;
            byComponent.merge(end.component(), new Row(end.component(), "", 1, cpuNs, bytes), CostBreakdown::sum);
            byThread.merge(end.component() + "\0" + end.name(), new Row(end.component(), end.name(), 1, cpuNs, bytes),
                CostBreakdown::sum);
        }
        int ended = 0;
        for (final Long id : before.threads().keySet())
        {
            ended += after.threads().containsKey(id) ? 0 : 1;
        }
        final List<Row> threadRows = new ArrayList<>(byThread.values());
        threadRows.sort(Comparator.comparing(Row::component, CostBreakdown::compareComponents)
            .thenComparing(Comparator.comparingLong(Row::cpuNs).reversed()));
        final long processCpuNs = after.processCpuNs() - before.processCpuNs();
        return new CostBreakdown(new ArrayList<>(byComponent.values()), threadRows, messages,
            after.nanoTime() - before.nanoTime(), after.gcCount() - before.gcCount(), after.gcTimeMs() - before.gcTimeMs(),
            before.processCpuNs() < 0 ? 0 : Math.max(0, processCpuNs - javaCpuNs), ended);
    }

    /**
     * Members first (node-0, node-1, ...), then the gateway, the client, anything else, the JVM's own last.
     */
    static int compareComponents(final String a, final String b)
    {
        final int rank = Integer.compare(rank(a), rank(b));
        return rank != 0 ? rank : a.compareTo(b);
    }

    private static int rank(final String component)
    {
        if (component.startsWith("node-"))
        {
            return 0;
        }
        return switch (component)
        {
            case ThreadCensus.GATEWAY -> 1;
            case ThreadCensus.CLIENT -> 2;
            case ThreadCensus.JVM -> 5;
            case ThreadCensus.OTHER -> 4;
            default -> 3;
        };
    }

    private static Row sum(final Row a, final Row b)
    {
        return new Row(a.component(), a.thread(), a.threads() + b.threads(), a.cpuNs() + b.cpuNs(),
            a.allocatedBytes() + b.allocatedBytes());
    }

    List<Row> components()
    {
        return components;
    }

    List<Row> threads()
    {
        return threads;
    }

    long messages()
    {
        return messages;
    }

    double windowSeconds()
    {
        return windowNs / 1e9;
    }

    long gcCount()
    {
        return gcCount;
    }

    long gcTimeMs()
    {
        return gcTimeMs;
    }

    int endedThreads()
    {
        return endedThreads;
    }

    /**
     * @return CPU µs per message of the JVM's native threads (GC, JIT, VM): not in {@link #pathCpuUsPerMessage()}.
     */
    double nativeCpuUsPerMessage()
    {
        return perMessage(nativeCpuNs) / 1000.0;
    }

    /**
     * @return CPU µs per message of every thread of the path (every component but the JVM's own threads).
     */
    double pathCpuUsPerMessage()
    {
        return perMessage(pathSum(true)) / 1000.0;
    }

    double pathAllocatedBytesPerMessage()
    {
        return perMessage(pathSum(false));
    }

    double perMessage(final long total)
    {
        return messages == 0 ? Double.NaN : (double)total / messages;
    }

    private long pathSum(final boolean cpu)
    {
        long total = 0;
        for (final Row row : components)
        {
            if (!ThreadCensus.JVM.equals(row.component()))
            {
                total += cpu ? row.cpuNs() : row.allocatedBytes();
            }
        }
        return total;
    }
}
