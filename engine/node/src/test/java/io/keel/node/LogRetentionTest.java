package io.keel.node;

import io.aeron.Aeron;
import io.keel.codecs.PurgeRequestDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionIds;
import io.keel.common.ClusterUnreachableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log retention ({@code keel admin purge}): the cluster log and old snapshots purged to a snapshot on every member,
 * the disk they held freed, and the cluster none the worse: a whole-cluster restart recovers the same state, trading
 * goes on, and a follower that falls behind after the purge still catches up. A purge while a member is down is
 * refused (it could be stranded behind what the leader no longer holds).
 */
class LogRetentionTest
{
    private static final int INSTRUMENT = 7;
    private static final long BUYER = 1;
    private static final long SELLER = 2;
    private static final int GATEWAY = 1;
    private static final long BUYER_SESSION = SessionIds.clientSessionId(GATEWAY, 1);
    private static final long SELLER_SESSION = SessionIds.clientSessionId(GATEWAY, 2);
    /** Small terms and archive segments, so that a few thousand orders fill several segments. */
    private static final String SEGMENT = "64k";
    private static final long SEGMENT_BYTES = 64 * 1024;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(150)
    void shouldPurgeLogToSnapshotOnEveryMemberThenRestartWithSameStateAndCatchUpLaggingFollower()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3,
            (config) -> config.logTermLength(SEGMENT).archiveSegmentLength(SEGMENT).journalSegmentBytes((int)SEGMENT_BYTES));
        final KeelNode leader = cluster.awaitLeader(10_000);
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);

        // Several segments of log, two snapshots on the way.
        flow(gateway, admin, 10_000, 1_200);
        final long snapshot1 = snapshot(admin, all);
        flow(gateway, admin, 20_000, 800);
        final long snapshot2 = snapshot(admin, all);
        flow(gateway, admin, 30_000, 400);

        // A member down: the purge is refused, naming it (it could be stranded behind the purged log).
        final int follower = (leader.memberId() + 1) % 3;
        harness.stopNode(cluster, follower);
        final ClusterUnreachableException refused = assertThrows(ClusterUnreachableException.class, () -> probe(admin));
        assertTrue(refused.getMessage().startsWith("purge refused: member " + follower + " "), refused.getMessage());
        harness.allowRestartedMemberRejoin(follower);
        cluster.startNode(follower, false);
        final TestClient.AdminResult caughtUp = admin.requestStateHash();
        StateHashes.awaitEqualAt(caughtUp.logPosition(), caughtUp.value(), 20_000, all);

        // Every member up: purge to the latest snapshot every member can spare.
        final long[] bytesBefore = archiveBytes(cluster);
        final JournalSummary[] journalsBefore = journals(cluster);
        final MemberLogPositions.Position lowest = MemberLogPositions.lowest(probe(admin));
        assertTrue(lowest.position() > snapshot2, lowest + " is past the second snapshot at " + snapshot2);
        final TestClient.AdminResult purge = admin.adminOk(
            (c) -> admin.client().requestPurge(c, lowest.position(), Long.MAX_VALUE));
        assertEquals(PurgeRequestDecoder.TEMPLATE_ID, purge.refTemplateId());
        assertEquals(RejectReason.NONE, purge.result());
        assertEquals(lowest.position(), purge.value(), "the bound, below the log position the request was applied at");
        final long expectedStart = snapshot2 / SEGMENT_BYTES * SEGMENT_BYTES;
        ClusterHarness.await(() -> Arrays.stream(nodes(cluster)).allMatch((n) -> n.logStartPosition() == expectedStart),
            20_000, () -> "every member's log to start at " + expectedStart + " (segment of the snapshot at " + snapshot2 +
            "): " + Arrays.toString(Arrays.stream(nodes(cluster)).mapToLong(KeelNode::logStartPosition).toArray()));
        assertTrue(expectedStart > snapshot1, "the first snapshot is before the new start: its recordings go too");
        ClusterHarness.await(() -> freed(bytesBefore, archiveBytes(cluster)) >= expectedStart - SEGMENT_BYTES,
            20_000, () -> "archive bytes freed on every member: before " + Arrays.toString(bytesBefore) + " now " +
            Arrays.toString(archiveBytes(cluster)));
        // The journal too: its whole segments that end before the log's new start.
        ClusterHarness.await(() ->
            {
                final JournalSummary[] now = journals(cluster);
                for (int i = 0; i < now.length; i++)
                {
                    if (now[i].segments() >= journalsBefore[i].segments() ||
                        now[i].firstLogPosition() <= journalsBefore[i].firstLogPosition())
                    {
                        return false;
                    }
                }
                return true;
            },
            20_000, () -> "every member's journal purged before " + expectedStart + ": before " +
            Arrays.toString(journalsBefore) + " now " + Arrays.toString(journals(cluster)));
        final long[] bytesAfter = archiveBytes(cluster);
        System.out.println("[log-retention] archive bytes per member before " + Arrays.toString(bytesBefore) +
            ", after " + Arrays.toString(bytesAfter) + ", log start " + expectedStart + " (snapshots at " + snapshot1 +
            ", " + snapshot2 + "); journals before " + Arrays.toString(journalsBefore) + ", after " +
            Arrays.toString(journals(cluster)));

        // The state to come back to: the gateway's close is a state change of its own, so it goes first.
        harness.closeClient(gateway);
        admin.pollFor(1_000);
        final TestClient.AdminResult beforeRestart = admin.requestStateHash();
        StateHashes.awaitEqualAt(beforeRestart.logPosition(), beforeRestart.value(), 10_000, all);

        // Every member restarts from its snapshot and the log it kept.
        harness.allowWholeClusterStop();
        harness.closeClient(admin);
        for (int i = 0; i < 3; i++)
        {
            harness.stopNode(cluster, i);
        }
        harness.allowRestartedMemberRejoin(0, 1, 2);
        for (int i = 0; i < 3; i++)
        {
            cluster.startNode(i, false);
        }
        cluster.awaitLeader(15_000);
        final TestClient adminAfter = harness.admin(cluster.ingressEndpoints());
        final TestClient.AdminResult afterRestart = adminAfter.requestStateHash();
        StateHashes.awaitEqualAt(afterRestart.logPosition(), afterRestart.value(), 15_000, all);
        assertEquals(Long.toHexString(beforeRestart.value()), Long.toHexString(afterRestart.value()),
            "the state after the restart is the state before it");

        // Trading goes on; a follower stopped now falls behind the purged log's leader and still catches up.
        gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        final int lagging = (cluster.awaitLeader(1_000).memberId() + 2) % 3;
        harness.stopNode(cluster, lagging);
        flow(gateway, adminAfter, 40_000, 200);
        harness.allowRestartedMemberRejoin(lagging);
        cluster.startNode(lagging, false);
        flow(gateway, adminAfter, 50_000, 20);
        final TestClient.AdminResult end = adminAfter.requestStateHash();
        StateHashes.awaitEqualAt(end.logPosition(), end.value(), 20_000, all);
        StateHashes.assertConsistentHistory(all);
    }

    private static void flow(final TestClient gateway, final TestClient admin, final long firstClOrdId, final int orders)
    {
        final ResendingOrderFlow flow = new ResendingOrderFlow(
            gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, firstClOrdId, orders).alsoPoll(admin);
        flow.runUntilAcked(orders, 60_000);
        flow.assertNoRejectsOrDuplicates();
    }

    /**
     * A snapshot through the log; every member records its hash there. Returns its log position.
     */
    private static long snapshot(final TestClient admin, final File[] all)
    {
        final TestClient.AdminResult request = admin.adminOk(admin.client()::requestSnapshot);
        ClusterHarness.await(
            () -> Arrays.stream(all).allMatch((dir) -> StateHashes.firstPositionAfter(dir, request.logPosition()) > 0),
            15_000,
            () -> "a snapshot on every node: " + StateHashes.describe(all));
        return StateHashes.firstPositionAfter(all[0], request.logPosition());
    }

    /**
     * What {@code keel admin purge} asks every member's archive first.
     */
    private List<MemberLogPositions.Position> probe(final TestClient admin)
    {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(admin.aeronDir().getAbsolutePath())))
        {
            return MemberLogPositions.probe(
                new NodeContext().hosts("localhost,localhost,localhost").basePort(harness.basePort()).conclude(),
                aeron, "localhost");
        }
    }

    private static KeelNode[] nodes(final EmbeddedCluster cluster)
    {
        final KeelNode[] nodes = new KeelNode[cluster.memberCount()];
        for (int i = 0; i < nodes.length; i++)
        {
            nodes[i] = cluster.node(i);
        }
        return nodes;
    }

    private static JournalSummary[] journals(final EmbeddedCluster cluster)
    {
        return Arrays.stream(nodes(cluster)).map((n) -> JournalSummary.read(n.config().journalDir()))
            .toArray(JournalSummary[]::new);
    }

    private static long[] archiveBytes(final EmbeddedCluster cluster)
    {
        return Arrays.stream(nodes(cluster)).mapToLong((n) -> LogPurger.directoryBytes(n.config().archiveDir())).toArray();
    }

    /**
     * The least any member freed.
     */
    private static long freed(final long[] before, final long[] after)
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < before.length; i++)
        {
            least = Math.min(least, before[i] - after[i]);
        }
        return least;
    }
}
