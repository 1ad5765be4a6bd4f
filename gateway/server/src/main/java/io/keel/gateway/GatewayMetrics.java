package io.keel.gateway;

import io.keel.common.LatencyMetric;
import io.keel.common.MetricsServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.BooleanSupplier;

/**
 * The gateway's {@code /metrics} and {@code /health}: its counters (written by the duty cycle,
 * read here at scrape time) and its per-hop latencies ({@link HopTimer}). {@code /health} is 200
 * while the gateway takes orders ({@link GatewayHealth}), else 503 with the reason.
 */
final class GatewayMetrics implements AutoCloseable
{
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HopTimer hops;
    private final GatewayCounters counters;
    private MetricsServer server;

    GatewayMetrics(final GatewayCounters counters)
    {
        this.counters = counters;
        final LatencyMetric latency = new LatencyMetric(registry, "keel_gateway_hop_latency",
            "Latency per hop measured at the gateway with System.nanoTime (see deploy/METRICS.md).",
            HopTimer.RECEIVE_TO_INGRESS, HopTimer.INGRESS_TO_EGRESS, HopTimer.EGRESS_TO_CLIENT);
        hops = new HopTimer(latency.recorder(HopTimer.RECEIVE_TO_INGRESS), latency.recorder(HopTimer.INGRESS_TO_EGRESS),
            latency.recorder(HopTimer.EGRESS_TO_CLIENT));
        counter("keel_gateway_connections", "Client connections accepted.", GatewayCounters.CONNECTIONS);
        counter("keel_gateway_connections_refused",
            "Client connections refused (connection limit; PROXY protocol header missing, bad or not allowed).",
            GatewayCounters.REJECTED_CONNECTIONS);
        counter("keel_gateway_connections_refused_per_address",
            "Connections refused at --max-connections-per-address or --max-pending-per-address.",
            GatewayCounters.REFUSED_PER_ADDRESS);
        counter("keel_gateway_connections_evicted",
            "Idle connections not logged on, evicted for a newer one at --max-pending-connections.",
            GatewayCounters.PENDING_EVICTED);
        counter("keel_gateway_logons", "Successful logons.", GatewayCounters.LOGONS);
        counter("keel_gateway_logon_backoffs", "Failed logons answered after a backoff delay.",
            GatewayCounters.LOGON_BACKOFFS);
        counter("keel_gateway_logon_lockouts", "Users locked out after --lockout-failures failed logons.",
            GatewayCounters.LOGON_LOCKOUTS);
        counter("keel_gateway_logons_unchecked",
            "Logons refused without a password check: the user locked out or within its backoff.",
            GatewayCounters.LOGONS_UNCHECKED);
        counter("keel_gateway_duty_cycle_errors",
            "Exceptions a duty-cycle poll threw: counted, logged, the connection concerned closed.",
            GatewayCounters.DUTY_CYCLE_ERRORS);
        counter("keel_gateway_failed_logons", "Logons refused (bad credentials, already logged on, too many pending).",
            GatewayCounters.FAILED_LOGONS);
        counter("keel_gateway_throttled", "Messages refused by the per-session throttle.", GatewayCounters.THROTTLED);
        counter("keel_gateway_unavailable", "Orders refused as UNAVAILABLE: no cluster session or circuit open.",
            GatewayCounters.UNAVAILABLE);
        counter("keel_gateway_orders_forwarded", "Order-entry messages forwarded to the cluster.",
            GatewayCounters.ORDERS_FORWARDED);
        counter("keel_gateway_reports_sent", "Reports queued to clients.", GatewayCounters.REPORTS_SENT);
        counter("keel_gateway_unrouted_reports", "Reports for no known session.", GatewayCounters.UNROUTED_REPORTS);
        counter("keel_gateway_protocol_errors", "Frames or messages that broke the protocol.",
            GatewayCounters.PROTOCOL_ERRORS);
        counter("keel_gateway_session_rejects", "SessionReject messages sent.", GatewayCounters.SESSION_REJECTS);
        counter("keel_gateway_resends", "Client resend requests served from the cluster's journal.", GatewayCounters.RESENDS);
        counter("keel_gateway_replays", "Gaps in a session's reports filled from the cluster's journal.",
            GatewayCounters.REPLAYS);
        counter("keel_gateway_reports_unavailable", "Gaps retention no longer held.", GatewayCounters.REPORTS_UNAVAILABLE);
        counter("keel_gateway_duplicate_reports", "Reports received again and not sent twice.",
            GatewayCounters.DUPLICATE_REPORTS);
        counter("keel_gateway_cancel_on_disconnects", "Cancel-on-disconnect commands sent to the cluster.",
            GatewayCounters.CANCEL_ON_DISCONNECTS);
        counter("keel_gateway_slow_consumers", "Clients dropped because their outbound buffer filled.",
            GatewayCounters.SLOW_CONSUMERS);
        counter("keel_gateway_received_bytes", "Bytes read from client sockets.", GatewayCounters.BYTES_RECEIVED);
        counter("keel_gateway_sent_bytes", "Bytes written to client sockets.", GatewayCounters.BYTES_SENT);
        CounterWithCallback.builder()
            .name("keel_gateway_disconnects")
            .help("Client connections closed, by reason.")
            .labelNames("reason")
            .callback((cb) ->
            {
                for (int i = 0; i < DisconnectReasons.NAMES.length; i++)
                {
                    cb.call(counters.disconnectReasons.get(i), DisconnectReasons.NAMES[i]);
                }
            })
            .register(registry);
    }

    HopTimer hops()
    {
        return hops;
    }

    void start(
        final GatewayContext config,
        final BooleanSupplier clusterAvailable,
        final java.util.function.IntPredicate segmentAvailable,
        final GatewayHealth health)
    {
        GaugeWithCallback.builder()
            .name("keel_gateway_ready")
            .help("1 while the gateway takes orders (what /health answers 200 for): a cluster session, breaker closed.")
            .callback((cb) -> cb.call(health.isReady(System.nanoTime()) ? 1 : 0))
            .register(registry);
        GaugeWithCallback.builder()
            .name("keel_gateway_cluster_available")
            .help("1 while the gateway has a cluster session that can take orders (with every market segment).")
            .callback((cb) -> cb.call(clusterAvailable.getAsBoolean() ? 1 : 0))
            .register(registry);
        final int segments = config.segmentCount();
        final String[] segmentLabels = new String[segments];
        for (int i = 0; i < segments; i++)
        {
            segmentLabels[i] = Integer.toString(i);
        }
        GaugeWithCallback.builder()
            .name("keel_gateway_segment_available")
            .help("1 while the gateway has a cluster session with the market segment that can take orders.")
            .labelNames("segment")
            .callback((cb) ->
            {
                for (int i = 0; i < segments; i++)
                {
                    cb.call(segmentAvailable.test(i) ? 1 : 0, segmentLabels[i]);
                }
            })
            .register(registry);
        GaugeWithCallback.builder()
            .name("keel_gateway_segment_map_version")
            .help("The version of the segment map the gateway runs with (0: one cluster, no map).")
            .callback((cb) -> cb.call(config.segmentMapVersion()))
            .register(registry);
        try
        {
            server = MetricsServer.start(config.metricsBind(), config.metricsPort(), registry,
                () -> health.isReady(System.nanoTime()), () -> health.describe(System.nanoTime()));
            GatewayLog.event("metrics-started", "bind", config.metricsBind(), "port", Integer.toString(server.port()));
        }
        catch (final RuntimeException ex)
        {
            // The gateway keeps serving clients without metrics rather than not at all: say so loudly.
            GatewayLog.event("metrics-failed", "error", String.valueOf(ex.getMessage()));
        }
    }

    int port()
    {
        return server == null ? 0 : server.port();
    }

    public void close()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private void counter(final String name, final String help, final int counter)
    {
        CounterWithCallback.builder().name(name).help(help).callback((cb) -> cb.call(counters.get(counter)))
            .register(registry);
    }
}
