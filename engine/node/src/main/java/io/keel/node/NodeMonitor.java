package io.keel.node;

import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.keel.common.LatencyMetric;
import io.keel.common.LatencyRecorder;
import io.keel.common.MetricsServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches a node from outside its agents: a daemon thread reads Aeron's counters every 100 ms and
 * logs elections and role changes as JSON lines; when {@code --metrics-port} is set, serves
 * {@code /metrics} (Aeron, engine and latency metrics) and {@code /health} (200 when no election is
 * in progress and the node has a role, i.e. it knows its leader).
 */
final class NodeMonitor implements AutoCloseable
{
    private static final long WATCH_INTERVAL_MS = 100;

    private final NodeContext config;
    private final PrometheusRegistry registry;
    private final LatencyRecorder applyLatency;
    private AeronClusterMetrics aeron;
    private ScheduledExecutorService watcher;
    private MetricsServer server;
    private volatile KeelClusteredService service;
    private long lastElectionState = AeronClusterMetrics.ABSENT;
    private final ElectionWatchdog electionWatchdog;
    private volatile Runnable onElectionStuck;

    NodeMonitor(final NodeContext config)
    {
        this.config = config;
        electionWatchdog = new ElectionWatchdog(config.electionStuckTimeoutMs());
        if (config.metricsPort() != MetricsServer.OFF)
        {
            registry = new PrometheusRegistry();
            applyLatency = new LatencyMetric(registry, "keel_node_latency",
                "Service-side time to apply one client command to the engine and hand its outputs to Aeron " +
                    "(System.nanoTime on the service thread).", "engine_apply").recorder("engine_apply"); // determinism-ok: a help text
        }
        else
        {
            registry = null;
            applyLatency = null;
        }
    }

    /**
     * Null when metrics are off: the service then times nothing.
     */
    LatencyRecorder applyLatency()
    {
        return applyLatency;
    }

    /**
     * Once the node's agents run.
     */
    void start(final KeelClusteredService service, final Supplier<CountersReader> counters, final Runnable onElectionStuck)
    {
        this.service = service;
        this.onElectionStuck = onElectionStuck;
        aeron = new AeronClusterMetrics(counters);
        watcher = Executors.newSingleThreadScheduledExecutor((r) ->
        {
            final Thread thread = new Thread(r, "keel-monitor-" + config.memberId());
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::watch, 0, WATCH_INTERVAL_MS, TimeUnit.MILLISECONDS);
        if (registry != null)
        {
            aeron.register(registry);
            if (service.engineMetrics() != null)
            {
                service.engineMetrics().register(registry);
            }
            CounterWithCallback.builder()
                .name("keel_node_oversized_outputs")
                .help("Outputs too long for the egress: replaced alike on every node by the engine's encoder " +
                    "(stage engine), or not offered by this node (stage egress). 0 while the engine pages its answers.")
                .labelNames("stage")
                .callback((cb) ->
                {
                    cb.call(service.outputsReplaced(), "engine");
                    cb.call(service.outputsOversized(), "egress");
                })
                .register(registry);
            io.prometheus.metrics.core.metrics.GaugeWithCallback.builder()
                .name("keel_node_egress_queued_bytes")
                .help("Bytes the leader holds for gateways that are behind (each bounded by --egress-queue-bytes).")
                .callback((cb) -> cb.call(service.egressQueuedBytes()))
                .register(registry);
            CounterWithCallback.builder()
                .name("keel_node_egress_overflows")
                .help("Messages dropped at a gateway's egress queue bound (kind dropped), and reports sent again from " +
                    "the journal so the gateway fills the gap (kind gap_signalled).")
                .labelNames("kind")
                .callback((cb) ->
                {
                    cb.call(service.egressOverflowed(), "dropped");
                    cb.call(service.egressGapsSignalled(), "gap_signalled");
                })
                .register(registry);
            CounterWithCallback.builder()
                .name("keel_node_drop_copy_reports")
                .help("Drop-copy reports offered to consumers (kind sent; on followers offers go nowhere), and those " +
                    "a consumer's egress did not take (kind not_taken: the consumer sees the gap and asks again).")
                .labelNames("kind")
                .callback((cb) ->
                {
                    cb.call(service.dropCopyReportsSent(), "sent");
                    cb.call(service.dropCopyReportsNotTaken(), "not_taken");
                })
                .register(registry);
            io.prometheus.metrics.core.metrics.GaugeWithCallback.builder()
                .name("keel_node_drop_copy_live_feeds")
                .help("Drop-copy feeds following live (at most 16).")
                .callback((cb) -> cb.call(service.dropCopyLiveFeeds()))
                .register(registry);
            try
            {
                server = MetricsServer.start(config.metricsBind(), config.metricsPort(), registry, this::isReady, this::describe);
                NodeLog.event(config, "metrics-started", "bind", config.metricsBind(), "port", server.port());
            }
            catch (final RuntimeException ex)
            {
                // A node serves its log without metrics rather than not at all: say so loudly.
                NodeLog.event(config, "metrics-failed", "error", ex.getMessage());
            }
        }
    }

    /**
     * The bound metrics port, or 0 when none.
     */
    int port()
    {
        return server == null ? 0 : server.port();
    }

    /**
     * Ready: the consensus module is in no election, has a role, and the service has not diverged.
     */
    boolean isReady()
    {
        final KeelClusteredService s = service;
        if (aeron == null || s == null || s.hasDiverged())
        {
            return false;
        }
        final AeronClusterMetrics.Values v = aeron.values();
        return v.electionState == AeronClusterMetrics.ELECTION_CLOSED && v.role != AeronClusterMetrics.ABSENT &&
            v.moduleState == ConsensusModule.State.ACTIVE.code();
    }

    private String describe()
    {
        final AeronClusterMetrics.Values v = aeron.values();
        return "member=" + config.memberId() +
            " role=" + (v.role == AeronClusterMetrics.ABSENT ? "none" : Cluster.Role.get(v.role)) +
            " election=" + (v.electionState == AeronClusterMetrics.ABSENT ? "none" : ElectionState.get(v.electionState)) +
            " module=" + (v.moduleState == AeronClusterMetrics.ABSENT ? "none" : ConsensusModule.State.get(v.moduleState)) +
            " commitPosition=" + v.commitPosition;
    }

    private void watch()
    {
        try
        {
            final AeronClusterMetrics.Values v = aeron.values();
            if (v.electionState != lastElectionState && v.electionState != AeronClusterMetrics.ABSENT)
            {
                if (v.electionState == AeronClusterMetrics.ELECTION_CLOSED)
                {
                    NodeLog.event(config, "election-closed", "role", String.valueOf(Cluster.Role.get(v.role)),
                        "leadershipTermId", v.leadershipTermId, "commitPosition", v.commitPosition, "elections", v.elections);
                }
                else if (lastElectionState == AeronClusterMetrics.ELECTION_CLOSED || lastElectionState == AeronClusterMetrics.ABSENT)
                {
                    NodeLog.event(config, "election-started", "state",
                        String.valueOf(ElectionState.get(v.electionState)), "leadershipTermId", v.leadershipTermId);
                }
                lastElectionState = v.electionState;
            }
            final boolean electionOpen = v.electionState != AeronClusterMetrics.ABSENT &&
                v.electionState != AeronClusterMetrics.ELECTION_CLOSED;
            if (electionWatchdog.isStuck(System.nanoTime(), electionOpen, v.consensusErrors))
            {
                NodeLog.event(config, "election-stuck", "state", String.valueOf(ElectionState.get(v.electionState)),
                    "leadershipTermId", v.leadershipTermId, "commitPosition", v.commitPosition,
                    "timeoutMs", config.electionStuckTimeoutMs(),
                    "action", "halting (exit code 4) so that a supervisor restarts this node; see the Aeron error log");
                final Runnable halt = onElectionStuck;
                if (halt != null)
                {
                    halt.run();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // Driver closing: the next tick or close() ends this.
        }
    }

    public void close()
    {
        if (watcher != null)
        {
            watcher.shutdownNow();
        }
        if (server != null)
        {
            server.close();
        }
    }
}
