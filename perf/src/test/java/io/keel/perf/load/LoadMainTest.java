package io.keel.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A smoke run of every scenario: the harness works end to end and writes its files. No timing is asserted.
 */
@Timeout(120)
class LoadMainTest
{
    @Test
    void shouldRunEveryScenarioAndWriteHistogramsSummaryAndPlot(@TempDir final File out) throws Exception
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = new CommandLine(new LoadMain()).execute(
                "all", "--rate", "200", "--seconds", "1", "--warmup-s", "0", "--idle", "backoff", "--out", out.getPath());
        }
        finally
        {
            System.setOut(stdout);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, exit);
        for (final String scenario : new String[]{"floor-ipc", "floor-udp", "keel-tcp", "keel-udp"})
        {
            assertTrue(text.contains("perf " + scenario + " nodes="), text);
        }
        assertTrue(text.contains("vs-floor="), text);
        for (final String file : new String[]{"floor-ipc.hgrm", "floor-udp.hgrm", "keel-tcp-1.hgrm", "keel-udp-1.hgrm", "summary.md",
            "percentiles.png", "percentiles.html"})
        {
            assertTrue(new File(out, file).length() > 0, file);
        }
        assertTrue(Files.readString(new File(out, "summary.md").toPath()).contains("| keel-tcp-1 | "));
    }
}
