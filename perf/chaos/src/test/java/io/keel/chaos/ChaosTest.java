package io.keel.chaos;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code keel chaos} run as part of the suite: three node processes and two gateway processes,
 * eight clients at 150 orders/s for 45 s, and a fault every 5 s from the fixed schedule — kill -9
 * of the leader, a client moved to the other gateway, restart, SIGSTOP of the leader past the election
 * timeout, kill -9 and restart of a gateway, kill -9 of a follower, restart, SIGSTOP of a follower. Then
 * the history check against each node's engine rebuilt from its own disk (every session's reports gap-free,
 * every fill delivered, every account's balances), and the market data each node's engine emits while
 * replaying its log compared with its final books.
 */
class ChaosTest
{
    private File dir;

    @AfterEach
    void cleanUp()
    {
        // The run stops its processes itself (also on failure); its directory goes unless it failed.
        if (dir != null && dir.exists() && !new File(dir, "history.log").exists())
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    @Timeout(240)
    void shouldLoseAndDuplicateNothingUnderLeaderFollowerAndGatewayFaults() throws Exception
    {
        dir = new File("target/chaos-test-" + System.nanoTime()).getAbsoluteFile();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        final ChaosContext config = new ChaosContext()
            .seconds(45)
            .rate(150)
            .clients(8)
            .seed(42)
            .faultIntervalS(5)
            .dir(dir)
            .verbose(true);
        final ChaosReport report;
        try
        {
            report = new ChaosRun(config, out).run();
            report.print(out);
        }
        finally
        {
            System.out.print(output.toString(StandardCharsets.UTF_8));
        }

        // Eight are scheduled; a node fault waits until the cluster has caught up, so a slow machine may fit fewer.
        assertTrue(report.faults.size() >= 6, "faults injected: " + report.faults.size());
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_LEADER), "a leader kill");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_FOLLOWER), "a follower kill");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.PAUSE_LEADER), "a SIGSTOP");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.RESTART_NODE), "a restart");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_GATEWAY), "a gateway restart");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.MOVE_CLIENT), "a client moved");
        assertEquals(0, report.reportsLost(), "reports lost");
        assertTrue(report.acked > 1_000, "orders acknowledged: " + report.acked);
        assertEquals(0, report.lost(), "lost");
        assertEquals(0, report.duplicates(), "duplicates");
        assertTrue(report.hashesEqual(), "hashes equal");
        assertTrue(report.invariantsHold(), "invariants hold");
        assertEquals(3, report.marketDataChecked, "market data replayed from each node's log checked");
        assertTrue(report.marketDataMatches(), "market data replayed from the log matches the final books");
        assertEquals(java.util.List.of(), report.problems, "problems");
        assertTrue(report.passed(), "passed");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("lost=0 duplicates=0 reports=" + report.reports +
            " reports-lost=0 hashes-equal=true"));
        IoUtil.delete(dir, true);
    }
}
