package io.keel.node;

import io.keel.codecs.ExecType;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import io.keel.common.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Members as separate OS processes, started like {@code keel node} (the same main), killed and
 * stopped with real signals.
 */
class ClusterProcessTest
{
    static final int INSTRUMENT = 7;
    static final long BUYER = 1;
    static final long SELLER = 2;
    static final int GATEWAY = 1;
    static final long BUYER_SESSION = SessionIds.clientSessionId(GATEWAY, 1);
    static final long SELLER_SESSION = SessionIds.clientSessionId(GATEWAY, 2);
    /**
     * Aeron refuses to start a component over a mark file updated within the last 10 s
     * (ClusteredServiceContainer.Configuration.LIVENESS_TIMEOUT_MS): a SIGKILLed member can
     * restart only after that.
     */
    static final long MARK_FILE_LIVENESS_MS = 10_000;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(120)
    void shouldSurviveLeaderKill9AsProcesses() throws Exception
    {
        final NodeProcesses nodes = harness.processes(3);
        nodes.startAll();
        final TestClient admin = connect(nodes, harness.client(
            "admin", nodes.ingressEndpoints(), Principal.adminCredentials("ops", ClusterHarness.SECRET)));
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = connect(nodes, harness.client(
            "gateway-" + GATEWAY, nodes.ingressEndpoints(), Principal.gatewayCredentials(GATEWAY, ClusterHarness.SECRET)));

        final ResendingOrderFlow flow = new ResendingOrderFlow(
            gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 10_000, 400).alsoPoll(admin);
        flow.runUntilAcked(120, 20_000);
        final int oldLeader = gateway.client().leaderMemberId();
        assertTrue(oldLeader >= 0, "client knows the leader");
        harness.allowLeaderHeartbeatTimeout(oldLeader);

        final long[] killedAtMs = new long[1];
        final Thread killer = new Thread(() ->
        {
            flow.killStarted();
            try
            {
                nodes.kill9(oldLeader);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            killedAtMs[0] = System.currentTimeMillis();
            flow.killDone();
        }, "kill-9-leader");
        killer.start();
        flow.runUntilAcked(400, 45_000);
        killer.join(10_000);
        assertFalse(nodes.process(oldLeader).isAlive(), "old leader killed");
        final int newLeader = gateway.client().leaderMemberId();
        assertNotEquals(oldLeader, newLeader, "the client follows a new leader");
        System.out.printf(
            "[failover] kill -9 of leader process %d: first order answered by new leader %d after %.0f ms " +
                "(heartbeat timeout %d ms, resends %d, status answers %d, reconnects %d)%n",
            oldLeader, newLeader, flow.failoverMs(), ClusterHarness.HEARTBEAT_TIMEOUT_MS, flow.resends(),
            flow.statusAnswers(), gateway.client().reconnects());
        assertTrue(flow.failoverMs() > 0, "an order sent after the kill was answered");

        flow.assertNoRejectsOrDuplicates();
        flow.assertEveryOrderFilledOnce(30_000);
        final TestClient.AdminResult hash = admin.requestStateHash();
        final File[] survivors = {nodes.nodeDir((oldLeader + 1) % 3), nodes.nodeDir((oldLeader + 2) % 3)};
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 10_000, survivors);

        // The killed member comes back with what it had on disk and catches up.
        nodes.captureErrorLogs(harness.gate());
        final long waitMs = killedAtMs[0] + MARK_FILE_LIVENESS_MS + 500 - System.currentTimeMillis();
        final long restartAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, waitMs));
        while (System.nanoTime() - restartAt < 0)
        {
            // Keep both sessions alive while waiting.
            if (admin.poll() + gateway.poll() == 0)
            {
                ClusterHarness.sleep(1);
            }
        }
        harness.allowRestartedMemberRejoin(oldLeader);
        nodes.start(oldLeader);
        flow.assertBalancesViaWithdrawProbe(admin);
        final TestClient.AdminResult rejoined = admin.requestStateHash();
        StateHashes.awaitEqualAt(rejoined.logPosition(), rejoined.value(), 30_000, nodes.nodeDirs());
        StateHashes.assertConsistentHistory(nodes.nodeDirs());
        assertTrue(nodes.process(oldLeader).isAlive(), "restarted member runs: " + nodes.output(oldLeader));
    }

    @Test
    @Timeout(120)
    void shouldRestoreWholeClusterRestartAsProcesses() throws Exception
    {
        final NodeProcesses nodes = harness.processes(3);
        final File[] all = nodes.nodeDirs();
        nodes.startAll();
        TestClient admin = connect(nodes, harness.client(
            "admin", nodes.ingressEndpoints(), Principal.adminCredentials("ops", ClusterHarness.SECRET)));
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        TestClient gateway = connect(nodes, harness.client(
            "gateway-" + GATEWAY, nodes.ingressEndpoints(), Principal.gatewayCredentials(GATEWAY, ClusterHarness.SECRET)));
        new ResendingOrderFlow(gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 10_000, 60)
            .alsoPoll(admin).runUntilAcked(60, 20_000);
        assertTrue(gateway.limit(BUYER_SESSION, BUYER, 500, INSTRUMENT, Side.BUY, 95, 5));
        final long restingBuyId = gateway.awaitReport(500, ExecType.NEW, 10_000).orderId();

        // The operator's way: keel admin snapshot.
        final TestClient.AdminResult lastBeforeSnapshot = admin.requestStateHash();
        final TestClient adminBefore = admin;
        final TestClient gatewayBefore = gateway;
        final NodeProcesses.AdminRun snapshot = nodes.admin(30_000, () ->
        {
            adminBefore.poll();
            gatewayBefore.poll();
        }, "snapshot");
        assertEquals(0, snapshot.exitCode(), snapshot.output());
        assertTrue(snapshot.output().contains("admin: snapshot ok"), snapshot.output());
        ClusterHarness.await(
            () -> java.util.Arrays.stream(all)
                .allMatch((dir) -> StateHashes.firstPositionAfter(dir, lastBeforeSnapshot.logPosition()) > 0),
            15_000,
            () -> "a snapshot on every node: " + StateHashes.describe(all));

        new ResendingOrderFlow(gateway, INSTRUMENT, BUYER, SELLER, BUYER_SESSION, SELLER_SESSION, 20_000, 40)
            .alsoPoll(admin).runUntilAcked(40, 20_000);
        final long maxOrderId = gateway.reports().stream().mapToLong(TestClient.Report::orderId).max().orElseThrow();
        final long maxExecId = gateway.reports().stream().mapToLong(TestClient.Report::execId).max().orElseThrow();
        // The gateway goes first: its cluster session's close disconnects its client sessions, a state change of
        // its own; the state to come back to is the one after it.
        harness.closeClient(gateway);
        admin.pollFor(1_000);
        final TestClient.AdminResult beforeRestart = admin.requestStateHash();
        StateHashes.awaitEqualAt(beforeRestart.logPosition(), beforeRestart.value(), 10_000, all);

        // SIGTERM every member: each shuts down cleanly and promptly.
        harness.closeClient(admin);
        nodes.captureErrorLogs(harness.gate());
        for (int i = 0; i < 3; i++)
        {
            nodes.process(i).destroy();
        }
        for (int i = 0; i < 3; i++)
        {
            final Process process = nodes.process(i);
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                fail("member " + i + " did not stop within 10 s of SIGTERM: " + nodes.output(i));
            }
            final int exit = process.exitValue();
            assertTrue(exit == 0 || exit == 143, "member " + i + " exit code " + exit + ": " + nodes.output(i));
            assertTrue(nodes.output(i).contains("\"event\":\"node-stopping\""), "clean stop logged: " + nodes.output(i));
        }

        harness.allowRestartedMemberRejoin(0, 1, 2);
        nodes.startAll();
        admin = connect(nodes, harness.client(
            "admin-2", nodes.ingressEndpoints(), Principal.adminCredentials("ops", ClusterHarness.SECRET)));
        gateway = connect(nodes, harness.client(
            "gateway-" + GATEWAY + "-2", nodes.ingressEndpoints(),
            Principal.gatewayCredentials(GATEWAY, ClusterHarness.SECRET)));
        final TestClient.AdminResult afterRestart = admin.requestStateHash();
        StateHashes.awaitEqualAt(afterRestart.logPosition(), afterRestart.value(), 15_000, all);
        assertEquals(
            Long.toHexString(beforeRestart.value()), Long.toHexString(afterRestart.value()),
            "the state after the restart is the state before it");
        StateHashes.assertConsistentHistory(all);
        final TestClient adminAfter = admin;
        final TestClient gatewayAfter = gateway;
        final NodeProcesses.AdminRun stateHash = nodes.admin(30_000, () ->
        {
            adminAfter.poll();
            gatewayAfter.poll();
        }, "state-hash");
        assertEquals(0, stateHash.exitCode(), stateHash.output());
        assertTrue(
            stateHash.output().contains(
                "admin: state-hash ok hash=" + Long.toHexString(beforeRestart.value()) + " position="),
            "keel admin state-hash: " + stateHash.output());

        // The sessions were disconnected with the old gateway: the new one serves them again.
        gateway.ensureOpen(BUYER_SESSION, BUYER);
        assertTrue(gateway.limit(SELLER_SESSION, SELLER, 600, INSTRUMENT, Side.SELL, 95, 2));
        final TestClient.Report newOrder = gateway.awaitReport(600, ExecType.NEW, 10_000);
        final TestClient.Report makerFill = gateway.awaitReport(500, ExecType.TRADE, 10_000);
        assertTrue(newOrder.orderId() > maxOrderId, newOrder.orderId() + " > " + maxOrderId);
        assertTrue(newOrder.execId() > maxExecId, newOrder.execId() + " > " + maxExecId);
        assertEquals(restingBuyId, makerFill.orderId(), "the resting buy from before the restart");
        assertEquals(2, makerFill.lastQty());
    }

    @Test
    @Timeout(90)
    void shouldExitWithCode3WhenDivergedAsProcess() throws Exception
    {
        final NodeProcesses nodes = harness.processes(3);
        nodes.startAll();
        final TestClient admin = connect(nodes, harness.client(
            "admin", nodes.ingressEndpoints(), Principal.adminCredentials("ops", ClusterHarness.SECRET)));
        final int leader = admin.client().leaderMemberId();
        final int follower = (leader + 1) % 3;

        // Restart a follower (clean stop, not a clean start) so that it skips the 9th command.
        nodes.captureErrorLogs(harness.gate());
        assertNotNull(nodes.terminate(follower, 10_000), "follower stops on SIGTERM: " + nodes.output(follower));
        nodes.start(follower, "--test-skip-command", Long.toString(ClusterDivergenceTest.SKIPPED_COMMAND));
        harness.allowErrors(
            "the faulty member's service stops itself on divergence",
            (e) -> e.source().equals("process-node-" + follower + "/service") &&
                e.text().startsWith("org.agrona.concurrent.AgentTerminationException: state diverged from the leader"));

        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = connect(nodes, harness.client(
            "gateway-" + GATEWAY, nodes.ingressEndpoints(), Principal.gatewayCredentials(GATEWAY, ClusterHarness.SECRET)));
        assertTrue(gateway.limit(BUYER_SESSION, BUYER, 1, INSTRUMENT, Side.BUY, 100, 5));
        gateway.awaitReport(1, ExecType.NEW, 10_000);
        assertTrue(gateway.limit(SELLER_SESSION, SELLER, 2, INSTRUMENT, Side.SELL, 100, 5));
        gateway.awaitReport(2, ExecType.TRADE, 10_000);

        final Process faulty = nodes.process(follower);
        // Both sessions are polled while waiting: left alone for the session timeout, the cluster closes them.
        final long exitDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!faulty.waitFor(10, TimeUnit.MILLISECONDS) && System.nanoTime() - exitDeadlineNs < 0)
        {
            admin.poll();
            gateway.poll();
        }
        if (faulty.isAlive())
        {
            fail("the diverged member did not exit: " + nodes.output(follower));
        }
        assertEquals(NodeMain.EXIT_DIVERGED, faulty.exitValue(), "exit code: " + nodes.output(follower));
        assertTrue(nodes.output(follower).contains("\"event\":\"divergence\""), nodes.output(follower));

        assertTrue(gateway.limit(BUYER_SESSION, BUYER, 3, INSTRUMENT, Side.BUY, 101, 2));
        gateway.awaitReport(3, ExecType.NEW, 10_000);
        final TestClient.AdminResult hash = admin.requestStateHash();
        StateHashes.awaitEqualAt(
            hash.logPosition(), hash.value(), 10_000, nodes.nodeDir(leader), nodes.nodeDir((leader + 2) % 3));
        assertNull(StateHashes.at(nodes.nodeDir(follower), hash.logPosition()));
    }

    /**
     * Connect, allowing for members that are still starting or electing (but not for one that
     * died: fail at once with its output).
     */
    static TestClient connect(final NodeProcesses nodes, final TestClient client)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (true)
        {
            try
            {
                return client.connect();
            }
            catch (final RuntimeException ex)
            {
                for (int i = 0; i < 3; i++)
                {
                    if (!nodes.process(i).isAlive())
                    {
                        fail("member " + i + " exited with " + nodes.process(i).exitValue() + " while " + client.name() +
                            " connected: " + nodes.output(i), ex);
                    }
                }
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                ClusterHarness.sleep(200);
            }
        }
    }
}
