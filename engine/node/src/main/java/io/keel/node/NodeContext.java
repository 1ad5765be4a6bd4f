package io.keel.node;

import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.engine.EngineListener;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.keel.common.ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET;
import static io.keel.common.ClusterLayout.BASE_PORT_DEFAULT;
import static io.keel.common.ClusterLayout.CONSENSUS_PORT_OFFSET;
import static io.keel.common.ClusterLayout.INGRESS_PORT_OFFSET;
import static io.keel.common.ClusterLayout.LOG_PORT_OFFSET;
import static io.keel.common.ClusterLayout.PORTS_PER_MEMBER;

/**
 * Everything one cluster member needs, typed, with local defaults. {@link #conclude()} fills
 * derived values and fails fast naming the option. Ports: each member owns
 * {@link ClusterLayout#PORTS_PER_MEMBER} ports from {@code basePort + memberId * PORTS_PER_MEMBER}.
 */
public final class NodeContext
{

    public static final long HEARTBEAT_TIMEOUT_MS_DEFAULT = 3_000;
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 100;
    public static final long SESSION_TIMEOUT_MS_DEFAULT = 10_000;
    public static final long ELECTION_STUCK_TIMEOUT_MS_DEFAULT = 60_000;
    public static final long STATE_CHECK_INTERVAL_MS_DEFAULT = 1_000;
    public static final int MAX_SESSIONS_DEFAULT = 64;
    public static final int EGRESS_QUEUE_BYTES_DEFAULT = ClusterOutput.EGRESS_QUEUE_BYTES_DEFAULT;
    /** The output journal keeps at least this much (whole segments beyond it go at snapshots). */
    public static final long JOURNAL_RETENTION_MB_DEFAULT = 8_192;
    /**
     * Journal segment size: a new segment is zero-filled on the service thread when the last fills (10-20 ms for
     * 64 MiB on this VM, so a quarter of that here), and every test cluster starts one per node.
     */
    public static final int JOURNAL_SEGMENT_BYTES = 16 * 1024 * 1024;
    public static final String LOG_TERM_LENGTH_DEFAULT = "1m";
    /**
     * Archive segment file length (Aeron's default): the unit a log purge frees, since the archive deletes whole
     * segments only. Aeron uses the log's term length when that is longer.
     */
    public static final String ARCHIVE_SEGMENT_LENGTH_DEFAULT = "128m";
    /** {@code keel node} serves metrics on this port + member id; embedded nodes default to off (0). */
    public static final int METRICS_BASE_PORT_DEFAULT = 9400;
    /**
     * Loopback, as the gateway's client port: {@code /metrics} and {@code /health} tell anyone who can reach them
     * the node's role, positions and volumes, so another interface is an operator's choice ({@code --metrics-bind}).
     */
    public static final String METRICS_BIND_DEFAULT = "127.0.0.1";

    private int memberId = 0;
    private List<String> hosts = new ArrayList<>(List.of("localhost"));
    private int basePort = BASE_PORT_DEFAULT;
    private int clusterId = 0;
    private File nodeDir;
    private File aeronDir;
    private IdleProfile idleProfile = IdleProfile.BACKOFF;
    private long snapshotIntervalS = 0;
    private long journalRetentionMb = JOURNAL_RETENTION_MB_DEFAULT;
    private long journalRetentionHours = 0;
    private int egressQueueBytes = EGRESS_QUEUE_BYTES_DEFAULT;
    private ClusterCredentials credentials;
    private boolean development;
    private int fileSyncLevel = 0;
    private long heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS_DEFAULT;
    private long heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS_DEFAULT;
    private long sessionTimeoutMs = SESSION_TIMEOUT_MS_DEFAULT;
    private long electionStuckTimeoutMs = ELECTION_STUCK_TIMEOUT_MS_DEFAULT;
    private long stateCheckIntervalMs = STATE_CHECK_INTERVAL_MS_DEFAULT;
    private int maxSessions = MAX_SESSIONS_DEFAULT;
    private String logTermLength = LOG_TERM_LENGTH_DEFAULT;
    private String archiveSegmentLength = ARCHIVE_SEGMENT_LENGTH_DEFAULT;
    private int journalSegmentBytes = JOURNAL_SEGMENT_BYTES;
    private boolean cleanStart = false;
    private int metricsPort = 0;
    private String metricsBind = METRICS_BIND_DEFAULT;
    private boolean lifecycleLog = true;
    private long testSkipCommand = -1;
    private UnaryOperator<EngineListener> testEngineListener;
    private OutputSink marketDataTap;
    private boolean concluded;

    public NodeContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(!hosts.isEmpty() && hosts.stream().noneMatch(String::isBlank), "--hosts must list one host per member: " + hosts);
        require(memberId >= 0 && memberId < hosts.size(),
            "--member-id must be in 0.." + (hosts.size() - 1) + ": " + memberId);
        final int lastPort = basePort + hosts.size() * PORTS_PER_MEMBER;
        require(basePort >= 1024 && lastPort <= 65535,
            "--base-port must leave room for " + hosts.size() + " members in 1024..65535: " + basePort);
        require(fileSyncLevel >= 0 && fileSyncLevel <= 2, "--file-sync-level must be 0, 1 or 2: " + fileSyncLevel);
        requirePositive("--heartbeat-timeout-ms", heartbeatTimeoutMs);
        requirePositive("--heartbeat-interval-ms", heartbeatIntervalMs);
        requirePositive("--session-timeout-ms", sessionTimeoutMs);
        if (electionStuckTimeoutMs < 0)
        {
            throw new IllegalArgumentException("--election-stuck-timeout-ms must be >= 0 (0 = never): " +
                electionStuckTimeoutMs);
        }
        requirePositive("--state-check-interval-ms", stateCheckIntervalMs);
        requirePositive("--max-sessions", maxSessions);
        require(heartbeatIntervalMs * 2 <= heartbeatTimeoutMs,
            "--heartbeat-interval-ms must be at most half of --heartbeat-timeout-ms");
        require(egressQueueBytes >= 64 * 1024 && egressQueueBytes <= 1 << 30,
            "--egress-queue-bytes must be in 65536..1073741824: " + egressQueueBytes);
        require(journalRetentionMb >= 64 && journalRetentionHours >= 0,
            "--journal-retention-mb must be >= 64 and --journal-retention-hours >= 0: " + journalRetentionMb + ", " +
            journalRetentionHours);
        require(snapshotIntervalS >= 0, "--snapshot-interval-s must be >= 0: " + snapshotIntervalS);
        require(logTermLength.matches("\\d+[kKmM]?"), "--log-term-length must look like 512k or 1m: " + logTermLength);
        require(archiveSegmentLength.matches("\\d+[kKmM]") && org.agrona.BitUtil.isPowerOfTwo(archiveSegmentLengthBytes()) &&
            archiveSegmentLengthBytes() >= 64 * 1024 && archiveSegmentLengthBytes() <= 1024 * 1024 * 1024,
            "--archive-segment-length must be a power of two from 64k to 1024m, like 128m: " + archiveSegmentLength);
        require(metricsPort >= -1 && metricsPort <= 65535, "--metrics-port must be 0 (off) or a port: " + metricsPort);
        require(metricsBind != null && !metricsBind.isBlank(), "--metrics-bind must name an address");
        if (nodeDir == null)
        {
            nodeDir = new File("keel-node-" + memberId);
        }
        if (aeronDir == null)
        {
            aeronDir = new File(nodeDir, "aeron");
        }
        concluded = true;
        return this;
    }

    private static void requirePositive(final String name, final long value)
    {
        require(value > 0, name + " must be > 0: " + value);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    public int port(final int member, final int offset)
    {
        return basePort + member * PORTS_PER_MEMBER + offset;
    }

    public String endpoint(final int member, final int offset)
    {
        return hosts.get(member) + ":" + port(member, offset);
    }

    /**
     * Aeron's members string: {@code id,ingress,consensus,log,catchup,archiveControl|...}. The
     * catch-up endpoint takes an ephemeral port: a fixed one clashes when the same follower
     * catches up a second time while the first replay's publication still lingers.
     */
    public String clusterMembers()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            sb.append(i)
                .append(',').append(endpoint(i, INGRESS_PORT_OFFSET))
                .append(',').append(endpoint(i, CONSENSUS_PORT_OFFSET))
                .append(',').append(endpoint(i, LOG_PORT_OFFSET))
                .append(',').append(hosts.get(i)).append(":0")
                .append(',').append(endpoint(i, ARCHIVE_CONTROL_PORT_OFFSET))
                .append('|');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    public String ingressEndpoints()
    {
        return ClusterLayout.ingressEndpoints(hosts, basePort);
    }

    public String host()
    {
        return hosts.get(memberId);
    }

    public File archiveDir()
    {
        return new File(nodeDir, "archive");
    }

    public File clusterDir()
    {
        return new File(nodeDir, "cluster");
    }

    /**
     * The output journal: every report to a client session, by session and seqNo (derived output, never state).
     */
    public File journalDir()
    {
        return new File(nodeDir, "journal");
    }

    public long journalRetentionMb()
    {
        return journalRetentionMb;
    }

    /**
     * The journal is purged, at snapshots only and by whole segments, down to about this size.
     */
    public NodeContext journalRetentionMb(final long journalRetentionMb)
    {
        this.journalRetentionMb = journalRetentionMb;
        return this;
    }

    public long journalRetentionHours()
    {
        return journalRetentionHours;
    }

    /**
     * Segments older than this (cluster time) also go at snapshots; 0 = by size only.
     */
    public NodeContext journalRetentionHours(final long journalRetentionHours)
    {
        this.journalRetentionHours = journalRetentionHours;
        return this;
    }

    public int egressQueueBytes()
    {
        return egressQueueBytes;
    }

    /**
     * Bound of the leader's queue for one gateway, preallocated when it connects; past it, reports become gaps the
     * gateway fills from the journal. Memory only: outcomes do not depend on it.
     */
    public NodeContext egressQueueBytes(final int egressQueueBytes)
    {
        this.egressQueueBytes = egressQueueBytes;
        return this;
    }

    /**
     * Where the service appends "position hash" lines at each snapshot and hash request.
     */
    public File stateHashFile()
    {
        return new File(nodeDir, "state-hashes.txt");
    }

    public long heartbeatTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(heartbeatTimeoutMs);
    }

    public int memberId()
    {
        return memberId;
    }

    public NodeContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public List<String> hosts()
    {
        return hosts;
    }

    public NodeContext hosts(final List<String> hosts)
    {
        this.hosts = new ArrayList<>(hosts);
        return this;
    }

    public NodeContext hosts(final String commaSeparated)
    {
        return hosts(Arrays.asList(commaSeparated.trim().split("\\s*,\\s*", -1))); // "a,," is two blank hosts, not one
    }

    public int basePort()
    {
        return basePort;
    }

    public NodeContext basePort(final int basePort)
    {
        this.basePort = basePort;
        return this;
    }

    public int clusterId()
    {
        return clusterId;
    }

    public NodeContext clusterId(final int clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    public File nodeDir()
    {
        return nodeDir;
    }

    public NodeContext nodeDir(final File nodeDir)
    {
        this.nodeDir = nodeDir;
        return this;
    }

    public File aeronDir()
    {
        return aeronDir;
    }

    /**
     * Aeron's shared-memory directory; /dev/shm/... is fastest in production.
     */
    public NodeContext aeronDir(final File aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public IdleProfile idleProfile()
    {
        return idleProfile;
    }

    public NodeContext idleProfile(final IdleProfile idleProfile)
    {
        this.idleProfile = idleProfile;
        return this;
    }

    public long snapshotIntervalS()
    {
        return snapshotIntervalS;
    }

    /**
     * The leader takes a snapshot this often; 0 = only on request.
     */
    public NodeContext snapshotIntervalS(final long snapshotIntervalS)
    {
        this.snapshotIntervalS = snapshotIntervalS;
        return this;
    }

    /**
     * Who may open a cluster session: the {@code --credentials} file, or in development mode ({@link #development})
     * anyone with the development secret.
     *
     * @throws IllegalStateException when neither was given: a node never falls back to the development secret.
     */
    public ClusterCredentials clusterCredentials()
    {
        if (credentials != null)
        {
            return credentials;
        }
        if (development)
        {
            return ClusterCredentials.development();
        }
        throw new IllegalStateException(
            "no cluster credentials: give --credentials FILE (keel credentials new writes one), or --dev to accept " +
            "the development secret on a test machine");
    }

    public NodeContext credentials(final ClusterCredentials credentials)
    {
        this.credentials = credentials;
        return this;
    }

    public boolean development()
    {
        return development;
    }

    /**
     * @param development accept the development secret (tests, the demo, chaos, a laptop): {@code --dev}.
     */
    public NodeContext development(final boolean development)
    {
        this.development = development;
        return this;
    }

    public int fileSyncLevel()
    {
        return fileSyncLevel;
    }

    /**
     * 0: no fsync (survives process crashes, since the log is on every node); 1: fsync data;
     * 2: fsync data and metadata (survives a whole-cluster power loss, costs latency).
     */
    public NodeContext fileSyncLevel(final int fileSyncLevel)
    {
        this.fileSyncLevel = fileSyncLevel;
        return this;
    }

    public long heartbeatTimeoutMs()
    {
        return heartbeatTimeoutMs;
    }

    /**
     * A follower that hears nothing from the leader for this long starts an election: roughly
     * the failover time.
     */
    public NodeContext heartbeatTimeoutMs(final long heartbeatTimeoutMs)
    {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        return this;
    }

    public long heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    public NodeContext heartbeatIntervalMs(final long heartbeatIntervalMs)
    {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    /**
     * @return how long an election may stay open while the consensus module counts errors before the node halts
     * itself for a restart ({@link ElectionWatchdog}); 0 = never.
     */
    public long electionStuckTimeoutMs()
    {
        return electionStuckTimeoutMs;
    }

    public NodeContext electionStuckTimeoutMs(final long electionStuckTimeoutMs)
    {
        this.electionStuckTimeoutMs = electionStuckTimeoutMs;
        return this;
    }

    public long sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    public NodeContext sessionTimeoutMs(final long sessionTimeoutMs)
    {
        this.sessionTimeoutMs = sessionTimeoutMs;
        return this;
    }

    public long stateCheckIntervalMs()
    {
        return stateCheckIntervalMs;
    }

    /**
     * How often the replicas compare their output hash chains through the log.
     */
    public NodeContext stateCheckIntervalMs(final long stateCheckIntervalMs)
    {
        this.stateCheckIntervalMs = stateCheckIntervalMs;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    public NodeContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    public String logTermLength()
    {
        return logTermLength;
    }

    public NodeContext logTermLength(final String logTermLength)
    {
        this.logTermLength = logTermLength;
        return this;
    }

    public String archiveSegmentLength()
    {
        return archiveSegmentLength;
    }

    /**
     * The archive's segment file length, e.g. {@code 128m}: a log purge frees whole segments, so this is how finely
     * retention cuts (tests use 64k).
     */
    public NodeContext archiveSegmentLength(final String archiveSegmentLength)
    {
        this.archiveSegmentLength = archiveSegmentLength;
        return this;
    }

    /**
     * {@link #archiveSegmentLength()} in bytes (-1 when it does not parse).
     */
    public int archiveSegmentLengthBytes()
    {
        final String s = archiveSegmentLength.trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.matches("\\d{1,7}[km]"))
        {
            return -1;
        }
        final long value = Long.parseLong(s.substring(0, s.length() - 1)) * (s.endsWith("k") ? 1024 : 1024 * 1024);
        return value > Integer.MAX_VALUE ? -1 : (int)value;
    }

    public int journalSegmentBytes()
    {
        return journalSegmentBytes;
    }

    /**
     * Tests only: a smaller journal segment ({@link #JOURNAL_SEGMENT_BYTES} otherwise), so that a short test fills
     * several and sees whole segments purged. The journal's own check applies (a power of two, at least 64 KiB).
     */
    NodeContext journalSegmentBytes(final int journalSegmentBytes)
    {
        this.journalSegmentBytes = journalSegmentBytes;
        return this;
    }

    public boolean cleanStart()
    {
        return cleanStart;
    }

    /**
     * Delete the node's archive and cluster state before starting.
     */
    public NodeContext cleanStart(final boolean cleanStart)
    {
        this.cleanStart = cleanStart;
        return this;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * Port of {@code /metrics} and {@code /health}; 0 = off, -1 = any free port (tests).
     */
    public NodeContext metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    public String metricsBind()
    {
        return metricsBind;
    }

    public NodeContext metricsBind(final String metricsBind)
    {
        this.metricsBind = metricsBind;
        return this;
    }

    public boolean lifecycleLog()
    {
        return lifecycleLog;
    }

    /**
     * Print the node's lifecycle events (role changes, elections, snapshots) as JSON lines on stdout. A
     * process that embeds nodes under its own output (keel demo without --verbose) turns them off.
     */
    public NodeContext lifecycleLog(final boolean lifecycleLog)
    {
        this.lifecycleLog = lifecycleLog;
        return this;
    }

    public long testSkipCommand()
    {
        return testSkipCommand;
    }

    /**
     * Test only: this node silently skips the N-th client command (1-based), so its state
     * diverges from the others and the state check must catch it. -1 = never.
     */
    public NodeContext testSkipCommand(final long testSkipCommand)
    {
        this.testSkipCommand = testSkipCommand;
        return this;
    }

    public UnaryOperator<EngineListener> testEngineListener()
    {
        return testEngineListener;
    }

    /**
     * Test only: wraps the engine's listener to plant a faulty output (drop reports). Decide by event (execId), never
     * by a count since start, so every node and replay agree (output hash chains). Null (the default) = none.
     */
    public NodeContext testEngineListener(final UnaryOperator<EngineListener> testEngineListener)
    {
        this.testEngineListener = testEngineListener;
        return this;
    }

    public OutputSink marketDataTap()
    {
        return marketDataTap;
    }

    /**
     * Tools and tests (in-process nodes only): every market-data message this node's engine
     * emits — live or while replaying its log at recovery — is also handed to this sink's
     * {@link OutputSink#onMarketData}, on the service thread. Null (the default) = none.
     */
    public NodeContext marketDataTap(final OutputSink marketDataTap)
    {
        this.marketDataTap = marketDataTap;
        return this;
    }
}
