package io.keel.chaos;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's recovery per fault kind (median, max, faults never recovered from) and the partitions count.
 */
class ChaosReportTest
{
    @Test
    void shouldReportRecoveryPerFaultKindAndPartitions()
    {
        final ChaosReport report = new ChaosReport();
        report.net = true;
        report.faults.add(new FaultInjector.Fault(FaultKind.ISOLATE_LEADER, 1, "member 0 (leader)"));
        report.faults.add(new FaultInjector.Fault(FaultKind.KILL_LEADER, 2, "member 1 (leader)"));
        report.faults.add(new FaultInjector.Fault(FaultKind.ISOLATE_LEADER, 3, "member 2 (leader)"));
        report.faults.add(new FaultInjector.Fault(FaultKind.ISOLATE_LEADER, 4, "member 0 (leader)"));
        report.faults.add(new FaultInjector.Fault(FaultKind.ISOLATE_LEADER, 5, "member 1 (leader)"));
        report.recoveryMs.addAll(List.of(3_000L, 2_000L, 1_000L, -1L, 5_000L));
        report.everyClientRecoveryMs.addAll(List.of(3_500L, 2_000L, -1L, -1L, 6_000L));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String text = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(text.contains("| isolate leader | 4 | 3000 ms | 5000 ms | 1 | 4750 ms | 6000 ms | 2 |"), text);
        assertTrue(text.contains("| kill -9 leader | 1 | 2000 ms | 2000 ms | 0 | 2000 ms | 2000 ms | 0 |"), text);
        assertTrue(text.contains("| 1 | +0.0 | isolate leader | member 0 (leader) | 3000 ms | 3500 ms |"), text);
        assertTrue(text.strip().endsWith("faults=5 partitions=4"), text);
        assertEquals(2, ChaosReport.median(List.of(1L, 2L, 3L)));
        assertEquals(2, ChaosReport.median(List.of(1L, 3L)));
    }
}
