package io.keel.perf.load;

import io.keel.common.Cli;
import io.keel.common.IdleProfile;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel perf <scenario>}: open-loop, fixed-rate round trips through one path, measured from
 * the intended send time, with its baselines measured in the same run. Writes one {@code .hgrm}
 * per scenario, {@code summary.md} and a percentile plot to {@code --out}.
 * {@code keel perf capacity [<scenario>]}: for each scenario, the highest rate whose p99 stays
 * under a bound (doubling, then bisecting, with short runs); writes {@code capacity.md}.
 */
@Command(
    name = "keel perf",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Latency of one path at a fixed rate, next to its baselines measured in the same run; " +
        "or (capacity) the highest rate whose p99 stays under a bound.",
    footer = {"%nScenarios: floor-ipc, floor-udp (raw Aeron echo), cluster-echo (bare Aeron Cluster echo service, " +
        "Keel's node setup), keel-tcp, keel-udp (orders through the gateway over TCP or Aeron UDP), keel-tls (TLS through " +
        "HAProxy with deploy/haproxy.cfg and the PROXY protocol to the gateway; runs with keel-tcp), kafka (in-process KRaft broker, acks=all " +
        "producer -> consumer), all (every one; cluster-echo and keel with 1 and 3 nodes).",
        "A single scenario runs with its baselines: floor-udp, and cluster-echo for keel-tcp and keel-udp.",
        "keel perf capacity [SCENARIO] (default all): ramps the rate of each scenario.",
        "keel perf metrics-cost [keel-tcp|keel-udp] (default keel-tcp): --pairs runs with metrics off and as many " +
            "with them on, alternating, each on a fresh cluster; compares the medians.",
        "keel perf cost: cluster-echo, keel-tcp and keel-udp (--nodes) at --rate, CPU time and bytes allocated per " +
            "message by component and thread, GC in the window; writes cost.md.",
        "keel perf throughput: cluster-echo, keel-tcp and keel-udp (--nodes) pipelined with --window requests in " +
            "flight, answers per second; writes throughput.md.",
        "--repeat N (latency scenarios): N runs, each in a fresh JVM; summary.md has each percentile's median and spread."})
public final class LoadMain implements Callable<Integer>
{
    static final List<String> SCENARIOS = List.of("floor-ipc", "floor-udp", "cluster-echo", "keel-tcp", "keel-udp", "keel-tls",
        "kafka");

    /**
     * One scenario of a run: its name, cluster size (0 where there is no cluster) and market segments (keel-tcp and
     * keel-udp: that many clusters of {@code nodes} behind one gateway with a segment map; 1 = no map).
     */
    record Step(String name, int nodes, int segments)
    {
        Step(final String name, final int nodes)
        {
            this(name, nodes, 1);
        }

        String key()
        {
            return (nodes > 0 ? name + "-" + nodes : name) + (segments > 1 ? "x" + segments + "-segments" : "");
        }

        /**
         * @return " segments=N" for a run with several segments, else nothing (the lines stay as they were).
         */
        String segmentsText()
        {
            return segments > 1 ? " segments=" + segments : "";
        }
    }

    @Parameters(index = "0", paramLabel = "SCENARIO",
        description = "floor-ipc | floor-udp | cluster-echo | keel-tcp | keel-udp | keel-tls | kafka | all | capacity | " +
            "metrics-cost | cost | throughput")
    String scenario;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SUB-SCENARIO",
        description = "After capacity: the scenario to ramp, or a comma-separated list (default all); after metrics-cost: " +
            "keel-tcp (default) or keel-udp; after cost or throughput: a comma-separated list of cluster-echo, keel-tcp, " +
            "keel-udp (default all three).")
    String capacityScenario;

    @Option(names = "--rate", description = "Requests per second (default ${DEFAULT-VALUE}); capacity: the first rate tried.")
    int rate = 2_000;

    @Option(names = "--seconds", description = "Measured seconds per scenario (default ${DEFAULT-VALUE}).")
    long seconds = 10;

    @Option(names = "--warmup-s", description = "Least warm-up seconds, not recorded (default ${DEFAULT-VALUE}); " +
        "capacity: before the first step of each scenario (later steps: at most 1 s).")
    long warmupS = 3;

    @Option(names = "--warmup-max-s", description = "After --warmup-s, warm up on while the JIT still compiles (over " +
        LoadGenerator.JIT_QUIET_MS_PER_S + " ms a second), up to this many seconds in all (default ${DEFAULT-VALUE}; " +
        "= --warmup-s: a fixed warm-up).")
    long warmupMaxS = 60;

    @Option(names = "--size", description = "Message size of floor, cluster-echo and kafka, bytes (default ${DEFAULT-VALUE}); " +
        "keel-tcp sends Keel's NewOrder.")
    int size = 32;

    @Option(names = "--metrics", description = "Keel scenarios with metrics on: every node and the gateway serve " +
        "/metrics (engine counters, per-hop timing), scraped every --scrape-interval-ms — compare with a run without it.")
    boolean metrics;

    @Option(names = "--scrape-interval-ms", description = "With metrics on (--metrics, metrics-cost): how often every " +
        "endpoint is scraped, ms (default ${DEFAULT-VALUE}, as deploy/prometheus.yml; 0: never).")
    long scrapeIntervalMs = 5_000;

    @Option(names = "--nodes", description = "Cluster members of cluster-echo and keel-tcp: 1 or 3 (default ${DEFAULT-VALUE}); " +
        "all and capacity all run both.")
    int nodes = 1;

    @Option(names = "--segments", description = "capacity, cost and throughput: keel-tcp and keel-udp through one gateway with a " +
        "segment map of this many clusters of --nodes members (market segments), the orders spread over one instrument " +
        "of each (default ${DEFAULT-VALUE}: one cluster, no map).")
    int segments = 1;

    @Option(names = "--idle", description = "Idle profile for every scenario of the run: backoff, yield or dedicated " +
        "(default yield; cost: backoff, where idle agents park and CPU time is the work's).")
    String idle;

    @Option(names = "--closed-loop", description = "Send the next request when the last is answered (ping-pong) " +
        "instead of at a fixed rate.")
    boolean closedLoop;

    @Option(names = "--p99-bound-us", description = "capacity: the p99 a rate must stay under, µs (default ${DEFAULT-VALUE}).")
    long p99BoundUs = 1_000;

    @Option(names = "--step-s", description = "capacity: measured seconds per step (default ${DEFAULT-VALUE}).")
    long stepS = 3;

    @Option(names = "--max-rate", description = "capacity: the highest rate tried (default ${DEFAULT-VALUE}).")
    int maxRate = 1_000_000;

    @Option(names = "--pairs", description = "metrics-cost: runs with metrics off, and as many on (default ${DEFAULT-VALUE}).")
    int pairs = 5;

    @Option(names = "--window", description = "throughput: requests in flight (default ${DEFAULT-VALUE}).")
    int window = 2_000;

    @Option(names = "--repeat", description = "Latency scenarios: make the whole run this many times, each in a fresh " +
        "JVM, and report each percentile's median and spread across the runs (default ${DEFAULT-VALUE}).")
    int repeat = 1;

    @Option(names = "--out", description = "Output directory (default target/perf/<timestamp>).")
    File out;

    @Spec
    CommandSpec spec;

    public Integer call() throws Exception
    {
        if (rate <= 0 || seconds <= 0 || warmupS < 0 || warmupMaxS < warmupS || scrapeIntervalMs < 0 || size <= 0 || (nodes != 1 && nodes != 3) ||
            p99BoundUs <= 0 || stepS <= 0 || pairs <= 0 || repeat <= 0 || window <= 0 || window >= 1 << 20 || ("capacity".equals(scenario) && maxRate < rate))
        {
            throw new IllegalArgumentException("--rate, --seconds, --size, --p99-bound-us, --step-s, --pairs and --repeat must be > 0, --window in 1..1048575, " +
                "--warmup-s and --scrape-interval-ms >= 0, --warmup-max-s >= --warmup-s, --nodes 1 or 3, --max-rate >= --rate");
        }
        final boolean costRun = "cost".equals(scenario);
        final boolean throughput = "throughput".equals(scenario);
        final String idle = this.idle != null ? this.idle : costRun ? "backoff" : "yield";
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        final boolean capacity = "capacity".equals(scenario);
        final boolean metricsCost = "metrics-cost".equals(scenario);
        if (!capacity && !metricsCost && !costRun && !throughput && capacityScenario != null)
        {
            throw new IllegalArgumentException("unexpected argument '" + capacityScenario +
                "' (only capacity and metrics-cost take a scenario)");
        }
        if (metricsCost && capacityScenario != null &&
            !("keel-tcp".equals(capacityScenario) || "keel-udp".equals(capacityScenario)))
        {
            throw new IllegalArgumentException("metrics-cost measures keel-tcp or keel-udp, not '" + capacityScenario + "'");
        }
        if (segments < 1 || segments > 8)
        {
            throw new IllegalArgumentException("--segments must be in 1..8: " + segments);
        }
        if (segments > 1 && !capacity && !costRun && !throughput)
        {
            throw new IllegalArgumentException("--segments is for capacity, cost and throughput");
        }
        if (repeat > 1 && (costRun || throughput || capacity || metricsCost))
        {
            throw new IllegalArgumentException("--repeat is for latency scenarios (metrics-cost has --pairs)");
        }
        final List<String> pathScenarios = costRun || throughput ? pathScenarios(capacityScenario) : List.of();
        final List<Step> steps = costRun || throughput ? List.of() : capacity ?
            withSegments(capacitySteps(capacityScenario == null ? "all" : capacityScenario, nodes), segments) :
            metricsCost ? capacitySteps(capacityScenario == null ? "keel-tcp" : capacityScenario, nodes) :
            steps(scenario, nodes);
        final File outDir = out != null ? out : new File("target/perf/" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        IoUtil.ensureDirectoryExists(outDir, "output dir");
        final File workDir = new File(outDir, "work");
        try
        {
            if (costRun)
            {
                final CostRun run = new CostRun(nodes, rate, warmupS, warmupMaxS, seconds, idleProfile).segments(segments);
                run.write(outDir, run.measure(pathScenarios, (step) -> scenario(step, idleProfile, workDir)), idle);
            }
            else if (throughput)
            {
                final Throughput run = new Throughput(nodes, window, warmupS, seconds, idleProfile).segments(segments);
                run.write(outDir, run.measure(pathScenarios, (step) -> pipelined(scenario(step, idleProfile, workDir))),
                    idle);
            }
            else if (capacity)
            {
                final Capacity ramp = new Capacity(rate, maxRate, warmupS, warmupMaxS, stepS,
                    TimeUnit.MICROSECONDS.toNanos(p99BoundUs));
                final List<Capacity.Outcome> outcomes = new ArrayList<>();
                for (final Step step : steps)
                {
                    try (Scenario s = scenario(step, idleProfile, workDir))
                    {
                        s.start();
                        final Capacity.Outcome outcome = ramp.find(s, step, new LoadGenerator(idleProfile.newIdleStrategy()));
                        outcomes.add(outcome);
                        System.out.println(outcome.line());
                    }
                }
                Capacity.write(outDir, outcomes, p99BoundUs, idle);
            }
            else if (metricsCost)
            {
                final MetricsCost cost = new MetricsCost(steps.get(0), pairs, rate, warmupS, warmupMaxS, seconds,
                    scrapeIntervalMs, idleProfile);
                final List<MetricsCost.Run> runs = cost.measure(workDir);
                cost.write(outDir, runs, idle);
                System.out.println(cost.line(runs));
            }
            else if (repeat > 1)
            {
                final List<Map<String, LoadGenerator.Result>> runs =
                    Repeats.runChildren(spec.commandLine().getParseResult().originalArgs(), repeat, outDir);
                for (final Step step : steps)
                {
                    System.out.println(Repeats.line(step, runs));
                }
                Summary.write(outDir, steps, runs, rate, idle, closedLoop);
                PercentilePlot.write(outDir, runs.get(0));
            }
            else
            {
                final Map<String, LoadGenerator.Result> results = new LinkedHashMap<>();
                for (final Step step : steps)
                {
                    try (Scenario s = scenario(step, idleProfile, workDir))
                    {
                        s.start();
                        final LoadGenerator generator = new LoadGenerator(idleProfile.newIdleStrategy());
                        final LoadGenerator.WarmUp warmUp = generator.warmUp(s, rate, warmupS, warmupMaxS, closedLoop);
                        final LoadGenerator.Result result = generator.run(s, rate, 0, seconds, closedLoop);
                        results.put(step.key(), result);
                        writeHgrm(new File(outDir, step.key() + ".hgrm"), result.histogram());
                        System.out.println(line(step, result, results) + " warmup=" + warmUp.text());
                    }
                }
                Summary.write(outDir, steps, List.of(results), rate, idle, closedLoop);
                PercentilePlot.write(outDir, results);
                Repeats.write(new File(outDir, Repeats.RESULTS_FILE), results);
            }
        }
        finally
        {
            IoUtil.delete(workDir, true);
        }
        System.out.println("perf: results in " + outDir);
        return 0;
    }

    /**
     * The scenarios of a run, baselines first.
     */
    static List<Step> steps(final String scenario, final int nodes)
    {
        if (scenario.indexOf(',') >= 0)
        {
            // A list, e.g. cluster-echo,keel-tcp,keel-udp: those scenarios only, in that order (no baselines added).
            final List<Step> steps = new ArrayList<>();
            for (final String one : scenario.split(","))
            {
                if ("all".equals(one.trim()) || !SCENARIOS.contains(one.trim()))
                {
                    throw unknown(one.trim());
                }
                steps.addAll(capacitySteps(one.trim(), nodes));
            }
            return steps;
        }
        return switch (scenario)
        {
            case "all" -> List.of(new Step("floor-ipc", 0), new Step("floor-udp", 0),
                new Step("cluster-echo", 1), new Step("cluster-echo", 3),
                new Step("keel-tcp", 1), new Step("keel-tcp", 3), new Step("keel-udp", 1), new Step("keel-udp", 3),
                new Step("kafka", 1), new Step("kafka", 3));
            case "floor-ipc", "floor-udp" -> List.of(new Step(scenario, 0));
            case "cluster-echo" -> List.of(new Step("floor-udp", 0), new Step(scenario, nodes));
            case "keel-tcp", "keel-udp" ->
                List.of(new Step("floor-udp", 0), new Step("cluster-echo", nodes), new Step(scenario, nodes));
            // What HAProxy and TLS add: the direct path in the same run.
            case "keel-tls" -> List.of(new Step("floor-udp", 0), new Step("cluster-echo", nodes),
                new Step("keel-tcp", nodes), new Step(scenario, nodes));
            case "kafka" -> List.of(new Step("floor-udp", 0), new Step(scenario, nodes));
            default -> throw unknown(scenario);
        };
    }

    /**
     * The Keel scenarios (keel-tcp, keel-udp) with that many segments; the others as they are (they have no segments).
     */
    static List<Step> withSegments(final List<Step> steps, final int segments)
    {
        final List<Step> result = new ArrayList<>();
        for (final Step step : steps)
        {
            final boolean keel = "keel-tcp".equals(step.name()) || "keel-udp".equals(step.name());
            result.add(keel && segments > 1 ? new Step(step.name(), step.nodes(), segments) : step);
        }
        return result;
    }

    /**
     * The scenarios of cost and throughput: cluster-echo, keel-tcp and keel-udp, or those of a comma-separated list.
     */
    static List<String> pathScenarios(final String list)
    {
        if (list == null)
        {
            return CostRun.SCENARIOS;
        }
        final List<String> names = new ArrayList<>();
        for (final String one : list.split(","))
        {
            if (!CostRun.SCENARIOS.contains(one.trim()))
            {
                throw new IllegalArgumentException("cost and throughput measure " + String.join(", ", CostRun.SCENARIOS) +
                    ", not '" + one.trim() + "'");
            }
            names.add(one.trim());
        }
        return names;
    }

    /**
     * The scenarios a capacity run ramps: each one alone (baselines are run only when asked for).
     */
    static List<Step> capacitySteps(final String scenario, final int nodes)
    {
        if (scenario.indexOf(',') >= 0)
        {
            // A list, ramped one after the other in this run: e.g. cluster-echo,keel-tcp,keel-udp.
            final List<Step> steps = new ArrayList<>();
            for (final String one : scenario.split(","))
            {
                if ("all".equals(one.trim()))
                {
                    throw new IllegalArgumentException("'all' cannot be part of a list of scenarios");
                }
                steps.addAll(capacitySteps(one.trim(), nodes));
            }
            return steps;
        }
        return switch (scenario)
        {
            case "all" -> steps("all", nodes);
            case "floor-ipc", "floor-udp" -> List.of(new Step(scenario, 0));
            case "cluster-echo", "keel-tcp", "keel-udp", "keel-tls" -> List.of(new Step(scenario, nodes));
            case "kafka" -> List.of(new Step(scenario, nodes));
            default -> throw unknown(scenario);
        };
    }

    private static IllegalArgumentException unknown(final String scenario)
    {
        return new IllegalArgumentException("unknown scenario '" + scenario + "' (" + String.join(", ", SCENARIOS) +
            ", all, capacity, metrics-cost, cost, throughput; keel perf book for the engine)");
    }

    /**
     * A Keel client sending many requests between polls batches them: one write per burst (KeelClient's
     * batchSends), as a pipelining client would; a latency scenario sends each order as it is made.
     */
    private static Scenario pipelined(final Scenario scenario)
    {
        if (scenario instanceof KeelRoundTrip keel)
        {
            keel.batchSends(true);
        }
        return scenario;
    }

    private Scenario scenario(final Step step, final IdleProfile idleProfile, final File workDir)
    {
        final Scenario scenario = plainScenario(step, idleProfile, workDir);
        if (step.segments() > 1 && scenario instanceof KeelRoundTrip keel)
        {
            keel.segments(step.segments());
        }
        return scenario;
    }

    private Scenario plainScenario(final Step step, final IdleProfile idleProfile, final File workDir)
    {
        return switch (step.name())
        {
            case "floor-ipc" -> new FloorEcho(false, size, idleProfile, workDir);
            case "floor-udp" -> new FloorEcho(true, size, idleProfile, workDir);
            case "cluster-echo" -> new ClusterEcho(step.nodes(), size, idleProfile, workDir);
            case "keel-tcp" -> new KeelRoundTrip(step.nodes(), false, metrics, scrapeIntervalMs, idleProfile, workDir, rate);
            case "keel-udp" -> new KeelRoundTrip(step.nodes(), true, metrics, scrapeIntervalMs, idleProfile, workDir, rate);
            case "keel-tls" ->
                new KeelRoundTrip(step.nodes(), false, true, metrics, scrapeIntervalMs, idleProfile, workDir, rate);
            case "kafka" -> new KafkaEcho(step.nodes(), size, workDir);
            default -> throw unknown(step.name());
        };
    }

    /**
     * The baseline a scenario's p99 is compared with, by name: floor-udp for everything above the
     * floor, the cluster echo of the same size for keel scenarios.
     */
    static LoadGenerator.Result baseline(
        final String baseline, final Step step, final Map<String, LoadGenerator.Result> results)
    {
        if ("floor-udp".equals(baseline))
        {
            return step.name().startsWith("floor") ? null : results.get("floor-udp");
        }
        return step.name().startsWith("keel") ? results.get(new Step("cluster-echo", step.nodes()).key()) : null;
    }

    static String line(final Step step, final LoadGenerator.Result r, final Map<String, LoadGenerator.Result> results)
    {
        final Histogram h = r.histogram();
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "perf %s nodes=%d rate=%.0f p50=%.1f p99=%.1f p99.9=%.1f max=%.1f",
            step.name(), step.nodes(), r.achievedRate(), micros(h, 50), micros(h, 99), micros(h, 99.9),
            h.getMaxValue() / 1000.0));
        final LoadGenerator.Result floor = baseline("floor-udp", step, results);
        if (floor != null)
        {
            text.append(" vs-floor=").append(ratio(r, floor));
        }
        final LoadGenerator.Result echo = baseline("cluster-echo", step, results);
        if (echo != null)
        {
            text.append(" vs-cluster-echo=").append(ratio(r, echo));
        }
        final LoadGenerator.Result direct = "keel-tls".equals(step.name()) ?
            results.get(new Step("keel-tcp", step.nodes()).key()) : null;
        if (direct != null)
        {
            // What HAProxy and TLS add to the direct TCP path, in this run.
            text.append(" vs-keel-tcp=").append(ratio(r, direct)).append(String.format(Locale.ROOT,
                " p50-added-us=%.1f", micros(r.histogram(), 50) - micros(direct.histogram(), 50)));
        }
        if (!r.allAnswered())
        {
            text.append(" unanswered=").append(r.unanswered());
        }
        if (r.overloaded())
        {
            text.append(" overloaded=true");
        }
        return text.toString();
    }

    static String ratio(final LoadGenerator.Result r, final LoadGenerator.Result baseline)
    {
        return String.format(Locale.ROOT, "%.2f", micros(r.histogram(), 99) / micros(baseline.histogram(), 99));
    }

    static double micros(final Histogram h, final double percentile)
    {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void writeHgrm(final File file, final Histogram histogram) throws Exception
    {
        try (PrintStream stream = new PrintStream(file, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(stream, 1000.0); // microseconds
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new LoadMain(), "keel perf", args));
    }
}
