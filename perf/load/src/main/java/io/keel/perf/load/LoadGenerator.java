package io.keel.perf.load;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Drives a scenario open loop at a fixed rate and measures each round trip from the time the
 * request was meant to be sent, so a stall delays every request behind it and shows in the tail
 * (coordinated omission corrected). A closed-loop mode sends the next request when the last one is
 * answered, for comparison with published ping-pong figures. Requests of the warm-up are not recorded.
 * While it waits, the generator polls the scenario and idles with the run's idle profile (backoff
 * parks, yield yields, dedicated spins). One generator can drive several runs of one started
 * scenario ({@code keel perf capacity}): request ids keep increasing across runs, and answers to an
 * earlier run that arrive late are ignored. A run stops offering when more than a million requests
 * are unanswered (the scenario cannot keep up) and says so in its result.
 */
final class LoadGenerator
{
    /** What one run measured. */
    record Result(Histogram histogram, long sent, long answered, double seconds, boolean closedLoop, boolean overloaded)
    {
        double achievedRate()
        {
            return answered / seconds;
        }

        long unanswered()
        {
            return Math.max(0, sent - answered);
        }

        boolean allAnswered()
        {
            return !overloaded && answered >= sent;
        }
    }

    static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** Milliseconds of JIT compilation per second of warm-up under which the JIT counts as quiet. */
    static final long JIT_QUIET_MS_PER_S = 10;
    private static final int RING = 1 << 20;

    private final long[] intendedNs = new long[RING];
    private final IdleStrategy idle;
    private final Scenario.ResponseHandler handler = this::onResponse;
    private long nextId;
    private long runFirstId;
    private long answered;
    private long recordedFromId;
    private Histogram histogram;

    LoadGenerator(final IdleStrategy idle)
    {
        this.idle = idle;
    }

    Result run(final Scenario scenario, final int rate, final long warmupS, final long seconds, final boolean closedLoop)
    {
        return run(scenario, rate, warmupS, seconds, closedLoop, DRAIN_TIMEOUT_NS);
    }

    /**
     * @param drainTimeoutNs how long to wait for the last answers after the last request.
     */
    Result run(
        final Scenario scenario,
        final int rate,
        final long warmupS,
        final long seconds,
        final boolean closedLoop,
        final long drainTimeoutNs)
    {
        histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        answered = 0;
        runFirstId = nextId;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        // Open loop: a fixed number of requests on a fixed schedule. Closed loop: as many as fit in the time.
        final long warmupEndNs = startNs + TimeUnit.SECONDS.toNanos(warmupS);
        final long endNs = warmupEndNs + TimeUnit.SECONDS.toNanos(seconds);
        final long endId = closedLoop ? Long.MAX_VALUE : runFirstId + (warmupS + seconds) * rate;
        recordedFromId = closedLoop ? (warmupS == 0 ? runFirstId : Long.MAX_VALUE) : runFirstId + warmupS * rate;
        long id = runFirstId;
        boolean overloaded = false;
        idle.reset();
        scenario.poll(handler); // a scenario may deliver answers inside send: give it the handler first
        while (id < endId)
        {
            final long intended;
            if (closedLoop)
            {
                if (answered < id - runFirstId)
                {
                    idle.idle(scenario.poll(handler));
                    continue;
                }
                intended = System.nanoTime();
                if (intended - endNs >= 0)
                {
                    break;
                }
                if (recordedFromId == Long.MAX_VALUE && intended - warmupEndNs >= 0)
                {
                    recordedFromId = id;
                }
            }
            else
            {
                intended = startNs + (id - runFirstId) * intervalNs;
                while (System.nanoTime() - intended < 0)
                {
                    idle.idle(scenario.poll(handler));
                }
            }
            idle.reset();
            intendedNs[(int)(id & (RING - 1))] = intended;
            while (!scenario.send(id))
            {
                idle.idle(scenario.poll(handler));
            }
            id++;
            nextId = id;
            if (id - runFirstId - answered >= RING)
            {
                overloaded = true; // the scenario cannot keep up: stop offering, report what was answered
                break;
            }
            scenario.poll(handler);
        }
        final long drainDeadline = System.nanoTime() + drainTimeoutNs;
        while (answered < id - runFirstId && System.nanoTime() - drainDeadline < 0)
        {
            idle.idle(scenario.poll(handler));
        }
        final long measuredFromNs = closedLoop ? warmupEndNs : startNs + TimeUnit.SECONDS.toNanos(warmupS);
        final double elapsed = Math.max(1e-9, (System.nanoTime() - measuredFromNs) / 1e9);
        return new Result(histogram, Math.max(0, id - Math.min(id, recordedFromId)), histogram.getTotalCount(), elapsed,
            closedLoop, overloaded);
    }

    /**
     * Pipelined: keep {@code window} requests in flight for {@code seconds}, sending whenever an answer frees a
     * slot, and count the answers that arrive in that time: the most the path carries when it can batch. Each
     * round trip is recorded from its actual send (queueing in the window included). Answers still in flight at
     * the end are waited for (they are not counted), so that the next run starts empty.
     */
    Result pipelined(final Scenario scenario, final int window, final long seconds)
    {
        if (window <= 0 || window >= RING)
        {
            throw new IllegalArgumentException("window must be in 1.." + (RING - 1) + ": " + window);
        }
        histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        answered = 0;
        runFirstId = nextId;
        recordedFromId = runFirstId;
        long id = runFirstId;
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long nowNs;
        idle.reset();
        scenario.poll(handler); // a scenario may deliver answers inside send: give it the handler first
        while ((nowNs = System.nanoTime()) - endNs < 0)
        {
            int work = 0;
            while (id - runFirstId - answered < window)
            {
                intendedNs[(int)(id & (RING - 1))] = nowNs;
                if (!scenario.send(id))
                {
                    break; // back-pressure: poll, then offer again
                }
                id++;
                nextId = id;
                work++;
            }
            work += scenario.poll(handler);
            idle.idle(work);
        }
        final long answeredInTime = answered;
        final double elapsed = Math.max(1e-9, (System.nanoTime() - startNs) / 1e9);
        final long drainDeadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (answered < id - runFirstId && System.nanoTime() - drainDeadline < 0)
        {
            idle.idle(scenario.poll(handler));
        }
        return new Result(histogram, id - runFirstId, answeredInTime, elapsed, true, false);
    }

    /**
     * Warm up at {@code rate} for at least {@code minS} seconds, then on in one-second steps while the JIT is still
     * compiling (more than {@link #JIT_QUIET_MS_PER_S} of compilation in either of the last two seconds), for at most
     * {@code maxS} seconds in all. On a small machine the compiler threads take whole cores for milliseconds at a
     * time: measured while they do, the tail shows the JIT, not the path. Nothing of the warm-up is recorded.
     *
     * @return how the warm-up ended: its seconds and whether the JIT had gone quiet.
     */
    WarmUp warmUp(final Scenario scenario, final int rate, final long minS, final long maxS, final boolean closedLoop)
    {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        final boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        if (minS > 0)
        {
            run(scenario, rate, 0, minS, closedLoop);
        }
        long spentS = minS;
        long lastJitMs = monitored ? jit.getTotalCompilationTime() : 0;
        long previousStepMs = Long.MAX_VALUE;
        while (monitored && spentS < maxS)
        {
            run(scenario, rate, 0, 1, closedLoop);
            spentS++;
            final long jitMs = jit.getTotalCompilationTime();
            final long stepMs = jitMs - lastJitMs;
            lastJitMs = jitMs;
            if (stepMs <= JIT_QUIET_MS_PER_S && previousStepMs <= JIT_QUIET_MS_PER_S)
            {
                return new WarmUp(spentS, "jit-quiet");
            }
            previousStepMs = stepMs;
        }
        return new WarmUp(spentS, !monitored || maxS <= minS ? "fixed" : "jit-busy");
    }

    /**
     * How a warm-up ended: {@code jit-quiet}, {@code jit-busy} (at the maximum, the JIT still compiling) or
     * {@code fixed} (no JIT wait).
     */
    record WarmUp(long seconds, String end)
    {
        String text()
        {
            return seconds + "s" + ("fixed".equals(end) ? "" : "," + end);
        }
    }

    private void onResponse(final long id)
    {
        if (id < runFirstId || id >= nextId)
        {
            return; // late answer to an earlier run (or not ours)
        }
        final long latency = System.nanoTime() - intendedNs[(int)(id & (RING - 1))];
        answered++;
        if (id >= recordedFromId)
        {
            histogram.recordValue(Math.min(Math.max(latency, 0), histogram.getHighestTrackableValue()));
        }
    }
}
