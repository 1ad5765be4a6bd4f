package io.keel.node;

import com.sun.management.ThreadMXBean;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What an {@link OutputJournal#append} costs: printed, never asserted. Not a unit test (the name keeps it out of the
 * build); run with {@code mvn -o -q -pl engine/node -am test -Dtest=OutputJournalAppendCost -Dkeel.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 * <p>
 * Rounds of 1M 160-byte reports over 1,000 sessions, two per log position, into default 64 MiB segments. Printed per
 * round: wall and thread CPU time per append over the whole round (roll-overs included); the median of 1,000-append
 * batches (steady state); the slowest batch (a roll-over: a new zero-filled segment); GCs; and a replay of the newer
 * half of every session. Bytes allocated cover the whole round: 1,000 new sessions, their checkpoint growth and
 * four roll-overs; none of it per append.
 */
class OutputJournalAppendCost
{
    private static final int COUNT = 1_000_000;
    private static final int BATCH = 1_000;
    private static final int SESSIONS = 1_000;
    private static final int LENGTH = 160;

    @Test
    @EnabledIfSystemProperty(named = "keel.bench", matches = "true")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void printAppendCost()
    {
        final File dir = new File("target/output-journal-cost-" + System.nanoTime());
        final UnsafeBuffer message = new UnsafeBuffer(new byte[LENGTH]);
        message.setMemory(0, LENGTH, (byte)7);
        final long[] seqNos = new long[SESSIONS];
        final long[] batchNs = new long[COUNT / BATCH];
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        try
        {
            for (int round = 0; round < 5; round++)
            {
                Arrays.fill(seqNos, 0);
                try (OutputJournal journal = new OutputJournal(new OutputJournal.Context().dir(dir)))
                {
                    final long gcBefore = gcCount();
                    final long allocatedStart = threads.getCurrentThreadAllocatedBytes();
                    final long cpuStart = threads.getCurrentThreadCpuTime();
                    final long start = System.nanoTime();
                    long batchStart = start;
                    for (int i = 0; i < COUNT; i++)
                    {
                        final int session = (int)((i * 2654435761L) % SESSIONS);
                        journal.append(session, ++seqNos[session], 1 + (i >> 1), i, message, 0, LENGTH);
                        if ((i + 1) % BATCH == 0)
                        {
                            final long now = System.nanoTime();
                            batchNs[i / BATCH] = now - batchStart;
                            batchStart = now;
                        }
                    }
                    final long elapsed = System.nanoTime() - start;
                    final long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                    final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedStart;
                    final long gcs = gcCount() - gcBefore;

                    final long replayStart = System.nanoTime();
                    long replayed = 0;
                    for (int s = 0; s < SESSIONS; s++)
                    {
                        replayed += journal.replay(s, seqNos[s] / 2, 0, Integer.MAX_VALUE, (a, b, c, d, e, f, g) -> {});
                    }
                    final long replayElapsed = System.nanoTime() - replayStart;

                    Arrays.sort(batchNs);
                    System.out.printf("round %d: append %.0f ns wall, %.0f ns cpu per report; batch median %.0f ns " +
                        "per report, slowest batch %.1f ms; %d MiB, %d GCs, %d bytes allocated; replay %.0f ns per report%n",
                        round, (double)elapsed / COUNT, (double)cpu / COUNT, (double)batchNs[batchNs.length / 2] / BATCH,
                        batchNs[batchNs.length - 1] / 1e6, journal.bytesHeld() >> 20, gcs, allocated,
                        (double)replayElapsed / replayed);
                }
                IoUtil.delete(dir, false);
            }
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += gc.getCollectionCount();
        }
        return count;
    }
}
