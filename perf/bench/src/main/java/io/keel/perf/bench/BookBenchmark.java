package io.keel.perf.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Keel's order book against exchange-core's on the same pre-generated {@link OrderStream}.
 * {@code keel}/{@code exchangeCore}: throughput in commands per second, a batch of
 * {@link #BATCH} commands per invocation. {@code keelLatency}/{@code exchangeCoreLatency}: the
 * time of single commands, sampled. Each trial first plays one whole pass unmeasured (JIT, pools,
 * book at depth), then replays the stream pass after pass.
 *
 * <p>Run through {@link BookBenchmarkMain}, or directly with JMH's own main.
 */
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "-Xms2g", "-Xmx2g" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BookBenchmark
{
    /** Commands per throughput invocation. */
    public static final int BATCH = 1_000;

    /**
     * JVM options every fork needs (Agrona 2.x opens, a fixed heap); the same as in the @Fork
     * above, which cannot name a constant array.
     */
    static final String[] FORK_JVM_ARGS = {
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xms2g", "-Xmx2g" };

    /**
     * What both books replay.
     */
    @State(Scope.Thread)
    public abstract static class StreamParams
    {
        @Param({ "1", "32" })
        public int instruments;

        @Param({ "1000" })
        public int accounts;

        @Param({ "42" })
        public long seed;

        OrderStream stream()
        {
            return OrderStream.standard(instruments, accounts, seed);
        }
    }

    @State(Scope.Thread)
    public static class KeelState extends StreamParams
    {
        KeelBook book;

        @Setup(Level.Trial)
        public void setup(final Blackhole blackhole)
        {
            book = new KeelBook(stream(), blackhole);
            book.finishPass();
        }
    }

    @State(Scope.Thread)
    public static class ExchangeCoreState extends StreamParams
    {
        ExchangeCoreBook book;

        @Setup(Level.Trial)
        public void setup(final Blackhole blackhole)
        {
            book = new ExchangeCoreBook(stream(), blackhole);
            book.finishPass();
        }
    }

    /**
     * Reported next to each throughput score: commands whose outcome was not the stream's
     * intent (Keel: rejects and cancel rejects; exchange-core: a result code other than SUCCESS
     * or a reject of a non-IOC order). Must be 0.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Rejects
    {
        public long rejects;

        @Setup(Level.Iteration)
        public void reset()
        {
            rejects = 0;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void keel(final KeelState state, final Rejects rejects)
    {
        final KeelBook book = state.book;
        for (int i = 0; i < BATCH; i++)
        {
            book.step();
        }
        rejects.rejects += book.takeRejects();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void exchangeCore(final ExchangeCoreState state, final Rejects rejects)
    {
        final ExchangeCoreBook book = state.book;
        for (int i = 0; i < BATCH; i++)
        {
            book.step();
        }
        rejects.rejects += book.takeUnexpected();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void keelLatency(final KeelState state)
    {
        state.book.step();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void exchangeCoreLatency(final ExchangeCoreState state)
    {
        state.book.step();
    }
}
