package io.keel.node;

import io.aeron.cluster.RecordingLog;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members stop and come back with their directories (not clean): they rebuild the state from
 * their snapshot and log, and catch up with what the others did meanwhile.
 */
class ClusterRecoveryTest
{
    private static final int INSTRUMENT = 7;
    private static final long BUYER = 1;
    private static final long SELLER = 2;
    private static final int GATEWAY = 1;
    private static final long BUYER_SESSION = SessionIds.clientSessionId(GATEWAY, 1);
    private static final long SELLER_SESSION = SessionIds.clientSessionId(GATEWAY, 2);

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(90)
    void shouldCatchUpFollowerStoppedAndRestarted()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode leader = cluster.awaitLeader(10_000);
        final int follower = (leader.memberId() + 1) % 3;
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        final ResendingOrderFlow flow = new ResendingOrderFlow(
            gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 10_000, 200).alsoPoll(admin);

        flow.runUntilAcked(40, 20_000);
        harness.stopNode(cluster, follower);

        // Two of three keep the cluster going.
        flow.runUntilAcked(140, 30_000);
        final TestClient.AdminResult whileDown = admin.requestStateHash();
        final int[] running = java.util.stream.IntStream.range(0, 3).filter((i) -> i != follower).toArray();
        StateHashes.awaitEqualAt(
            whileDown.logPosition(), whileDown.value(), 10_000, ClusterReplicationTest.nodeDirs(cluster, running));
        final File followerDir = ClusterReplicationTest.nodeDirs(cluster, follower)[0];
        assertNull(StateHashes.at(followerDir, whileDown.logPosition()), "the stopped follower saw nothing");

        // Back with its old directory: it catches up, and trading goes on meanwhile.
        harness.allowRestartedMemberRejoin(follower);
        cluster.startNode(follower, false);
        flow.runUntilAcked(200, 30_000);
        assertEquals(leader.memberId(), cluster.awaitLeader(1_000).memberId(), "the leader stayed");

        final TestClient.AdminResult hash = admin.requestStateHash();
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 20_000, all);
        // While catching up it applied the request made while it was down: same hash there too.
        assertEquals(Long.valueOf(whileDown.value()), StateHashes.at(followerDir, whileDown.logPosition()));
        StateHashes.assertConsistentHistory(all);

        flow.assertNoRejectsOrDuplicates();
        flow.assertEveryOrderFilledOnce(30_000);
        flow.assertBalancesViaWithdrawProbe(admin);
    }

    @Test
    @Timeout(120)
    void shouldRecoverFromSnapshotAfterWholeClusterRestart()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        cluster.awaitLeader(10_000);
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);
        TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);

        new ResendingOrderFlow(gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 10_000, 60)
            .runUntilAcked(60, 20_000);
        // A resting GTC buy and a GTD sell far in the future: book, clOrdIds and expiry timer
        // must all survive the restart.
        assertTrue(gateway.limit(BUYER_SESSION, BUYER, 500, INSTRUMENT, Side.BUY, 95, 5));
        final long restingBuyId = gateway.awaitReport(500, ExecType.NEW, 10_000).orderId();
        final long expireTime = System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1);
        gateway.ensureOpen(SELLER_SESSION, SELLER);
        assertTrue(gateway.client().newOrder(
            SELLER_SESSION, SELLER, 501, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTD, false,
            SelfTradePrevention.NONE, 105, 3, expireTime));
        final long restingSellId = gateway.awaitReport(501, ExecType.NEW, 10_000).orderId();

        // A hash request before the snapshot: recovery from the snapshot must not replay it.
        final TestClient.AdminResult beforeSnapshot = admin.requestStateHash();
        StateHashes.awaitEqualAt(beforeSnapshot.logPosition(), beforeSnapshot.value(), 10_000, all);

        // Snapshot through the log; every node records its hash when it takes it.
        final TestClient.AdminResult snapshotRequest = admin.adminOk(admin.client()::requestSnapshot);
        ClusterHarness.await(
            () -> java.util.Arrays.stream(all)
                .allMatch((dir) -> StateHashes.firstPositionAfter(dir, snapshotRequest.logPosition()) > 0),
            15_000,
            () -> "a snapshot on every node: " + StateHashes.describe(all));
        final long snapshotPosition = StateHashes.firstPositionAfter(all[0], snapshotRequest.logPosition());
        StateHashes.awaitEqualAt(snapshotPosition, StateHashes.at(all[0], snapshotPosition), 1_000, all);

        // More flow after the snapshot, then the hash to come back to.
        new ResendingOrderFlow(gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 20_000, 40)
            .runUntilAcked(40, 20_000);
        assertTrue(gateway.client().replaceOrder(BUYER_SESSION, BUYER, 502, 500, 0, INSTRUMENT, 96, 4));
        assertEquals(restingBuyId, gateway.awaitReport(502, ExecType.REPLACED, 10_000).orderId());
        final long maxOrderId = gateway.reports().stream().mapToLong(TestClient.Report::orderId).max().orElseThrow();
        final long maxExecId = gateway.reports().stream().mapToLong(TestClient.Report::execId).max().orElseThrow();
        final long maxTradeId = gateway.reports().stream().mapToLong(TestClient.Report::tradeId).max().orElseThrow();
        // The gateway goes first: its cluster session's close disconnects its client sessions, a state change of
        // its own; the state to come back to is the one after it.
        harness.closeClient(gateway);
        admin.pollFor(1_000);
        final TestClient.AdminResult beforeRestart = admin.requestStateHash();
        StateHashes.awaitEqualAt(beforeRestart.logPosition(), beforeRestart.value(), 10_000, all);

        // Whole cluster down.
        harness.allowWholeClusterStop();
        harness.closeClient(admin);
        for (int i = 0; i < 3; i++)
        {
            harness.stopNode(cluster, i);
        }
        for (final File dir : all)
        {
            try (RecordingLog recordingLog = new RecordingLog(new File(dir, "cluster"), false))
            {
                final RecordingLog.Entry snapshot = recordingLog.getLatestSnapshot(0);
                assertNotNull(snapshot, "a service snapshot in " + dir);
                assertEquals(snapshotPosition, snapshot.logPosition, "snapshot position in " + dir);
            }
        }

        harness.allowRestartedMemberRejoin(0, 1, 2);
        // All back, not clean: snapshot + the log after it.
        for (int i = 0; i < 3; i++)
        {
            cluster.startNode(i, false);
        }
        cluster.awaitLeader(15_000);
        admin = harness.admin(cluster.ingressEndpoints());
        gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);

        final TestClient.AdminResult afterRestart = admin.requestStateHash();
        StateHashes.awaitEqualAt(afterRestart.logPosition(), afterRestart.value(), 15_000, all);
        assertEquals(
            Long.toHexString(beforeRestart.value()), Long.toHexString(afterRestart.value()),
            "the state after the restart is the state before it");
        for (final File dir : all)
        {
            // Replayed after the snapshot (recorded again, same hash), not before it.
            assertEquals(2, count(dir, beforeRestart.logPosition()), "log after the snapshot replayed: " +
                StateHashes.describe(dir));
            assertEquals(1, count(dir, beforeSnapshot.logPosition()), "log before the snapshot not replayed: " +
                StateHashes.describe(dir));
        }
        StateHashes.assertConsistentHistory(all);

        // New orders continue the counters, against the restored book and clOrdIds.
        // The sessions were disconnected with the old gateway: the new one serves them again.
        gateway.ensureOpen(SELLER_SESSION, SELLER);
        assertTrue(gateway.limit(BUYER_SESSION, BUYER, 600, INSTRUMENT, Side.BUY, 105, 3));
        final TestClient.Report newOrder = gateway.awaitReport(600, ExecType.NEW, 10_000);
        final TestClient.Report fill = gateway.awaitReport(600, ExecType.TRADE, 10_000);
        final TestClient.Report makerFill = gateway.awaitReport(501, ExecType.TRADE, 10_000);
        assertTrue(newOrder.orderId() > maxOrderId, newOrder.orderId() + " > " + maxOrderId);
        assertTrue(newOrder.execId() > maxExecId, newOrder.execId() + " > " + maxExecId);
        assertTrue(fill.tradeId() > maxTradeId, fill.tradeId() + " > " + maxTradeId);
        assertEquals(restingSellId, makerFill.orderId(), "the GTD sell from before the restart");
        assertEquals(OrdStatus.FILLED, makerFill.ordStatus());
        assertEquals(105, fill.lastPrice());
        assertTrue(gateway.client().cancelOrder(BUYER_SESSION, BUYER, 601, 502, 0, INSTRUMENT));
        final TestClient.Report canceled = gateway.awaitReport(601, ExecType.CANCELED, 10_000);
        assertEquals(restingBuyId, canceled.orderId(), "found by its replaced clOrdId after the restart");
        assertEquals(4, canceled.quantity());

        final TestClient.AdminResult end = admin.requestStateHash();
        StateHashes.awaitEqualAt(end.logPosition(), end.value(), 10_000, all);
        StateHashes.assertConsistentHistory(all);
    }

    private static long count(final File nodeDir, final long position)
    {
        return StateHashes.read(nodeDir).stream().filter((line) -> line.position() == position).count();
    }
}
