package io.keel.chaos;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history checker is only worth what it catches: a short chaos run, without faults, against an engine whose
 * state is right but which never sends some of its reports ({@link DropSomeReports}: some TRADE and CANCELED
 * reports). The nodes agree with each other, so only the history can tell; the run must fail, naming fills that
 * were never delivered and orders that vanished, and nothing else.
 */
class FaultyEngineChaosTest
{
    private File dir;

    @AfterEach
    void cleanUp()
    {
        if (dir != null)
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    @Timeout(240)
    void shouldFailRunAgainstEngineThatDropsReports() throws Exception
    {
        dir = new File("target/faulty-engine-chaos-" + System.nanoTime()).getAbsoluteFile();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        final ChaosContext config = new ChaosContext()
            .seconds(15)
            .rate(100)
            .clients(4)
            .seed(7)
            .faultMode(ChaosContext.FaultMode.NONE)
            .dir(dir)
            .testEngineListener(DropSomeReports.class.getName());
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

        assertFalse(report.passed(), "a run against an engine that drops reports must fail");
        assertTrue(report.count(Anomaly.FILL_NOT_DELIVERED) > 0, "fills never delivered are named");
        assertTrue(report.count(Anomaly.VANISHED) > 0, "orders canceled without a report are named");
        assertTrue(report.reportsLost() > 0, "reports lost: " + report.reportsLost());
        // The only anomalies are what the dropped reports explain: seq gaps, and — since a dropped report is never
        // journaled either, and the journal holds a session's reports only from after its newest hole — a report
        // between two holes that the gateway had not delivered yet is unavailable too (a NEW among them).
        final Set<Anomaly> explained = EnumSet.of(
            Anomaly.FILL_NOT_DELIVERED, Anomaly.VANISHED, Anomaly.BALANCE, Anomaly.SEQ_GAP, Anomaly.NEW_NOT_DELIVERED);
        for (final Anomaly kind : Anomaly.values())
        {
            if (!explained.contains(kind))
            {
                assertEquals(0, report.count(kind), kind.label());
            }
        }
        assertEquals(0, report.lost() - report.count(Anomaly.VANISHED), "lost is only the vanished orders");
        assertEquals(0, report.duplicates(), "duplicates");
        assertTrue(report.hashesEqual(), "the nodes agree with each other: only the history shows the fault");
        assertEquals(List.of(), report.problems, "problems");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains(
            "reports-lost=" + report.reportsLost() + " hashes-equal=true faults=0"));
    }
}
