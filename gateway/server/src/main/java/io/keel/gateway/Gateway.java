package io.keel.gateway;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A running gateway: TCP listener, Aeron UDP endpoint, session layer and cluster session on one agent thread.
 * Launch with a concluded {@link GatewayContext}; close to log every client out and stop.
 */
public final class Gateway implements AutoCloseable
{
    private final GatewayContext config;
    private final GatewayCounters counters = new GatewayCounters();
    private final GatewayHealth health;
    private final SessionLayer sessionLayer;
    private final TcpTransport tcp;
    private final UdpTransport udp;
    private final AgentRunner runner;
    private final GatewayMetrics metrics;
    private GatewayAdminServer admin;

    private Gateway(final GatewayContext config)
    {
        this.config = config.conclude();
        final CredentialsStore users;
        try
        {
            users = CredentialsStore.load(config.credentialsFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read --users " + config.credentialsFile() + ": " + ex.getMessage(), ex);
        }
        metrics = config.metricsPort() != 0 ? new GatewayMetrics(counters) : null;
        counters.hops = metrics != null ? metrics.hops() : null;
        health = new GatewayHealth(config.gatewayId(), System.nanoTime());
        sessionLayer = new SessionLayer(config, users, counters, health);
        TcpTransport tcpTransport = null;
        try
        {
            tcpTransport = new TcpTransport(config, sessionLayer, counters);
            udp = config.udpPort() > 0 ? new UdpTransport(config, sessionLayer, counters, sessionLayer.aeron()) : null;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(tcpTransport, sessionLayer);
            throw ex;
        }
        tcp = tcpTransport;
        final ErrorHandler errorHandler = (ex) -> GatewayLog.event("error", "error", String.valueOf(ex));
        runner = new AgentRunner(config.idleProfile().newIdleStrategy(), errorHandler, null,
            new GatewayAgent(config.gatewayId(), sessionLayer, tcp, udp, new SystemNanoClock()));
        GatewayLog.event("started", "gateway", Integer.toString(config.gatewayId()),
            "listen", config.bindAddress() + ":" + tcp.port(), "udp", udp == null ? "off" : udp.endpoint(),
            "cluster", config.segmentMap() == null ? config.clusterEndpoints() :
                "segments=" + config.segmentCount() + " map-version=" + config.segmentMapVersion(),
            "users", Integer.toString(users.size()));
    }

    /**
     * @param config concluded here if it was not already.
     */
    public static Gateway launch(final GatewayContext config)
    {
        final Gateway gateway = new Gateway(config);
        AgentRunner.startOnThread(gateway.runner);
        if (gateway.metrics != null)
        {
            gateway.metrics.start(config, gateway::isClusterAvailable, gateway.sessionLayer::isSegmentAvailable,
                gateway.health);
        }
        if (config.limits().adminPort() != 0)
        {
            try
            {
                gateway.admin = new GatewayAdminServer(config.metricsBind(), config.limits().adminPort(),
                    config.limits().adminSecretFile(), gateway.sessionLayer.logonGuard());
            }
            catch (final RuntimeException ex)
            {
                gateway.close();
                throw ex;
            }
        }
        return gateway;
    }

    /**
     * @return the TCP port listened on (useful with port 0).
     */
    public int port()
    {
        return tcp.port();
    }

    /**
     * @return the Aeron UDP port clients publish to (stream {@link io.keel.codecs.AeronUdp#REQUEST_STREAM_ID}), or 0
     * when UDP is disabled.
     */
    public int udpPort()
    {
        return udp == null ? 0 : udp.port();
    }

    public GatewayContext config()
    {
        return config;
    }

    /**
     * @return true while the gateway has a cluster session that can take orders, with every market segment.
     */
    public boolean isClusterAvailable()
    {
        return sessionLayer.isClusterAvailable();
    }

    /**
     * @return true while the gateway has a cluster session with the segment that can take orders.
     */
    public boolean isSegmentAvailable(final int segment)
    {
        return sessionLayer.isSegmentAvailable(segment);
    }

    /**
     * @return true while the gateway takes orders: a cluster session, the circuit breaker closed, the duty cycle
     * running. What {@code /health} answers 200 for.
     */
    public boolean isReady()
    {
        return health.isReady(System.nanoTime());
    }

    /**
     * @return what {@code /health} says: the state, for how long, and the last cluster error when not ready.
     */
    public String healthText()
    {
        return health.describe(System.nanoTime());
    }

    public long ordersForwarded()
    {
        return counters.get(GatewayCounters.ORDERS_FORWARDED);
    }

    public long throttled()
    {
        return counters.get(GatewayCounters.THROTTLED);
    }

    public long unavailableRejects()
    {
        return counters.get(GatewayCounters.UNAVAILABLE);
    }

    public long slowConsumers()
    {
        return counters.get(GatewayCounters.SLOW_CONSUMERS);
    }

    public long protocolErrors()
    {
        return counters.get(GatewayCounters.PROTOCOL_ERRORS);
    }

    public long cancelOnDisconnects()
    {
        return counters.get(GatewayCounters.CANCEL_ON_DISCONNECTS);
    }

    public long udpConnections()
    {
        return counters.get(GatewayCounters.UDP_CONNECTIONS);
    }

    /**
     * @return connections the session layer took (TCP and UDP), not those refused at accept.
     */
    public long connectionsAccepted()
    {
        return counters.get(GatewayCounters.CONNECTIONS);
    }

    public long logons()
    {
        return counters.get(GatewayCounters.LOGONS);
    }

    /**
     * @return connections refused before a logon: over the connection limit, or a PROXY protocol header missing, bad
     * or from an address not allowed to send one.
     */
    public long refusedConnections()
    {
        return counters.get(GatewayCounters.REJECTED_CONNECTIONS);
    }

    /**
     * @return connections refused at a per-address bound.
     */
    public long refusedPerAddress()
    {
        return counters.get(GatewayCounters.REFUSED_PER_ADDRESS);
    }

    /**
     * @return idle connections evicted for newer ones when the pending-logon slots were full.
     */
    public long evictedConnections()
    {
        return counters.get(GatewayCounters.PENDING_EVICTED);
    }

    public long failedLogons()
    {
        return counters.get(GatewayCounters.FAILED_LOGONS);
    }

    public long logonBackoffs()
    {
        return counters.get(GatewayCounters.LOGON_BACKOFFS);
    }

    public long logonLockouts()
    {
        return counters.get(GatewayCounters.LOGON_LOCKOUTS);
    }

    public long uncheckedLogons()
    {
        return counters.get(GatewayCounters.LOGONS_UNCHECKED);
    }

    /**
     * @return exceptions a duty-cycle poll threw (each counted, logged, its connection closed).
     */
    public long dutyCycleErrors()
    {
        return counters.get(GatewayCounters.DUTY_CYCLE_ERRORS);
    }

    /**
     * @return the admin endpoint's port, or 0 when it is off.
     */
    public int adminPort()
    {
        return admin == null ? 0 : admin.port();
    }

    /**
     * @return the port serving {@code /metrics} and {@code /health}, or 0 when metrics are off.
     */
    public int metricsPort()
    {
        return metrics == null ? 0 : metrics.port();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(admin, metrics);
        CloseHelper.close(runner);
        GatewayLog.event("stopped", "gateway", Integer.toString(config.gatewayId()));
    }

    /**
     * Books the gateway keeps (one per instrument the engine announced), for tests; the gateway thread's own, so read
     * it only when that thread is quiet.
     */
    int marketDataBooks()
    {
        return sessionLayer.marketDataBooks();
    }
}
