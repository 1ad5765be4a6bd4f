package io.keel.perf.load;

import io.keel.common.IdleProfile;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code keel perf metrics-cost}: what metrics and per-hop timing cost a Keel scenario's latency.
 * One p99 from a shared, noisy machine says little (two runs with metrics off can differ by 50 %),
 * so the scenario runs {@code pairs} times with metrics off and as often with them on (every node
 * and the gateway serving {@code /metrics}, scraped at the given interval), each run on a freshly started
 * cluster and gateway, alternating the order (off/on, on/off, ...) so that drift in the machine's
 * background load falls on both sides, after one unrecorded run that lets the JIT compile both paths. The medians
 * of the runs' percentiles are compared.
 */
final class MetricsCost
{
    /** One run's percentiles, µs. */
    record Run(boolean metrics, double p50, double p99, double p999, double achievedRate)
    {
    }

    private final LoadMain.Step step;
    private final int pairs;
    private final int rate;
    private final long warmupS;
    private final long warmupMaxS;
    private final long seconds;
    private final long scrapeIntervalMs;
    private final IdleProfile idleProfile;

    MetricsCost(
        final LoadMain.Step step, final int pairs, final int rate, final long warmupS, final long warmupMaxS,
        final long seconds, final long scrapeIntervalMs, final IdleProfile idleProfile)
    {
        this.scrapeIntervalMs = scrapeIntervalMs;
        this.warmupMaxS = warmupMaxS;
        this.step = step;
        this.pairs = pairs;
        this.rate = rate;
        this.warmupS = warmupS;
        this.seconds = seconds;
        this.idleProfile = idleProfile;
    }

    List<Run> measure(final File workDir) throws Exception
    {
        // First an unrecorded run with metrics on: the first cluster of a JVM pays for compiling both paths.
        run(-1, true, workDir);
        final List<Run> runs = new ArrayList<>();
        for (int i = 0; i < 2 * pairs; i++)
        {
            runs.add(run(i, (i % 4 == 1) || (i % 4 == 2), workDir)); // off, on, on, off, off, on, ...
        }
        return runs;
    }

    private Run run(final int index, final boolean metrics, final File workDir) throws Exception
    {
        try (KeelRoundTrip scenario = new KeelRoundTrip(step.nodes(), "keel-udp".equals(step.name()), metrics,
            scrapeIntervalMs, idleProfile, new File(workDir, "run-" + (index + 1)), rate))
        {
            scenario.start();
            final LoadGenerator generator = new LoadGenerator(idleProfile.newIdleStrategy());
            final LoadGenerator.WarmUp warmUp = generator.warmUp(scenario, rate, warmupS, warmupMaxS, false);
            final LoadGenerator.Result result = generator.run(scenario, rate, 0, seconds, false);
            final Histogram h = result.histogram();
            final Run run = new Run(metrics, LoadMain.micros(h, 50), LoadMain.micros(h, 99), LoadMain.micros(h, 99.9),
                result.achievedRate());
            System.out.println(String.format(Locale.ROOT,
                "perf metrics-cost run=%s metrics=%s p50=%.1f p99=%.1f p99.9=%.1f warmup=%s%s",
                index < 0 ? "warm-up" : Integer.toString(index + 1), metrics ? "on" : "off", run.p50(), run.p99(),
                run.p999(), warmUp.text(),
                result.allAnswered() ? "" : " unanswered=" + result.unanswered()));
            return run;
        }
    }

    String line(final List<Run> runs)
    {
        final double off = median(runs, false, Run::p99);
        final double on = median(runs, true, Run::p99);
        return String.format(Locale.ROOT,
            "perf metrics-cost %s nodes=%d rate=%d runs=%dx2 p50-off=%.1f p50-on=%.1f p99-off=%.1f p99-on=%.1f " +
            "p99-change=%+.1f%%",
            step.name(), step.nodes(), rate, pairs, median(runs, false, Run::p50), median(runs, true, Run::p50), off, on,
            100.0 * (on - off) / off);
    }

    void write(final File outDir, final List<Run> runs, final String idle) throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf metrics-cost\n\n")
            .append(String.format(Locale.ROOT, "`%s`, %d node(s), open loop at %d requests/s, idle profile `%s`, " +
                "%d s measured after at least %d s warm-up (longer while the JIT compiles) per run, each run on a fresh cluster and gateway; metrics on = every " +
                "node and the gateway serve /metrics with per-hop timing, scraped every %d ms (0: never). µs.%n%n",
                step.name(), step.nodes(), rate, idle, seconds, warmupS, scrapeIntervalMs))
            .append("| run | metrics | p50 | p99 | p99.9 | achieved rate |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++)
        {
            final Run run = runs.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %.0f |%n",
                i + 1, run.metrics() ? "on" : "off", run.p50(), run.p99(), run.p999(), run.achievedRate()));
        }
        md.append("\n| median of runs | p50 | p99 | p99.9 |\n|---|---|---|---|\n");
        for (final boolean metrics : new boolean[] {false, true})
        {
            md.append(String.format(Locale.ROOT, "| metrics %s | %.1f | %.1f | %.1f |%n", metrics ? "on" : "off",
                median(runs, metrics, Run::p50), median(runs, metrics, Run::p99), median(runs, metrics, Run::p999)));
        }
        md.append('\n').append(line(runs)).append('\n');
        Files.writeString(new File(outDir, "metrics-cost.md").toPath(), md, StandardCharsets.UTF_8);
    }

    static double median(final List<Run> runs, final boolean metrics, final java.util.function.ToDoubleFunction<Run> value)
    {
        final double[] values = runs.stream().filter((run) -> run.metrics() == metrics).mapToDouble(value).sorted().toArray();
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
