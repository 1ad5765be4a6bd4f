package io.keel.perf.load;

import io.keel.common.IdleProfile;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code keel perf throughput}: the most requests a second each path carries with {@code window} requests in
 * flight (pipelined: a new request as soon as an answer frees a slot), for the bare cluster echo and for orders
 * through the gateway over TCP and over Aeron UDP, the same number of members, one after the other in one run.
 * Aeron Cluster batches what arrives together into one log append and one commit: the ratio of Keel to the echo
 * says whether Keel keeps that batching. Prints a line per scenario and writes {@code throughput.md}.
 */
final class Throughput
{

    /** One scenario's measured window. */
    record Outcome(LoadMain.Step step, LoadGenerator.Result result, CostBreakdown cost)
    {
        double perSecond()
        {
            return result.answered() / result.seconds();
        }
    }

    private final int nodes;
    private final int window;
    private final long warmupS;
    private final long seconds;
    private final IdleProfile idleProfile;
    private int segments = 1;

    Throughput(final int nodes, final int window, final long warmupS, final long seconds, final IdleProfile idleProfile)
    {
        this.nodes = nodes;
        this.window = window;
        this.warmupS = warmupS;
        this.seconds = seconds;
        this.idleProfile = idleProfile;
    }

    /**
     * keel-tcp and keel-udp through a gateway with a map of that many segments (clusters of {@code nodes}).
     */
    Throughput segments(final int segments)
    {
        this.segments = segments;
        return this;
    }

    List<Outcome> measure(final List<String> scenarios, final Scenario.Factory factory) throws Exception
    {
        final List<Outcome> outcomes = new ArrayList<>();
        for (final String name : scenarios)
        {
            final LoadMain.Step step = LoadMain.withSegments(List.of(new LoadMain.Step(name, nodes)), segments).get(0);
            final ThreadCensus census = new ThreadCensus();
            try (Scenario scenario = factory.create(step))
            {
                scenario.start(census);
                final LoadGenerator generator = new LoadGenerator(idleProfile.newIdleStrategy());
                if (warmupS > 0)
                {
                    generator.pipelined(scenario, window, warmupS);
                }
                final ThreadCensus.Sample before = census.sample();
                final LoadGenerator.Result result = generator.pipelined(scenario, window, seconds);
                final ThreadCensus.Sample after = census.sample();
                final Outcome outcome = new Outcome(step, result, CostBreakdown.between(before, after, result.answered()));
                outcomes.add(outcome);
                System.out.println(line(outcome, outcomes, window));
            }
        }
        return outcomes;
    }

    static String line(final Outcome outcome, final List<Outcome> outcomes, final int window)
    {
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "throughput %s nodes=%d%s window=%d msgs-per-s=%.0f p50=%.1f p99=%.1f",
            outcome.step().name(), outcome.step().nodes(), outcome.step().segmentsText(), window, outcome.perSecond(),
            LoadMain.micros(outcome.result().histogram(), 50), LoadMain.micros(outcome.result().histogram(), 99)));
        final Outcome echo = echo(outcomes);
        if (echo != null)
        {
            text.append(String.format(Locale.ROOT, " vs-cluster-echo=%.2f", outcome.perSecond() / echo.perSecond()));
        }
        return text.toString();
    }

    private static Outcome echo(final List<Outcome> outcomes)
    {
        return outcomes.stream().filter((o) -> "cluster-echo".equals(o.step().name())).findFirst().orElse(null);
    }

    void write(final File outDir, final List<Outcome> outcomes, final String idle) throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf throughput\n\n")
            .append(String.format(Locale.ROOT, "%d node(s), %d requests in flight (a new one as soon as an answer frees a " +
                "slot), idle profile `%s`, %d s measured after %d s of the same load, each scenario on fresh instances. " +
                "Latency from each request's actual send, queueing in the window included, µs.%n%n",
                nodes, window, idle, seconds, warmupS))
            .append("| scenario | answered/s | vs cluster-echo | p50 | p99 | p99.9 | max |\n|---|---|---|---|---|---|---|\n");
        final Outcome echo = echo(outcomes);
        for (final Outcome outcome : outcomes)
        {
            final org.HdrHistogram.Histogram h = outcome.result().histogram();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.1f | %.1f | %.1f | %.1f |%n", outcome.step().key(),
                outcome.perSecond(),
                echo == null ? "" : String.format(Locale.ROOT, "%.2f", outcome.perSecond() / echo.perSecond()),
                LoadMain.micros(h, 50), LoadMain.micros(h, 99), LoadMain.micros(h, 99.9), h.getMaxValue() / 1000.0));
        }
        md.append("\nWhich thread carries the load: its CPU time over the window in cores (1.00: a thread that never " +
            "waited; with `yield` every thread of a 2-core machine shows a share, read `backoff` runs for this), and per " +
            "message.\n");
        for (final Outcome outcome : outcomes)
        {
            final CostBreakdown cost = outcome.cost();
            md.append("\n### ").append(outcome.step().key()).append("\n\n")
                .append("| component | thread | count | cores | cpu µs/msg | alloc B/msg |\n|---|---|---|---|---|---|\n");
            for (final CostBreakdown.Row row : cost.threads())
            {
                if (!ThreadCensus.JVM.equals(row.component()))
                {
                    md.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %.2f | %.2f | %.1f |%n", row.component(),
                        row.thread(), row.threads(), row.cpuNs() / 1e9 / cost.windowSeconds(),
                        cost.perMessage(row.cpuNs()) / 1000.0, cost.perMessage(row.allocatedBytes())));
                }
            }
        }
        md.append('\n');
        for (final Outcome outcome : outcomes)
        {
            md.append(line(outcome, outcomes, window)).append("  \n");
        }
        Files.writeString(new File(outDir, "throughput.md").toPath(), md, StandardCharsets.UTF_8);
    }
}
