package io.keel.perf.load;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code --repeat N}: one run of a shared machine says little about a tail, so the whole run is made N times,
 * each in a fresh JVM (its own JIT, heap and threads: a second run in the same JVM would start warm), and each
 * percentile is reported as the median of the runs with its spread (lowest and highest). Each child JVM writes its
 * results ({@link #RESULTS_FILE}: the histograms, compressed) into its own {@code run-<i>} directory;
 * the parent aggregates them into {@code summary.md} and prints one median line per scenario.
 */
final class Repeats
{
    static final String RESULTS_FILE = "results.tsv";
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    private Repeats()
    {
    }

    /**
     * Run the command line again {@code repeat} times, each in a new JVM with this JVM's options and class path,
     * without {@code --repeat} and {@code --out}, writing into {@code outDir/run-<i>}.
     *
     * @return each run's results by scenario key, in run order.
     */
    static List<Map<String, LoadGenerator.Result>> runChildren(
        final List<String> originalArgs, final int repeat, final File outDir) throws Exception
    {
        final List<String> args = withoutOptions(originalArgs, "--repeat", "--out");
        final List<Map<String, LoadGenerator.Result>> runs = new ArrayList<>();
        for (int run = 1; run <= repeat; run++)
        {
            final File runDir = new File(outDir, "run-" + run);
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(LoadMain.class.getName());
            command.addAll(args);
            command.add("--out");
            command.add(runDir.getPath());
            System.out.println("perf: run " + run + " of " + repeat + " (fresh JVM) into " + runDir);
            System.out.flush();
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Relay the child's lines through this JVM's System.out, so that whoever reads it sees them.
            try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    System.out.println(line);
                }
            }
            final int exit = process.waitFor();
            if (exit != 0)
            {
                throw new IllegalStateException("run " + run + " exited with " + exit);
            }
            runs.add(read(new File(runDir, RESULTS_FILE)));
        }
        return runs;
    }

    static List<String> withoutOptions(final List<String> args, final String... options)
    {
        final List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            final String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (Arrays.asList(options).contains(name))
            {
                i += arg.contains("=") ? 0 : 1; // skip its value too
                continue;
            }
            kept.add(arg);
        }
        return kept;
    }

    static void write(final File file, final Map<String, LoadGenerator.Result> results) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<String, LoadGenerator.Result> entry : results.entrySet())
        {
            final LoadGenerator.Result r = entry.getValue();
            final ByteBuffer buffer = ByteBuffer.allocate(r.histogram().getNeededByteBufferCapacity());
            final int length = r.histogram().encodeIntoCompressedByteBuffer(buffer);
            text.append(entry.getKey()).append('\t').append(r.sent()).append('\t').append(r.answered()).append('\t')
                .append(r.seconds()).append('\t').append(r.closedLoop()).append('\t').append(r.overloaded()).append('\t')
                .append(Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length))).append('\n');
        }
        Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
    }

    static Map<String, LoadGenerator.Result> read(final File file) throws Exception
    {
        final Map<String, LoadGenerator.Result> results = new LinkedHashMap<>();
        for (final String line : Files.readAllLines(file.toPath(), StandardCharsets.UTF_8))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] f = line.split("\t");
            final Histogram histogram = Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(f[6])), 0);
            results.put(f[0], new LoadGenerator.Result(histogram, Long.parseLong(f[1]), Long.parseLong(f[2]),
                Double.parseDouble(f[3]), Boolean.parseBoolean(f[4]), Boolean.parseBoolean(f[5])));
        }
        return results;
    }

    /** Median and spread of one figure across runs. */
    record Spread(double median, double min, double max, int runs)
    {
        String text()
        {
            return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median, min, max);
        }
    }

    /**
     * @return the figure's median, lowest and highest over the runs where {@code key} ran (NaN when none did).
     */
    static Spread spread(
        final List<Map<String, LoadGenerator.Result>> runs, final String key,
        final ToDoubleFunction<Map<String, LoadGenerator.Result>> figure)
    {
        final double[] values = runs.stream().filter((run) -> run.containsKey(key)).mapToDouble(figure)
            .filter((v) -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0)
        {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        final int middle = values.length / 2;
        final double median = values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        return new Spread(median, values[0], values[values.length - 1], values.length);
    }

    static double percentile(final LoadGenerator.Result result, final double percentile)
    {
        return percentile >= 100 ? result.histogram().getMaxValue() / 1000.0 : LoadMain.micros(result.histogram(), percentile);
    }

    /**
     * Ratio of a keel scenario's percentile to the cluster echo's with the same members, in one run (NaN when the
     * echo did not run).
     */
    static double echoRatio(final LoadMain.Step step, final Map<String, LoadGenerator.Result> run, final double percentile)
    {
        final LoadGenerator.Result echo = LoadMain.baseline("cluster-echo", step, run);
        final LoadGenerator.Result result = run.get(step.key());
        return echo == null || result == null ? Double.NaN : percentile(result, percentile) / percentile(echo, percentile);
    }

    /**
     * {@code perf <scenario> nodes=<n> runs=<N> p50=... p99=... p99.9=... max=...} (medians) with the spread of p50
     * and p99 and, for keel scenarios, the medians of the per-run p50 and p99 ratios to the cluster echo.
     */
    static String line(final LoadMain.Step step, final List<Map<String, LoadGenerator.Result>> runs)
    {
        final String key = step.key();
        final Spread p50 = spread(runs, key, (run) -> percentile(run.get(key), 50));
        final Spread p99 = spread(runs, key, (run) -> percentile(run.get(key), 99));
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "perf %s nodes=%d runs=%d p50=%.1f p99=%.1f p99.9=%.1f max=%.1f p50-spread=%.1f-%.1f p99-spread=%.1f-%.1f",
            step.name(), step.nodes(), p50.runs(), p50.median(), p99.median(),
            spread(runs, key, (run) -> percentile(run.get(key), 99.9)).median(),
            spread(runs, key, (run) -> percentile(run.get(key), 100)).median(), p50.min(), p50.max(), p99.min(), p99.max()));
        final Spread p50Ratio = spread(runs, key, (run) -> echoRatio(step, run, 50));
        if (p50Ratio.runs() > 0)
        {
            text.append(String.format(Locale.ROOT, " p50-vs-cluster-echo=%.2f p99-vs-cluster-echo=%.2f", p50Ratio.median(),
                spread(runs, key, (run) -> echoRatio(step, run, 99)).median()));
        }
        return text.toString();
    }

    /**
     * The part of {@code summary.md} for repeated runs: per scenario, each percentile's median over the runs
     * with its lowest and highest, then every run's p50 and p99.
     */
    static String summary(final List<LoadMain.Step> steps, final List<Map<String, LoadGenerator.Result>> runs)
    {
        final StringBuilder md = new StringBuilder()
            .append(String.format(Locale.ROOT, "Median of %d runs, each in a fresh JVM, (lowest–highest), µs. " +
                "Ratios to the cluster echo are taken within each run, then their median.%n%n", runs.size()))
            .append("| scenario | runs | achieved rate |");
        for (final String name : PERCENTILE_NAMES)
        {
            md.append(' ').append(name).append(" |");
        }
        md.append(" p50 vs cluster-echo | p99 vs cluster-echo |\n|---|---|---|");
        md.append("---|".repeat(PERCENTILE_NAMES.length)).append("---|---|\n");
        for (final LoadMain.Step step : steps)
        {
            final String key = step.key();
            final Spread rate = spread(runs, key, (run) -> run.get(key).achievedRate());
            if (rate.runs() == 0)
            {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f |", key, rate.runs(), rate.median()));
            for (final double percentile : PERCENTILES)
            {
                md.append(' ').append(spread(runs, key, (run) -> percentile(run.get(key), percentile)).text()).append(" |");
            }
            for (final double percentile : new double[] {50, 99})
            {
                final Spread ratio = spread(runs, key, (run) -> echoRatio(step, run, percentile));
                md.append(ratio.runs() == 0 ? " |" : String.format(Locale.ROOT, " %.2f (%.2f–%.2f) |",
                    ratio.median(), ratio.min(), ratio.max()));
            }
            md.append('\n');
        }
        md.append("\nEvery run, p50 / p99 (µs):\n\n| scenario |");
        for (int i = 1; i <= runs.size(); i++)
        {
            md.append(" run ").append(i).append(" |");
        }
        md.append("\n|---|").append("---|".repeat(runs.size())).append('\n');
        for (final LoadMain.Step step : steps)
        {
            md.append("| ").append(step.key()).append(" |");
            for (final Map<String, LoadGenerator.Result> run : runs)
            {
                final LoadGenerator.Result r = run.get(step.key());
                md.append(r == null ? " |" : String.format(Locale.ROOT, " %.1f / %.1f%s |", percentile(r, 50),
                    percentile(r, 99), r.allAnswered() ? "" : " (unanswered " + r.unanswered() + ")"));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
