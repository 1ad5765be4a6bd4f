package io.keel.replay;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.RecordingLog;
import io.aeron.driver.MediaDriver;
import io.keel.common.ClusterCredentialsSupplier;
import io.keel.common.IdleProfile;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A continuous backup of a running cluster in one process: its own media driver and archive, and Aeron's
 * {@link ClusterBackup} agent, which asks the members for their snapshots and follows the committed log (a replay
 * from a member's archive into a recording here), switching member when its source goes away (a leader change, a
 * member down). Close it to stop cleanly. The directory is laid out as a node's (see {@link BackupContext}).
 */
public final class BackupNode implements AutoCloseable
{
    /** Stream of the local archive's IPC control channel (Aeron's default, as the node's). */
    private static final String LOCAL_CONTROL_CHANNEL = "aeron:ipc?term-length=64k";

    private final BackupContext ctx;
    private final BackupLog log;
    private final BackupMonitor monitor;
    private final MediaDriver driver;
    private final Archive archive;
    private final ClusterBackup backup;
    private volatile boolean closed;

    private BackupNode(final BackupContext ctx)
    {
        this.ctx = ctx.conclude();
        log = new BackupLog(ctx.lifecycleLog());
        monitor = new BackupMonitor(ctx, log);
        IoUtil.ensureDirectoryExists(ctx.dir(), "backup dir");
        final File recordingLog = new File(ctx.clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME);
        if (recordingLog.isFile())
        {
            try (RecordingLog existing = new RecordingLog(ctx.clusterDir(), false))
            {
                monitor.readRecordingLog(existing.entries());
            }
        }

        MediaDriver mediaDriver = null;
        Archive localArchive = null;
        ClusterBackup clusterBackup = null;
        try
        {
            mediaDriver = MediaDriver.launch(driverContext());
            localArchive = Archive.launch(archiveContext());
            log.event("backup-started", "dir", ctx.dir().getAbsolutePath(), "principal", ctx.principal(),
                "members", ctx.consensusEndpoints(), "endpoint", ctx.host() + ":" + ctx.port(),
                "snapshots", monitor.snapshots());
            clusterBackup = ClusterBackup.launch(backupContext(localArchive.context()));
            monitor.start(clusterBackup.context());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(monitor, clusterBackup, localArchive, mediaDriver);
            throw ex;
        }
        driver = mediaDriver;
        archive = localArchive;
        backup = clusterBackup;
    }

    public static BackupNode launch(final BackupContext ctx)
    {
        return new BackupNode(ctx);
    }

    public BackupContext context()
    {
        return ctx;
    }

    /**
     * Log position recorded here so far.
     */
    public long livePosition()
    {
        return monitor.livePosition();
    }

    /**
     * The cluster's log position as last heard, or -1.
     */
    public long clusterPosition()
    {
        return monitor.clusterPosition();
    }

    /**
     * The cluster's position minus this backup's, or -1 while either is unknown.
     */
    public long lagBytes()
    {
        return monitor.lagBytes();
    }

    public ClusterBackup.State state()
    {
        return monitor.state();
    }

    public int snapshots()
    {
        return monitor.snapshots();
    }

    public long latestSnapshotPosition()
    {
        return monitor.latestSnapshotPosition();
    }

    public long leaderChanges()
    {
        return monitor.leaderChanges();
    }

    /**
     * The member whose archive the log comes from (-1 before the first answer).
     */
    public int sourceMemberId()
    {
        return monitor.sourceMemberId();
    }

    public boolean isReady()
    {
        return !closed && monitor.isReady();
    }

    public String describe()
    {
        return monitor.describe();
    }

    public int metricsPort()
    {
        return monitor.metricsPort();
    }

    public boolean isClosed()
    {
        return closed;
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            log.event("backup-stopping", "livePosition", monitor.livePosition(), "snapshots", monitor.snapshots());
            CloseHelper.closeAll(monitor, backup, archive, driver);
        }
    }

    private ErrorHandler errorHandler(final String component)
    {
        return (throwable) ->
        {
            final boolean warning = throwable instanceof io.aeron.exceptions.AeronException &&
                ((io.aeron.exceptions.AeronException)throwable).category() == io.aeron.exceptions.AeronException.Category.WARN;
            log.event(warning ? "warning" : "error", "component", component, "error", String.valueOf(throwable));
        };
    }

    private MediaDriver.Context driverContext()
    {
        final IdleProfile profile = ctx.idleProfile();
        return new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDir().getAbsolutePath())
            .threadingMode(profile.threadingMode())
            .sharedIdleStrategy(profile.newIdleStrategy())
            .conductorIdleStrategy(profile.newIdleStrategy())
            .senderIdleStrategy(profile.newIdleStrategy())
            .receiverIdleStrategy(profile.newIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(256 * 1024)
            .ipcTermBufferLength(1024 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler("driver"));
    }

    private Archive.Context archiveContext()
    {
        return new Archive.Context()
            .aeronDirectoryName(ctx.aeronDir().getAbsolutePath())
            .archiveDir(ctx.archiveDir())
            .archiveId(((long)ctx.port() << 8) | 0xFF)
            // Nobody but the backup agent talks to this archive: no UDP control endpoint to expose.
            .controlChannelEnabled(false)
            .localControlChannel(LOCAL_CONTROL_CHANNEL)
            // Snapshots are replicated from a member's archive: this archive is its client, answered and replayed to
            // ephemeral ports on this host.
            .replicationChannel("aeron:udp?endpoint=" + ctx.host() + ":0")
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + ctx.host() + ":0"))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(ctx.idleProfile()::newIdleStrategy)
            // As the node's: a CRC per fragment lets a restart after a kill find the end of a torn last fragment.
            .recordChecksum(Checksums.crc32())
            .deleteArchiveOnStart(false)
            .errorHandler(errorHandler("archive"));
    }

    private ClusterBackup.Context backupContext(final Archive.Context archiveContext)
    {
        return new ClusterBackup.Context()
            .aeronDirectoryName(ctx.aeronDir().getAbsolutePath())
            .clusterId(ctx.clusterId())
            .clusterDir(ctx.clusterDir())
            .clusterConsensusEndpoints(ctx.consensusEndpoints())
            .consensusChannel("aeron:udp?endpoint=" + ctx.host() + ":" + ctx.port())
            // An ephemeral port: a fixed one clashes when the backup switches source while the last replay lingers.
            .catchupEndpoint(ctx.host() + ":0")
            .archiveContext(new AeronArchive.Context()
                .controlRequestChannel(archiveContext.localControlChannel())
                .controlRequestStreamId(archiveContext.localControlStreamId())
                .controlResponseChannel(LOCAL_CONTROL_CHANNEL))
            .clusterArchiveContext(new AeronArchive.Context()
                .controlRequestChannel("aeron:udp")
                .controlResponseChannel("aeron:udp?endpoint=" + ctx.host() + ":0")
                // A member gone mid-request (or at close, stopping its replay) must not hold the agent for 10 s.
                .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ctx.responseTimeoutMs())))
            .credentialsSupplier(new ClusterCredentialsSupplier(ctx.credentials()))
            .sourceType(ctx.sourceType())
            .clusterBackupIntervalNs(ctx.queryIntervalNs())
            .clusterBackupCoolDownIntervalNs(TimeUnit.MILLISECONDS.toNanos(ctx.coolDownMs()))
            .clusterBackupResponseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ctx.responseTimeoutMs()))
            .clusterBackupProgressTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ctx.progressTimeoutMs()))
            .idleStrategySupplier(ctx.idleProfile()::newIdleStrategy)
            .errorHandler(errorHandler("backup"))
            .eventsListener(monitor)
            .deleteDirOnStart(false);
    }
}
