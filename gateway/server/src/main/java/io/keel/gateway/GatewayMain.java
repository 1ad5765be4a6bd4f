package io.keel.gateway;

import io.keel.common.Secrets;
import io.keel.common.Cli;
import io.keel.common.ClusterLayout;
import io.keel.common.SegmentMap;
import io.keel.common.IdleProfile;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code keel gateway}: a TCP gateway in front of a cluster; {@code keel gateway add-user} adds a
 * login to a users file. SIGTERM logs every client out and stops cleanly.
 */
@Command(
    name = "keel gateway",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = {GatewayMain.AddUser.class, GatewayUnlock.class},
    description = "Run a gateway: clients log on over TCP (SOFH-framed SBE) or Aeron UDP (SBE); orders go to the cluster, reports come back.",
    footer = "%nThe cluster is found from --hosts and --base-port, as given to keel node, or from --cluster; several "
        + "market segments (clusters) from --segment-map.")
public final class GatewayMain implements Callable<Integer>
{
    @Option(names = "--gateway-id", description = "This gateway's id, unique per cluster, 1..65535 (default ${DEFAULT-VALUE}).")
    int gatewayId = GatewayContext.GATEWAY_ID_DEFAULT;

    @Option(names = "--bind", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind = GatewayContext.BIND_ADDRESS_DEFAULT;

    @Option(names = "--port", description = "TCP port for clients (default ${DEFAULT-VALUE}).")
    int port = GatewayContext.PORT_DEFAULT;

    @Option(names = "--udp-port", description = "Aeron UDP port for clients, on --bind; 0 disables UDP (default ${DEFAULT-VALUE}).")
    int udpPort = GatewayContext.UDP_PORT_DEFAULT;

    @Option(names = "--users", description = "Users file, required (keel gateway add-user creates it).")
    Path users;

    @Option(names = "--hosts", description = "Every cluster member's host, in member order (default ${DEFAULT-VALUE}).")
    String hosts = "localhost";

    @Option(names = "--base-port", description = "The cluster's base port (default ${DEFAULT-VALUE}).")
    int basePort = ClusterLayout.BASE_PORT_DEFAULT;

    @Option(names = "--cluster", description = "Ingress endpoints instead of --hosts/--base-port: 0=host:port,1=host:port,...")
    String cluster;

    @Option(names = "--segment-map", description = "Market segments instead of one cluster: a segment map file "
        + "(version=, segments=, segment.N.hosts=, segment.N.base-port=, segment.N.instruments=); the gateway connects "
        + "to every segment and routes each order by its instrument. Not with --cluster.")
    Path segmentMap;

    @Option(names = "--egress-host", description = "The address the cluster's nodes reach this gateway at (its cluster egress binds there); "
        + "on several machines this machine's address on the cluster network (default ${DEFAULT-VALUE}).")
    String egressHost = GatewayContext.EGRESS_HOST_DEFAULT;

    @Option(names = "--secret-file", description = "File holding this gateway's cluster secret, listed as gateway:<id> in "
        + "the nodes' --credentials (default: $KEEL_GATEWAY_SECRET, else the development secret, accepted only by nodes "
        + "started with --dev).")
    Path secretFile;

    @Option(names = "--aeron-dir", description = "Aeron directory of the gateway's media driver (default: a temp dir per gateway id).")
    File aeronDir;

    @Option(names = "--idle", description = "Idle profile: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Option(names = "--logon-timeout-ms", description = "A connection must log on within this (default ${DEFAULT-VALUE}).")
    long logonTimeoutMs = GatewayContext.LOGON_TIMEOUT_MS_DEFAULT;

    @Option(names = "--min-heartbeat-ms", description = "Lowest heartbeat interval a client may ask for (default ${DEFAULT-VALUE}).")
    int minHeartbeatMs = GatewayContext.MIN_HEARTBEAT_MS_DEFAULT;

    @Option(names = "--max-heartbeat-ms", description = "Highest heartbeat interval a client may ask for (default ${DEFAULT-VALUE}).")
    int maxHeartbeatMs = GatewayContext.MAX_HEARTBEAT_MS_DEFAULT;

    @Option(names = "--throttle-rate", description = "Messages per second per session, sustained (default ${DEFAULT-VALUE}).")
    int throttleRate = GatewayContext.THROTTLE_RATE_DEFAULT;

    @Option(names = "--throttle-burst", description = "Messages per session at once above the rate (default ${DEFAULT-VALUE}).")
    int throttleBurst = GatewayContext.THROTTLE_BURST_DEFAULT;

    @Option(names = "--throttle-abuse", description = "Throttled messages within a second that disconnect a session (default ${DEFAULT-VALUE}).")
    int throttleAbuse = GatewayContext.THROTTLE_ABUSE_DEFAULT;

    @Option(names = "--max-frame-length", description = "Largest frame accepted from a client, SOFH included; at most the "
        + "cluster ingress's largest message + 6 (default and maximum ${DEFAULT-VALUE}).")
    int maxFrameLength = GatewayContext.MAX_FRAME_LENGTH_DEFAULT;

    @Option(names = "--outbound-buffer", description = "Bytes queued per client before it is dropped as a slow consumer (default ${DEFAULT-VALUE}).")
    int outboundBuffer = GatewayContext.OUTBOUND_BUFFER_DEFAULT;

    @Option(names = "--max-resend", description = "Most reports one client ResendRequest may ask for; they come from the "
        + "cluster's journal (default ${DEFAULT-VALUE}).")
    int maxResend = GatewayContext.MAX_RESEND_REPORTS_DEFAULT;

    @Option(names = "--max-connections", description = "Concurrent client connections (default ${DEFAULT-VALUE}).")
    int maxConnections = GatewayContext.MAX_CONNECTIONS_DEFAULT;

    @Option(names = "--max-connections-per-address", description = "Connections one client address may hold, logged on or "
        + "not; the address is the PROXY header's behind --proxy-protocol (default ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress = EdgeLimits.MAX_CONNECTIONS_PER_ADDRESS_DEFAULT;

    @Option(names = "--max-pending-per-address", description = "Connections one client address may hold that have not "
        + "logged on yet (default ${DEFAULT-VALUE}).")
    int maxPendingPerAddress = EdgeLimits.MAX_PENDING_PER_ADDRESS_DEFAULT;

    @Option(names = "--max-pending-connections", description = "Connections not logged on yet, from everyone, apart from "
        + "--max-connections; when full the oldest idle one is evicted for a new one (default ${DEFAULT-VALUE}).")
    int maxPendingConnections = EdgeLimits.MAX_PENDING_CONNECTIONS_DEFAULT;

    @Option(names = "--logon-backoff-ms", description = "A failed logon's answer is delayed this long, doubled per "
        + "failure of the user or address within --lockout-window-ms; 0 = no backoff (default ${DEFAULT-VALUE}).")
    long logonBackoffMs = EdgeLimits.LOGON_BACKOFF_MS_DEFAULT;

    @Option(names = "--logon-backoff-max-ms", description = "The longest backoff (default ${DEFAULT-VALUE}).")
    long logonBackoffMaxMs = EdgeLimits.LOGON_BACKOFF_MAX_MS_DEFAULT;

    @Option(names = "--lockout-failures", description = "Failed logons of one user within --lockout-window-ms that lock "
        + "it out for that window, until keel gateway unlock (default ${DEFAULT-VALUE}).")
    int lockoutFailures = EdgeLimits.LOCKOUT_FAILURES_DEFAULT;

    @Option(names = "--lockout-window-ms", description = "Window of failed logons, and length of a lockout (default ${DEFAULT-VALUE}).")
    long lockoutWindowMs = EdgeLimits.LOCKOUT_WINDOW_MS_DEFAULT;

    @Option(names = "--logon-failure-entries", description = "Users, and addresses, with failed logons remembered; the "
        + "oldest is forgotten first, a lockout last (default ${DEFAULT-VALUE}).")
    int failureEntries = EdgeLimits.FAILURE_ENTRIES_DEFAULT;

    @Option(names = "--admin-port", description = "Port of the admin endpoint (POST /unlock, used by keel gateway unlock), "
        + "on --metrics-bind; 0 = off (default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--admin-secret-file", description = "File holding the secret keel gateway unlock must present; "
        + "required with --admin-port.")
    Path adminSecretFile;

    @Option(names = "--cod-grace-ms", description = "Cancel-on-disconnect grace: a session back within it keeps its orders (default ${DEFAULT-VALUE}).")
    long codGraceMs = GatewayContext.CANCEL_ON_DISCONNECT_GRACE_MS_DEFAULT;

    @Option(names = "--breaker-timeout-ms", description = "Requests unanswered this long open the circuit breaker: orders are refused as UNAVAILABLE until the cluster answers (default ${DEFAULT-VALUE}).")
    long breakerTimeoutMs = GatewayContext.BREAKER_TIMEOUT_MS_DEFAULT;

    @Option(names = "--cluster-timeout-ms", description = "Time allowed to connect to the cluster, per attempt (default ${DEFAULT-VALUE}).")
    long clusterTimeoutMs = 5_000;

    @Option(names = "--md-port", description = "Control port of the public market-data stream (Aeron multi-destination cast); 0 = off (default ${DEFAULT-VALUE}).")
    int mdPort = GatewayContext.MARKET_DATA_PORT_DEFAULT;

    @Option(names = "--md-channel", description = "Public market-data channel instead of the one from --md-port, e.g. aeron:udp?endpoint=239.1.1.1:40456|interface=10.0.0.5")
    String mdChannel;

    @Option(names = "--md-snapshot-interval-ms", description = "How often every book's snapshot goes on the public stream (default ${DEFAULT-VALUE}).")
    long mdSnapshotIntervalMs = GatewayContext.MARKET_DATA_SNAPSHOT_INTERVAL_MS_DEFAULT;

    @Option(names = "--md-depth", description = "Levels per side in a book snapshot (default ${DEFAULT-VALUE}).")
    int mdDepth = GatewayContext.MARKET_DATA_DEPTH_DEFAULT;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health; 0 = off (default ${DEFAULT-VALUE}).")
    int metricsPort = 9500;

    @Option(names = "--metrics-bind", description = "Address of /metrics and /health; another than loopback for a Prometheus or load balancer elsewhere, e.g. 0.0.0.0 (default ${DEFAULT-VALUE}).")
    String metricsBind = GatewayContext.METRICS_BIND_DEFAULT;

    @Option(names = "--proxy-protocol", paramLabel = "ADDR[,ADDR...]", description = "Proxies in front of the "
        + "gateway (HAProxy with send-proxy-v2; IPv4/IPv6 addresses or CIDR blocks, e.g. 127.0.0.1,10.0.0.0/24): a "
        + "connection from one of them must begin with a PROXY protocol v2 header, whose source address is then the "
        + "client's in logs and limits; others connect directly. Off by default: a connection that begins with a "
        + "PROXY header is refused.")
    String proxyProtocol;

    public Integer call()
    {
        if (segmentMap != null && cluster != null)
        {
            throw new IllegalArgumentException(
                "--segment-map and --cluster are exclusive: give the one cluster, or the map of every segment");
        }
        final GatewayContext config = new GatewayContext()
            .metricsPort(metricsPort)
            .metricsBind(metricsBind)
            .gatewayId(gatewayId)
            .bindAddress(bind)
            .port(port)
            .udpPort(udpPort)
            .credentialsFile(users)
            .clusterEndpoints(segmentMap != null ? null : cluster != null ? cluster :
                ClusterLayout.ingressEndpoints(Arrays.asList(hosts.split(",")), basePort))
            .segmentMap(segmentMap == null ? null : SegmentMap.load(segmentMap))
            .egressHost(egressHost)
            .clusterSecret(Secrets.resolve(secretFile, "KEEL_GATEWAY_SECRET"))
            .aeronDir(aeronDir)
            .idleProfile(IdleProfile.parse(idle))
            .logonTimeoutMs(logonTimeoutMs)
            .minHeartbeatMs(minHeartbeatMs)
            .maxHeartbeatMs(maxHeartbeatMs)
            .throttleRate(throttleRate)
            .throttleBurst(throttleBurst)
            .throttleAbuse(throttleAbuse)
            .maxFrameLength(maxFrameLength)
            .outboundBufferBytes(outboundBuffer)
            .maxResendReports(maxResend)
            .maxConnections(maxConnections)
            .cancelOnDisconnectGraceMs(codGraceMs)
            .breakerTimeoutMs(breakerTimeoutMs)
            .marketDataPort(mdPort)
            .marketDataChannel(mdChannel)
            .marketDataSnapshotIntervalMs(mdSnapshotIntervalMs)
            .marketDataDepth(mdDepth)
            .clusterConnectTimeoutMs(clusterTimeoutMs)
            .proxyProtocolFrom(proxyProtocol);
        config.limits()
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .maxPendingPerAddress(maxPendingPerAddress)
            .maxPendingConnections(maxPendingConnections)
            .logonBackoffMs(logonBackoffMs)
            .logonBackoffMaxMs(logonBackoffMaxMs)
            .lockoutFailures(lockoutFailures)
            .lockoutWindowMs(lockoutWindowMs)
            .failureEntries(failureEntries)
            .adminPort(adminPort)
            .adminSecretFile(adminSecretFile);
        config.conclude();
        // The barrier closes last: a SIGTERM's shutdown hook waits for that, after the gateway is down.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Gateway gateway = Gateway.launch(config))
        {
            System.out.println("gateway: listening on " + config.bindAddress() + ":" + gateway.port() +
                (gateway.udpPort() > 0 ? " udp " + config.bindAddress() + ":" + gateway.udpPort() : "") +
                (config.segmentMap() == null ? " cluster " + config.clusterEndpoints() :
                " segments " + config.segmentCount() + " map version " + config.segmentMapVersion()));
            barrier.await();
        }
        return 0;
    }

    /**
     * {@code keel gateway add-user}: append a salted PBKDF2 login to a users file (created, and kept, 0600).
     */
    @Command(
        name = "add-user",
        sortOptions = false,
        description = "Add a login to a users file (created if missing). The password is read from stdin " +
            "(first line) or from the environment variable named by --password-env; never from the command line.")
    static final class AddUser implements Callable<Integer>
    {
        // Its own options only: nothing of the gateway's, and no --version that would print nothing.
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--users", required = true, description = "Users file.")
        Path users;

        @Option(names = "--username", required = true, description = "Login name.")
        String username;

        @Option(names = "--account", required = true, description = "The account this login trades for (> 0).")
        long account;

        @Option(names = "--password-env", description = "Read the password from this environment variable instead of stdin.")
        String passwordEnv;

        @Option(names = "--iterations", description = "PBKDF2 iterations (default ${DEFAULT-VALUE}).")
        int iterations = CredentialsStore.ITERATIONS_DEFAULT;

        public Integer call() throws IOException
        {
            final String password;
            if (passwordEnv != null)
            {
                password = System.getenv(passwordEnv);
                if (password == null)
                {
                    throw new IllegalArgumentException("environment variable " + passwordEnv + " is not set");
                }
            }
            else
            {
                final String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                password = line == null ? "" : line;
            }
            CredentialsStore.addUser(users, username, account, password.getBytes(StandardCharsets.UTF_8), iterations);
            System.out.println("add-user: " + username + " (account " + account + ") added to " + users);
            return 0;
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new GatewayMain(), "keel gateway", args));
    }
}
