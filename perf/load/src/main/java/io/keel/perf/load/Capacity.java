package io.keel.perf.load;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel perf capacity}: the highest rate whose p99 stays under a bound, for one started
 * scenario. After a warm-up that waits for the JIT, short open-loop runs at a rising rate: doubling from
 * the first rate until a rate fails (p99 above the bound, or answers missing after the drain, in two
 * steps in a row), then bisecting between the last rate that passed and the first that failed until
 * they are within 10 % (at most {@link #MAX_BISECTIONS}).
 */
final class Capacity
{
    static final int MAX_BISECTIONS = 4;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    /** One short run of the ramp. */
    record Probe(int rate, double p99Us, double achievedRate, long unanswered, boolean passed)
    {
    }

    /** What the ramp found for one scenario; {@code best} is null when even the first rate failed. */
    record Outcome(LoadMain.Step step, Probe best, Probe firstFailure, List<Probe> probes)
    {
        String line()
        {
            final Probe shown = best != null ? best : probes.get(0);
            return String.format(Locale.ROOT, "capacity %s nodes=%d%s rate=%d p99=%.1f%s",
                step.name(), step.nodes(), step.segmentsText(), best != null ? best.rate() : 0, shown.p99Us(),
                best != null ? "" : " (p99 above the bound at the first rate)");
        }
    }

    private final int firstRate;
    private final int maxRate;
    private final long warmupS;
    private final long warmupMaxS;
    private final long stepS;
    private final long p99BoundNs;

    Capacity(
        final int firstRate, final int maxRate, final long warmupS, final long warmupMaxS, final long stepS,
        final long p99BoundNs)
    {
        this.warmupMaxS = warmupMaxS;
        this.firstRate = firstRate;
        this.maxRate = maxRate;
        this.warmupS = warmupS;
        this.stepS = stepS;
        this.p99BoundNs = p99BoundNs;
    }

    Outcome find(final Scenario scenario, final LoadMain.Step step, final LoadGenerator generator)
    {
        final List<Probe> probes = new ArrayList<>();
        Probe best = null;
        Probe failure = null;
        int rate = firstRate;
        generator.warmUp(scenario, firstRate, warmupS, warmupMaxS, false);
        while (true)
        {
            final Probe probe = probe(scenario, generator, rate, Math.min(1, warmupS), probes);
            probes.add(probe);
            if (!probe.passed())
            {
                failure = probe;
                break;
            }
            best = probe;
            if (rate >= maxRate)
            {
                break;
            }
            rate = (int)Math.min(maxRate, 2L * rate);
        }
        for (int i = 0; best != null && failure != null && i < MAX_BISECTIONS && failure.rate() > best.rate() * 1.1; i++)
        {
            final Probe probe = probe(scenario, generator, (best.rate() + failure.rate()) / 2, Math.min(1, warmupS), probes);
            probes.add(probe);
            if (probe.passed())
            {
                best = probe;
            }
            else
            {
                failure = probe;
            }
        }
        return new Outcome(step, best, failure, probes);
    }

    /**
     * One rate: a failing step is run once more, and the rate fails only when both fail. A step of a few seconds
     * holds a few thousand answers, so one scheduler or JIT stall of a few milliseconds is its whole p99; a rate the
     * path cannot sustain fails twice. Both steps are listed in {@code capacity.md}.
     */
    private Probe probe(
        final Scenario scenario, final LoadGenerator generator, final int rate, final long warmup, final List<Probe> probes)
    {
        final Probe first = step(scenario, generator, rate, warmup);
        if (first.passed())
        {
            return first;
        }
        probes.add(first);
        return step(scenario, generator, rate, warmup);
    }

    private Probe step(final Scenario scenario, final LoadGenerator generator, final int rate, final long warmup)
    {
        final LoadGenerator.Result result = generator.run(scenario, rate, warmup, stepS, false, DRAIN_TIMEOUT_NS);
        final long p99Ns = result.histogram().getValueAtPercentile(99);
        final long unanswered = result.unanswered();
        return new Probe(rate, p99Ns / 1000.0, result.achievedRate(), unanswered,
            result.allAnswered() && result.histogram().getTotalCount() > 0 && p99Ns <= p99BoundNs);
    }

    static void write(final File outDir, final List<Outcome> outcomes, final long p99BoundUs, final String idle)
        throws IOException
    {
        final StringBuilder md = new StringBuilder()
            .append("# keel perf capacity\n\n")
            .append("Highest open-loop rate whose p99 stays under ").append(p99BoundUs)
            .append(" µs, idle profile `").append(idle).append("`, latency from the intended send time.\n\n")
            .append("| scenario | highest rate under the bound | p99 there, µs | first failing rate | p99 there, µs |\n")
            .append("|---|---|---|---|---|\n");
        for (final Outcome outcome : outcomes)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", outcome.step().key(),
                outcome.best() == null ? "none" : Integer.toString(outcome.best().rate()),
                outcome.best() == null ? "" : String.format(Locale.ROOT, "%.1f", outcome.best().p99Us()),
                outcome.firstFailure() == null ? "none up to --max-rate" : Integer.toString(outcome.firstFailure().rate()),
                failureText(outcome.firstFailure())));
        }
        md.append("\n## Steps\n\n| scenario | offered rate | achieved rate | p99, µs | unanswered | passed |\n")
            .append("|---|---|---|---|---|---|\n");
        for (final Outcome outcome : outcomes)
        {
            for (final Probe probe : outcome.probes())
            {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %d | %s |%n", outcome.step().key(),
                    probe.rate(), probe.achievedRate(), probe.p99Us(), probe.unanswered(), probe.passed() ? "yes" : "no"));
            }
        }
        Files.writeString(new File(outDir, "capacity.md").toPath(), md, StandardCharsets.UTF_8);
    }

    private static String failureText(final Probe failure)
    {
        if (failure == null)
        {
            return "";
        }
        return String.format(Locale.ROOT, "%.1f", failure.p99Us()) +
            (failure.unanswered() > 0 ? " (" + failure.unanswered() + " unanswered)" : "");
    }
}
