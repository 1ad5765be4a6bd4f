package io.keel.common;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;

/**
 * One latency series. The single writing thread calls {@link #record(long)} (wait-free: an
 * HdrHistogram {@link SingleWriterRecorder}, no allocation, no lock); the scrape thread calls
 * {@link #sample()}, which swaps the recorder's interval histogram and folds it into an all-time
 * histogram (count and sum) and a sliding window of about one minute (quantiles).
 */
public final class LatencyRecorder
{
    /** Values above this are recorded as this. */
    public static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * 1 % precision is plenty for a dashboard, and keeps each histogram at ~28 KB instead of ~220 KB:
     * a scrape merges and walks a dozen of them per series, on a core the duty cycles may need.
     */
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final int WINDOW_BUCKETS = 6;
    private static final long BUCKET_NS = TimeUnit.SECONDS.toNanos(10);
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_NS, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(1, HIGHEST_NS, SIGNIFICANT_DIGITS);
    private final Histogram[] window = new Histogram[WINDOW_BUCKETS];
    private final Histogram merged = new Histogram(1, HIGHEST_NS, SIGNIFICANT_DIGITS);
    private Histogram interval;
    private int current;
    private long bucketStartNs = System.nanoTime(); // determinism-ok: metrics only

    public LatencyRecorder()
    {
        for (int i = 0; i < WINDOW_BUCKETS; i++)
        {
            window[i] = new Histogram(1, HIGHEST_NS, SIGNIFICANT_DIGITS);
        }
    }

    /**
     * Writer thread only.
     */
    public void record(final long latencyNs)
    {
        recorder.recordValue(latencyNs < 1 ? 1 : Math.min(latencyNs, HIGHEST_NS));
    }

    /**
     * What a scrape shows: all-time count and sum, and quantiles over the last minute or so.
     */
    public static final class Sample
    {
        public final long count;
        public final double sumSeconds;
        public final double[] quantiles = QUANTILES.clone();
        /** Seconds, NaN when nothing was recorded in the window. */
        public final double[] values = new double[QUANTILES.length];
        public final double windowMaxSeconds;

        Sample(final Histogram total, final Histogram window)
        {
            count = total.getTotalCount();
            sumSeconds = total.getMean() * count / 1e9;
            for (int i = 0; i < QUANTILES.length; i++)
            {
                values[i] = window.getTotalCount() == 0 ? Double.NaN : window.getValueAtPercentile(QUANTILES[i] * 100) / 1e9;
            }
            windowMaxSeconds = window.getTotalCount() == 0 ? Double.NaN : window.getMaxValue() / 1e9;
        }
    }

    /**
     * Scrape threads only (synchronized among them; never contended by the writer).
     */
    public synchronized Sample sample()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        final long nowNs = System.nanoTime(); // determinism-ok: metrics only
        if (nowNs - bucketStartNs >= BUCKET_NS)
        {
            current = (current + 1) % WINDOW_BUCKETS;
            window[current].reset();
            bucketStartNs = nowNs;
        }
        window[current].add(interval);
        merged.reset();
        for (final Histogram bucket : window)
        {
            merged.add(bucket);
        }
        return new Sample(total, merged);
    }
}
