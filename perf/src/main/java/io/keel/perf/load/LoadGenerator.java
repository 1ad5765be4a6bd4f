package io.keel.perf.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Drives a scenario open loop at a fixed rate and measures each round trip from the time the
 * request was meant to be sent, so a stall delays every request behind it and shows in the tail
 * (coordinated omission corrected). A closed-loop mode sends the next request when the last one is
 * answered, for comparison with published ping-pong figures. Requests of the warm-up are not recorded.
 */
final class LoadGenerator
{
    /** What one run measured. */
    record Result(Histogram histogram, long sent, long answered, double seconds, boolean closedLoop)
    {
        double achievedRate()
        {
            return answered / seconds;
        }
    }

    private static final int RING = 1 << 20;

    private final long[] intendedNs = new long[RING];
    private long answered;
    private long recordedAfterId;
    private Histogram histogram;

    Result run(final Scenario scenario, final int rate, final long warmupS, final long seconds, final boolean closedLoop)
    {
        histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        answered = 0;
        final Scenario.ResponseHandler handler = this::onResponse;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long total = (warmupS + seconds) * rate;
        recordedAfterId = warmupS * rate;
        final long startNs = System.nanoTime();
        long id = 0;
        while (id < total)
        {
            final long intended = closedLoop ? System.nanoTime() : startNs + id * intervalNs;
            if (closedLoop && answered < id)
            {
                scenario.poll(handler);
                continue;
            }
            while (System.nanoTime() - intended < 0)
            {
                scenario.poll(handler);
            }
            intendedNs[(int)(id & (RING - 1))] = intended;
            while (!scenario.send(id))
            {
                scenario.poll(handler);
            }
            id++;
            if (id - answered >= RING)
            {
                throw new IllegalStateException(scenario.name() + ": more than " + RING + " requests unanswered");
            }
            scenario.poll(handler);
        }
        final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answered < total && System.nanoTime() - drainDeadline < 0)
        {
            scenario.poll(handler);
        }
        final double elapsed = (System.nanoTime() - startNs) / 1e9 - warmupS;
        return new Result(histogram, total - recordedAfterId, histogram.getTotalCount(), elapsed, closedLoop);
    }

    private void onResponse(final long id)
    {
        final long latency = System.nanoTime() - intendedNs[(int)(id & (RING - 1))];
        answered++;
        if (id >= recordedAfterId)
        {
            histogram.recordValue(Math.min(Math.max(latency, 0), histogram.getHighestTrackableValue()));
        }
    }
}
