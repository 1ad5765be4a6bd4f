package io.keel.gateway;

import io.keel.codecs.AeronUdp;
import io.keel.codecs.SessionIds;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.common.SegmentMap;

import java.io.File;
import java.nio.file.Path;

/**
 * Everything a gateway needs, with local defaults. {@link #conclude()} validates and fails with a
 * message naming the option, as {@code keel gateway} prints it.
 */
public final class GatewayContext
{
    public static final int GATEWAY_ID_DEFAULT = 1;
    public static final String BIND_ADDRESS_DEFAULT = "127.0.0.1";
    public static final int PORT_DEFAULT = 9100;
    /** Aeron UDP port for clients; 0 or less disables UDP. */
    public static final int UDP_PORT_DEFAULT = 9101;
    public static final long LOGON_TIMEOUT_MS_DEFAULT = 5_000;
    public static final int MIN_HEARTBEAT_MS_DEFAULT = 100;
    public static final int MAX_HEARTBEAT_MS_DEFAULT = 60_000;
    public static final int THROTTLE_RATE_DEFAULT = 10_000;
    public static final int THROTTLE_BURST_DEFAULT = 1_000;
    public static final int THROTTLE_ABUSE_DEFAULT = 1_000;
    /** The cluster ingress's largest message plus the SOFH: the default is also the most a gateway can accept. */
    public static final int MAX_FRAME_LENGTH_DEFAULT = IngressLimits.MAX_FRAME_LENGTH;
    public static final int OUTBOUND_BUFFER_DEFAULT = 256 * 1024;
    public static final int MAX_RESEND_REPORTS_DEFAULT = 10_000;
    public static final int MAX_CONNECTIONS_DEFAULT = 256;
    public static final int MAX_PENDING_LOGONS_DEFAULT = 64;
    public static final long CANCEL_ON_DISCONNECT_GRACE_MS_DEFAULT = 0;
    public static final long BREAKER_TIMEOUT_MS_DEFAULT = 1_000;
    /** Loopback, as {@link #BIND_ADDRESS_DEFAULT}: a load balancer or Prometheus elsewhere needs --metrics-bind. */
    public static final String METRICS_BIND_DEFAULT = "127.0.0.1";
    public static final String EGRESS_HOST_DEFAULT = "localhost";
    public static final int MARKET_DATA_PORT_DEFAULT = 9102;
    public static final long MARKET_DATA_SNAPSHOT_INTERVAL_MS_DEFAULT = 1_000;
    public static final int MARKET_DATA_DEPTH_DEFAULT = 1_000;

    private int gatewayId = GATEWAY_ID_DEFAULT;
    private String bindAddress = BIND_ADDRESS_DEFAULT;
    private int port = PORT_DEFAULT;
    private int udpPort = UDP_PORT_DEFAULT;
    private String clusterEndpoints;
    private SegmentMap segmentMap;
    private String egressHost = EGRESS_HOST_DEFAULT;
    private String clusterSecret = Principal.DEV_SECRET;
    private Path credentialsFile;
    private File aeronDir;
    private IdleProfile idleProfile = IdleProfile.BACKOFF;
    private long logonTimeoutMs = LOGON_TIMEOUT_MS_DEFAULT;
    private int minHeartbeatMs = MIN_HEARTBEAT_MS_DEFAULT;
    private int maxHeartbeatMs = MAX_HEARTBEAT_MS_DEFAULT;
    private int throttleRate = THROTTLE_RATE_DEFAULT;
    private int throttleBurst = THROTTLE_BURST_DEFAULT;
    private int throttleAbuse = THROTTLE_ABUSE_DEFAULT;
    private int maxFrameLength = MAX_FRAME_LENGTH_DEFAULT;
    private int outboundBufferBytes = OUTBOUND_BUFFER_DEFAULT;
    private int maxResendReports = MAX_RESEND_REPORTS_DEFAULT;
    private int maxConnections = MAX_CONNECTIONS_DEFAULT;
    private int maxPendingLogons = MAX_PENDING_LOGONS_DEFAULT;
    private long cancelOnDisconnectGraceMs = CANCEL_ON_DISCONNECT_GRACE_MS_DEFAULT;
    private long clusterConnectTimeoutMs = 5_000;
    private int metricsPort = 0;
    private String metricsBind = METRICS_BIND_DEFAULT;
    private long breakerTimeoutMs = BREAKER_TIMEOUT_MS_DEFAULT;
    private int marketDataPort = MARKET_DATA_PORT_DEFAULT;
    private String marketDataChannel;
    private long marketDataSnapshotIntervalMs = MARKET_DATA_SNAPSHOT_INTERVAL_MS_DEFAULT;
    private int marketDataDepth = MARKET_DATA_DEPTH_DEFAULT;
    private String proxyProtocolFrom;
    private AddressBlocks proxyProtocolSources;
    private final EdgeLimits limits = new EdgeLimits();
    private FaultInjector faultInjector;
    private boolean concluded;

    public GatewayContext conclude()
    {
        if (concluded)
        {
            return this; // as every Keel Context: validated once, later calls change nothing
        }
        require(gatewayId >= 1 && gatewayId <= SessionIds.MAX_GATEWAY_ID,
            "--gateway-id must be in 1.." + SessionIds.MAX_GATEWAY_ID + ": " + gatewayId);
        require(port >= 0 && port <= 65535, "--port must be in 0..65535: " + port);
        require(udpPort <= 65535, "--udp-port must be in 1..65535, or 0 to disable UDP: " + udpPort);
        require(udpPort <= 0 || udpPort != port, "--udp-port must differ from --port: " + udpPort);
        if (udpPort < 0)
        {
            udpPort = 0;
        }
        require(segmentMap == null || clusterEndpoints == null,
            "--segment-map and --cluster are exclusive: give the one cluster, or the map of every segment");
        require(segmentMap != null || clusterEndpoints != null && !clusterEndpoints.isBlank(),
            "--cluster (e.g. 0=localhost:9001,1=localhost:9011,2=localhost:9021) or --segment-map is required");
        require(egressHost != null && !egressHost.isBlank(), "--egress-host must name an address");
        require(credentialsFile != null, "--users is required (create it with: keel gateway add-user)");
        require(credentialsFile.toFile().isFile(), "--users file not found: " + credentialsFile);
        require(logonTimeoutMs > 0, "--logon-timeout-ms must be > 0: " + logonTimeoutMs);
        require(minHeartbeatMs >= 10 && minHeartbeatMs <= maxHeartbeatMs,
            "--min-heartbeat-ms must be >= 10 and <= --max-heartbeat-ms: " + minHeartbeatMs);
        require(throttleRate > 0, "--throttle-rate must be > 0: " + throttleRate);
        require(throttleBurst > 0, "--throttle-burst must be > 0: " + throttleBurst);
        require(throttleAbuse > 0, "--throttle-abuse must be > 0: " + throttleAbuse);
        require(maxFrameLength >= 256, "--max-frame-length must be >= 256: " + maxFrameLength);
        require(maxFrameLength <= IngressLimits.MAX_FRAME_LENGTH, "--max-frame-length " + maxFrameLength +
            " is more than the cluster ingress takes: at most " + IngressLimits.MAX_FRAME_LENGTH + " (MTU " +
            IngressLimits.MTU_LENGTH + " - 32 frame header - 32 cluster session header + 6 SOFH)");
        require(outboundBufferBytes >= 4 * maxFrameLength,
            "--outbound-buffer must be at least 4 x --max-frame-length: " + outboundBufferBytes);
        require(maxResendReports >= 1, "--max-resend must be >= 1: " + maxResendReports);
        require(maxConnections > 0, "--max-connections must be > 0: " + maxConnections);
        require(maxPendingLogons > 0, "--max-pending-logons must be > 0: " + maxPendingLogons);
        limits.conclude();
        require(breakerTimeoutMs > 0, "--breaker-timeout-ms must be > 0: " + breakerTimeoutMs);
        require(metricsBind != null && !metricsBind.isBlank(), "--metrics-bind must name an address");
        require(clusterConnectTimeoutMs > 0, "--cluster-timeout-ms must be > 0: " + clusterConnectTimeoutMs);
        require(cancelOnDisconnectGraceMs >= 0, "--cod-grace-ms must be >= 0: " + cancelOnDisconnectGraceMs);
        require(marketDataPort >= 0 && marketDataPort <= 65535, "--md-port must be in 0..65535 (0 = off): " + marketDataPort);
        require(marketDataSnapshotIntervalMs > 0, "--md-snapshot-interval-ms must be > 0: " + marketDataSnapshotIntervalMs);
        // A snapshot of both sides must fit one message on a UDP client's reply channel (128 KiB).
        require(marketDataDepth > 0 && marketDataDepth <= 3_000, "--md-depth must be in 1..3000: " + marketDataDepth);
        require(outboundBufferBytes >= 2 * (64 + 21 * 2 * marketDataDepth),
            "--outbound-buffer must hold two book snapshots of --md-depth levels: " + outboundBufferBytes);
        if (marketDataChannel == null)
        {
            // Multi-destination cast with dynamic control: any number of subscribers over unicast.
            marketDataChannel = marketDataPort == 0 ? "" :
                "aeron:udp?control=" + bindAddress + ":" + marketDataPort + "|control-mode=dynamic";
        }
        require(marketDataChannel.isEmpty() || marketDataChannel.startsWith("aeron:"),
            "--md-channel must be an Aeron channel URI: " + marketDataChannel);
        if (proxyProtocolFrom != null)
        {
            require(!proxyProtocolFrom.isBlank(), "--proxy-protocol needs the proxies' addresses, e.g. 127.0.0.1,10.0.0.0/24");
            try
            {
                proxyProtocolSources = AddressBlocks.parse(proxyProtocolFrom);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("--proxy-protocol: " + ex.getMessage(), ex);
            }
        }
        if (aeronDir == null)
        {
            aeronDir = new File(System.getProperty("java.io.tmpdir"), "keel-gateway-" + gatewayId + "-aeron");
        }
        concluded = true;
        return this;
    }

    static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    public int gatewayId()
    {
        return gatewayId;
    }

    public GatewayContext gatewayId(final int gatewayId)
    {
        this.gatewayId = gatewayId;
        return this;
    }

    public String bindAddress()
    {
        return bindAddress;
    }

    public GatewayContext bindAddress(final String bindAddress)
    {
        this.bindAddress = bindAddress;
        return this;
    }

    public int port()
    {
        return port;
    }

    public int udpPort()
    {
        return udpPort;
    }

    /**
     * @param udpPort Aeron UDP port clients publish to, on {@link #bindAddress()}; 0 or less disables UDP.
     */
    public GatewayContext udpPort(final int udpPort)
    {
        this.udpPort = udpPort;
        return this;
    }

    /**
     * @param port to listen on; 0 picks a free one (see {@link Gateway#port()}).
     */
    public GatewayContext port(final int port)
    {
        this.port = port;
        return this;
    }

    public String clusterEndpoints()
    {
        return clusterEndpoints;
    }

    /**
     * @param clusterEndpoints Aeron ingress endpoints, {@code memberId=host:port,...}.
     */
    public GatewayContext clusterEndpoints(final String clusterEndpoints)
    {
        this.clusterEndpoints = clusterEndpoints;
        return this;
    }

    /**
     * @return the segment map the gateway was given, or null when it serves one cluster ({@link #clusterEndpoints()}).
     */
    public SegmentMap segmentMap()
    {
        return segmentMap;
    }

    /**
     * @param segmentMap every market segment the gateway connects to (instead of {@link #clusterEndpoints(String)}).
     */
    public GatewayContext segmentMap(final SegmentMap segmentMap)
    {
        this.segmentMap = segmentMap;
        return this;
    }

    /**
     * @return how many market segments (clusters) stand behind the gateway: 1 with {@link #clusterEndpoints()}.
     */
    public int segmentCount()
    {
        return segmentMap == null ? 1 : segmentMap.segmentCount();
    }

    /**
     * @return the ingress endpoints of one segment's cluster.
     */
    public String segmentEndpoints(final int segment)
    {
        return segmentMap == null ? clusterEndpoints : segmentMap.segment(segment).ingressEndpoints();
    }

    /**
     * @return the segment that owns the instrument (0 with one cluster); allocation-free.
     */
    int segmentOf(final int instrumentId)
    {
        return segmentMap == null ? 0 : segmentMap.segmentOf(instrumentId);
    }

    /**
     * @return the segment map's version, 0 with one cluster.
     */
    public int segmentMapVersion()
    {
        return segmentMap == null ? 0 : segmentMap.version();
    }

    public String egressHost()
    {
        return egressHost;
    }

    /**
     * @param egressHost the address the cluster's nodes reach this gateway at: its cluster egress subscription binds
     *                   there and the nodes send to it. {@code localhost} only works with every node on this machine;
     *                   on several machines (or network namespaces) it is this machine's address on the cluster network.
     */
    public GatewayContext egressHost(final String egressHost)
    {
        this.egressHost = egressHost;
        return this;
    }

    public String clusterSecret()
    {
        return clusterSecret;
    }

    public GatewayContext clusterSecret(final String clusterSecret)
    {
        this.clusterSecret = clusterSecret;
        return this;
    }

    public Path credentialsFile()
    {
        return credentialsFile;
    }

    public GatewayContext credentialsFile(final Path credentialsFile)
    {
        this.credentialsFile = credentialsFile;
        return this;
    }

    public File aeronDir()
    {
        return aeronDir;
    }

    public GatewayContext aeronDir(final File aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public IdleProfile idleProfile()
    {
        return idleProfile;
    }

    public GatewayContext idleProfile(final IdleProfile idleProfile)
    {
        this.idleProfile = idleProfile;
        return this;
    }

    public long logonTimeoutMs()
    {
        return logonTimeoutMs;
    }

    public GatewayContext logonTimeoutMs(final long logonTimeoutMs)
    {
        this.logonTimeoutMs = logonTimeoutMs;
        return this;
    }

    public int minHeartbeatMs()
    {
        return minHeartbeatMs;
    }

    public GatewayContext minHeartbeatMs(final int minHeartbeatMs)
    {
        this.minHeartbeatMs = minHeartbeatMs;
        return this;
    }

    public int maxHeartbeatMs()
    {
        return maxHeartbeatMs;
    }

    public GatewayContext maxHeartbeatMs(final int maxHeartbeatMs)
    {
        this.maxHeartbeatMs = maxHeartbeatMs;
        return this;
    }

    public int throttleRate()
    {
        return throttleRate;
    }

    /**
     * @param throttleRate messages per second a session may send, sustained.
     */
    public GatewayContext throttleRate(final int throttleRate)
    {
        this.throttleRate = throttleRate;
        return this;
    }

    public int throttleBurst()
    {
        return throttleBurst;
    }

    /**
     * @param throttleBurst messages a session may send at once above the sustained rate.
     */
    public GatewayContext throttleBurst(final int throttleBurst)
    {
        this.throttleBurst = throttleBurst;
        return this;
    }

    public int throttleAbuse()
    {
        return throttleAbuse;
    }

    /**
     * @param throttleAbuse throttled messages within one second that get a session disconnected.
     */
    public GatewayContext throttleAbuse(final int throttleAbuse)
    {
        this.throttleAbuse = throttleAbuse;
        return this;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    public GatewayContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    public int outboundBufferBytes()
    {
        return outboundBufferBytes;
    }

    public GatewayContext outboundBufferBytes(final int outboundBufferBytes)
    {
        this.outboundBufferBytes = outboundBufferBytes;
        return this;
    }

    public int maxResendReports()
    {
        return maxResendReports;
    }

    public GatewayContext maxResendReports(final int maxResendReports)
    {
        this.maxResendReports = maxResendReports;
        return this;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    public GatewayContext maxConnections(final int maxConnections)
    {
        this.maxConnections = maxConnections;
        return this;
    }

    public int maxPendingLogons()
    {
        return maxPendingLogons;
    }

    public GatewayContext maxPendingLogons(final int maxPendingLogons)
    {
        this.maxPendingLogons = maxPendingLogons;
        return this;
    }

    public long cancelOnDisconnectGraceMs()
    {
        return cancelOnDisconnectGraceMs;
    }

    /**
     * @param cancelOnDisconnectGraceMs how long a lost cancel-on-disconnect session may take to log on again before
     *                                  its orders are canceled; 0 cancels at once.
     */
    public GatewayContext cancelOnDisconnectGraceMs(final long cancelOnDisconnectGraceMs)
    {
        this.cancelOnDisconnectGraceMs = cancelOnDisconnectGraceMs;
        return this;
    }

    public long breakerTimeoutMs()
    {
        return breakerTimeoutMs;
    }

    /**
     * @param breakerTimeoutMs requests unanswered this long open the circuit breaker: orders are refused as
     *                         UNAVAILABLE until the cluster answers again.
     */
    public GatewayContext breakerTimeoutMs(final long breakerTimeoutMs)
    {
        this.breakerTimeoutMs = breakerTimeoutMs;
        return this;
    }

    public int marketDataPort()
    {
        return marketDataPort;
    }

    /**
     * @param marketDataPort control port of the public market-data stream (multi-destination cast); 0 = no stream.
     */
    public GatewayContext marketDataPort(final int marketDataPort)
    {
        this.marketDataPort = marketDataPort;
        return this;
    }

    public String marketDataChannel()
    {
        return marketDataChannel;
    }

    /**
     * @param marketDataChannel the public stream's channel instead of the default from --md-port, e.g. multicast.
     */
    public GatewayContext marketDataChannel(final String marketDataChannel)
    {
        this.marketDataChannel = marketDataChannel;
        return this;
    }

    public int marketDataStreamId()
    {
        return AeronUdp.MARKET_DATA_STREAM_ID;
    }

    public long marketDataSnapshotIntervalMs()
    {
        return marketDataSnapshotIntervalMs;
    }

    public GatewayContext marketDataSnapshotIntervalMs(final long marketDataSnapshotIntervalMs)
    {
        this.marketDataSnapshotIntervalMs = marketDataSnapshotIntervalMs;
        return this;
    }

    public int marketDataDepth()
    {
        return marketDataDepth;
    }

    /**
     * @param marketDataDepth levels per side in a BookSnapshot.
     */
    public GatewayContext marketDataDepth(final int marketDataDepth)
    {
        this.marketDataDepth = marketDataDepth;
        return this;
    }

    public long clusterConnectTimeoutMs()
    {
        return clusterConnectTimeoutMs;
    }

    public GatewayContext clusterConnectTimeoutMs(final long clusterConnectTimeoutMs)
    {
        this.clusterConnectTimeoutMs = clusterConnectTimeoutMs;
        return this;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * Port of {@code /metrics} and {@code /health}; 0 = off (the default here; {@code keel gateway}
     * defaults to 9500), -1 = any free port (tests).
     */
    public GatewayContext metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    public String metricsBind()
    {
        return metricsBind;
    }

    public GatewayContext metricsBind(final String metricsBind)
    {
        this.metricsBind = metricsBind;
        return this;
    }

    public String proxyProtocolFrom()
    {
        return proxyProtocolFrom;
    }

    /**
     * @param proxyProtocolFrom comma-separated IPv4/IPv6 addresses or CIDR blocks of the proxies (HAProxy with
     *                          {@code send-proxy-v2}) whose connections begin with a PROXY protocol v2 header naming
     *                          the client; null (the default) = no proxy: a connection that begins with such a header
     *                          is refused.
     */
    public GatewayContext proxyProtocolFrom(final String proxyProtocolFrom)
    {
        this.proxyProtocolFrom = proxyProtocolFrom;
        return this;
    }

    /**
     * @return the per-address, pending-logon and failed-logon bounds, set in place (validated by {@link #conclude()}).
     */
    public EdgeLimits limits()
    {
        return limits;
    }

    FaultInjector faultInjector()
    {
        return faultInjector;
    }

    /**
     * Test hook: called with every message a client sends, before the session layer handles it; may throw, to show
     * that nothing escapes a duty cycle. Null (the default) in production.
     */
    GatewayContext faultInjector(final FaultInjector faultInjector)
    {
        this.faultInjector = faultInjector;
        return this;
    }

    /**
     * @return the proxies allowed to send the PROXY protocol, or null when it is off; set by {@link #conclude()}.
     */
    AddressBlocks proxyProtocolSources()
    {
        return proxyProtocolSources;
    }
}
