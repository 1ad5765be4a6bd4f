package io.keel.gateway;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.Header;
import io.keel.common.ClusterCredentialsSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's cluster session with one market segment's cluster, driven from the gateway's duty cycle and never
 * blocking it: connects asynchronously, follows a new leader, and starts a new session when the cluster closed the
 * old one, each segment on its own (a segment with no leader holds up no other). While there is no session (no
 * leader, or no quorum) {@link #tryClaim} fails at once, which is what makes the gateway's circuit breaker. Every
 * segment's session shares the gateway's one driver and Aeron client ({@link GatewayAeron}).
 */
final class GatewayClusterSession implements AutoCloseable
{
    /**
     * Receives each egress message, an SBE message of the Keel schema.
     */
    interface Listener
    {
        void onEgress(int segment, DirectBuffer buffer, int offset, int length);

        void onClusterAvailable(int segment, boolean available);
    }

    private static final long RETRY_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** A gateway the cluster closed (its id taken by a live twin) asks again this much later, not in a tight loop. */
    private static final long CLOSED_BY_CLUSTER_RETRY_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long PROBE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long NONE = Long.MIN_VALUE;

    private final GatewayContext config;
    private final int segment;
    /** "" with one segment, else " segment N": what the health text and log lines add to name this one. */
    private final String segmentName;
    private final String endpoints;
    private final Listener listener;
    private final GatewayHealth health;
    private final GatewayAeron shared;
    private final EgressListener egressListener = new EgressListener()
    {
        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            onLeaderHeard();
            listener.onEgress(segment, buffer, offset, length);
        }

        public void onNewLeader(
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final String ingressEndpoints)
        {
            leaderChanges++;
            onLeaderHeard();
            GatewayLog.event("cluster-new-leader", "leader", Integer.toString(leaderMemberId),
                "segment", Integer.toString(segment));
        }

        public void onSessionEvent(
            final long correlationId,
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final EventCode code,
            final String detail)
        {
            if (code == EventCode.CLOSED)
            {
                closedDetail = detail;
            }
        }
    };

    /** Immediate retries of an offer that met a term rotation (ADMIN_ACTION). */
    private static final int ADMIN_ACTION_RETRIES = 3;

    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private long nextAttemptNs;
    private long lastKeepAliveNs;
    private volatile boolean available;
    private long leaderChanges;
    private long connects;
    private String lastError = "";
    /** What the cluster said when it closed this gateway's session (a CloseReason name), or null. */
    private String closedDetail;
    private final long breakerTimeoutNs;
    private long unansweredSinceNs = NONE;
    private long lastProbeNs;
    private boolean breakerOpen;
    /** This segment's state, as the gateway's health sums it up ({@link ClusterSessions}). */
    private GatewayHealth.State state = GatewayHealth.State.STARTING;

    GatewayClusterSession(
        final GatewayContext config,
        final int segment,
        final GatewayAeron shared,
        final Listener listener,
        final GatewayHealth health)
    {
        this.config = config;
        this.segment = segment;
        this.segmentName = config.segmentCount() == 1 ? "" : " segment " + segment;
        this.endpoints = config.segmentEndpoints(segment);
        this.shared = shared;
        this.listener = listener;
        this.health = health;
        breakerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.breakerTimeoutMs());
    }

    /**
     * @return work done: egress messages, connection steps.
     */
    int poll(final long nowNs)
    {
        int work = 0;
        if (cluster != null)
        {
            if (cluster.isClosed())
            {
                if (CloseReason.SERVICE_ACTION.name().equals(closedDetail))
                {
                    // The service closes a gateway's session for one reason at its start: another live gateway holds
                    // this id (the node logs gateway-refused). Later, when this gateway fell too far behind its reports.
                    lastError = "closed by the cluster: gateway id " + config.gatewayId() + " may be live on another " +
                        "gateway (see the nodes' gateway-refused event), or this gateway fell behind its reports";
                    health.lastError(lastError + segmentName);
                }
                GatewayLog.event("cluster-session-closed", "reason", closedDetail != null ? closedDetail : "",
                    "detail", lastError, "segment", Integer.toString(segment));
                nextAttemptNs = CloseReason.SERVICE_ACTION.name().equals(closedDetail) ?
                    nowNs + CLOSED_BY_CLUSTER_RETRY_NS : nowNs;
                closedDetail = null;
                cluster = null;
            }
            else
            {
                work += cluster.pollEgress();
                if (nowNs - lastKeepAliveNs >= KEEP_ALIVE_INTERVAL_NS && !cluster.isClosed())
                {
                    cluster.sendKeepAlive();
                    lastKeepAliveNs = nowNs;
                }
            }
        }
        if (cluster == null)
        {
            work += connectStep(nowNs);
        }
        updateAvailable();
        checkBreaker(nowNs);
        updateHealth(nowNs);
        return work;
    }

    private int connectStep(final long nowNs)
    {
        if (connecting == null)
        {
            if (nowNs - nextAttemptNs < 0)
            {
                return 0;
            }
            connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                .aeron(shared.aeron())
                .ownsAeronClient(false)
                .agentInvoker(shared.invoked().driver())
                .ingressChannel(IngressLimits.INGRESS_CHANNEL)
                .ingressEndpoints(endpoints)
                .egressChannel("aeron:udp?endpoint=" + config.egressHost() + ":0|term-length=4m")
                .egressListener(egressListener)
                .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.clusterConnectTimeoutMs()))
                .credentialsSupplier(new ClusterCredentialsSupplier(shared.credentials())));
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (connected != null)
            {
                cluster = connected;
                connecting = null;
                connects++;
                lastKeepAliveNs = nowNs;
                lastError = "";
                if (segmentName.isEmpty())
                {
                    health.lastError(lastError); // with several segments another one's error may still stand
                }
                // The cluster answered the connect: what the last session left unanswered does not count against
                // this one (else the breaker would open at the first order, and stay open with no order to probe).
                onLeaderHeard();
                GatewayLog.event("cluster-connected",
                    "leader", Integer.toString(connected.leaderMemberId()),
                    "clusterSession", Long.toString(connected.clusterSessionId()),
                    "ingressMaxMessage", Integer.toString(
                        connected.ingressPublication().maxPayloadLength() - AeronCluster.SESSION_HEADER_LENGTH),
                    "segment", Integer.toString(segment));
            }
            return 1;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            nextAttemptNs = nowNs + RETRY_INTERVAL_NS;
            final String error = String.valueOf(ex.getMessage());
            if (!error.equals(lastError))
            {
                // Logged once per distinct failure: a cluster that stays down does not flood the log.
                GatewayLog.event("cluster-connect-failed", "error", error, "segment", Integer.toString(segment));
                lastError = error;
                health.lastError(error + segmentName);
            }
            return 1;
        }
    }

    private void updateAvailable()
    {
        final boolean nowAvailable = cluster != null && !cluster.isClosed() && cluster.ingressPublication() != null &&
            cluster.ingressPublication().isConnected();
        if (nowAvailable != available)
        {
            available = nowAvailable;
            listener.onClusterAvailable(segment, nowAvailable);
        }
    }

    /**
     * The breaker opens here as well as in {@link #tryClaim}: {@code /health} must say so even when no order
     * follows the unanswered ones.
     */
    private void checkBreaker(final long nowNs)
    {
        if (!breakerOpen && unansweredSinceNs != NONE && nowNs - unansweredSinceNs > breakerTimeoutNs)
        {
            breakerOpen = true;
            GatewayLog.event("circuit-open", "unansweredMs",
                Long.toString(TimeUnit.NANOSECONDS.toMillis(nowNs - unansweredSinceNs)), "segment", Integer.toString(segment));
        }
    }

    /**
     * This segment's state for the gateway's health: plain fields, summed up by {@link ClusterSessions}.
     */
    private void updateHealth(final long nowNs)
    {
        if (!available)
        {
            state = connects == 0 ? GatewayHealth.State.STARTING : GatewayHealth.State.NO_CLUSTER_SESSION;
        }
        else
        {
            state = breakerOpen ? GatewayHealth.State.BREAKER_OPEN : GatewayHealth.State.READY;
        }
    }

    GatewayHealth.State state()
    {
        return state;
    }

    int segment()
    {
        return segment;
    }

    /**
     * Claim room on ingress for one request; write it at
     * {@code claim.offset() + AeronCluster.SESSION_HEADER_LENGTH} and commit.
     * <p>
     * The circuit breaker: every request gets an answer, so when requests have gone unanswered for
     * the breaker timeout the leader is taken to be gone (Aeron only says so after the election),
     * and requests fail at once, but for one probe every 250 ms, until the cluster is heard again.
     *
     * @return true when claimed; false at once when there is no leader, the breaker is open, or
     * ingress is back-pressured.
     */
    boolean tryClaim(final int length, final BufferClaim claim, final long nowNs)
    {
        if (!available)
        {
            return false;
        }
        checkBreaker(nowNs);
        if (breakerOpen)
        {
            if (nowNs - lastProbeNs < PROBE_INTERVAL_NS)
            {
                return false;
            }
            lastProbeNs = nowNs;
        }
        long result = cluster.tryClaim(length, claim);
        // ADMIN_ACTION (a term rotation) is over by the next attempt: not a reason to refuse an order.
        for (int i = 0; i < ADMIN_ACTION_RETRIES && result == Publication.ADMIN_ACTION; i++)
        {
            result = cluster.tryClaim(length, claim);
        }
        if (result > 0)
        {
            if (unansweredSinceNs == NONE)
            {
                unansweredSinceNs = nowNs;
            }
            return true;
        }
        return false;
    }

    private void onLeaderHeard()
    {
        unansweredSinceNs = NONE;
        if (breakerOpen)
        {
            breakerOpen = false;
            GatewayLog.event("circuit-closed", "segment", Integer.toString(segment));
        }
    }

    /**
     * Offer one whole message.
     *
     * @return true when the cluster took it.
     */
    boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!available)
        {
            return false;
        }
        long result = cluster.offer(buffer, offset, length);
        for (int i = 0; i < ADMIN_ACTION_RETRIES && result == Publication.ADMIN_ACTION; i++)
        {
            result = cluster.offer(buffer, offset, length);
        }
        return result > 0;
    }

    boolean isAvailable()
    {
        return available;
    }

    long leaderChanges()
    {
        return leaderChanges;
    }

    long connects()
    {
        return connects;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(connecting, cluster);
    }
}
