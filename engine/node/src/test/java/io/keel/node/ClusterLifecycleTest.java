package io.keel.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;

/**
 * Stopping a member cleanly (KeelNode.close, as EmbeddedCluster.stopNode and NodeMain on
 * SIGTERM do) and starting it again, behind the others, so that it needs a catch-up from the
 * leader each time: it catches up every time, and nothing lands in any Aeron error log.
 */
class ClusterLifecycleTest
{
    static final int ROUNDS = Integer.getInteger("keel.test.lifecycleRounds", 4);

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(90)
    void shouldCatchUpFollowerRestartedRepeatedlyWithoutErrorLogEntries()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode leader = cluster.awaitLeader(10_000);
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(7, 1, 2);
        final File[] all = ClusterReplicationTest.nodeDirs(cluster);

        // The same follower, again and again; the log moves on while it is down, so each return
        // needs a catch-up from the leader's archive.
        final int follower = (leader.memberId() + 1) % 3;
        harness.allowRestartedMemberRejoin(follower);
        for (int round = 0; round < ROUNDS; round++)
        {
            harness.stopNode(cluster, follower);
            admin.adminOk((c) -> admin.client().deposit(c, 1, ClusterHarness.QUOTE, 1));
            admin.adminOk((c) -> admin.client().deposit(c, 2, ClusterHarness.QUOTE, 1));
            final long startNs = System.nanoTime();
            cluster.startNode(follower, false);
            final TestClient.AdminResult hash = admin.requestStateHash();
            StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 20_000, all);
            System.out.printf("[lifecycle] round %d: member %d back and caught up in %.0f ms%n",
                round, follower, (System.nanoTime() - startNs) / 1e6);
        }
    }
}
