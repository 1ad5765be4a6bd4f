package io.keel.perf.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The aggregation of {@code --repeat}: the child's command line, results written and read back exactly, medians and
 * spreads of percentiles and of per-run ratios. No timing.
 */
class RepeatsTest
{
    @Test
    void shouldDropRepeatAndOutWithTheirValuesFromTheChildsArguments()
    {
        assertEquals(List.of("keel-tcp", "--seconds", "5", "--nodes=3"),
            Repeats.withoutOptions(List.of("keel-tcp", "--repeat", "5", "--seconds", "5", "--out=x", "--nodes=3"),
                "--repeat", "--out"));
        assertEquals(List.of("all"), Repeats.withoutOptions(List.of("all", "--out", "dir", "--repeat=2"), "--repeat", "--out"));
    }

    @Test
    void shouldReadBackWhatARunWrote(@TempDir final File dir) throws Exception
    {
        final Map<String, LoadGenerator.Result> written = new LinkedHashMap<>();
        written.put("cluster-echo-1", result(1_000, 40_000, 50_000));
        written.put("keel-tcp-1", new LoadGenerator.Result(histogram(60_000, 90_000), 10, 8, 2.5, false, true));
        final File file = new File(dir, Repeats.RESULTS_FILE);
        Repeats.write(file, written);

        final Map<String, LoadGenerator.Result> read = Repeats.read(file);
        assertEquals(written.keySet(), read.keySet());
        final LoadGenerator.Result tcp = read.get("keel-tcp-1");
        assertEquals(10, tcp.sent());
        assertEquals(8, tcp.answered());
        assertEquals(2.5, tcp.seconds());
        assertTrue(tcp.overloaded());
        assertEquals(written.get("keel-tcp-1").histogram(), tcp.histogram());
    }

    @Test
    void shouldTakeTheMedianAndSpreadOfEachPercentileAndOfPerRunRatios()
    {
        final LoadMain.Step tcp = new LoadMain.Step("keel-tcp", 1);
        final List<Map<String, LoadGenerator.Result>> runs = List.of(
            run(40_000, 60_000),  // ratio 1.5
            run(50_000, 100_000), // ratio 2.0
            run(20_000, 50_000)); // ratio 2.5
        final Repeats.Spread p50 = Repeats.spread(runs, "keel-tcp-1", (run) -> Repeats.percentile(run.get("keel-tcp-1"), 50));
        assertEquals(60.0, p50.median(), 0.1);
        assertEquals(50.0, p50.min(), 0.1);
        assertEquals(100.0, p50.max(), 0.1);
        assertEquals(3, p50.runs());
        final Repeats.Spread ratio = Repeats.spread(runs, "keel-tcp-1", (run) -> Repeats.echoRatio(tcp, run, 50));
        assertEquals(2.0, ratio.median(), 0.01);

        final String line = Repeats.line(tcp, runs);
        assertTrue(line.startsWith("perf keel-tcp nodes=1 runs=3 p50=60.0 "), line);
        assertTrue(line.contains(" p50-spread=50.0-100.0 ") && line.contains(" p50-vs-cluster-echo=2.00 "), line);
        final String summary = Repeats.summary(List.of(new LoadMain.Step("cluster-echo", 1), tcp), runs);
        assertTrue(summary.contains("| keel-tcp-1 | 3 | "), summary);
        assertTrue(summary.contains("60.0 (50.0–100.0)"), summary);
        assertTrue(summary.contains("2.00 (1.50–2.50)"), summary);
    }

    @Test
    void shouldTakeTheMeanOfTheMiddleTwoOfAnEvenNumberOfRuns()
    {
        final List<Map<String, LoadGenerator.Result>> runs = List.of(run(1_000, 10_000), run(1_000, 20_000),
            run(1_000, 30_000), run(1_000, 40_000));
        assertEquals(25.0, Repeats.spread(runs, "keel-tcp-1", (run) -> Repeats.percentile(run.get("keel-tcp-1"), 50))
            .median(), 0.1);
    }

    private static Map<String, LoadGenerator.Result> run(final long echoNs, final long keelNs)
    {
        final Map<String, LoadGenerator.Result> run = new LinkedHashMap<>();
        run.put("cluster-echo-1", result(echoNs, echoNs, echoNs));
        run.put("keel-tcp-1", result(keelNs, keelNs, keelNs));
        return run;
    }

    private static LoadGenerator.Result result(final long... valuesNs)
    {
        return new LoadGenerator.Result(histogram(valuesNs), valuesNs.length, valuesNs.length, 1.0, false, false);
    }

    private static Histogram histogram(final long... valuesNs)
    {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        for (final long value : valuesNs)
        {
            histogram.recordValue(value);
        }
        return histogram;
    }
}
