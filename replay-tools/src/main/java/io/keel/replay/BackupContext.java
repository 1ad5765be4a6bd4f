package io.keel.replay;

import io.aeron.cluster.ClusterBackup;
import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of a backup node ({@link BackupNode}, {@code keel backup}): which cluster it follows, where it keeps
 * the copy, its own endpoints, and when it is healthy. {@link #conclude()} fills defaults and fails on the first bad
 * value with a message naming the option.
 * <p>
 * The directory has a node's layout ({@code archive/}, {@code cluster/recording.log}), so {@code keel replay} reads a
 * backup as it reads a node, and {@code keel restore} seeds new nodes from it.
 */
public final class BackupContext
{
    /** The backup's consensus port is the one member N (the member after the last) would use for consensus. */
    public static final int BACKUP_PORT_OFFSET = ClusterLayout.CONSENSUS_PORT_OFFSET;
    public static final long QUERY_INTERVAL_MS_DEFAULT = 60_000;
    public static final long COOL_DOWN_MS_DEFAULT = 1_000;
    public static final long RESPONSE_TIMEOUT_MS_DEFAULT = 2_000;
    public static final long PROGRESS_TIMEOUT_MS_DEFAULT = 10_000;
    public static final long HEALTH_MAX_LAG_BYTES_DEFAULT = 1024 * 1024;
    public static final long HEALTH_MAX_STALL_MS_DEFAULT = 5_000;
    public static final long POLL_INTERVAL_MS_DEFAULT = 500;
    public static final int METRICS_PORT_DEFAULT = 9490;
    public static final String METRICS_BIND_DEFAULT = "127.0.0.1";

    private List<String> hosts = new ArrayList<>(List.of("localhost"));
    private int basePort = ClusterLayout.BASE_PORT_DEFAULT;
    private int clusterId = 0;
    private File dir;
    private File aeronDir;
    private String host = "localhost";
    private int port = 0;
    private String name = "main";
    private byte[] credentials;
    private ClusterBackup.SourceType sourceType = ClusterBackup.SourceType.ANY;
    private IdleProfile idleProfile = IdleProfile.BACKOFF;
    private long queryIntervalMs = QUERY_INTERVAL_MS_DEFAULT;
    private long coolDownMs = COOL_DOWN_MS_DEFAULT;
    private long responseTimeoutMs = RESPONSE_TIMEOUT_MS_DEFAULT;
    private long progressTimeoutMs = PROGRESS_TIMEOUT_MS_DEFAULT;
    private long healthMaxLagBytes = HEALTH_MAX_LAG_BYTES_DEFAULT;
    private long healthMaxStallMs = HEALTH_MAX_STALL_MS_DEFAULT;
    private long pollIntervalMs = POLL_INTERVAL_MS_DEFAULT;
    private int metricsPort = 0;
    private String metricsBind = METRICS_BIND_DEFAULT;
    private boolean lifecycleLog = true;
    private boolean concluded;

    public BackupContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(!hosts.isEmpty() && hosts.stream().noneMatch(String::isBlank), "--hosts must list one host per member: " + hosts);
        require(basePort >= 1024 && basePort + (hosts.size() + 1) * ClusterLayout.PORTS_PER_MEMBER <= 65535,
            "--base-port must leave room for " + hosts.size() + " members and the backup in 1024..65535: " + basePort);
        if (port == 0)
        {
            port = ClusterLayout.port(basePort, hosts.size(), BACKUP_PORT_OFFSET);
        }
        require(port > 0 && port <= 65535, "--port must be a UDP port: " + port);
        require(dir != null, "--dir is required: where the backup keeps the log and snapshots");
        require(host != null && !host.isBlank(), "--host must name this machine's address as the nodes reach it");
        require(name.matches("[A-Za-z0-9_.-]{1,64}"), "--name must be letters, digits, '_', '.', '-': " + name);
        require(queryIntervalMs > 0, "--query-interval-ms must be > 0: " + queryIntervalMs);
        require(coolDownMs > 0, "--cool-down-ms must be > 0: " + coolDownMs);
        require(responseTimeoutMs > 0, "--response-timeout-ms must be > 0: " + responseTimeoutMs);
        require(progressTimeoutMs > 0, "--progress-timeout-ms must be > 0: " + progressTimeoutMs);
        require(healthMaxLagBytes >= 0, "--health-max-lag-bytes must be >= 0: " + healthMaxLagBytes);
        require(healthMaxStallMs > 0, "--health-max-stall-ms must be > 0: " + healthMaxStallMs);
        require(pollIntervalMs > 0, "--poll-interval-ms must be > 0: " + pollIntervalMs);
        require(metricsPort >= -1 && metricsPort <= 65535, "--metrics-port must be 0 (off) or a port: " + metricsPort);
        require(credentials != null, "no credentials: the backup's secret (--secret-file or $KEEL_BACKUP_SECRET)");
        if (aeronDir == null)
        {
            aeronDir = new File(dir, "aeron");
        }
        concluded = true;
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Every member's consensus endpoint, where the backup sends its queries: {@code host:port,host:port,…}.
     */
    public String consensusEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            sb.append(i == 0 ? "" : ",").append(hosts.get(i)).append(':')
                .append(ClusterLayout.port(basePort, i, ClusterLayout.CONSENSUS_PORT_OFFSET));
        }
        return sb.toString();
    }

    public File archiveDir()
    {
        return new File(dir, "archive");
    }

    public File clusterDir()
    {
        return new File(dir, "cluster");
    }

    public String principal()
    {
        return Principal.BACKUP + ":" + name;
    }

    public long queryIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(queryIntervalMs);
    }

    public List<String> hosts()
    {
        return hosts;
    }

    public BackupContext hosts(final List<String> hosts)
    {
        this.hosts = new ArrayList<>(hosts);
        return this;
    }

    public BackupContext hosts(final String commaSeparated)
    {
        return hosts(Arrays.asList(commaSeparated.trim().split("\\s*,\\s*", -1)));
    }

    public int basePort()
    {
        return basePort;
    }

    public BackupContext basePort(final int basePort)
    {
        this.basePort = basePort;
        return this;
    }

    public int clusterId()
    {
        return clusterId;
    }

    public BackupContext clusterId(final int clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    public File dir()
    {
        return dir;
    }

    public BackupContext dir(final File dir)
    {
        this.dir = dir;
        return this;
    }

    public File aeronDir()
    {
        return aeronDir;
    }

    public BackupContext aeronDir(final File aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public String host()
    {
        return host;
    }

    /**
     * This machine's address as the nodes reach it: they answer queries and replay the log and snapshots to it.
     */
    public BackupContext host(final String host)
    {
        this.host = host;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * UDP port of the backup's consensus endpoint (the nodes' answers); 0 = base port + 10 × members + 2.
     */
    public BackupContext port(final int port)
    {
        this.port = port;
        return this;
    }

    public String name()
    {
        return name;
    }

    public BackupContext name(final String name)
    {
        this.name = name;
        return this;
    }

    public byte[] credentials()
    {
        return credentials;
    }

    /**
     * @param credentials {@code backup:<name>:<secret>} ({@link Principal#backupCredentials}).
     */
    public BackupContext credentials(final byte[] credentials)
    {
        this.credentials = credentials;
        return this;
    }

    public ClusterBackup.SourceType sourceType()
    {
        return sourceType;
    }

    public BackupContext sourceType(final ClusterBackup.SourceType sourceType)
    {
        this.sourceType = sourceType;
        return this;
    }

    public IdleProfile idleProfile()
    {
        return idleProfile;
    }

    public BackupContext idleProfile(final IdleProfile idleProfile)
    {
        this.idleProfile = idleProfile;
        return this;
    }

    public long queryIntervalMs()
    {
        return queryIntervalMs;
    }

    /**
     * How often the backup asks the cluster for newer snapshots (the log streams continuously in between).
     */
    public BackupContext queryIntervalMs(final long queryIntervalMs)
    {
        this.queryIntervalMs = queryIntervalMs;
        return this;
    }

    public long coolDownMs()
    {
        return coolDownMs;
    }

    /**
     * Pause after losing the log source (a leader change, a member down) before asking again.
     */
    public BackupContext coolDownMs(final long coolDownMs)
    {
        this.coolDownMs = coolDownMs;
        return this;
    }

    public long responseTimeoutMs()
    {
        return responseTimeoutMs;
    }

    /**
     * A member silent this long after a query: the next member is asked.
     */
    public BackupContext responseTimeoutMs(final long responseTimeoutMs)
    {
        this.responseTimeoutMs = responseTimeoutMs;
        return this;
    }

    public long progressTimeoutMs()
    {
        return progressTimeoutMs;
    }

    public BackupContext progressTimeoutMs(final long progressTimeoutMs)
    {
        this.progressTimeoutMs = progressTimeoutMs;
        return this;
    }

    public long healthMaxLagBytes()
    {
        return healthMaxLagBytes;
    }

    /**
     * {@code /health} answers 503 when the backup is further behind the cluster's log than this.
     */
    public BackupContext healthMaxLagBytes(final long healthMaxLagBytes)
    {
        this.healthMaxLagBytes = healthMaxLagBytes;
        return this;
    }

    public long healthMaxStallMs()
    {
        return healthMaxStallMs;
    }

    /**
     * {@code /health} answers 503 when the backup has been behind without progress, or has not heard the cluster's
     * position, for this long.
     */
    public BackupContext healthMaxStallMs(final long healthMaxStallMs)
    {
        this.healthMaxStallMs = healthMaxStallMs;
        return this;
    }

    public long pollIntervalMs()
    {
        return pollIntervalMs;
    }

    /**
     * How often the monitor asks the log source's archive for the cluster's log position (the lag's other end).
     */
    public BackupContext pollIntervalMs(final long pollIntervalMs)
    {
        this.pollIntervalMs = pollIntervalMs;
        return this;
    }

    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * Port of {@code /metrics} and {@code /health}; 0 = off, -1 = any free port (tests).
     */
    public BackupContext metricsPort(final int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    public String metricsBind()
    {
        return metricsBind;
    }

    public BackupContext metricsBind(final String metricsBind)
    {
        this.metricsBind = metricsBind;
        return this;
    }

    public boolean lifecycleLog()
    {
        return lifecycleLog;
    }

    public BackupContext lifecycleLog(final boolean lifecycleLog)
    {
        this.lifecycleLog = lifecycleLog;
        return this;
    }
}
