package io.keel.common;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A family of {@link LatencyRecorder}s with one label ({@code hop}), exposed as a Prometheus
 * summary in seconds ({@code _count}, {@code _sum}, quantiles 0.5/0.9/0.99/0.999 over the last
 * minute) plus a {@code _window_max_seconds} gauge.
 */
public final class LatencyMetric
{
    private final Map<String, LatencyRecorder> recorders = new LinkedHashMap<>();

    /**
     * @param name without unit, e.g. {@code keel_gateway_hop_latency}.
     */
    public LatencyMetric(final PrometheusRegistry registry, final String name, final String help, final String... hops)
    {
        for (final String hop : hops)
        {
            recorders.put(hop, new LatencyRecorder());
        }
        final Map<String, LatencyRecorder.Sample> lastSamples = new LinkedHashMap<>();
        SummaryWithCallback.builder()
            .name(name + "_seconds")
            .help(help)
            .labelNames("hop")
            .callback((callback) ->
            {
                synchronized (lastSamples)
                {
                    recorders.forEach((hop, recorder) ->
                    {
                        final LatencyRecorder.Sample sample = recorder.sample();
                        lastSamples.put(hop, sample);
                        final Quantile[] quantiles = new Quantile[sample.quantiles.length];
                        for (int i = 0; i < quantiles.length; i++)
                        {
                            quantiles[i] = new Quantile(sample.quantiles[i], sample.values[i]);
                        }
                        callback.call(sample.count, sample.sumSeconds, Quantiles.of(quantiles), hop);
                    });
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name(name + "_window_max_seconds")
            .help(help + " Largest value over the last minute.")
            .labelNames("hop")
            .callback((callback) ->
            {
                synchronized (lastSamples)
                {
                    lastSamples.forEach((hop, sample) -> callback.call(sample.windowMaxSeconds, hop));
                }
            })
            .register(registry);
    }

    public LatencyRecorder recorder(final String hop)
    {
        final LatencyRecorder recorder = recorders.get(hop);
        if (recorder == null)
        {
            throw new IllegalArgumentException("unknown hop " + hop);
        }
        return recorder;
    }
}
