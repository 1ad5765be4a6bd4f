package io.keel.perf.load;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code summary.md}: one row per scenario of the run, in microseconds, with the p99 ratios to the floor and
 * (for keel scenarios, when it ran) to the cluster echo of the same size; for repeated runs, each percentile's
 * median and spread across the runs ({@link Repeats#summary}).
 */
final class Summary
{
    private Summary()
    {
    }

    static void write(
        final File outDir, final List<LoadMain.Step> steps, final List<Map<String, LoadGenerator.Result>> runs,
        final int rate, final String idle, final boolean closedLoop) throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf\n\n")
            .append(closedLoop ? "Closed loop" : "Open loop at " + rate + " requests/s")
            .append(", idle profile `").append(idle).append("`, latency from the intended send time, µs.\n\n");
        if (runs.size() > 1)
        {
            md.append(Repeats.summary(steps, runs));
            Files.writeString(new File(outDir, "summary.md").toPath(), md, StandardCharsets.UTF_8);
            return;
        }
        final Map<String, LoadGenerator.Result> results = runs.get(0);
        final boolean echoRan = steps.stream().anyMatch((step) -> step.name().equals("cluster-echo"));
        md
            .append("| scenario | achieved rate | p50 | p90 | p99 | p99.9 | p99.99 | max | p99 vs floor-udp |")
            .append(echoRan ? " p99 vs cluster-echo |\n" : "\n")
            .append("|---|---|---|---|---|---|---|---|---|").append(echoRan ? "---|\n" : "\n");
        for (final LoadMain.Step step : steps)
        {
            final LoadGenerator.Result result = results.get(step.key());
            if (result == null)
            {
                continue;
            }
            final Histogram h = result.histogram();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |",
                step.key(), result.achievedRate(), LoadMain.micros(h, 50), LoadMain.micros(h, 90),
                LoadMain.micros(h, 99), LoadMain.micros(h, 99.9), LoadMain.micros(h, 99.99), h.getMaxValue() / 1000.0,
                ratio(result, LoadMain.baseline("floor-udp", step, results))));
            if (echoRan)
            {
                md.append(' ').append(ratio(result, LoadMain.baseline("cluster-echo", step, results))).append(" |");
            }
            md.append('\n');
        }
        Files.writeString(new File(outDir, "summary.md").toPath(), md, StandardCharsets.UTF_8);
    }

    private static String ratio(final LoadGenerator.Result result, final LoadGenerator.Result baseline)
    {
        return baseline == null ? "" : LoadMain.ratio(result, baseline);
    }
}
