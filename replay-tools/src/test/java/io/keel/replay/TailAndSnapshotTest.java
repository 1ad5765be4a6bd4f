package io.keel.replay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tools that talk to a running cluster: {@code tail} follows the log through a node's
 * archive while the cluster works, {@code snapshot} asks for a snapshot, {@code describe} sees
 * the live role.
 */
@Timeout(120)
class TailAndSnapshotTest
{
    private ScriptedCluster cluster;

    @AfterEach
    void tearDown()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void tailReceivesEveryEntryWhileTheEngineLatencyIsUnchanged() throws Exception
    {
        cluster = new ScriptedCluster("tail");
        cluster.timedDeposits(100); // warm-up
        final long[] before = cluster.timedDeposits(200);

        final File tailOut = new File(cluster.dir, "tail.jsonl");
        final AtomicInteger tailExit = new AtomicInteger(-1);
        final Thread tail = new Thread(() -> tailExit.set(ReplayMain.run(
            "tail", "--base-port", Integer.toString(cluster.basePort), "--from", "start", "--format", "json",
            "--seconds", "100", "--out", tailOut.getPath())), "tail");
        tail.start();

        cluster.runFlowWithSnapshotInTheMiddle();
        final long[] during = cluster.timedDeposits(200);

        final ReplayCli.Result snapshot = ReplayCli.replay("snapshot", "--base-port", Integer.toString(cluster.basePort),
            "--dir", cluster.nodeDir().getPath());
        assertEquals(0, snapshot.exit(), snapshot.toString());
        assertTrue(snapshot.lastLine().matches("snapshot: taken at position \\d+ ok"), snapshot.toString());

        final ReplayCli.Result live = ReplayCli.replay("describe", cluster.nodeDir().getPath());
        assertEquals(0, live.exit(), live.toString());
        assertTrue(live.out().contains("process: running: role=LEADER commit-position="), live.toString());

        cluster.adminCommand("StateHashRequest", (c, id) -> c.requestStateHash(id));
        cluster.awaitHashLines(5);
        final List<String> hashes = cluster.hashLines();
        final long lastPosition = Long.parseLong(hashes.get(hashes.size() - 1).split(" ")[0]);
        cluster.await("tail to reach " + lastPosition, () -> lastTailPosition(tailOut) >= lastPosition, 20_000);
        tail.interrupt();
        tail.join(10_000);
        assertEquals(0, tailExit.get());
        final long[] after = cluster.timedDeposits(200);
        cluster.stop();

        final List<String> dumped = upTo(ReplayCli.replay("dump", cluster.nodeDir().getPath(), "--format", "json")
            .lines(), lastPosition);
        final List<String> tailed = upTo(Files.readAllLines(tailOut.toPath()), lastPosition);
        assertTrue(dumped.size() > 500, "entries: " + dumped.size());
        assertEquals(dumped, tailed);

        // Not a benchmark (perf/ measures): a guard that the follower does not hold the cluster back.
        final long p50Before = before[before.length / 2];
        final long p50During = during[during.length / 2];
        final long p50After = after[after.length / 2];
        System.out.printf("[tail] admin round trip p50: before tail %.3f ms, while tailing %.3f ms, after %.3f ms%n",
            p50Before / 1e6, p50During / 1e6, p50After / 1e6);
        final long without = Math.max(p50Before, p50After);
        assertTrue(p50During < 5 * without + 5_000_000L, "p50 " + without + " ns -> " + p50During + " ns");
    }

    @Test
    void snapshotAgainstNoClusterFailsWithinItsTimeout()
    {
        final ReplayCli.Result result = ReplayCli.replay(
            "snapshot", "--base-port", "23990", "--timeout-s", "2");
        assertEquals(1, result.exit(), result.toString());
        assertEquals(1, result.err().trim().split("\n").length, result.toString());
        assertTrue(result.err().startsWith("keel replay: no cluster leader answered within ") &&
            result.err().contains(" at ingress 0=localhost:23991 "), result.toString());
    }

    private static long lastTailPosition(final File file)
    {
        try
        {
            long last = -1;
            if (file.exists())
            {
                for (final String line : Files.readAllLines(file.toPath()))
                {
                    if (line.startsWith("{\"position\":") && line.endsWith("}"))
                    {
                        last = Long.parseLong(line.substring(12, line.indexOf(',')));
                    }
                }
            }
            return last;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static List<String> upTo(final List<String> jsonLines, final long position)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : jsonLines)
        {
            if (Long.parseLong(line.substring(12, line.indexOf(','))) <= position)
            {
                lines.add(line);
            }
        }
        return lines;
    }
}
