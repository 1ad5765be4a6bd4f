package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three in-JVM members, real media drivers: a leader is elected and every replica applies the
 * same log to the same state.
 */
class ClusterReplicationTest
{
    private static final int INSTRUMENT = 7;
    private static final long ACCOUNT_1 = 1;
    private static final long ACCOUNT_2 = 2;
    private static final int GATEWAY = 1;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(60)
    void shouldElectLeaderAndReachSameStateHashOnAllNodes()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode leader = cluster.awaitLeader(10_000);
        assertEquals(1, countLeaders(cluster), "exactly one leader");

        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        assertEquals(leader.memberId(), admin.client().leaderMemberId(), "client and nodes agree on the leader");
        admin.setUpMarket(INSTRUMENT, ACCOUNT_1, ACCOUNT_2);

        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        final long s1 = SessionIds.clientSessionId(GATEWAY, 1);
        final long s2 = SessionIds.clientSessionId(GATEWAY, 2);

        // Resting buy 10 @ 99.
        assertTrue(gateway.limit(s1, ACCOUNT_1, 101, INSTRUMENT, Side.BUY, 99, 10));
        final TestClient.Report restingNew = gateway.awaitReport(101, ExecType.NEW, 10_000);
        final long restingOrderId = restingNew.orderId();

        // Crossing sell 4 @ 99: trades 4 against the resting buy.
        assertTrue(gateway.limit(s2, ACCOUNT_2, 201, INSTRUMENT, Side.SELL, 99, 4));
        final TestClient.Report takerFill = gateway.awaitReport(201, ExecType.TRADE, 10_000);
        final TestClient.Report makerFill = gateway.awaitReport(101, ExecType.TRADE, 10_000);
        assertFill(takerFill, 99, 4, OrdStatus.FILLED);
        assertFill(makerFill, 99, 4, OrdStatus.PARTIALLY_FILLED);
        assertEquals(takerFill.tradeId(), makerFill.tradeId(), "both sides of one trade");

        // Resting buy 5 @ 98, then cancel it.
        assertTrue(gateway.limit(s1, ACCOUNT_1, 102, INSTRUMENT, Side.BUY, 98, 5));
        final long cancelMe = gateway.awaitReport(102, ExecType.NEW, 10_000).orderId();
        assertTrue(gateway.client().cancelOrder(s1, ACCOUNT_1, 103, 102, 0, INSTRUMENT));
        final TestClient.Report canceled = gateway.awaitReport(103, ExecType.CANCELED, 10_000);
        assertEquals(cancelMe, canceled.orderId());

        // Replace the partly filled buy: quantity 10 -> 8 (keeps priority), 4 left.
        assertTrue(gateway.client().replaceOrder(s1, ACCOUNT_1, 104, 101, 0, INSTRUMENT, 99, 8));
        final TestClient.Report replaced = gateway.awaitReport(104, ExecType.REPLACED, 10_000);
        assertEquals(restingOrderId, replaced.orderId());
        assertEquals(4, replaced.leavesQty());

        // Sell 6 @ 99: fills the replaced buy's 4, rests 2; then reprice the rest to 101.
        assertTrue(gateway.limit(s2, ACCOUNT_2, 202, INSTRUMENT, Side.SELL, 99, 6));
        assertFill(gateway.awaitReport(202, ExecType.TRADE, 10_000), 99, 4, OrdStatus.PARTIALLY_FILLED);
        assertFill(gateway.awaitReport(104, ExecType.TRADE, 10_000), 99, 4, OrdStatus.FILLED);
        assertTrue(gateway.client().replaceOrder(s2, ACCOUNT_2, 203, 202, 0, INSTRUMENT, 101, 6));
        final TestClient.Report repriced = gateway.awaitReport(203, ExecType.REPLACED, 10_000);
        assertEquals(2, repriced.leavesQty());

        // Fills at the gateway: 4 + 4 on each side, all at 99; no other trade.
        final List<TestClient.Report> fills = gateway.reports().stream()
            .filter((r) -> r.execType() == ExecType.TRADE).toList();
        assertEquals(4, fills.size(), "fills: " + fills);
        assertEquals(8, filled(fills, ACCOUNT_1), "account 1 bought 8");
        assertEquals(8, filled(fills, ACCOUNT_2), "account 2 sold 8");
        final Set<Long> execIds = new HashSet<>();
        gateway.reports().forEach((r) -> assertTrue(execIds.add(r.execId()), "execId reused: " + r));
        assertTrue(gateway.marketDataMessages() > 0, "market data reached the gateway");

        // Every node records its hash at the same log position: all equal.
        final TestClient.AdminResult hash = admin.requestStateHash();
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 10_000, nodeDirs(cluster));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(hash.logPosition(), cluster.node(i).service().lastHashPosition());
            assertEquals(hash.value(), cluster.node(i).service().lastHash());
        }

        // Balances as the fills imply, reservations included (the 2 left to sell at 101).
        ResendingOrderFlow.probe(admin, ACCOUNT_1, ClusterHarness.BASE, ClusterHarness.INITIAL_BASE + 8);
        ResendingOrderFlow.probe(admin, ACCOUNT_1, ClusterHarness.QUOTE, ClusterHarness.INITIAL_QUOTE - 8 * 99);
        ResendingOrderFlow.probe(admin, ACCOUNT_2, ClusterHarness.BASE, ClusterHarness.INITIAL_BASE - 8 - 2);
        ResendingOrderFlow.probe(admin, ACCOUNT_2, ClusterHarness.QUOTE, ClusterHarness.INITIAL_QUOTE + 8 * 99);

        final TestClient.AdminResult after = admin.requestStateHash();
        StateHashes.awaitEqualAt(after.logPosition(), after.value(), 10_000, nodeDirs(cluster));
        StateHashes.assertConsistentHistory(nodeDirs(cluster));
        assertEquals(leader.memberId(), cluster.awaitLeader(1_000).memberId(), "no leader change in a quiet run");
    }

    private static long filled(final List<TestClient.Report> fills, final long accountId)
    {
        return fills.stream().filter((r) -> r.accountId() == accountId).mapToLong(TestClient.Report::lastQty).sum();
    }

    private static void assertFill(final TestClient.Report fill, final long price, final long qty, final OrdStatus status)
    {
        assertEquals(price, fill.lastPrice(), "fill price: " + fill);
        assertEquals(qty, fill.lastQty(), "fill quantity: " + fill);
        assertEquals(status, fill.ordStatus(), "order status after fill: " + fill);
        assertTrue(fill.tradeId() > 0, "trade id: " + fill);
    }

    static int countLeaders(final EmbeddedCluster cluster)
    {
        int leaders = 0;
        for (int i = 0; i < cluster.memberCount(); i++)
        {
            final KeelNode node = cluster.node(i);
            leaders += node != null && !node.isClosed() && node.isLeader() ? 1 : 0;
        }
        return leaders;
    }

    static File[] nodeDirs(final EmbeddedCluster cluster, final int... members)
    {
        final int[] ids = members.length > 0 ?
            members : java.util.stream.IntStream.range(0, cluster.memberCount()).toArray();
        final File[] dirs = new File[ids.length];
        for (int i = 0; i < ids.length; i++)
        {
            dirs[i] = cluster.nodeConfig(ids[i], false).nodeDir();
        }
        return dirs;
    }
}
