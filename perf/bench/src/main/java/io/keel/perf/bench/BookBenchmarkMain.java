package io.keel.perf.bench;

import io.keel.common.Cli;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Keel's order book against exchange-core's, on one instrument and on many, with JMH: first a
 * correctness pass of the stream through both books (no rejects, invariants hold, same traded
 * quantity), then throughput (with JMH's GC profiler for allocation per command), then sampled
 * latency per command. Ends with
 * {@code book: keel=<ops/s> exchange-core=<ops/s> ratio=<keel/exchange-core> alloc=<B/op>}
 * for one instrument, preceded by the same for many instruments ({@code book-many: ...}).
 */
@Command(
    name = "keel perf book",
    mixinStandardHelpOptions = true,
    description = {
        "Order-book throughput and latency, Keel against exchange-core 0.5.3",
        "(OrderBookDirectImpl), on the same pre-generated order stream, with JMH.",
        "Checks the stream first (no rejects, same trades in both books). Last line:",
        "  book: keel=<ops/s> exchange-core=<ops/s> ratio=<keel/ec> alloc=<B/op>" },
    footer = "Exit codes: 0 done, 1 a check or a benchmark failed, 2 bad options.")
public final class BookBenchmarkMain implements Callable<Integer>
{
    static final String BLACKHOLE_CHALLENGE =
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";

    private static final String THROUGHPUT = "io\\.keel\\.perf\\.BookBenchmark\\.(keel|exchangeCore)$";
    private static final String LATENCY = "io\\.keel\\.perf\\.BookBenchmark\\.(keelLatency|exchangeCoreLatency)$";

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Short run (1 fork, few short iterations): about 1-2 minutes.")
    boolean quick;

    @Option(names = "--many", paramLabel = "N", description = "Instruments in the many-instrument case (default: ${DEFAULT-VALUE}).")
    int many = 32;

    @Option(names = "--forks", paramLabel = "N", description = "JMH forks per benchmark (default: 1 with --quick, else 2).")
    Integer forks;

    @Option(names = "--accounts", paramLabel = "N",
        description = "Accounts sending orders, uniformly (default: ${DEFAULT-VALUE}).")
    int accounts = OrderStream.ACCOUNTS_DEFAULT;

    @Option(names = "--seed", paramLabel = "SEED", description = "Order stream seed (default: ${DEFAULT-VALUE}).")
    long seed = OrderStream.SEED_DEFAULT;

    @Option(names = "--no-latency", description = "Skip the sampled per-command latency benchmarks.")
    boolean noLatency;

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    static int run(final String... args)
    {
        return Cli.run(new BookBenchmarkMain(), "keel perf book", args);
    }

    public Integer call()
    {
        if (many < 2)
        {
            throw new ParameterException(spec.commandLine(), "--many must be at least 2: " + many);
        }
        if (accounts < 1)
        {
            throw new ParameterException(spec.commandLine(), "--accounts must be at least 1: " + accounts);
        }
        if (forks != null && forks < 1)
        {
            throw new ParameterException(spec.commandLine(), "--forks must be at least 1: " + forks);
        }
        final int forkCount = forks != null ? forks : quick ? 1 : 2;

        boolean clean;
        try
        {
            clean = check(1) & check(many);
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("keel perf book: check failed: " + ex.getMessage());
            return 1;
        }

        final Collection<RunResult> throughput;
        final Collection<RunResult> latency;
        try
        {
            throughput = new Runner(options(THROUGHPUT, forkCount)
                .addProfiler(GCProfiler.class)
                .warmupIterations(quick ? 2 : 4)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
            latency = noLatency ? List.of() : new Runner(options(LATENCY, forkCount)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build()).run();
        }
        catch (final RunnerException ex)
        {
            System.err.println("keel perf book: JMH failed: " + ex.getMessage());
            return 1;
        }

        final Scores one = new Scores(throughput, latency, 1);
        final Scores several = new Scores(throughput, latency, many);
        if (!one.complete() || !several.complete())
        {
            System.err.println("keel perf book: a benchmark produced no result (see the JMH output above)");
            return 1;
        }
        System.out.println();
        System.out.println(several.latencyLine());
        System.out.println(one.latencyLine());
        System.out.println(several.allocLine());
        System.out.println(one.allocLine());
        clean &= several.rejectsClean() & one.rejectsClean();
        if (!clean)
        {
            System.out.println("warning: some commands were rejected or unexpected (see check and rejects above)");
        }
        System.out.println("book-many: " + several.bookFields() + " instruments=" + many);
        System.out.println("book: " + one.bookFields());
        return 0;
    }

    private ChainedOptionsBuilder options(final String include, final int forkCount)
    {
        return new OptionsBuilder()
            .include(include)
            .param("instruments", "1", Integer.toString(many))
            .param("accounts", Integer.toString(accounts))
            .param("seed", Long.toString(seed))
            .forks(forkCount)
            .jvmArgsAppend(BookBenchmark.FORK_JVM_ARGS)
            .shouldFailOnError(true);
    }

    /**
     * One pass of the stream through each book, outside JMH: what the benchmark replays must be
     * accepted in full by both, leave Keel's invariants intact and trade the same quantity.
     *
     * @throws IllegalStateException when a book's own consistency check fails.
     */
    private boolean check(final int instruments)
    {
        final OrderStream stream = OrderStream.standard(instruments, accounts, seed);
        System.out.println(stream.describe());
        final Blackhole blackhole = new Blackhole(BLACKHOLE_CHALLENGE);
        final KeelBook keel = new KeelBook(stream, blackhole);
        keel.finishPass();
        keel.engine().verifyInvariants();
        final ExchangeCoreBook exchangeCore = new ExchangeCoreBook(stream, blackhole);
        exchangeCore.finishPass();
        exchangeCore.validate();

        final boolean sameTrades = keel.tradedQuantity() == stream.tradedQuantity() &&
            exchangeCore.tradedQuantity() == stream.tradedQuantity();
        final boolean drained = keel.engine().openOrderCount() == 0 && exchangeCore.restingOrders() == 0;
        System.out.println("check: instruments=" + instruments +
            " keel-rejects=" + keel.rejects() + (keel.rejects() == 0 ? "" : " (first " + keel.firstRejectReason() + ")") +
            " exchange-core-unexpected=" + exchangeCore.unexpected() +
            (exchangeCore.unexpected() == 0 ? "" : " (first " + exchangeCore.firstUnexpected() + ")") +
            " traded=" + stream.tradedQuantity() + " same-trades=" + sameTrades + " drained=" + drained +
            " invariants=ok");
        return keel.rejects() == 0 && exchangeCore.unexpected() == 0 && sameTrades && drained;
    }

    /**
     * The results of one instrument count.
     */
    private static final class Scores
    {
        private final int instruments;
        private RunResult keel;
        private RunResult exchangeCore;
        private RunResult keelLatency;
        private RunResult exchangeCoreLatency;

        Scores(final Collection<RunResult> throughput, final Collection<RunResult> latency, final int instruments)
        {
            this.instruments = instruments;
            for (final RunResult result : throughput)
            {
                if (instrumentsOf(result) == instruments)
                {
                    if (methodOf(result).equals("keel"))
                    {
                        keel = result;
                    }
                    else if (methodOf(result).equals("exchangeCore"))
                    {
                        exchangeCore = result;
                    }
                }
            }
            for (final RunResult result : latency)
            {
                if (instrumentsOf(result) == instruments)
                {
                    if (methodOf(result).equals("keelLatency"))
                    {
                        keelLatency = result;
                    }
                    else if (methodOf(result).equals("exchangeCoreLatency"))
                    {
                        exchangeCoreLatency = result;
                    }
                }
            }
        }

        private static int instrumentsOf(final RunResult result)
        {
            return Integer.parseInt(result.getParams().getParam("instruments"));
        }

        private static String methodOf(final RunResult result)
        {
            final String name = result.getParams().getBenchmark();
            return name.substring(name.lastIndexOf('.') + 1);
        }

        boolean complete()
        {
            return keel != null && exchangeCore != null;
        }

        String bookFields()
        {
            final double keelOps = keel.getPrimaryResult().getScore();
            final double exchangeCoreOps = exchangeCore.getPrimaryResult().getScore();
            return String.format("keel=%.0f exchange-core=%.0f ratio=%.2f alloc=%.2f",
                keelOps, exchangeCoreOps, keelOps / exchangeCoreOps, allocOf(keel));
        }

        String allocLine()
        {
            return String.format("alloc: instruments=%d keel=%.2f exchange-core=%.2f B/op (gc.alloc.rate.norm)",
                instruments, allocOf(keel), allocOf(exchangeCore));
        }

        String latencyLine()
        {
            if (keelLatency == null || exchangeCoreLatency == null)
            {
                return "latency: instruments=" + instruments + " skipped";
            }
            return "latency: instruments=" + instruments + " keel " + percentiles(keelLatency) +
                " exchange-core " + percentiles(exchangeCoreLatency) + " ns";
        }

        boolean rejectsClean()
        {
            final double keelRejects = secondary(keel, "rejects");
            final double exchangeCoreRejects = secondary(exchangeCore, "rejects");
            if (keelRejects != 0 || exchangeCoreRejects != 0)
            {
                System.out.printf("rejects: instruments=%d keel=%.0f exchange-core=%.0f (during measurement)%n",
                    instruments, keelRejects, exchangeCoreRejects);
                return false;
            }
            return true;
        }

        private static String percentiles(final RunResult result)
        {
            final var statistics = result.getPrimaryResult().getStatistics();
            return String.format("p50=%.0f p99=%.0f p99.9=%.0f p99.99=%.0f",
                statistics.getPercentile(50), statistics.getPercentile(99), statistics.getPercentile(99.9),
                statistics.getPercentile(99.99));
        }

        private static double allocOf(final RunResult result)
        {
            return secondary(result, "gc.alloc.rate.norm");
        }

        private static double secondary(final RunResult result, final String suffix)
        {
            for (final String key : result.getSecondaryResults().keySet())
            {
                if (key.endsWith(suffix))
                {
                    return result.getSecondaryResults().get(key).getScore();
                }
            }
            return Double.NaN;
        }
    }
}
