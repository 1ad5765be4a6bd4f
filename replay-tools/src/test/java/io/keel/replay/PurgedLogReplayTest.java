package io.keel.replay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline tools on a node whose log was purged to a snapshot ({@code keel admin purge}): they say where its
 * history now starts, answer a request for purged history with one line naming the earliest available point (exit
 * 2), and still verify and rebuild everything after it.
 */
@Timeout(90)
class PurgedLogReplayTest
{
    private static final long SEGMENT_BYTES = 64 * 1024;
    private static ScriptedCluster cluster;
    private static File nodeDir;
    private static long firstSnapshot;
    private static long secondSnapshot;

    @BeforeAll
    static void fillSeveralSegmentsSnapshotTwicePurgeThenStop()
    {
        cluster = new ScriptedCluster("purged-log", (config) -> config.logTermLength("64k").archiveSegmentLength("64k"));
        cluster.adminCommand("CreateAccount", (c, id) -> c.createAccount(id, 1));
        cluster.timedDeposits(700);
        cluster.adminCommand("SnapshotRequest", (c, id) -> c.requestSnapshot(id));
        cluster.awaitHashLines(1);
        cluster.timedDeposits(700);
        cluster.adminCommand("SnapshotRequest", (c, id) -> c.requestSnapshot(id));
        cluster.awaitHashLines(2);
        cluster.timedDeposits(100);
        firstSnapshot = position(cluster.hashLines().get(0));
        secondSnapshot = position(cluster.hashLines().get(1));
        cluster.adminCommand("PurgeRequest", (c, id) -> c.requestPurge(id, Long.MAX_VALUE, Long.MAX_VALUE));
        cluster.await("the node's purge", () -> cluster.cluster.node(0).logPurgesDone() > 0, 10_000);
        assertEquals(secondSnapshot / SEGMENT_BYTES * SEGMENT_BYTES, cluster.cluster.node(0).logStartPosition());
        cluster.adminCommand("StateHashRequest", (c, id) -> c.requestStateHash(id));
        cluster.awaitHashLines(3);
        cluster.stop();
        nodeDir = cluster.nodeDir();
    }

    @AfterAll
    static void deleteDirectories()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void describeShowsTheEarliestPositionHeldAndThePurgedSnapshot()
    {
        final ReplayCli.Result result = ReplayCli.replay("describe", nodeDir.getPath());
        assertEquals(0, result.exit(), result.toString());
        final long start = secondSnapshot / SEGMENT_BYTES * SEGMENT_BYTES;
        assertTrue(result.out().contains("log earliest held: position " + start + " time="), result.toString());
        assertTrue(result.out().contains("(history before it purged); the log is held from position " + start +
            "; the earliest point to rebuild from is the snapshot at position " + secondSnapshot), result.toString());
        assertTrue(result.out().contains("snapshots: 1 (and 1 purged"), result.toString());
        assertTrue(result.out().contains("snapshot position=" + firstSnapshot + " ") &&
            result.out().contains(" (purged)"), result.toString());
        assertTrue(result.out().contains("journal: 1 segment(s), "), result.toString());
    }

    @Test
    void rebuildAtAPurgedPositionNamesTheEarliestAvailablePoint()
    {
        final ReplayCli.Result result = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", Long.toString(firstSnapshot));
        assertEquals(2, result.exit(), result.toString());
        final List<String> lines = result.err().lines().toList();
        assertEquals(1, lines.size(), result.toString());
        assertTrue(lines.get(0).contains(": position " + firstSnapshot + " is before the history this node still " +
            "holds: the log is held from position " + secondSnapshot / SEGMENT_BYTES * SEGMENT_BYTES +
            "; the earliest point to rebuild from is the snapshot at position " + secondSnapshot + " ("),
            result.toString());
    }

    @Test
    void dumpFromAPurgedPositionNamesTheEarliestAvailablePoint()
    {
        final ReplayCli.Result result = ReplayCli.replay("dump", nodeDir.getPath(), "--from-position", "64");
        assertEquals(2, result.exit(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("entries from position 64 were purged: the log is held from position "),
            result.toString());

        final ReplayCli.Result byTime = ReplayCli.replay("dump", nodeDir.getPath(), "--from-time", "2020-01-01T00:00:00Z");
        assertEquals(2, byTime.exit(), byTime.toString());
        assertEquals(1, byTime.err().lines().count(), byTime.toString());
        assertTrue(byTime.err().contains("entries from time 2020-01-01T00:00:00.000Z may have been purged: the first " +
            "entry held is at "), byTime.toString());
    }

    @Test
    void verifyAndRebuildStillWorkFromTheSnapshotKept()
    {
        final ReplayCli.Result verify = ReplayCli.replay("verify", nodeDir.getPath());
        assertEquals(0, verify.exit(), verify.toString());
        assertTrue(verify.out().contains(" from=snapshot@" + secondSnapshot + " "), verify.toString());

        final ReplayCli.Result rebuild = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", "end");
        assertEquals(0, rebuild.exit(), rebuild.toString());
        assertTrue(rebuild.out().contains(" snapshot=" + secondSnapshot + " "), rebuild.toString());
    }

    private static long position(final String hashLine)
    {
        return Long.parseLong(hashLine.split(" ")[0]);
    }
}
