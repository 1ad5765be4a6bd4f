package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader dies while a gateway is sending orders: a new leader takes over, the gateway
 * carries on (resending unanswered orders with the same clOrdId), and nothing acknowledged is
 * lost or doubled.
 */
class ClusterFailoverTest
{
    static final int INSTRUMENT = 7;
    static final long BUYER = 1;
    static final long SELLER = 2;
    static final int GATEWAY = 1;
    static final int ORDERS = 400;
    static final int KILL_AFTER_ACKED = 120;
    static final long GTD_LIFETIME_MS = 3_000;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(90)
    void shouldContinueAfterLeaderKilledUnderLoad() throws Exception
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode oldLeader = cluster.awaitLeader(10_000);
        final int oldLeaderId = oldLeader.memberId();
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);

        // A GTD sell away from the flow's price, expiring after the kill: its cluster timer must
        // survive the failover and fire on the new leader.
        final long gtdClOrdId = 1;
        final long expireTime = System.currentTimeMillis() + GTD_LIFETIME_MS;
        gateway.ensureOpen(SessionIds.clientSessionId(GATEWAY, 2), SELLER);
        assertTrue(gateway.client().newOrder(
            SessionIds.clientSessionId(GATEWAY, 2), SELLER, gtdClOrdId, INSTRUMENT, Side.SELL, OrdType.LIMIT,
            TimeInForce.GTD, false, SelfTradePrevention.NONE, 110, 1, expireTime));
        gateway.awaitReport(gtdClOrdId, ExecType.NEW, 10_000);

        final ResendingOrderFlow flow = new ResendingOrderFlow(
            gateway, INSTRUMENT, BUYER, SELLER, SessionIds.clientSessionId(GATEWAY, 1),
            SessionIds.clientSessionId(GATEWAY, 2), 10_000, ORDERS).alsoPoll(admin);
        flow.runUntilAcked(KILL_AFTER_ACKED, 20_000);

        // Kill the leader on another thread while the flow goes on.
        harness.allowLeaderHeartbeatTimeout(oldLeaderId);
        final Thread killer = new Thread(() ->
        {
            harness.captureNode(oldLeader);
            flow.killStarted();
            cluster.stopNode(oldLeaderId);
            flow.killDone();
            harness.captureNode(oldLeader);
        }, "kill-leader");
        killer.start();
        flow.runUntilAcked(ORDERS, 45_000);
        killer.join(10_000);
        assertTrue(oldLeader.isClosed(), "old leader closed");

        final KeelNode newLeader = cluster.awaitLeader(10_000);
        assertNotEquals(oldLeaderId, newLeader.memberId(), "a new leader");
        assertTrue(flow.failoverMs() > 0, "an order sent after the kill was answered");
        System.out.printf(
            "[failover] in-JVM close of leader %d: first order answered by new leader %d after %.0f ms " +
                "(heartbeat timeout %d ms, resends %d, status answers %d, reconnects %d)%n",
            oldLeaderId, newLeader.memberId(), flow.failoverMs(), ClusterHarness.HEARTBEAT_TIMEOUT_MS, flow.resends(),
            flow.statusAnswers(), gateway.client().reconnects());

        flow.assertNoRejectsOrDuplicates();
        flow.assertEveryOrderFilledOnce(30_000);
        final TestClient.Report expired = gateway.awaitReport(gtdClOrdId, ExecType.EXPIRED, 10_000);
        assertTrue(expired.receivedNs() > flow.killDoneNs(), "expired by the new leader");
        assertEquals(1, gateway.reportsFor(gtdClOrdId).stream().filter((r) -> r.execType() == ExecType.EXPIRED).count());

        final int[] survivors = java.util.stream.IntStream.range(0, 3).filter((i) -> i != oldLeaderId).toArray();
        final TestClient.AdminResult hash = admin.requestStateHash();
        StateHashes.awaitEqualAt(
            hash.logPosition(), hash.value(), 10_000, ClusterReplicationTest.nodeDirs(cluster, survivors));

        // The old leader rejoins (its log may hold entries never committed: they must go).
        harness.allowRestartedMemberRejoin(oldLeaderId);
        cluster.startNode(oldLeaderId, false);
        flow.assertBalancesViaWithdrawProbe(admin);
        final TestClient.AdminResult rejoined = admin.requestStateHash();
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);
        StateHashes.awaitEqualAt(rejoined.logPosition(), rejoined.value(), 20_000, all);
        StateHashes.assertConsistentHistory(all);
        assertEquals(newLeader.memberId(), cluster.awaitLeader(1_000).memberId(), "the rejoining node stays follower");
    }
}
