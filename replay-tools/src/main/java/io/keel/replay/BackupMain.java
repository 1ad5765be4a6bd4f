package io.keel.replay;

import io.aeron.cluster.ClusterBackup;
import io.keel.common.Cli;
import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.common.Secrets;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code keel backup}: a continuous backup node (Aeron's {@link ClusterBackup}) as an OS process. SIGTERM (or
 * SIGINT) stops it cleanly; what it copied stays in {@code --dir} for {@code keel restore} and {@code keel replay}.
 */
@Command(
    name = "keel backup",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Follow a running cluster and keep a copy of its committed log and snapshots in --dir (Aeron ClusterBackup): " +
            "the source for keel restore when machines are lost. It survives leader changes and members going down " +
            "(it asks the next member). Options may also come from a file: keel backup @backup.args"
    },
    footer = "%nPorts: the nodes answer on --host:--port (UDP, default base-port + 10*members + 2) and replay the log " +
        "and snapshots to ephemeral UDP ports on --host; /metrics and /health on --metrics-port (TCP).")
public final class BackupMain implements Callable<Integer>
{
    public static final String SECRET_ENV = "KEEL_BACKUP_SECRET";

    @Option(names = "--hosts", description = "Every member's host, comma separated, in member order, as keel node " +
        "takes them (default ${DEFAULT-VALUE}).")
    String hosts = "localhost";

    @Option(names = "--base-port", description = "The cluster's base port (default ${DEFAULT-VALUE}).")
    int basePort = ClusterLayout.BASE_PORT_DEFAULT;

    @Option(names = "--cluster-id", description = "The cluster's id, as keel node --cluster-id (default ${DEFAULT-VALUE}).")
    int clusterId = 0;

    @Option(names = "--dir", required = true, description = "Where the backup keeps the log and snapshots (a node's " +
        "layout: archive/, cluster/recording.log); an existing backup dir is continued.")
    File dir;

    @Option(names = "--aeron-dir", description = "Aeron shared-memory directory (default <dir>/aeron).")
    File aeronDir;

    @Option(names = "--host", description = "This machine's address as the nodes reach it (default ${DEFAULT-VALUE}).")
    String host = "localhost";

    @Option(names = "--port", description = "UDP port of the backup's consensus endpoint, where the nodes answer " +
        "(default: base-port + 10 * members + 2).")
    int port = 0;

    @Option(names = "--name", description = "Backup name: the principal backup:<name> in the nodes' --credentials " +
        "(default ${DEFAULT-VALUE}).")
    String name = "main";

    @Option(names = "--secret-file", description = "File holding this backup's secret (keel credentials new " +
        "--backups NAME writes it; default: $" + SECRET_ENV + ", else the development secret, accepted only by nodes " +
        "started with --dev).")
    Path secretFile;

    @Option(names = "--source", description = "Which members to copy from: any, follower (spares the leader) or " +
        "leader (default ${DEFAULT-VALUE}).")
    String source = "any";

    @Option(names = "--query-interval-ms", description = "How often to ask for newer snapshots; the log streams " +
        "continuously in between (default ${DEFAULT-VALUE}).")
    long queryIntervalMs = BackupContext.QUERY_INTERVAL_MS_DEFAULT;

    @Option(names = "--cool-down-ms", description = "Pause after losing the log source (leader change, member " +
        "down) before asking again (default ${DEFAULT-VALUE}).")
    long coolDownMs = BackupContext.COOL_DOWN_MS_DEFAULT;

    @Option(names = "--response-timeout-ms", description = "A member silent this long after a query: ask the next " +
        "(default ${DEFAULT-VALUE}).")
    long responseTimeoutMs = BackupContext.RESPONSE_TIMEOUT_MS_DEFAULT;

    @Option(names = "--idle", description = "Idle profile: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Option(names = "--metrics-port", description = "Port of /metrics and /health; 0 = off (default ${DEFAULT-VALUE}).")
    int metricsPort = BackupContext.METRICS_PORT_DEFAULT;

    @Option(names = "--metrics-bind", description = "Address of /metrics and /health (default ${DEFAULT-VALUE}).")
    String metricsBind = BackupContext.METRICS_BIND_DEFAULT;

    @Option(names = "--health-max-lag-bytes", description = "/health answers 503 when the backup is further " +
        "behind the cluster's log than this (default ${DEFAULT-VALUE}).")
    long healthMaxLagBytes = BackupContext.HEALTH_MAX_LAG_BYTES_DEFAULT;

    @Option(names = "--health-max-stall-ms", description = "/health answers 503 when the backup has been behind " +
        "without progress, or has not heard the cluster's position, for this long (default ${DEFAULT-VALUE}).")
    long healthMaxStallMs = BackupContext.HEALTH_MAX_STALL_MS_DEFAULT;

    public Integer call()
    {
        final ClusterBackup.SourceType sourceType;
        try
        {
            sourceType = ClusterBackup.SourceType.valueOf(source.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--source must be any, follower or leader: " + source);
        }
        final BackupContext ctx = new BackupContext()
            .hosts(hosts)
            .basePort(basePort)
            .clusterId(clusterId)
            .dir(dir)
            .aeronDir(aeronDir)
            .host(host)
            .port(port)
            .name(name)
            .credentials(Principal.backupCredentials(name, Secrets.resolve(secretFile, SECRET_ENV)))
            .sourceType(sourceType)
            .queryIntervalMs(queryIntervalMs)
            .coolDownMs(coolDownMs)
            .responseTimeoutMs(responseTimeoutMs)
            .idleProfile(IdleProfile.parse(idle))
            .metricsPort(metricsPort)
            .metricsBind(metricsBind)
            .healthMaxLagBytes(healthMaxLagBytes)
            .healthMaxStallMs(healthMaxStallMs)
            .conclude();
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            BackupNode backup = BackupNode.launch(ctx))
        {
            barrier.await();
        }
        return 0;
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new BackupMain(), "keel backup", args));
    }
}
