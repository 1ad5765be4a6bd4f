package io.keel.replay;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupEventsListener;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import io.keel.common.MetricsServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.CloseHelper;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a backup node: Aeron's {@link ClusterBackup} tells it what it does ({@link ClusterBackupEventsListener}, on
 * the backup's agent thread: volatile writes and a log line, nothing more), and a daemon thread asks the log
 * source's archive how far the cluster's log has got, for the lag. Serves {@code /metrics} ({@code keel_backup_*})
 * and {@code /health}: 200 while the backup follows the live log within the configured lag.
 * <p>
 * The cluster's position is the log recording's position in the source member's archive: what that member has
 * appended, a few in-flight bytes ahead of the commit position at most (the backup only ever records committed log).
 */
final class BackupMonitor implements ClusterBackupEventsListener, AutoCloseable
{
    static final long UNKNOWN = -1;
    private static final long ARCHIVE_TIMEOUT_MS = 2_000;

    private final BackupContext ctx;
    private final BackupLog log;
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile ClusterBackup.Context backup;
    private volatile String sourceArchiveEndpoint;
    private volatile int sourceMemberId = -1;
    private volatile int leaderMemberId = -1;
    private volatile long livePosition = UNKNOWN;
    private volatile long clusterPosition = UNKNOWN;
    private volatile long lagBytes = UNKNOWN;
    private volatile long clusterPositionAtNs;
    private volatile long lastProgressNs = System.nanoTime();
    private volatile int snapshots;
    private volatile long latestSnapshotPosition = UNKNOWN;
    private volatile ClusterBackup.State state = ClusterBackup.State.BACKUP_QUERY;
    private boolean following;
    private boolean hearing;
    private Aeron aeron;
    private AeronArchive sourceArchive;
    private String connectedEndpoint;
    private long sourceRecordingId = -1;
    private ScheduledExecutorService poller;
    private MetricsServer server;

    BackupMonitor(final BackupContext ctx, final BackupLog log)
    {
        this.ctx = ctx;
        this.log = log;
    }

    /**
     * What the backup held when it started, before Aeron's backup agent opens its recording log.
     */
    void readRecordingLog(final List<RecordingLog.Entry> entries)
    {
        countSnapshots(entries);
    }

    /**
     * Once the backup runs: poll, and serve metrics when a port is set.
     */
    void start(final ClusterBackup.Context backup)
    {
        this.backup = backup;
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDir().getAbsolutePath())
            .clientName("keel-backup-monitor"));
        poller = Executors.newSingleThreadScheduledExecutor((r) ->
        {
            final Thread thread = new Thread(r, "keel-backup-monitor");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::poll, 0, ctx.pollIntervalMs(), TimeUnit.MILLISECONDS);
        if (ctx.metricsPort() != MetricsServer.OFF)
        {
            final PrometheusRegistry registry = new PrometheusRegistry();
            register(registry);
            server = MetricsServer.start(ctx.metricsBind(), ctx.metricsPort(), registry, this::isReady, this::describe);
            log.event("metrics-started", "bind", ctx.metricsBind(), "port", server.port());
        }
    }

    int metricsPort()
    {
        return server == null ? 0 : server.port();
    }

    long livePosition()
    {
        return livePosition;
    }

    long clusterPosition()
    {
        return clusterPosition;
    }

    /**
     * Bytes of log the cluster had and the backup not yet, at the last poll (both read then), or {@link #UNKNOWN}.
     */
    long lagBytes()
    {
        return lagBytes;
    }

    /**
     * How long the backup has been behind without recording anything new (0 when it is not behind).
     */
    long stalledMs()
    {
        final long lag = lagBytes();
        return lag == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastProgressNs);
    }

    ClusterBackup.State state()
    {
        return state;
    }

    int snapshots()
    {
        return snapshots;
    }

    long latestSnapshotPosition()
    {
        return latestSnapshotPosition;
    }

    long leaderChanges()
    {
        return leaderChanges.get();
    }

    int leaderMemberId()
    {
        return leaderMemberId;
    }

    int sourceMemberId()
    {
        return sourceMemberId;
    }

    /**
     * Following the live log, having heard the cluster's position lately, within the lag bound.
     */
    boolean isReady()
    {
        final long lag = lagBytes();
        final long maxStallNs = TimeUnit.MILLISECONDS.toNanos(ctx.healthMaxStallMs());
        return state == ClusterBackup.State.BACKING_UP && lag != UNKNOWN && lag <= ctx.healthMaxLagBytes() &&
            System.nanoTime() - clusterPositionAtNs <= maxStallNs && stalledMs() <= ctx.healthMaxStallMs();
    }

    String describe()
    {
        final long heard = clusterPosition == UNKNOWN ? -1 :
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clusterPositionAtNs);
        return "state=" + state + " source=" + sourceMemberId + " leader=" + leaderMemberId +
            " livePosition=" + livePosition + " clusterPosition=" + clusterPosition + " heardMsAgo=" + heard +
            " lagBytes=" + lagBytes() + " stalledMs=" + stalledMs() + " snapshots=" + snapshots;
    }

    public void onBackupQuery()
    {
    }

    public void onPossibleFailure(final Exception ex)
    {
        // Aeron's agent resets after this (and, for an exception, also hands it to the error handler: logged there).
        failures.incrementAndGet();
        log.event("reset", "reason", String.valueOf(ex), "action", "asking the members again after " +
            ctx.coolDownMs() + " ms");
    }

    public void onBackupResponse(
        final ClusterMember[] clusterMembers,
        final ClusterMember logSourceMember,
        final List<RecordingLog.Snapshot> snapshotsToRetrieve)
    {
        int leader = -1;
        for (final ClusterMember member : clusterMembers)
        {
            if (member.isLeader())
            {
                leader = member.id();
            }
        }
        if (leader != leaderMemberId)
        {
            if (leaderMemberId != -1 && leader != -1)
            {
                leaderChanges.incrementAndGet();
            }
            log.event("leader", "leader", leader, "previous", leaderMemberId);
            leaderMemberId = leader;
        }
        if (logSourceMember.id() != sourceMemberId)
        {
            log.event("log-source", "member", logSourceMember.id(), "archive", logSourceMember.archiveEndpoint(),
                "previous", sourceMemberId);
            sourceMemberId = logSourceMember.id();
        }
        sourceArchiveEndpoint = logSourceMember.archiveEndpoint();
    }

    public void onUpdatedRecordingLog(final RecordingLog recordingLog, final List<RecordingLog.Snapshot> snapshotsRetrieved)
    {
        countSnapshots(recordingLog.entries());
        for (final RecordingLog.Snapshot snapshot : snapshotsRetrieved)
        {
            if (snapshot.serviceId() == NodeDirectory.SERVICE_ID)
            {
                log.event("snapshot-copied", "logPosition", snapshot.logPosition(), "leadershipTermId",
                    snapshot.leadershipTermId(), "recordingId", snapshot.recordingId(), "snapshots", snapshots);
            }
        }
    }

    public void onLiveLogProgress(final long recordingId, final long recordingPosCounterId, final long logPosition)
    {
        livePosition = logPosition;
        lastProgressNs = System.nanoTime();
    }

    private void countSnapshots(final List<RecordingLog.Entry> entries)
    {
        int count = 0;
        long latest = UNKNOWN;
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.serviceId == NodeDirectory.SERVICE_ID)
            {
                count++;
                latest = Math.max(latest, entry.logPosition);
            }
        }
        snapshots = count;
        latestSnapshotPosition = latest;
    }

    private void poll()
    {
        try
        {
            pollBackup();
        }
        catch (final RuntimeException ex)
        {
            return; // closing
        }
        try
        {
            pollCluster();
        }
        catch (final RuntimeException ex)
        {
            // The source went away (or is not there yet): the next tick tries again, or the next source.
            onClusterPositionUnavailable(ex);
        }
    }

    private void pollBackup()
    {
        final ClusterBackup.Context backupContext = backup;
        final Counter stateCounter = backupContext.stateCounter();
        final ClusterBackup.State now = stateCounter.isClosed() ? ClusterBackup.State.CLOSED :
            ClusterBackup.State.get(stateCounter.get());
        final Counter live = backupContext.liveLogPositionCounter();
        if (!live.isClosed())
        {
            final long position = live.get();
            if (position > livePosition)
            {
                livePosition = position;
                lastProgressNs = System.nanoTime();
            }
        }
        if (now == ClusterBackup.State.BACKING_UP && !following)
        {
            following = true;
            log.event("following", "source", sourceMemberId, "leader", leaderMemberId, "livePosition", livePosition,
                "snapshots", snapshots);
        }
        else if (now == ClusterBackup.State.RESET_BACKUP && following)
        {
            following = false;
            log.event("source-lost", "source", sourceMemberId, "livePosition", livePosition,
                "action", "asking the members again after " + ctx.coolDownMs() + " ms");
        }
        state = now;
    }

    private void pollCluster()
    {
        final String endpoint = sourceArchiveEndpoint;
        if (endpoint == null)
        {
            return;
        }
        if (!endpoint.equals(connectedEndpoint) || sourceArchive == null)
        {
            CloseHelper.quietClose(sourceArchive);
            sourceArchive = null;
            connectedEndpoint = endpoint;
            sourceArchive = AeronArchive.connect(new AeronArchive.Context()
                .aeron(aeron)
                .controlRequestChannel("aeron:udp?endpoint=" + endpoint)
                .controlResponseChannel("aeron:udp?endpoint=" + ctx.host() + ":0")
                .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ARCHIVE_TIMEOUT_MS))
                .idleStrategy(ctx.idleProfile().newIdleStrategy()));
            sourceRecordingId = logRecording(sourceArchive);
        }
        try
        {
            final long position = sourceArchive.getMaxRecordedPosition(sourceRecordingId);
            if (position >= 0)
            {
                clusterPosition = position;
                clusterPositionAtNs = System.nanoTime();
                // The backup's position read just after the cluster's: the lag as of this moment (one round trip of
                // progress at most too small), never a stale cluster position against a fresh local one.
                pollBackup();
                lagBytes = livePosition == UNKNOWN ? UNKNOWN : Math.max(0, position - livePosition);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(sourceArchive);
            sourceArchive = null;
            throw ex;
        }
        if (!hearing)
        {
            hearing = true;
            log.event("cluster-position", "source", sourceMemberId, "archive", endpoint, "position", clusterPosition);
        }
    }

    /**
     * The source's archive did not answer: the lag is unknown until it (or the next source) does.
     */
    private void onClusterPositionUnavailable(final RuntimeException ex)
    {
        lagBytes = UNKNOWN;
        if (hearing)
        {
            hearing = false;
            log.event("cluster-position-unavailable", "source", sourceMemberId, "archive", connectedEndpoint,
                "error", ReplayException.gist(ex));
        }
    }

    /**
     * The member's cluster log: its newest recording of the log stream (nodes extend one recording across terms).
     */
    private static long logRecording(final AeronArchive archive)
    {
        final long[] found = {-1};
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", ConsensusModule.Configuration.LOG_STREAM_ID_DEFAULT,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) -> found[0] = Math.max(found[0], recordingId));
        if (found[0] < 0)
        {
            throw new IllegalStateException("no log recording in the source's archive");
        }
        return found[0];
    }

    private void register(final PrometheusRegistry registry)
    {
        gauge(registry, "keel_backup_live_log_position", "Log position the backup has recorded (committed log only).",
            this::livePosition);
        gauge(registry, "keel_backup_cluster_log_position", "The cluster's log position, as the log source member's " +
            "archive last reported it (-1 before the first answer).", this::clusterPosition);
        gauge(registry, "keel_backup_lag_bytes", "Bytes of log the cluster has and the backup not yet: what a loss " +
            "of the whole cluster now would lose (-1 while unknown).", this::lagBytes);
        gauge(registry, "keel_backup_stalled_ms", "How long the backup has been behind without recording anything " +
            "new (0 when not behind).", this::stalledMs);
        gauge(registry, "keel_backup_snapshots", "Snapshots the backup holds (keel restore starts from the newest at " +
            "or before the restore point).", this::snapshots);
        gauge(registry, "keel_backup_latest_snapshot_position", "Log position of the newest snapshot held (-1: none).",
            this::latestSnapshotPosition);
        gauge(registry, "keel_backup_state", "Aeron ClusterBackup state: 0 query, 1 snapshot retrieve, 2 live log " +
            "record, 3 live log replay, 4 update recording log, 5 backing up (following), 6 reset, 7 closed.",
            () -> state.code());
        gauge(registry, "keel_backup_ready", "1 when /health answers 200.", () -> isReady() ? 1 : 0);
        CounterWithCallback.builder()
            .name("keel_backup_leader_changes")
            .help("Leader changes the backup has seen in the members' answers since it started.")
            .callback((cb) -> cb.call(leaderChanges.get()))
            .register(registry);
        CounterWithCallback.builder()
            .name("keel_backup_failures")
            .help("Failures Aeron's backup agent reported (each followed by a reset and a new query).")
            .callback((cb) -> cb.call(failures.get()))
            .register(registry);
    }

    private static void gauge(
        final PrometheusRegistry registry, final String name, final String help, final java.util.function.LongSupplier value)
    {
        GaugeWithCallback.builder().name(name).help(help).callback((cb) -> cb.call(value.getAsLong())).register(registry);
    }

    public void close()
    {
        if (poller != null)
        {
            poller.shutdownNow();
            try
            {
                poller.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietCloseAll(server, sourceArchive, aeron);
    }
}
