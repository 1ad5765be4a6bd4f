package io.keel.chaos;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code keel chaos --segments 2} run: two segments of three node processes each behind two gateway processes
 * with one segment map, four clients trading two instruments of each segment through one session each, faults one
 * segment at a time (a leader killed in each, a gateway killed), transfers between the segments all along with their
 * coordinator abandoning them after the debit or the credit or SIGKILLed, then transfer-recover; every segment's
 * members agree, every report of every segment's stream arrived, and no money appeared or vanished across segments.
 */
class SegmentChaosTest
{
    private File dir;

    @AfterEach
    void cleanUp()
    {
        if (dir != null && dir.exists() && !new File(dir, "history.log").exists())
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    @Timeout(240)
    void shouldConserveMoneyAndLoseNothingWhenOneSegmentFailsAtATimeAndTransfersAreAbandoned() throws Exception
    {
        dir = new File("target/segment-chaos-test-" + System.nanoTime()).getAbsoluteFile();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        final ChaosContext config = new ChaosContext()
            .segments(2)
            .seconds(22)
            .rate(100)
            .clients(4)
            .seed(42)
            .faultIntervalS(4)
            .dir(dir)
            .verbose(true);
        final SegmentChaosReport report;
        try
        {
            report = new SegmentChaosRun(config, out).run();
            report.print(out);
        }
        finally
        {
            System.out.print(output.toString(StandardCharsets.UTF_8));
        }

        for (final String segment : List.of("segment 0 ", "segment 1 "))
        {
            assertTrue(report.all.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_LEADER &&
                f.members.startsWith(segment)), "a leader kill in " + segment);
        }
        assertTrue(report.all.acked > 500, "orders acknowledged: " + report.all.acked);
        assertTrue(report.othersLeastAcked > 0, "the other segment trades on through every segment fault: " +
            report.othersTradedOn);
        assertEquals(0, report.lost(), "lost");
        assertEquals(0, report.duplicates(), "duplicates");
        assertEquals(0, report.reportsLost(), "reports lost");
        assertTrue(report.hashesEqual(), "every segment's members agree");
        assertTrue(report.transfers >= 5, "transfers: " + report.transfers);
        assertTrue(report.recovered() >= 1, "transfer-recover completed the abandoned ones: " + report.recoverLines);
        assertEquals(0, report.pendingAfterRecovery, "pending after recovery");
        assertEquals(List.of(), report.transfersUnsettled, "every transfer completed in both segments or never debited");
        assertTrue(report.transfersCompleted >= 4, "transfers completed: " + report.transfersCompleted);
        assertTrue(report.moneyConserved(), "money conserved: " + report.moneyCheck);
        assertEquals(List.of(), report.all.problems, "problems");
        assertTrue(report.passed(), "passed");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("lost=0 duplicates=0 reports=" + report.all.reports +
            " reports-lost=0 hashes-equal=true"));
        IoUtil.delete(dir, true);
    }
}
