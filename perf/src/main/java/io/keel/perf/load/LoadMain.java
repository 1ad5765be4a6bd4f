package io.keel.perf.load;

import io.keel.engine.cluster.Cli;
import io.keel.engine.cluster.IdleProfile;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

/**
 * {@code keel perf <scenario>}: open-loop, fixed-rate round trips through one path, measured from
 * the intended send time, with the physical floor measured in the same run. Writes one
 * {@code .hgrm} per scenario, {@code summary.md} and a percentile plot to {@code --out}.
 */
@Command(
    name = "keel perf",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Latency of one path at a fixed rate, next to its baselines measured in the same run.",
    footer = "%nScenarios: floor-ipc, floor-udp (raw Aeron echo), keel-tcp, keel-udp (orders through the gateway over TCP or Aeron UDP), all.")
public final class LoadMain implements Callable<Integer>
{
    @Parameters(index = "0", description = "floor-ipc | floor-udp | keel-tcp | keel-udp | all")
    String scenario;

    @Option(names = "--rate", description = "Requests per second (default ${DEFAULT-VALUE}).")
    int rate = 2_000;

    @Option(names = "--seconds", description = "Measured seconds per scenario (default ${DEFAULT-VALUE}).")
    long seconds = 10;

    @Option(names = "--warmup-s", description = "Warm-up seconds, not recorded (default ${DEFAULT-VALUE}).")
    long warmupS = 3;

    @Option(names = "--size", description = "Message size of the floor scenarios, bytes (default ${DEFAULT-VALUE}).")
    int size = 32;

    @Option(names = "--nodes", description = "Cluster members for keel scenarios: 1 or 3 (default ${DEFAULT-VALUE}).")
    int nodes = 1;

    @Option(names = "--idle", description = "Idle profile for every scenario of the run: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "yield";

    @Option(names = "--closed-loop", description = "Send the next request when the last is answered (ping-pong) instead of at a fixed rate.")
    boolean closedLoop;

    @Option(names = "--out", description = "Output directory (default target/perf/<timestamp>).")
    File out;

    public Integer call() throws Exception
    {
        if (rate <= 0 || seconds <= 0 || warmupS < 0 || size <= 0 || (nodes != 1 && nodes != 3))
        {
            throw new IllegalArgumentException("--rate, --seconds and --size must be > 0, --warmup-s >= 0, --nodes 1 or 3");
        }
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        final File outDir = out != null ? out : new File("target/perf/" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        IoUtil.ensureDirectoryExists(outDir, "output dir");
        final File workDir = new File(outDir, "work");

        final List<String> names = switch (scenario)
        {
            case "all" -> List.of("floor-ipc", "floor-udp", "keel-tcp", "keel-udp");
            case "floor-ipc", "floor-udp", "keel-tcp", "keel-udp" -> scenario.startsWith("floor") ?
                List.of(scenario) : List.of("floor-udp", scenario);
            default -> throw new IllegalArgumentException(
                "unknown scenario '" + scenario + "' (floor-ipc, floor-udp, keel-tcp, keel-udp, all; keel perf book for the engine)");
        };

        final Map<String, LoadGenerator.Result> results = new LinkedHashMap<>();
        for (final String name : names)
        {
            final Scenario s = switch (name)
            {
                case "floor-ipc" -> new FloorEcho(false, size, idleProfile, workDir);
                case "floor-udp" -> new FloorEcho(true, size, idleProfile, workDir);
                case "keel-udp" -> new KeelRoundTrip(nodes, true, idleProfile, workDir);
                default -> new KeelRoundTrip(nodes, false, idleProfile, workDir);
            };
            try
            {
                s.start();
                final LoadGenerator.Result result = new LoadGenerator().run(s, rate, warmupS, seconds, closedLoop);
                final String key = s.nodes() > 0 ? name + "-" + s.nodes() : name;
                results.put(key, result);
                writeHgrm(new File(outDir, key + ".hgrm"), result.histogram());
                final LoadGenerator.Result floor = results.get("floor-udp");
                System.out.println(line(name, s.nodes(), result, name.startsWith("floor") ? null : floor));
            }
            finally
            {
                s.close();
            }
        }
        IoUtil.delete(workDir, true);
        Summary.write(outDir, results, rate, idle, closedLoop);
        PercentilePlot.write(outDir, results);
        System.out.println("perf: results in " + outDir);
        return 0;
    }

    static String line(final String name, final int nodes, final LoadGenerator.Result r, final LoadGenerator.Result floor)
    {
        final Histogram h = r.histogram();
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "perf %s nodes=%d rate=%.0f p50=%.1f p99=%.1f p99.9=%.1f max=%.1f",
            name, nodes, r.achievedRate(), micros(h, 50), micros(h, 99), micros(h, 99.9), h.getMaxValue() / 1000.0));
        if (floor != null)
        {
            text.append(String.format(Locale.ROOT, " vs-floor=%.2f", micros(h, 99) / micros(floor.histogram(), 99)));
        }
        return text.toString();
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
