package io.keel.node;

import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import io.keel.common.Cli;
import io.keel.common.Principal;
import io.keel.common.SegmentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers between two market segments, each a real 1-node cluster in this JVM: a transfer moves funds; a coordinator
 * "crash" after the DEBIT, or after the CREDIT before the CONFIRM (this test drives the steps and stops), leaves a
 * pending transfer that {@link SegmentTransfers#recover()} completes; money is conserved across the segments in every
 * state (balances plus pending transfers their destination has not credited); a segment restarted from a snapshot
 * keeps its pending transfers; and the check fails when a bug is planted.
 */
class SegmentTransfersClusterTest
{
    private static final long ACCOUNT = 1;
    private static final int ASSET = ClusterHarness.QUOTE;
    private static final long FUNDS = 1_000;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    private EmbeddedCluster[] segments;
    private Path mapFile;

    private SegmentMap launchSegments() throws Exception
    {
        return launchSegments(1);
    }

    private SegmentMap launchSegments(final int segment0Members) throws Exception
    {
        final int basePort1 = ClusterHarness.freeBasePort(1);
        segments = new EmbeddedCluster[]{
            harness.launchCluster(segment0Members, "segment-0", harness.basePort()),
            harness.launchCluster(1, "segment-1", basePort1)};
        final String text = "version=1\nsegments=2\n" +
            "segment.0.hosts=" + String.join(",", java.util.Collections.nCopies(segment0Members, "localhost")) +
            "\nsegment.0.base-port=" + harness.basePort() + "\nsegment.0.instruments=1-99\n" +
            "segment.1.hosts=localhost\nsegment.1.base-port=" + basePort1 + "\nsegment.1.instruments=100-199\n";
        mapFile = new File(harness.dir(), "segments.properties").toPath();
        Files.writeString(mapFile, text);
        final SegmentMap map = SegmentMap.load(mapFile);
        for (final EmbeddedCluster segment : segments)
        {
            segment.awaitLeader(10_000);
            final TestClient admin = harness.admin(segment.ingressEndpoints());
            admin.adminOk((c) -> admin.client().createAccount(c, ACCOUNT));
            admin.adminOk((c) -> admin.client().deposit(c, ACCOUNT, ASSET, FUNDS));
            harness.closeClient(admin);
        }
        return map;
    }

    private SegmentTransfers coordinator(final SegmentMap map, final String name)
    {
        return new SegmentTransfers(new SegmentTransfers.Context()
            .segmentMap(map)
            .credentials(Principal.adminCredentials("ops", ClusterHarness.SECRET))
            .aeronDirBase(new File(harness.dir(), name))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .retryIntervalNs(TimeUnit.SECONDS.toNanos(1)));
    }

    /**
     * The checker: {@link SegmentTransfers#conservedTotal} over both segments.
     */
    static long conservedTotal(final SegmentTransfers transfers, final long accountId, final int assetId)
    {
        return transfers.conservedTotal(accountId, assetId);
    }

    @Test
    @Timeout(120)
    void shouldMoveFundsRecoverAfterACrashAtEveryStepKeepPendingAcrossARestartAndConserveMoney() throws Exception
    {
        final SegmentMap map = launchSegments();
        try (SegmentTransfers transfers = coordinator(map, "coordinator"))
        {
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));

            // A whole transfer, then the same again: done once.
            final SegmentTransfers.TransferOutcome done = transfers.transfer(1001, ACCOUNT, ASSET, 300, 0, 1);
            assertTrue(done.isCompleted(), done::line);
            assertEquals("transfer id=1001 account=1 asset=2 amount=300 from=0 to=1 state=COMPLETED", done.line());
            assertTrue(transfers.transfer(1001, ACCOUNT, ASSET, 300, 0, 1).isCompleted());
            assertEquals(FUNDS - 300, transfers.balance(0, ACCOUNT, ASSET));
            assertEquals(FUNDS + 300, transfers.balance(1, ACCOUNT, ASSET));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));

            // Refusals move nothing.
            final SegmentTransfers.TransferOutcome tooMuch = transfers.transfer(1002, ACCOUNT, ASSET, 5_000, 0, 1);
            assertEquals(SegmentTransfers.Outcome.REFUSED, tooMuch.outcome());
            assertEquals(RejectReason.INSUFFICIENT_FUNDS, tooMuch.reason());
            assertEquals(RejectReason.UNKNOWN_ACCOUNT, transfers.transfer(1003, 77, ASSET, 5, 0, 1).reason());

            // The coordinator dies after the DEBIT: pending in segment 0, conserved, then recovered.
            assertEquals(RejectReason.NONE, transfers.step(0, TransferStep.DEBIT, 1004, ACCOUNT, ASSET, 100, 0, 1).result());
            assertEquals(List.of(new SegmentTransfers.PendingTransfer(1004, ACCOUNT, ASSET, 100, 0, 1)), transfers.pending(0));
            assertEquals(FUNDS - 400, transfers.balance(0, ACCOUNT, ASSET));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            List<SegmentTransfers.TransferOutcome> recovered = transfers.recover();
            assertEquals(1, recovered.size());
            assertTrue(recovered.get(0).isCompleted(), recovered.get(0)::line);
            assertEquals(List.of(), transfers.pending(0));
            assertEquals(FUNDS + 400, transfers.balance(1, ACCOUNT, ASSET));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));

            // The coordinator dies after the CREDIT, before the CONFIRM: the credit's repeat is a no-op.
            assertEquals(RejectReason.NONE, transfers.step(1, TransferStep.DEBIT, 1005, ACCOUNT, ASSET, 50, 1, 0).result());
            assertEquals(RejectReason.NONE, transfers.step(0, TransferStep.CREDIT, 1005, ACCOUNT, ASSET, 50, 1, 0).result());
            assertEquals(TransferState.CREDITED, transfers.query(0, 1005).state());
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            recovered = transfers.recover();
            assertEquals(1, recovered.size());
            assertTrue(recovered.get(0).isCompleted(), recovered.get(0)::line);
            assertEquals(TransferState.COMPLETED, transfers.query(1, 1005).state());
            assertEquals(FUNDS - 350, transfers.balance(0, ACCOUNT, ASSET));
            assertEquals(FUNDS + 350, transfers.balance(1, ACCOUNT, ASSET));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            // A late DEBIT retry of the completed transfer: already applied, never a second debit.
            assertEquals(RejectReason.ALREADY_APPLIED,
                transfers.step(1, TransferStep.DEBIT, 1005, ACCOUNT, ASSET, 50, 1, 0).result());
            assertEquals(FUNDS + 350, transfers.balance(1, ACCOUNT, ASSET));

            // A pending transfer survives its segment's restart from a snapshot.
            assertEquals(RejectReason.NONE, transfers.step(0, TransferStep.DEBIT, 1006, ACCOUNT, ASSET, 25, 0, 1).result());
            final TestClient admin = harness.admin(segments[0].ingressEndpoints());
            final TestClient.AdminResult snapshot = admin.adminOk(admin.client()::requestSnapshot);
            final File nodeDir = segments[0].node(0).config().nodeDir();
            ClusterHarness.await(() -> StateHashes.firstPositionAfter(nodeDir, snapshot.logPosition()) > 0, 15_000,
                () -> "a snapshot in segment 0");
            harness.closeClient(admin);
            harness.stopNode(segments[0], 0);
            harness.allowRestartedMemberRejoin(0);
            segments[0].startNode(0, false);
            segments[0].awaitLeader(15_000);
            assertEquals(List.of(new SegmentTransfers.PendingTransfer(1006, ACCOUNT, ASSET, 25, 0, 1)), transfers.pending(0));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            recovered = transfers.recover();
            assertEquals(1, recovered.size());
            assertTrue(recovered.get(0).isCompleted(), recovered.get(0)::line);
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            assertEquals(List.of(), transfers.recover(), "nothing left to recover");

            // Only an admin may move funds: a gateway's Transfer is refused and changes nothing.
            final TestClient gateway = harness.gateway(segments[1].ingressEndpoints(), 1);
            assertTrue(gateway.client().transfer(1, 1007, ACCOUNT, ASSET, 1, TransferStep.CREDIT, 0, 1));
            assertEquals(RejectReason.UNSUPPORTED_MESSAGE, gateway.awaitBusinessReject(1, 10_000).reason());
            assertEquals(TransferState.NONE, transfers.query(1, 1007).state());
            harness.closeClient(gateway);

            // The planted bug: a recovery that credits a second time under a new id. The check must see it.
            assertEquals(RejectReason.NONE, transfers.step(1, TransferStep.CREDIT, 9_001, ACCOUNT, ASSET, 25, 0, 1).result());
            assertNotEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET), "the conservation check catches it");
        }
    }

    /**
     * The source segment's leader is killed while transfers run: the coordinator sends each unanswered request again
     * (to the new leader), a step applied before the kill answers "already applied", and every transfer completes
     * exactly once.
     */
    @Test
    @Timeout(120)
    void shouldCompleteEveryTransferExactlyOnceAcrossALeaderKillInTheSourceSegment() throws Exception
    {
        final SegmentMap map = launchSegments(3);
        final int leader = segments[0].awaitLeader(10_000).memberId();
        harness.allowLeaderHeartbeatTimeout(leader);
        final int transfersToRun = 12;
        try (SegmentTransfers transfers = coordinator(map, "coordinator"))
        {
            assertTrue(transfers.transfer(3000, ACCOUNT, ASSET, 10, 0, 1).isCompleted());
            final java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
            final java.util.concurrent.atomic.AtomicInteger completedAtKill = new java.util.concurrent.atomic.AtomicInteger(-1);
            final Thread killer = new Thread(() ->
            {
                ClusterHarness.await(() -> completed.get() >= 2, 30_000, () -> "two transfers before the kill");
                completedAtKill.set(completed.get());
                harness.stopNode(segments[0], leader);
            }, "leader-killer");
            killer.start();
            final long startNs = System.nanoTime();
            for (int i = 1; i <= transfersToRun; i++)
            {
                final SegmentTransfers.TransferOutcome outcome = transfers.transfer(3000 + i, ACCOUNT, ASSET, 10, 0, 1);
                assertTrue(outcome.isCompleted(), outcome::line);
                completed.incrementAndGet();
            }
            killer.join();
            System.out.println("[leader kill] after " + completedAtKill.get() + " of " + transfersToRun +
                " transfers; all done in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            assertTrue(completedAtKill.get() < transfersToRun - 2, "the leader died while transfers ran: " +
                completedAtKill.get());
            assertEquals(List.of(), transfers.recover(), "nothing left pending");
            assertEquals(FUNDS - 10 * (transfersToRun + 1), transfers.balance(0, ACCOUNT, ASSET));
            assertEquals(FUNDS + 10 * (transfersToRun + 1), transfers.balance(1, ACCOUNT, ASSET));
            assertEquals(2 * FUNDS, conservedTotal(transfers, ACCOUNT, ASSET));
            assertNotEquals(leader, segments[0].awaitLeader(10_000).memberId());
        }
    }

    @Test
    @Timeout(120)
    void shouldTransferAndRecoverFromTheAdminCommandLineWithOneLineErrors() throws Exception
    {
        final SegmentMap map = launchSegments();
        final String file = mapFile.toString();
        Result r = admin("--help");
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.out.contains("transfer-recover") && r.out.contains("--segment-map") && r.out.contains("--segment N"),
            r::toString);

        r = admin("--segment-map", file, "transfer", "2001", "1", "2", "10", "0", "1");
        assertEquals(0, r.exit, r::toString);
        assertEquals("transfer id=2001 account=1 asset=2 amount=10 from=0 to=1 state=COMPLETED\n", r.out);

        r = admin("--segment-map", file, "transfer", "2002", "1", "2", "99999", "0", "1");
        assertEquals(1, r.exit, r::toString);
        assertTrue(r.out.contains("state=REFUSED reason=INSUFFICIENT_FUNDS"), r::toString);

        try (SegmentTransfers transfers = coordinator(map, "crashed"))
        {
            assertTrue(transfers.step(1, TransferStep.DEBIT, 2003, ACCOUNT, ASSET, 7, 1, 0).isDone());
        }
        r = admin("--segment-map", file, "transfer-recover");
        assertEquals(0, r.exit, r::toString);
        assertEquals("transfer id=2003 account=1 asset=2 amount=7 from=1 to=0 state=COMPLETED\nrecovered=1\n", r.out);

        // Another verb to one segment through the map.
        r = admin("--segment-map", file, "--segment", "1", "account", "1");
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.out.contains(Long.toString(FUNDS + 10 - 7)), r::toString);

        // Misuse: one line, exit 2.
        assertUsage(admin("transfer", "1", "1", "2", "10", "0", "1"), "needs --segment-map");
        assertUsage(admin("--segment-map", file, "transfer", "1", "2"), "takes 6 argument(s)");
        assertUsage(admin("--segment-map", file, "transfer", "2004", "1", "2", "10", "0", "5"), "no segment 5");
        assertUsage(admin("--segment-map", file, "transfer", "2004", "1", "2", "10", "1", "1"), "between two segments");
        assertUsage(admin("--segment-map", file, "--hosts", "localhost", "transfer-recover"), "exclusive");
        assertUsage(admin("--segment", "1", "account", "1"), "--segment needs --segment-map");
        assertUsage(admin("--segment-map", file, "account", "1"), "needs --segment N");
        assertUsage(admin("--segment-map", new File(harness.dir(), "missing").toString(), "transfer-recover"),
            "cannot read segment map");
    }

    private static void assertUsage(final Result r, final String expected)
    {
        assertEquals(2, r.exit, r::toString);
        assertTrue(r.err.contains(expected), r::toString);
        assertEquals(1, r.err.strip().lines().count(), r::toString);
    }

    record Result(int exit, String out, String err)
    {
    }

    private static synchronized Result admin(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            final int exit = Cli.run(new AdminMain(), "keel admin", args);
            return new Result(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
