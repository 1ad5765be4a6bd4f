package io.keel.node;

import io.aeron.archive.Archive;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cluster member: media driver, archive and consensus module ({@link ClusteredMediaDriver})
 * plus the service container running {@link KeelClusteredService}. Close it to stop cleanly.
 * {@link #launch(NodeContext, ClusteredService)} runs another service on the very same node setup
 * (the bare cluster echo baseline of {@code keel perf cluster-echo}).
 */
public final class KeelNode implements AutoCloseable
{
    /**
     * Term length of the node driver's publications, among them the egress to every client whose egress channel
     * names no term length of its own (gateways ask for 4 MiB, admin tools for 1 MiB). An eighth of it is the
     * longest message the node can send such a client: {@link EventEncoder#MAX_OUTPUT_LENGTH} is derived from it.
     */
    public static final int PUBLICATION_TERM_LENGTH = 256 * 1024;

    private final NodeContext config;
    private final KeelClusteredService service; // null when the node runs another service
    private final ClusteredService clusteredService;
    private final AtomicLong rejectedSessions = new AtomicLong();
    private final ClusteredMediaDriver clusteredMediaDriver;
    private final ClusteredServiceContainer container;
    private final ScheduledExecutorService snapshotScheduler;
    private final Runnable onTerminate;
    private final NodeMonitor monitor;
    private final LogPurger logPurger;
    private volatile boolean electionStuck;
    private volatile boolean closed;

    private KeelNode(
        final NodeContext config,
        final EngineContext engineContext,
        final ClusteredService otherService,
        final Runnable onTerminate)
    {
        this.config = config.conclude();
        this.onTerminate = onTerminate;
        config.clusterCredentials(); // fails before anything starts when there are none (and no --dev)
        if (config.cleanStart())
        {
            IoUtil.delete(config.nodeDir(), true);
        }
        IoUtil.ensureDirectoryExists(config.nodeDir(), "node dir");
        monitor = new NodeMonitor(config);
        service = otherService == null ?
            new KeelClusteredService(config, engineContext, this::halt, monitor.applyLatency()) : null;
        clusteredService = otherService == null ? service : otherService;
        logPurger = new LogPurger(config);
        if (service != null)
        {
            service.logPurger(logPurger);
        }

        ClusteredMediaDriver driver = null;
        ClusteredServiceContainer serviceContainer = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverContext(), archiveContext(), consensusContext());
            serviceContainer = ClusteredServiceContainer.launch(serviceContext());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(serviceContainer, driver);
            throw ex;
        }
        clusteredMediaDriver = driver;
        container = serviceContainer;
        snapshotScheduler = config.snapshotIntervalS() > 0 ? startSnapshotScheduler() : null;
        if (service != null)
        {
            // Metrics, health and the election log are Keel's: a baseline service runs without them.
            monitor.start(service, () -> closed ? null : clusteredMediaDriver.consensusModule().context().aeron().countersReader(),
                this::onElectionStuck);
        }
    }

    /**
     * Start a member. {@code onTerminate} runs (on some Aeron thread) when the cluster shuts
     * the node down or the node halts itself after divergence.
     */
    public static KeelNode launch(final NodeContext config, final EngineContext engineContext, final Runnable onTerminate)
    {
        return new KeelNode(config, engineContext, null, onTerminate);
    }

    /**
     * Start a member with Keel's driver, archive, consensus module, authenticator and container
     * settings, running {@code service} instead of Keel's: what Aeron Cluster costs without Keel.
     */
    public static KeelNode launch(final NodeContext config, final ClusteredService service)
    {
        return new KeelNode(config, null, Objects.requireNonNull(service, "service"), () -> {});
    }

    public static KeelNode launch(final NodeContext config)
    {
        return launch(config, new EngineContext(), () -> {});
    }

    public NodeContext config()
    {
        return config;
    }

    /**
     * @return Keel's service, or null when the node was launched with another service.
     */
    public KeelClusteredService service()
    {
        return service;
    }

    public int memberId()
    {
        return config.memberId();
    }

    public boolean isLeader()
    {
        return service != null ? service.role() == Cluster.Role.LEADER :
            Cluster.Role.get(clusteredMediaDriver.consensusModule().context().clusterNodeRoleCounter()) == Cluster.Role.LEADER;
    }

    /**
     * Connection attempts refused by the authenticator since start.
     */
    public long rejectedSessions()
    {
        return rejectedSessions.get();
    }

    /**
     * Ask this node's consensus module for a snapshot (takes effect only on the leader).
     */
    public boolean requestSnapshot()
    {
        final AtomicCounter toggle = ClusterControl.findControlToggle(
            clusteredMediaDriver.consensusModule().context().aeron().countersReader(), config.clusterId());
        return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    /**
     * Log purges this node finished (done, skipped or refused; see {@link LogPurger}) since start, from any thread.
     */
    public long logPurgesDone()
    {
        return logPurger.purgesDone();
    }

    /**
     * The log recording's start position after this node's last purge, or -1 before any since start.
     */
    public long logStartPosition()
    {
        return logPurger.logStartPosition();
    }

    /**
     * The port serving {@code /metrics} and {@code /health}, or 0 when metrics are off.
     */
    public int metricsPort()
    {
        return monitor.port();
    }

    /**
     * What {@code /health} answers: no election in progress, a role, not diverged.
     */
    public boolean isReady()
    {
        return !closed && monitor.isReady();
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
            monitor.close();
            logPurger.close();
            if (snapshotScheduler != null)
            {
                snapshotScheduler.shutdownNow();
            }
            // Consensus module first (as Aeron's own tests do), so it never sees its service vanish.
            CloseHelper.closeAll(clusteredMediaDriver.consensusModule(), container, clusteredMediaDriver);
            if (service != null)
            {
                // After the container: its service thread wrote the journal until it stopped.
                service.closeJournal();
            }
        }
    }

    /**
     * True once the node halted itself because an election could not finish ({@link ElectionWatchdog}).
     */
    public boolean hasHaltedOnStuckElection()
    {
        return electionStuck;
    }

    private void onElectionStuck()
    {
        electionStuck = true;
        halt();
    }

    /**
     * The node stops itself (divergence, a stuck election): off the calling thread, since closing joins it.
     */
    private void halt()
    {
        // Halt off the service thread: closing joins the very thread that detected it.
        final Thread halt = new Thread(() ->
        {
            close();
            onTerminate.run();
        }, "keel-halt-" + config.memberId());
        halt.setDaemon(true);
        halt.start();
    }

    private ScheduledExecutorService startSnapshotScheduler()
    {
        final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "keel-snapshot-" + config.memberId());
            thread.setDaemon(true);
            return thread;
        });
        final long interval = config.snapshotIntervalS();
        scheduler.scheduleAtFixedRate(
            () ->
            {
                if (isLeader() && !closed)
                {
                    requestSnapshot();
                }
            },
            interval,
            interval,
            TimeUnit.SECONDS);
        return scheduler;
    }

    private ErrorHandler errorHandler(final String component)
    {
        return (throwable) ->
        {
            final boolean warning = throwable instanceof io.aeron.exceptions.AeronException &&
                ((io.aeron.exceptions.AeronException)throwable).category() == io.aeron.exceptions.AeronException.Category.WARN;
            if (warning && !config.lifecycleLog())
            {
                return; // e.g. "log recording stopped" as an embedding process closes its nodes: still in the error log
            }
            System.err.println("{\"event\":\"" + (warning ? "warning" : "error") + "\",\"member\":" + config.memberId() +
                ",\"component\":\"" + component + "\",\"error\":\"" + String.valueOf(throwable).replace('"', '\'') + "\"}");
        };
    }

    private MediaDriver.Context driverContext()
    {
        final IdleProfile profile = config.idleProfile();
        return new MediaDriver.Context()
            .aeronDirectoryName(config.aeronDir().getAbsolutePath())
            .threadingMode(profile.threadingMode())
            .sharedIdleStrategy(profile.newIdleStrategy())
            .conductorIdleStrategy(profile.newIdleStrategy())
            .senderIdleStrategy(profile.newIdleStrategy())
            .receiverIdleStrategy(profile.newIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(PUBLICATION_TERM_LENGTH)
            .ipcTermBufferLength(1024 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler("driver"))
            .terminationHook(this::onClusterTermination);
    }

    private Archive.Context archiveContext()
    {
        final String host = config.host();
        return new Archive.Context()
            .aeronDirectoryName(config.aeronDir().getAbsolutePath())
            .archiveDir(config.archiveDir())
            .archiveId(((long)config.basePort() << 8) | config.memberId())
            .segmentFileLength(config.archiveSegmentLengthBytes())
            .controlChannel("aeron:udp?endpoint=" + config.endpoint(config.memberId(), ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(config.idleProfile()::newIdleStrategy)
            .fileSyncLevel(config.fileSyncLevel())
            .catalogFileSyncLevel(config.fileSyncLevel())
            // A CRC32 per recorded fragment: after a kill -9, a last fragment straddling a page boundary whose later
            // page happens to hold only zero bytes is checked by its checksum; without one Aeron's archive refuses to
            // start ("potentially incomplete last fragment straddling page boundary"), seen in a chaos run.
            .recordChecksum(Checksums.crc32())
            .deleteArchiveOnStart(config.cleanStart())
            .errorHandler(errorHandler("archive"));
    }

    private AeronArchive.Context localArchiveClient()
    {
        return new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .aeronDirectoryName(config.aeronDir().getAbsolutePath())
            .controlRequestChannel("aeron:ipc?term-length=64k")
            .controlResponseChannel("aeron:ipc?term-length=64k");
    }

    private ConsensusModule.Context consensusContext()
    {
        final long heartbeatTimeoutNs = config.heartbeatTimeoutNs();
        return new ConsensusModule.Context()
            .clusterId(config.clusterId())
            .clusterMemberId(config.memberId())
            .clusterMembers(config.clusterMembers())
            .clusterDir(config.clusterDir())
            .aeronDirectoryName(config.aeronDir().getAbsolutePath())
            .ingressChannel("aeron:udp?term-length=256k")
            .logChannel("aeron:udp?term-length=" + config.logTermLength())
            .replicationChannel("aeron:udp?endpoint=" + config.host() + ":0")
            .archiveContext(localArchiveClient())
            .authenticatorSupplier(() -> new KeelAuthenticator(config.clusterCredentials(), rejectedSessions))
            .authorisationServiceSupplier(() -> KeelAuthorisationService.INSTANCE)
            .maxConcurrentSessions(config.maxSessions())
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs()))
            .leaderHeartbeatTimeoutNs(heartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs()))
            .startupCanvassTimeoutNs(heartbeatTimeoutNs * 2)
            .electionTimeoutNs(Math.min(heartbeatTimeoutNs / 2, TimeUnit.SECONDS.toNanos(1)))
            .terminationTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .fileSyncLevel(config.fileSyncLevel())
            .idleStrategySupplier(config.idleProfile()::newIdleStrategy)
            .deleteDirOnStart(config.cleanStart())
            .errorHandler(errorHandler("consensus"))
            .terminationHook(this::onClusterTermination);
    }

    private ClusteredServiceContainer.Context serviceContext()
    {
        return new ClusteredServiceContainer.Context()
            .clusterId(config.clusterId())
            .aeronDirectoryName(config.aeronDir().getAbsolutePath())
            .archiveContext(localArchiveClient())
            .clusterDir(config.clusterDir())
            .clusteredService(clusteredService)
            .idleStrategySupplier(config.idleProfile()::newIdleStrategy)
            .errorHandler(errorHandler("service"))
            .terminationHook(this::onClusterTermination);
    }

    private void onClusterTermination()
    {
        onTerminate.run();
    }
}
