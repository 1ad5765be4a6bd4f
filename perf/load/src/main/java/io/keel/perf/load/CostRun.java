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
 * {@code keel perf cost}: what a message costs rather than how long it takes. Timing on a shared 2-vCPU machine
 * is blurred by whatever else runs; CPU time and allocation per message are not. Runs cluster-echo, keel-tcp and
 * keel-udp (same number of members) one after the other, each on fresh instances at a fixed rate, and over each
 * measured window takes every thread's CPU time and allocated bytes (attributed to nodes, gateway and client by a
 * {@link ThreadCensus}) and the garbage collections. Prints one line per scenario and writes {@code cost.md}.
 */
final class CostRun
{
    static final List<String> SCENARIOS = List.of("cluster-echo", "keel-tcp", "keel-udp");

    /** One scenario's measured window. */
    record Outcome(LoadMain.Step step, CostBreakdown cost, LoadGenerator.Result result, String warmUp)
    {
    }

    private final int nodes;
    private final int rate;
    private final long warmupS;
    private final long warmupMaxS;
    private final long seconds;
    private final IdleProfile idleProfile;
    private int segments = 1;

    CostRun(
        final int nodes, final int rate, final long warmupS, final long warmupMaxS, final long seconds,
        final IdleProfile idleProfile)
    {
        this.nodes = nodes;
        this.rate = rate;
        this.warmupS = warmupS;
        this.warmupMaxS = warmupMaxS;
        this.seconds = seconds;
        this.idleProfile = idleProfile;
    }

    /**
     * keel-tcp and keel-udp through a gateway with a map of that many segments (clusters of {@code nodes}).
     */
    CostRun segments(final int segments)
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
                final LoadGenerator.WarmUp warmUp = generator.warmUp(scenario, rate, warmupS, warmupMaxS, false);
                final ThreadCensus.Sample before = census.sample();
                final LoadGenerator.Result result = generator.run(scenario, rate, 0, seconds, false);
                final ThreadCensus.Sample after = census.sample();
                final Outcome outcome = new Outcome(step, CostBreakdown.between(before, after, result.answered()), result,
                    warmUp.text());
                outcomes.add(outcome);
                System.out.println(line(outcome, outcomes));
            }
        }
        return outcomes;
    }

    static String line(final Outcome outcome, final List<Outcome> outcomes)
    {
        final CostBreakdown cost = outcome.cost();
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "cost %s nodes=%d%s cpu-us-per-msg=%.1f alloc-bytes-per-msg=%.1f gc=%d",
            outcome.step().name(), outcome.step().nodes(), outcome.step().segmentsText(), cost.pathCpuUsPerMessage(),
            cost.pathAllocatedBytesPerMessage(), cost.gcCount()));
        final Outcome echo = echo(outcomes);
        if (echo != null)
        {
            text.append(String.format(Locale.ROOT, " vs-cluster-echo=%.2f",
                cost.pathCpuUsPerMessage() / echo.cost().pathCpuUsPerMessage()));
        }
        if (!outcome.result().allAnswered())
        {
            text.append(" unanswered=").append(outcome.result().unanswered());
        }
        return text.toString();
    }

    private static Outcome echo(final List<Outcome> outcomes)
    {
        for (final Outcome outcome : outcomes)
        {
            if ("cluster-echo".equals(outcome.step().name()))
            {
                return outcome;
            }
        }
        return null;
    }

    void write(final File outDir, final List<Outcome> outcomes, final String idle) throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf cost\n\n")
            .append(segments > 1 ? String.format(Locale.ROOT, "keel-tcp and keel-udp: %d market segments (each a " +
                "cluster of the node(s) below, `node-s<k>-<id>`) behind one gateway with a segment map, the orders " +
                "spread over one instrument of each.%n%n", segments) : "")
            .append(String.format(Locale.ROOT, "%d node(s), open loop at %d requests/s, idle profile `%s`, %d s measured " +
                "after at least %d s of warm-up (longer while the JIT compiles), each scenario on fresh instances in this " +
                "JVM. Per message: CPU time of every thread (`ThreadMXBean` thread CPU time) and bytes it allocated " +
                "(`getThreadAllocatedBytes`), divided by the requests answered in the window. A thread belongs to the " +
                "component that started it (nodes, gateway, client; the client's thread also runs the load generator). " +
                "The path is every component but `jvm` (threads that existed before the scenario). `jvm native` is the " +
                "process's CPU time less every Java thread's: GC, JIT and VM threads, not in the path's figure. " +
                "GC counts are the JVM's (every component shares one heap).%n%n",
                nodes, rate, idle, seconds, warmupS))
            .append("With `yield` or `dedicated` every idle agent burns CPU, so CPU time says how the scheduler shared the " +
                "cores, not what the work cost: compare CPU per message with `backoff` (the default here), where idle " +
                "agents park. Even then each message wakes every agent on its path into the strategy's spins, yields and " +
                "short parks before it sleeps again: at low rates that, not the work, is most of the figure (the work " +
                "itself shows in `keel perf throughput --idle backoff`, where no agent idles). When `cores busy` reaches " +
                String.format(Locale.ROOT, "the machine's %d cores, ", Runtime.getRuntime().availableProcessors()) +
                "CPU per message is only cores / rate: lower the rate to compare paths.\n\n")
            .append("| scenario | answered | cpu µs/msg | alloc B/msg | gc | gc ms | jvm native µs/msg | cores busy | " +
                "cpu vs cluster-echo | p50 µs | p99 µs |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        final Outcome echo = echo(outcomes);
        for (final Outcome outcome : outcomes)
        {
            final CostBreakdown cost = outcome.cost();
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %d | %d | %.1f | %.2f | %s | %.1f | %.1f |%n",
                outcome.step().key(), cost.messages(), cost.pathCpuUsPerMessage(), cost.pathAllocatedBytesPerMessage(),
                cost.gcCount(), cost.gcTimeMs(), cost.nativeCpuUsPerMessage(),
                cost.pathCpuUsPerMessage() * cost.messages() / 1e6 / cost.windowSeconds(),
                echo == null ? "" : String.format(Locale.ROOT, "%.2f",
                    cost.pathCpuUsPerMessage() / echo.cost().pathCpuUsPerMessage()),
                LoadMain.micros(outcome.result().histogram(), 50), LoadMain.micros(outcome.result().histogram(), 99)));
        }
        for (final Outcome outcome : outcomes)
        {
            final CostBreakdown cost = outcome.cost();
            md.append("\n## ").append(outcome.step().key()).append(" by component\n\n")
                .append("| component | threads | cpu µs/msg | share of path | alloc B/msg |\n|---|---|---|---|---|\n");
            final double path = cost.pathCpuUsPerMessage();
            for (final CostBreakdown.Row row : cost.components())
            {
                final double cpu = cost.perMessage(row.cpuNs()) / 1000.0;
                md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %s | %.1f |%n", row.component(), row.threads(), cpu,
                    ThreadCensus.JVM.equals(row.component()) ? "" : String.format(Locale.ROOT, "%.0f %%", 100 * cpu / path),
                    cost.perMessage(row.allocatedBytes())));
            }
            md.append(String.format(Locale.ROOT, "| jvm native (GC, JIT, VM) | | %.2f | | |%n", cost.nativeCpuUsPerMessage()));
            md.append("\n### ").append(outcome.step().key()).append(" by thread\n\n")
                .append("| component | thread | count | cpu µs/msg | alloc B/msg |\n|---|---|---|---|---|\n");
            for (final CostBreakdown.Row row : cost.threads())
            {
                md.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %.2f | %.1f |%n", row.component(), row.thread(),
                    row.threads(), cost.perMessage(row.cpuNs()) / 1000.0, cost.perMessage(row.allocatedBytes())));
            }
            if (cost.endedThreads() > 0)
            {
                md.append("\n").append(cost.endedThreads()).append(" thread(s) ended during the window (not counted).\n");
            }
        }
        md.append('\n');
        for (final Outcome outcome : outcomes)
        {
            md.append(line(outcome, outcomes)).append("  \n");
        }
        Files.writeString(new File(outDir, "cost.md").toPath(), md, StandardCharsets.UTF_8);
    }
}
