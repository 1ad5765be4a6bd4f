package io.keel.perf.load;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;

/**
 * {@code summary.md}: one row per scenario of the run, in microseconds, with the p99 ratio to the floor.
 */
final class Summary
{
    private Summary()
    {
    }

    static void write(
        final File outDir, final Map<String, LoadGenerator.Result> results, final int rate, final String idle,
        final boolean closedLoop) throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf\n\n")
            .append(closedLoop ? "Closed loop" : "Open loop at " + rate + " requests/s")
            .append(", idle profile `").append(idle).append("`, latency from the intended send time, µs.\n\n")
            .append("| scenario | achieved rate | p50 | p90 | p99 | p99.9 | p99.99 | max | p99 vs floor-udp |\n")
            .append("|---|---|---|---|---|---|---|---|---|\n");
        final LoadGenerator.Result floor = results.get("floor-udp");
        for (final Map.Entry<String, LoadGenerator.Result> entry : results.entrySet())
        {
            final Histogram h = entry.getValue().histogram();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |%n",
                entry.getKey(), entry.getValue().achievedRate(), LoadMain.micros(h, 50), LoadMain.micros(h, 90),
                LoadMain.micros(h, 99), LoadMain.micros(h, 99.9), LoadMain.micros(h, 99.99), h.getMaxValue() / 1000.0,
                floor == null || entry.getKey().startsWith("floor") ? "" :
                    String.format(Locale.ROOT, "%.2f", LoadMain.micros(h, 99) / LoadMain.micros(floor.histogram(), 99))));
        }
        Files.writeString(new File(outDir, "summary.md").toPath(), md, StandardCharsets.UTF_8);
    }
}
