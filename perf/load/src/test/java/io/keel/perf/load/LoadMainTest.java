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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke runs: every scenario of {@code all} and a tiny {@code capacity} ramp work end to end and
 * write their files, with the backoff idle profile (no busy-spin). No timing is asserted.
 */
class LoadMainTest
{
    @Test
    @Timeout(150)
    void shouldRunEveryScenarioAndWriteHistogramsSummaryAndPlot(@TempDir final File out) throws Exception
    {
        final String text = run("all", "--rate", "200", "--seconds", "1", "--warmup-s", "0", "--warmup-max-s", "0", "--idle", "backoff",
            "--out", out.getPath());
        for (final String scenario : List.of("floor-ipc", "floor-udp", "kafka"))
        {
            assertTrue(text.contains("perf " + scenario + " nodes="), text);
        }
        for (final String scenario : List.of("cluster-echo", "keel-tcp", "keel-udp"))
        {
            assertTrue(text.contains("perf " + scenario + " nodes=1 "), text);
            assertTrue(text.contains("perf " + scenario + " nodes=3 "), text);
        }
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("perf keel-tcp nodes=3 ") &&
            line.contains(" vs-floor=") && line.contains(" vs-cluster-echo=")), text);
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("perf kafka nodes=1 ") && line.contains(" vs-floor=")),
            text);
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("perf kafka nodes=3 ")), "three brokers too: " + text);
        for (final String file : List.of("floor-ipc.hgrm", "floor-udp.hgrm", "cluster-echo-1.hgrm", "cluster-echo-3.hgrm",
            "keel-tcp-1.hgrm", "keel-tcp-3.hgrm", "keel-udp-1.hgrm", "keel-udp-3.hgrm", "kafka-1.hgrm", "kafka-3.hgrm", "summary.md", "percentiles.png", "percentiles.html"))
        {
            assertTrue(new File(out, file).length() > 0, file);
        }
        final String summary = Files.readString(new File(out, "summary.md").toPath());
        assertTrue(summary.contains("p99 vs cluster-echo"), summary);
        for (final String row : List.of("| cluster-echo-3 | ", "| keel-tcp-1 | ", "| kafka-1 | "))
        {
            assertTrue(summary.contains(row), summary);
        }
        assertFalse(new File(out, "work").exists(), "work dir removed");
    }

    @Test
    @Timeout(60)
    void shouldRampCapacityAndWriteTheTable(@TempDir final File out) throws Exception
    {
        // A bound no rate can miss: two doubling steps up to --max-rate, then stop.
        final String text = run("capacity", "floor-ipc,floor-udp", "--rate", "100", "--max-rate", "200", "--step-s", "1",
            "--warmup-s", "0", "--warmup-max-s", "0", "--p99-bound-us", "10000000", "--idle", "backoff", "--out", out.getPath());
        assertTrue(text.contains("capacity floor-ipc nodes=0 rate=200 p99="), text);
        final String capacity = Files.readString(new File(out, "capacity.md").toPath());
        assertTrue(capacity.contains("| floor-ipc | 200 | "), capacity);
        assertTrue(text.contains("capacity floor-udp nodes=0 rate=200 p99="), text);
        assertTrue(capacity.contains("| floor-udp | 200 | "), capacity);
    }

    @Test
    @Timeout(60)
    void shouldWarmUpUntilTheJitIsQuietWithinTheMaximum(@TempDir final File out) throws Exception
    {
        final String text = run("floor-ipc", "--rate", "500", "--seconds", "1", "--warmup-s", "1", "--warmup-max-s", "8",
            "--idle", "backoff", "--out", out.getPath());
        final String line = text.lines().filter((l) -> l.startsWith("perf floor-ipc ")).findFirst().orElseThrow();
        final String warmUp = line.replaceAll(".* warmup=(\\S+).*", "$1");
        final long seconds = Long.parseLong(warmUp.replaceAll("s,.*", ""));
        assertTrue(seconds >= 1 && seconds <= 8, line);
        assertTrue(warmUp.endsWith(",jit-quiet") || (seconds == 8 && warmUp.endsWith(",jit-busy")), line);
    }

    @Test
    @Timeout(60)
    void shouldRunClosedLoopForTheGivenTimeNotForRateTimesSeconds(@TempDir final File out) throws Exception
    {
        // With --rate 1 a count-bound run would send 2 requests; a closed loop sends as many as fit in the second.
        final String text = run("floor-ipc", "--closed-loop", "--rate", "1", "--seconds", "1", "--warmup-s", "1",
            "--warmup-max-s", "1",
            "--idle", "backoff", "--out", out.getPath());
        final String line = text.lines().filter((l) -> l.startsWith("perf floor-ipc ")).findFirst().orElseThrow();
        final double achieved = Double.parseDouble(line.replaceAll(".* rate=([0-9.]+) .*", "$1"));
        assertTrue(achieved > 100, line);
        assertFalse(line.contains("unanswered"), line);
        assertTrue(Files.readString(new File(out, "summary.md").toPath()).contains("Closed loop"));
    }

    @Test
    @Timeout(120)
    void shouldCompareMetricsOffAndOnOverAlternatingRuns(@TempDir final File out) throws Exception
    {
        final String text = run("metrics-cost", "--pairs", "1", "--rate", "200", "--seconds", "1", "--warmup-s", "0", "--warmup-max-s", "0",
            "--idle", "backoff", "--out", out.getPath());
        assertTrue(text.contains("perf metrics-cost run=1 metrics=off "), text);
        assertTrue(text.contains("perf metrics-cost run=2 metrics=on "), text);
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("perf metrics-cost keel-tcp nodes=1 rate=200 runs=1x2 ") &&
            line.contains(" p99-off=") && line.contains(" p99-on=") && line.contains(" p99-change=")), text);
        final String table = Files.readString(new File(out, "metrics-cost.md").toPath());
        assertTrue(table.contains("| metrics off | ") && table.contains("| metrics on | "), table);
        assertFalse(new File(out, "work").exists(), "work dir removed");
    }

    @Test
    @Timeout(90)
    void shouldPrintOneCostLinePerScenarioAndWriteTheBreakdown(@TempDir final File out) throws Exception
    {
        final String text = run("cost", "--rate", "200", "--seconds", "1", "--warmup-s", "0", "--warmup-max-s", "0",
            "--out", out.getPath());
        for (final String scenario : List.of("cluster-echo", "keel-tcp", "keel-udp"))
        {
            assertTrue(text.lines().anyMatch((line) -> line.matches("cost " + scenario + " nodes=1 cpu-us-per-msg=[0-9.]+ " +
                "alloc-bytes-per-msg=[0-9.]+ gc=[0-9]+ vs-cluster-echo=[0-9.]+")), text);
        }
        final String cost = Files.readString(new File(out, "cost.md").toPath());
        for (final String part : List.of("idle profile `backoff`", "## keel-tcp-1 by component", "| node-0 | ",
            "| gateway | ", "| client | ", "### keel-udp-1 by thread", "`keel-gateway-1`", "`clustered-service-0-0`"))
        {
            assertTrue(cost.contains(part), part + " in " + cost);
        }
        assertFalse(new File(out, "work").exists(), "work dir removed");
    }

    @Test
    @Timeout(90)
    void shouldCostTwoSegmentsBehindOneGatewayByComponent(@TempDir final File out) throws Exception
    {
        final String text = run("cost", "keel-tcp", "--segments", "2", "--rate", "200", "--seconds", "1", "--warmup-s",
            "0", "--warmup-max-s", "0", "--out", out.getPath());
        assertTrue(text.lines().anyMatch((line) -> line.matches("cost keel-tcp nodes=1 segments=2 cpu-us-per-msg=[0-9.]+ " +
            "alloc-bytes-per-msg=[0-9.]+ gc=[0-9]+")), text);
        final String cost = Files.readString(new File(out, "cost.md").toPath());
        for (final String part : List.of("2 market segments", "## keel-tcp-1x2-segments by component", "| node-s0-0 | ",
            "| node-s1-0 | ", "| gateway | ", "| client | "))
        {
            assertTrue(cost.contains(part), part + " in " + cost);
        }
        assertTrue(cost.contains("| keel-tcp-1x2-segments | 200 | "), "every order of both segments answered: " + cost);
    }

    @Test
    @Timeout(90)
    void shouldRepeatTheRunInFreshJvmsAndSummariseTheMedians(@TempDir final File out) throws Exception
    {
        final String text = run("floor-ipc,floor-udp", "--repeat", "2", "--rate", "200", "--seconds", "1", "--warmup-s", "0",
            "--warmup-max-s", "0", "--idle", "backoff", "--out", out.getPath());
        assertEquals(2, text.lines().filter((line) -> line.startsWith("perf floor-ipc nodes=0 rate=")).count(), text);
        assertTrue(text.lines().anyMatch((line) -> line.startsWith("perf floor-udp nodes=0 runs=2 p50=") &&
            line.contains(" p99-spread=")), text);
        assertTrue(new File(out, "run-2/floor-udp.hgrm").length() > 0);
        final String summary = Files.readString(new File(out, "summary.md").toPath());
        assertTrue(summary.contains("Median of 2 runs") && summary.contains("| floor-ipc | 2 | "), summary);
    }

    @Test
    @Timeout(90)
    void shouldMeasurePipelinedThroughputNextToTheClusterEcho(@TempDir final File out) throws Exception
    {
        final String text = run("throughput", "cluster-echo,keel-tcp", "--window", "50", "--seconds", "1", "--warmup-s", "0",
            "--idle", "backoff", "--out", out.getPath());
        assertTrue(text.lines().anyMatch((line) -> line.matches(
            "throughput keel-tcp nodes=1 window=50 msgs-per-s=[0-9]+ p50=[0-9.]+ p99=[0-9.]+ vs-cluster-echo=[0-9.]+")), text);
        final String table = Files.readString(new File(out, "throughput.md").toPath());
        assertTrue(table.contains("| cluster-echo-1 | ") && table.contains("`keel-gateway-1`"), table);
    }

    @Test
    void shouldRejectAnUnknownScenarioWithUsageExit()
    {
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "nonsense"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "capacity", "nonsense"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "metrics-cost", "kafka"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "capacity", "floor-ipc,nonsense"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "metrics-cost", "--pairs", "0"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "floor-ipc", "--warmup-s", "5",
            "--warmup-max-s", "4"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "cost", "kafka"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "throughput", "--window", "0"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "cost", "--repeat", "2"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "floor-ipc,nonsense"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "cost", "--segments", "0"));
        assertEquals(2, io.keel.common.Cli.run(new LoadMain(), "keel perf", "keel-tcp", "--segments", "2"));
    }

    private static String run(final String... args)
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = new CommandLine(new LoadMain()).execute(args);
        }
        finally
        {
            System.setOut(stdout);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, exit, text);
        return text;
    }
}
