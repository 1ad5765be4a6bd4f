package io.keel.node;

import io.aeron.AeronCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.function.Supplier;

/**
 * Aeron's own counters of one node, read at scrape time from the driver's counters memory (the
 * CnC file every Aeron client maps): nothing is registered with the driver and no agent of the
 * node does any extra work. One pass over the counters per scrape, shared by every metric.
 */
public final class AeronClusterMetrics
{
    /** {@code ElectionState.CLOSED}: no election in progress. */
    public static final long ELECTION_CLOSED = 17;
    /** Value when a counter is not (yet) there. */
    public static final long ABSENT = Long.MIN_VALUE;
    private static final long CACHE_NS = 50_000_000L;

    /**
     * One read of the interesting counters.
     */
    public static final class Values
    {
        public long role = ABSENT;
        public long commitPosition = ABSENT;
        public long electionState = ABSENT;
        public long elections = ABSENT;
        public long leadershipTermId = ABSENT;
        public long snapshots = ABSENT;
        public long moduleState = ABSENT;
        public long driverErrors;
        public long consensusErrors;
        public long serviceErrors;
        public long archiveErrors;
        public long naksSent;
        public long naksReceived;
        public long senderBackPressure;
        public long flowControlLimits;
        public long bytesSent;
        public long bytesReceived;
        public long retransmitsSent;
        public long clientTimeouts;
    }

    private final Supplier<CountersReader> counters;
    private Values cached;
    private long cachedAtNs;

    /**
     * @param counters the node's counters reader; may return null while the node is down.
     */
    public AeronClusterMetrics(final Supplier<CountersReader> counters)
    {
        this.counters = counters;
    }

    /**
     * The counters now (cached for 50 ms so that one scrape reads them once).
     */
    public synchronized Values values()
    {
        final long nowNs = System.nanoTime(); // determinism-ok: metrics only
        if (cached == null || nowNs - cachedAtNs > CACHE_NS)
        {
            cached = read(counters.get());
            cachedAtNs = nowNs;
        }
        return cached;
    }

    static Values read(final CountersReader reader)
    {
        final Values v = new Values();
        if (reader == null)
        {
            return v;
        }
        try
        {
            // By id rather than CountersReader.forEach: its callbacks take each counter's label as a new String, and
            // the node's monitor reads every 100 ms (a few KB a second of garbage on a node that should make none).
            final AtomicBuffer metaData = reader.metaDataBuffer();
            for (int counterId = 0, maxId = reader.maxCounterId(); counterId <= maxId; counterId++)
            {
                final int state = reader.getCounterState(counterId);
                if (state == CountersReader.RECORD_UNUSED)
                {
                    break;
                }
                if (state != CountersReader.RECORD_ALLOCATED)
                {
                    continue;
                }
                final long value = reader.getCounterValue(counterId);
                switch (reader.getCounterTypeId(counterId))
                {
                    case AeronCounters.DRIVER_SYSTEM_COUNTER_TYPE_ID:
                        system(v, metaData.getInt(CountersReader.metaDataOffset(counterId) + CountersReader.KEY_OFFSET),
                            value);
                        break;
                    case AeronCounters.DRIVER_SENDER_BPE_TYPE_ID:
                        v.senderBackPressure += value;
                        break;
                    case AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID:
                        v.role = value;
                        break;
                    case AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID:
                        v.commitPosition = value;
                        break;
                    case AeronCounters.CLUSTER_ELECTION_STATE_TYPE_ID:
                        v.electionState = value;
                        break;
                    case AeronCounters.CLUSTER_ELECTION_COUNT_TYPE_ID:
                        v.elections = value;
                        break;
                    case AeronCounters.CLUSTER_LEADERSHIP_TERM_ID_TYPE_ID:
                        v.leadershipTermId = value;
                        break;
                    case AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID:
                        v.snapshots = value;
                        break;
                    case AeronCounters.CLUSTER_CONSENSUS_MODULE_STATE_TYPE_ID:
                        v.moduleState = value;
                        break;
                    case AeronCounters.CLUSTER_CONSENSUS_MODULE_ERROR_COUNT_TYPE_ID:
                        v.consensusErrors += value;
                        break;
                    case AeronCounters.CLUSTER_CLUSTERED_SERVICE_ERROR_COUNT_TYPE_ID:
                        v.serviceErrors += value;
                        break;
                    case AeronCounters.ARCHIVE_ERROR_COUNT_TYPE_ID:
                        v.archiveErrors += value;
                        break;
                    default:
                        break;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            return new Values(); // the driver is closing: report nothing rather than fail the scrape
        }
        return v;
    }

    private static void system(final Values v, final int id, final long value)
    {
        switch (id)
        {
            case AeronCounters.SYSTEM_COUNTER_ID_ERRORS -> v.driverErrors = value;
            case AeronCounters.SYSTEM_COUNTER_ID_NAK_MESSAGES_SENT -> v.naksSent = value;
            case AeronCounters.SYSTEM_COUNTER_ID_NAK_MESSAGES_RECEIVED -> v.naksReceived = value;
            case AeronCounters.SYSTEM_COUNTER_ID_SENDER_FLOW_CONTROL_LIMITS -> v.flowControlLimits = value;
            case AeronCounters.SYSTEM_COUNTER_ID_BYTES_SENT -> v.bytesSent = value;
            case AeronCounters.SYSTEM_COUNTER_ID_BYTES_RECEIVED -> v.bytesReceived = value;
            case AeronCounters.SYSTEM_COUNTER_ID_RETRANSMITS_SENT -> v.retransmitsSent = value;
            case AeronCounters.SYSTEM_COUNTER_ID_CLIENT_TIMEOUTS -> v.clientTimeouts = value;
            default -> { }
        }
    }

    /**
     * Register the {@code keel_cluster_*} and {@code keel_aeron_*} metrics.
     */
    public void register(final PrometheusRegistry registry)
    {
        gauge(registry, "keel_cluster_role", "Cluster role of this node: 0 follower, 1 candidate, 2 leader.",
            (v) -> v.role);
        gauge(registry, "keel_cluster_commit_position", "Raft commit position (bytes of log) this node knows.",
            (v) -> v.commitPosition);
        gauge(registry, "keel_cluster_election_state", "Aeron election state; 17 (CLOSED) means no election in progress.",
            (v) -> v.electionState);
        gauge(registry, "keel_cluster_leadership_term_id", "Current leadership term id.", (v) -> v.leadershipTermId);
        gauge(registry, "keel_cluster_consensus_module_state",
            "Consensus module state: 0 INIT, 1 ACTIVE, 2 SUSPENDED, 3 SNAPSHOT, 4 QUITTING, 5 TERMINATING, 6 CLOSED.",
            (v) -> v.moduleState);
        counter(registry, "keel_cluster_elections", "Elections this node has taken part in.", (v) -> v.elections);
        counter(registry, "keel_cluster_snapshots", "Snapshots taken by this node.", (v) -> v.snapshots);
        counter(registry, "keel_aeron_naks_sent", "NAKs sent by this node's media driver (loss seen on receive).",
            (v) -> v.naksSent);
        counter(registry, "keel_aeron_naks_received", "NAKs received by this node's media driver (peers saw loss).",
            (v) -> v.naksReceived);
        counter(registry, "keel_aeron_sender_back_pressure_events",
            "Back-pressure events of the driver's senders, summed over publications.", (v) -> v.senderBackPressure);
        counter(registry, "keel_aeron_sender_flow_control_limits", "Times a sender was held back by flow control.",
            (v) -> v.flowControlLimits);
        counter(registry, "keel_aeron_retransmits_sent", "Retransmits sent by this node's media driver.",
            (v) -> v.retransmitsSent);
        counter(registry, "keel_aeron_client_timeouts", "Aeron clients of this driver that timed out.",
            (v) -> v.clientTimeouts);
        counter(registry, "keel_aeron_bytes_sent", "Bytes sent by this node's media driver.", (v) -> v.bytesSent);
        counter(registry, "keel_aeron_bytes_received", "Bytes received by this node's media driver.", (v) -> v.bytesReceived);
        CounterWithCallback.builder()
            .name("keel_aeron_errors")
            .help("Errors counted by Aeron, by component (see the node's error log for each).")
            .labelNames("component")
            .callback((cb) ->
            {
                final Values v = values();
                cb.call(v.driverErrors, "driver");
                cb.call(v.consensusErrors, "consensus");
                cb.call(v.serviceErrors, "service");
                cb.call(v.archiveErrors, "archive");
            })
            .register(registry);
    }

    private interface Field
    {
        long of(Values values);
    }

    private void gauge(final PrometheusRegistry registry, final String name, final String help, final Field field)
    {
        GaugeWithCallback.builder().name(name).help(help).callback((cb) ->
        {
            final long value = field.of(values());
            if (value != ABSENT)
            {
                cb.call(value);
            }
        }).register(registry);
    }

    private void counter(final PrometheusRegistry registry, final String name, final String help, final Field field)
    {
        CounterWithCallback.builder().name(name).help(help).callback((cb) ->
        {
            final long value = field.of(values());
            if (value != ABSENT)
            {
                cb.call(Math.max(0, value));
            }
        }).register(registry);
    }
}
