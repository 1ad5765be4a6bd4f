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
 * {@code keel chaos --gateways 2 --haproxy}, short, as part of the suite: the clients connect with TLS through a real
 * HAProxy running {@code deploy/haproxy.cfg} to two gateway processes that take the PROXY protocol from it; the
 * schedule kills the leader, cuts a client's connection (it reconnects through HAProxy), and kills a gateway with
 * -9 and restarts it (its clients move to the other one, which HAProxy's health check leaves them). Same history
 * check as {@link ChaosTest}.
 */
class ChaosHaproxyTest
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
    void shouldLoseNothingWithClientsOnTlsThroughHaproxyWhileGatewaysAreKilled() throws Exception
    {
        dir = new File("target/chaos-haproxy-test-" + System.nanoTime()).getAbsoluteFile();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        final ChaosContext config = new ChaosContext()
            .seconds(30)
            .rate(150)
            .clients(8)
            .seed(7)
            .faultIntervalS(4)
            .haproxy(true)
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

        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_LEADER), "a leader kill");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.MOVE_CLIENT), "a client cut");
        assertTrue(report.faults.stream().anyMatch((f) -> f.kind == FaultKind.KILL_GATEWAY), "a gateway killed");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("behind HAProxy (TLS"), "through HAProxy");
        assertTrue(report.acked > 500, "orders acknowledged: " + report.acked);
        assertEquals(0, report.lost(), "lost");
        assertEquals(0, report.duplicates(), "duplicates");
        assertEquals(0, report.reportsLost(), "reports lost");
        assertTrue(report.hashesEqual(), "hashes equal");
        assertEquals(java.util.List.of(), report.problems, "problems");
        assertTrue(report.passed(), "passed");
        IoUtil.delete(dir, true);
    }
}
