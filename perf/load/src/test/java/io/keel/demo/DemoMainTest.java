package io.keel.demo;

import io.keel.common.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keel demo --segments 2 --nodes 1}, short: two segments behind one gateway, the traders trading both, the
 * transfer between them completed, and each segment's state hash checked; and the command line's misuse.
 */
class DemoMainTest
{
    @Test
    @Timeout(120)
    void shouldTradeTwoSegmentsTransferBetweenThemAndAgreeWithinEach(@TempDir final File dir)
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = Cli.run(new DemoMain(), "keel demo", "--segments", "2", "--nodes", "1", "--seconds", "4",
                "--dir", new File(dir, "run").getPath());
        }
        finally
        {
            System.setOut(stdout);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, exit, text);
        final List<String> lines = text.lines().toList();
        assertTrue(lines.get(lines.size() - 1).matches(
            "demo: segments=2 orders=[0-9]+ trades=[1-9][0-9]* nodes=1 hashes-equal=true"), text);
        assertTrue(text.contains("demo: transfer id=1 account=1 asset=2 amount=1000000 from=0 to=1 state=COMPLETED"), text);
        assertTrue(text.contains("demo: segment 1 member 0 state hash at log position"), text);
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("demo: money across segments: asset 1 total=") &&
            line.endsWith(" conserved=true")), text);
        assertTrue(text.contains("on instruments 1 (segment 0), 101 (segment 1)"), text);
    }

    @Test
    void shouldExitWith2OnBadSegments()
    {
        assertEquals(Cli.EXIT_USAGE, Cli.run(new DemoMain(), "keel demo", "--segments", "0"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new DemoMain(), "keel demo", "--segments", "9"));
    }
}
