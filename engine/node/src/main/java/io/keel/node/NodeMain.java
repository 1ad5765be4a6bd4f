package io.keel.node;

import io.keel.common.Cli;
import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import io.keel.engine.EngineListener;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * {@code keel node}: one cluster member as an OS process. SIGTERM (or SIGINT) shuts it down
 * cleanly; a node that finds its state diverged from the leader's exits with code 3.
 */
@Command(
    name = "keel node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run one Keel cluster member. Options may also come from a file: keel node @node.args",
    footer = "%nPorts: member i uses base-port + 10*i + {1 ingress, 2 consensus, 3 log, 5 archive control}; catch-up is ephemeral.")
public final class NodeMain implements Callable<Integer>
{
    public static final int EXIT_DIVERGED = 3;
    /** The node halted itself: an election could not finish (ElectionWatchdog); restart it. */
    public static final int EXIT_ELECTION_STUCK = 4;
    private static final long MARK_FILE_WAIT_S = 15;

    @Option(names = "--member-id", description = "This member's index in --hosts (default ${DEFAULT-VALUE}).")
    int memberId = 0;

    @Option(names = "--hosts", description = "Every member's host, comma separated, in member order (default localhost).")
    String hosts;

    @Option(names = "--base-port", description = "First port of the cluster (default " + ClusterLayout.BASE_PORT_DEFAULT + ").")
    Integer basePort;

    @Option(names = "--segment-map", paramLabel = "FILE", description = "The market segment map (README \"Market " +
        "segments\"): with --segment N, this node is a member of segment N's cluster, its hosts and base port taken " +
        "from the map (instead of --hosts/--base-port).")
    Path segmentMap;

    @Option(names = "--segment", paramLabel = "N", description = "With --segment-map: the segment this node belongs to. " +
        "The defaults of --dir and --metrics-port then name it: keel-segment-N-node-<member-id>, 9400 + 10*N + member id.")
    Integer segment;

    @Option(names = "--cluster-id", description = "Distinguishes clusters sharing a machine (default ${DEFAULT-VALUE}).")
    int clusterId = 0;

    @Option(names = "--dir", description = "Node directory: archive, cluster state, hash records (default keel-node-<member-id>).")
    File dir;

    @Option(names = "--aeron-dir", description = "Aeron shared-memory directory (default <dir>/aeron; /dev/shm/... is fastest).")
    File aeronDir;

    @Option(names = "--idle", description = "Idle profile: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Option(names = "--journal-retention-mb", description = "The output journal (every client report, for resends) is "
        + "purged at snapshots, by whole segments, down to about this size (default ${DEFAULT-VALUE}).")
    long journalRetentionMb = NodeContext.JOURNAL_RETENTION_MB_DEFAULT;

    @Option(names = "--journal-retention-hours", description = "Journal segments older than this (cluster time) also "
        + "go at snapshots; 0 = by size only (default ${DEFAULT-VALUE}).")
    long journalRetentionHours = 0;

    @Option(names = "--snapshot-interval-s", description = "Leader snapshots this often; 0 = on request only (default ${DEFAULT-VALUE}).")
    long snapshotIntervalS = 0;

    @Option(names = "--credentials", description = "Who may connect: one 'gateway:<id> <secret>' or 'admin:<name> <secret>' "
        + "per line; keel credentials new writes it (default: $KEEL_CREDENTIALS_FILE). Required unless --dev.")
    File credentials = envFile("KEEL_CREDENTIALS_FILE");

    @Option(names = "--dev", description = "Development mode: without --credentials, any gateway and admin tool with "
        + "the built-in development secret may connect. Never on a network others reach.")
    boolean dev;

    @Option(names = "--file-sync-level", description = "0 no fsync, 1 fsync data, 2 data and metadata (default ${DEFAULT-VALUE}).")
    int fileSyncLevel = 0;

    @Option(names = "--heartbeat-timeout-ms", description = "Leader silence before an election, ~ failover time (default ${DEFAULT-VALUE}).")
    long heartbeatTimeoutMs = NodeContext.HEARTBEAT_TIMEOUT_MS_DEFAULT;

    @Option(names = "--heartbeat-interval-ms", description = "Leader heartbeat interval (default ${DEFAULT-VALUE}).")
    long heartbeatIntervalMs = NodeContext.HEARTBEAT_INTERVAL_MS_DEFAULT;

    @Option(names = "--election-stuck-timeout-ms", description = "An election open this long while the consensus " +
        "module keeps counting errors halts the node with exit code 4, for a supervisor to restart it (a recovery " +
        "from an Aeron election that cannot finish); 0 = never (default ${DEFAULT-VALUE}).")
    long electionStuckTimeoutMs = NodeContext.ELECTION_STUCK_TIMEOUT_MS_DEFAULT;

    @Option(names = "--session-timeout-ms", description = "Client sessions silent this long are closed (default ${DEFAULT-VALUE}).")
    long sessionTimeoutMs = NodeContext.SESSION_TIMEOUT_MS_DEFAULT;

    @Option(names = "--state-check-interval-ms", description = "How often replicas compare output hash chains (default ${DEFAULT-VALUE}).")
    long stateCheckIntervalMs = NodeContext.STATE_CHECK_INTERVAL_MS_DEFAULT;

    @Option(names = "--max-sessions", description = "Concurrent cluster sessions: gateways, admin, perf (default ${DEFAULT-VALUE}).")
    int maxSessions = NodeContext.MAX_SESSIONS_DEFAULT;

    @Option(names = "--log-term-length", description = "Raft log term length, e.g. 512k, 1m, 16m (default ${DEFAULT-VALUE}).")
    String logTermLength = NodeContext.LOG_TERM_LENGTH_DEFAULT;

    @Option(names = "--archive-segment-length", description = "Archive segment file length, a power of two from 64k " +
        "to 1024m: a log purge (keel admin purge) frees whole segments (default ${DEFAULT-VALUE}).")
    String archiveSegmentLength = NodeContext.ARCHIVE_SEGMENT_LENGTH_DEFAULT;

    @Option(names = "--egress-queue-bytes", description = "Leader's queue per gateway that is behind, preallocated; past " +
        "it reports become gaps the gateway fills from the journal (default ${DEFAULT-VALUE}).")
    int egressQueueBytes = NodeContext.EGRESS_QUEUE_BYTES_DEFAULT;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health; 0 = off (default 9400 + member id).")
    Integer metricsPort;

    @Option(names = "--metrics-bind", description = "Address of /metrics and /health; another than loopback for a Prometheus elsewhere, e.g. 0.0.0.0 (default ${DEFAULT-VALUE}).")
    String metricsBind = NodeContext.METRICS_BIND_DEFAULT;

    @Option(names = "--clean-start", description = "Delete this node's state before starting.")
    boolean cleanStart;

    @Option(names = "--test-skip-command", hidden = true, description = "Test only: skip the N-th client command.")
    long testSkipCommand = -1;

    @Option(names = "--test-engine-listener", hidden = true,
        description = "Test only: a UnaryOperator<EngineListener> class that wraps the engine's listener.")
    String testEngineListener;

    public Integer call()
    {
        if (credentials == null && !dev)
        {
            throw new IllegalArgumentException("refusing to start with the development secret: give --credentials FILE " +
                "(keel credentials new writes one) or $KEEL_CREDENTIALS_FILE, or --dev on a test machine");
        }
        resolveSegment();
        final NodeContext config = new NodeContext()
            .memberId(memberId)
            .hosts(hosts != null ? hosts : "localhost")
            .basePort(basePort != null ? basePort : ClusterLayout.BASE_PORT_DEFAULT)
            .clusterId(clusterId)
            .nodeDir(dir)
            .aeronDir(aeronDir)
            .idleProfile(IdleProfile.parse(idle))
            .snapshotIntervalS(snapshotIntervalS)
            .journalRetentionMb(journalRetentionMb)
            .journalRetentionHours(journalRetentionHours)
            .credentials(credentials != null ? ClusterCredentials.load(credentials.toPath(), dev) : null)
            .development(dev)
            .fileSyncLevel(fileSyncLevel)
            .heartbeatTimeoutMs(heartbeatTimeoutMs)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .sessionTimeoutMs(sessionTimeoutMs)
            .electionStuckTimeoutMs(electionStuckTimeoutMs)
            .stateCheckIntervalMs(stateCheckIntervalMs)
            .maxSessions(maxSessions)
            .egressQueueBytes(egressQueueBytes)
            .logTermLength(logTermLength)
            .archiveSegmentLength(archiveSegmentLength)
            .cleanStart(cleanStart)
            .testSkipCommand(testSkipCommand)
            .testEngineListener(testEngineListener != null ? testEngineListenerOf(testEngineListener) : null)
            .metricsPort(metricsPort != null ? metricsPort :
                NodeContext.METRICS_BASE_PORT_DEFAULT + (segment != null ? 10 * segment : 0) + memberId)
            .metricsBind(metricsBind)
            .conclude();
        // No engine limit comes from this node's flags: they start at the compiled defaults on every node and change
        // only through the log (keel admin limits), so two nodes started differently cannot diverge.
        final EngineContext engineContext = new EngineContext().conclude();

        final AtomicBoolean terminatedByCluster = new AtomicBoolean();
        // The barrier closes last: a SIGTERM's shutdown hook waits for that, after the node is down.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            KeelNode node = launchWhenDirFree(config, engineContext, () ->
            {
                terminatedByCluster.set(true);
                barrier.signal();
            }))
        {
            log("node-started", node, "\"dir\":\"" + config.nodeDir().getAbsolutePath() + "\",\"members\":\"" +
                config.clusterMembers() + "\"");
            barrier.await();
            final boolean diverged = node.service() != null && node.service().hasDiverged();
            final boolean stuck = node.hasHaltedOnStuckElection();
            log(diverged ? "node-halted-diverged" : stuck ? "node-halted-election-stuck" : "node-stopping", node,
                "\"byCluster\":" + terminatedByCluster.get());
            return diverged ? EXIT_DIVERGED : stuck ? EXIT_ELECTION_STUCK : 0;
        }
    }

    /**
     * {@code --segment-map FILE --segment N}: this node's cluster is the map's segment N; the defaults of the directory
     * and the metrics port name the segment, so the members of several segments can share a machine and a directory.
     */
    private void resolveSegment()
    {
        if (segmentMap == null && segment == null)
        {
            return;
        }
        if (segmentMap == null || segment == null)
        {
            throw new IllegalArgumentException("--segment-map and --segment go together");
        }
        if (hosts != null || basePort != null)
        {
            throw new IllegalArgumentException("--segment-map/--segment and --hosts/--base-port are exclusive: " +
                "the map gives the segment's hosts and base port");
        }
        final SegmentMap.Segment mine = SegmentMap.load(segmentMap).segment(segment);
        hosts = String.join(",", mine.hosts());
        basePort = mine.basePort();
        if (dir == null)
        {
            dir = new File("keel-segment-" + segment + "-node-" + memberId);
        }
    }

    /**
     * The hidden {@code --test-engine-listener}: a class on the class path (a test's) with a public no-argument
     * constructor that is a {@code UnaryOperator<EngineListener>}; see {@link NodeContext#testEngineListener()}.
     */
    @SuppressWarnings("unchecked")
    public static UnaryOperator<EngineListener> testEngineListenerOf(final String className)
    {
        try
        {
            return (UnaryOperator<EngineListener>)Class.forName(className).getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | ClassCastException ex)
        {
            throw new IllegalArgumentException("--test-engine-listener must name a UnaryOperator<EngineListener> " +
                "class with a public no-argument constructor: " + className, ex);
        }
    }

    /**
     * A node killed with SIGKILL leaves its archive's mark file "active" for Aeron's 10 s
     * liveness timeout; a restart within that time waits it out instead of failing.
     */
    private static KeelNode launchWhenDirFree(
        final NodeContext config, final EngineContext engineContext, final Runnable onTerminate)
    {
        final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(MARK_FILE_WAIT_S); // determinism-ok: client side
        while (true)
        {
            try
            {
                return KeelNode.launch(config, engineContext, onTerminate);
            }
            catch (final IllegalStateException ex)
            {
                final String message = String.valueOf(ex.getMessage());
                if (!message.contains("active mark file detected") || System.nanoTime() - deadlineNs > 0) // determinism-ok: client side
                {
                    throw ex;
                }
                System.out.println("{\"event\":\"waiting\",\"member\":" + config.memberId() +
                    ",\"reason\":\"the previous process on this dir died less than 10 s ago\"}");
                try
                {
                    Thread.sleep(1000);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
            }
        }
    }

    private static File envFile(final String name)
    {
        final String path = System.getenv(name);
        return path == null || path.isBlank() ? null : new File(path);
    }

    private static void log(final String event, final KeelNode node, final String extra)
    {
        System.out.println("{\"event\":\"" + event + "\",\"member\":" + node.memberId() + "," + extra + "}");
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new NodeMain(), "keel node", args));
    }
}
