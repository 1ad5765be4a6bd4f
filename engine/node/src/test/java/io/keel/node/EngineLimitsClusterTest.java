package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.SessionIds;
import io.keel.common.Cli;
import io.keel.engine.EngineLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits that change outcomes travel in the log and the snapshot, never in a node's flags: an admin's SetLimits
 * applies on every node at the same log position (the same refusals, the same state hash), survives a follower's
 * restart from a snapshot, and no node flag can set one any more.
 */
class EngineLimitsClusterTest
{
    private static final int INSTRUMENT = 7;
    private static final long HOG = 1;
    private static final long OTHER = 2;
    private static final int GATEWAY = 1;
    private static final long HOG_SESSION = SessionIds.clientSessionId(GATEWAY, 1);
    private static final long OTHER_SESSION = SessionIds.clientSessionId(GATEWAY, 2);

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    void shouldRefuseTheRetiredMaxOrdersNodeFlag()
    {
        assertEquals(2, Cli.run(new NodeMain(), "keel node", "--max-orders", "5"), "a node flag cannot set a limit");
    }

    @Test
    @Timeout(120)
    void shouldApplyLimitsFromTheLogOnEveryNodeAlsoAfterAFollowerRestartsFromASnapshot()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode leader = cluster.awaitLeader(10_000);
        final int follower = (leader.memberId() + 1) % 3;
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, HOG, OTHER);
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);

        // Through the log: every node applies it at this position, whatever it was started with.
        assertTrue(admin.client().setLimits(admin.nextCorrelationId(), 0, 2, 0, 0, 0));
        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        long clOrdId = 1;
        for (int i = 0; i < 2; i++)
        {
            assertTrue(gateway.limit(HOG_SESSION, HOG, clOrdId, INSTRUMENT, Side.SELL, 101 + i, 1));
            gateway.awaitReport(clOrdId++, ExecType.NEW, 10_000);
        }
        assertTrue(gateway.limit(HOG_SESSION, HOG, clOrdId, INSTRUMENT, Side.SELL, 103, 1));
        assertEquals(RejectReason.ACCOUNT_ORDER_LIMIT, gateway.awaitReport(clOrdId++, ExecType.REJECTED, 10_000).rejectReason());
        assertTrue(gateway.limit(OTHER_SESSION, OTHER, clOrdId, INSTRUMENT, Side.BUY, 101, 1));
        gateway.awaitReport(clOrdId++, ExecType.TRADE, 10_000);

        final TestClient.AdminResult hash = admin.requestStateHash();
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 10_000, all);

        // A snapshot carries the limits: a follower restarted from it refuses the same orders as the others (a
        // follower that lost them would accept, diverge, and halt at the next state check).
        final TestClient.AdminResult snapshot = admin.adminOk(admin.client()::requestSnapshot);
        ClusterHarness.await(
            () -> java.util.Arrays.stream(all).allMatch((dir) -> StateHashes.firstPositionAfter(dir, snapshot.logPosition()) > 0),
            15_000, () -> "a snapshot on every node");
        harness.stopNode(cluster, follower);
        harness.allowRestartedMemberRejoin(follower);
        cluster.startNode(follower, false);
        assertTrue(gateway.limit(HOG_SESSION, HOG, clOrdId, INSTRUMENT, Side.SELL, 104, 1));
        gateway.awaitReport(clOrdId++, ExecType.NEW, 10_000);
        assertTrue(gateway.limit(HOG_SESSION, HOG, clOrdId, INSTRUMENT, Side.SELL, 105, 1));
        assertEquals(RejectReason.ACCOUNT_ORDER_LIMIT, gateway.awaitReport(clOrdId++, ExecType.REJECTED, 10_000).rejectReason());

        final TestClient.AdminResult after = admin.requestStateHash();
        StateHashes.awaitEqualAt(after.logPosition(), after.value(), 30_000, all);
        assertNotEquals(hash.value(), after.value());
        assertTrue(EngineLimits.MAX_OPEN_ORDERS_PER_ACCOUNT_DEFAULT > 2, "the limit came from the log, not a default");
    }
}
