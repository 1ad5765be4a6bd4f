package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower whose state silently differs from the leader's (it skips one command) is caught by
 * the periodic StateCheck through the log and halts; the other two carry on serving.
 */
class ClusterDivergenceTest
{
    static final int INSTRUMENT = 7;
    static final long BUYER = 1;
    static final long SELLER = 2;
    static final int GATEWAY = 1;
    /**
     * setUpMarket sends 7 admin commands; the 9th command is the second order (the crossing one).
     */
    static final long SKIPPED_COMMAND = 9;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(60)
    void shouldStopDivergedFollowerAndKeepServing()
    {
        final AtomicInteger faulty = new AtomicInteger(-1);
        final EmbeddedCluster cluster = harness.launchCluster(3, (config) ->
        {
            if (config.memberId() == faulty.get())
            {
                config.testSkipCommand(SKIPPED_COMMAND);
            }
        });
        final KeelNode leader = cluster.awaitLeader(10_000);

        // Make a follower faulty: restart it (not clean, no command applied yet) skipping one.
        final int follower = (leader.memberId() + 1) % 3;
        final int healthy = (leader.memberId() + 2) % 3;
        harness.stopNode(cluster, follower);
        faulty.set(follower);
        cluster.startNode(follower, false);
        harness.expectHalt(follower);
        harness.allowErrors(
            "the faulty member's service stops itself on divergence",
            (e) -> e.source().equals("node-" + follower + "/service") &&
                e.text().startsWith("org.agrona.concurrent.AgentTerminationException: state diverged from the leader"));

        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        final long buyerSession = SessionIds.clientSessionId(GATEWAY, 1);
        final long sellerSession = SessionIds.clientSessionId(GATEWAY, 2);
        assertTrue(gateway.limit(buyerSession, BUYER, 1, INSTRUMENT, Side.BUY, 100, 5));
        gateway.awaitReport(1, ExecType.NEW, 10_000);
        final long skippedAt = System.nanoTime();
        assertTrue(gateway.limit(sellerSession, SELLER, 2, INSTRUMENT, Side.SELL, 100, 5));
        gateway.awaitReport(2, ExecType.TRADE, 10_000);

        final KeelNode faultyNode = cluster.node(follower);
        ClusterHarness.await(
            () -> faultyNode.service().hasDiverged() && faultyNode.isClosed(),
            20 * ClusterHarness.STATE_CHECK_INTERVAL_MS,
            () -> "member " + follower + " to detect its divergence and halt");
        final double detectMs = (System.nanoTime() - skippedAt) / 1e6;
        System.out.printf("[divergence] member %d halted %.0f ms after the skipped command%n", follower, detectMs);
        for (final int member : new int[]{ leader.memberId(), healthy })
        {
            assertFalse(cluster.node(member).isClosed(), "member " + member + " closed");
            assertFalse(cluster.node(member).service().hasDiverged(), "member " + member + " diverged");
        }

        // The other two carry on.
        assertTrue(gateway.limit(buyerSession, BUYER, 3, INSTRUMENT, Side.BUY, 101, 2));
        gateway.awaitReport(3, ExecType.NEW, 10_000);
        assertTrue(gateway.limit(sellerSession, SELLER, 4, INSTRUMENT, Side.SELL, 101, 2));
        assertEquals(2, gateway.awaitReport(4, ExecType.TRADE, 10_000).lastQty());
        final TestClient.AdminResult hash = admin.requestStateHash();
        final File[] survivors = ClusterReplicationTest.nodeDirs(cluster, leader.memberId(), healthy);
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 10_000, survivors);
        assertNull(StateHashes.at(ClusterReplicationTest.nodeDirs(cluster, follower)[0], hash.logPosition()),
            "the halted member applies nothing more");
        assertEquals(leader.memberId(), cluster.awaitLeader(1_000).memberId(), "the leader stayed");
    }
}
