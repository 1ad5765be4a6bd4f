package io.keel.perf.load;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The arithmetic of {@code keel perf cost}: per-thread differences between two samples, summed by component and
 * by thread name, per message; the JVM's own threads outside the path; native CPU as the process's less the
 * Java threads'. No timing.
 */
class CostBreakdownTest
{
    @Test
    void shouldSumThreadsByComponentAndNamePerMessageLeavingTheJvmOutOfThePath()
    {
        final ThreadCensus.Sample before = sample(0, 10_000, 5, 100,
            thread(1, "main", ThreadCensus.CLIENT, 1_000, 100),
            thread(2, "aeron-client-conductor", "node-0", 2_000, 0),
            thread(3, "aeron-client-conductor", "node-0", 3_000, 0),
            thread(4, "Finalizer", ThreadCensus.JVM, 0, 0),
            thread(9, "gone", "node-0", 500, 0));
        final ThreadCensus.Sample after = sample(2_000_000_000L, 10_000 + 100_000, 7, 130,
            thread(1, "main", ThreadCensus.CLIENT, 21_000, 1_100),
            thread(2, "aeron-client-conductor", "node-0", 12_000, 0),
            thread(3, "aeron-client-conductor", "node-0", 13_000, 200),
            thread(4, "Finalizer", ThreadCensus.JVM, 10_000, 0),
            thread(5, "keel-gateway-1", ThreadCensus.GATEWAY, 30_000, 0)); // started in the window

        final CostBreakdown cost = CostBreakdown.between(before, after, 10);

        assertEquals(List.of("node-0", ThreadCensus.GATEWAY, ThreadCensus.CLIENT, ThreadCensus.JVM),
            cost.components().stream().map(CostBreakdown.Row::component).toList());
        final CostBreakdown.Row node = cost.components().get(0);
        assertEquals(2, node.threads());
        assertEquals(20_000, node.cpuNs());
        assertEquals(200, node.allocatedBytes());
        final CostBreakdown.Row conductors = cost.threads().stream()
            .filter((row) -> row.thread().equals("aeron-client-conductor")).findFirst().orElseThrow();
        assertEquals(2, conductors.threads());
        // Path: node 20,000 + gateway 30,000 + client 20,000 ns over 10 messages; the JVM's 10,000 left out.
        assertEquals(7.0, cost.pathCpuUsPerMessage(), 1e-9);
        assertEquals((200 + 1_000) / 10.0, cost.pathAllocatedBytesPerMessage(), 1e-9);
        // Native: process 100,000 less every Java thread's 80,000.
        assertEquals(2.0, cost.nativeCpuUsPerMessage(), 1e-9);
        assertEquals(2, cost.gcCount());
        assertEquals(30, cost.gcTimeMs());
        assertEquals(1, cost.endedThreads());
        assertEquals(2.0, cost.windowSeconds(), 1e-9);
    }

    @Test
    void shouldNameADriversSharedThreadByItsRolesNotItsDirectory()
    {
        assertEquals("driver [sender,receiver,driver-conductor]",
            ThreadCensus.threadName("/dev/shm/x/node-0/aeron [sender,receiver,driver-conductor]"));
        assertEquals("consensus-module-0-0", ThreadCensus.threadName("consensus-module-0-0"));
    }

    @Test
    void shouldAttributeThreadsToTheComponentThatClaimedThemFirst() throws Exception
    {
        final ThreadCensus census = new ThreadCensus();
        final Thread node = started("perf-test-node");
        census.claim("node-0");
        final Thread later = started("perf-test-later");
        try
        {
            assertEquals(ThreadCensus.CLIENT, census.componentOf(Thread.currentThread().getId(), "main"));
            assertEquals("node-0", census.componentOf(node.getId(), node.getName()));
            assertEquals(ThreadCensus.OTHER, census.componentOf(later.getId(), later.getName()));
            assertEquals(ThreadCensus.GATEWAY, census.componentOf(later.getId(), "keel-gateway-logon"));
        }
        finally
        {
            node.interrupt();
            later.interrupt();
            node.join();
            later.join();
        }
    }

    private static Thread started(final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                Thread.sleep(60_000);
            }
            catch (final InterruptedException ignore)
            {
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static ThreadCensus.ThreadCost thread(
        final long id, final String name, final String component, final long cpuNs, final long bytes)
    {
        return new ThreadCensus.ThreadCost(id, name, component, cpuNs, bytes);
    }

    private static ThreadCensus.Sample sample(
        final long nanoTime, final long processCpuNs, final long gcCount, final long gcTimeMs,
        final ThreadCensus.ThreadCost... threads)
    {
        final Map<Long, ThreadCensus.ThreadCost> byId = new LinkedHashMap<>();
        for (final ThreadCensus.ThreadCost thread : threads)
        {
            byId.put(thread.id(), thread);
        }
        return new ThreadCensus.Sample(nanoTime, byId, processCpuNs, gcCount, gcTimeMs);
    }
}
