package io.keel.node;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.keel.codecs.BooleanType;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SnapshotServiceDecoder;
import io.keel.codecs.SnapshotServiceEncoder;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import io.keel.engine.EngineListener;
import io.keel.engine.SnapshotLoader;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * The cluster adapter: log entries in, engine calls, encoded outputs back to the owning
 * sessions. Runs the same way on every node; only the leader's offers leave the node.
 * Knows nothing of TCP: gateways are cluster sessions like any other.
 */
public final class KeelClusteredService implements ClusteredService
{
    static final int SERVICE_SNAPSHOT_FORMAT = 1;
    private static final long NO_TIMER = Long.MAX_VALUE;

    private final NodeContext config;
    private final Engine engine;
    private final LogApplier applier;
    private final ClusterOutput output;
    private final OutputJournal journal;
    private final JournalReplay journalReplay;
    private final DropCopyFeeds dropCopy;
    private final EventEncoder eventEncoder;
    private final GatewaySessions gatewaySessions;
    private final EngineMetrics metrics;
    private final AdminRequests adminRequests;
    private final StateCheckExchange stateCheck;
    private IdleStrategy retryIdle;

    private Cluster cluster;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long termStartHash;
    private volatile long termStartPosition = -1;
    private long expiryTimerDeadline = NO_TIMER;
    private boolean stateCheckTimerScheduled;

    public KeelClusteredService(final NodeContext config, final EngineContext engineContext, final Runnable onDivergence)
    {
        this(config, engineContext, onDivergence, null);
    }

    /**
     * @param applyLatency where to time each command, or null when metrics are off (then the
     *                     engine's outputs are not counted either).
     */
    KeelClusteredService(
        final NodeContext config,
        final EngineContext engineContext,
        final Runnable onDivergence,
        final io.keel.common.LatencyRecorder applyLatency)
    {
        this.config = config;
        retryIdle = config.idleProfile().newIdleStrategy();
        journal = JournalReplay.openJournal(config);
        output = new ClusterOutput(retryIdle, this::sessionLink, journal, config.egressQueueBytes());
        journalReplay = new JournalReplay(journal, output);
        dropCopy = new DropCopyFeeds(journal, this::offerTo);
        output.dropCopy(dropCopy);
        eventEncoder = new EventEncoder(config.marketDataTap() == null ? output : new MarketDataTee(output, config.marketDataTap()));
        metrics = config.metricsPort() != 0 ? new EngineMetrics(eventEncoder, applyLatency) : null;
        final EngineListener listener = metrics != null ? metrics : eventEncoder;
        engine = new Engine(
            engineContext, config.testEngineListener() != null ? config.testEngineListener().apply(listener) : listener);
        applier = new LogApplier(engine, config.testSkipCommand());
        gatewaySessions = new GatewaySessions(config, applier, output);
        adminRequests = new AdminRequests(config, engine, output);
        stateCheck = new StateCheckExchange(config, output, onDivergence);
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        // Aeron's own idle strategy stops a retry loop when the container is closing.
        retryIdle = cluster.idleStrategy();
        output.retryIdle(retryIdle);
        if (snapshotImage != null)
        {
            loadSnapshot(snapshotImage);
        }
        gatewaySessions.restore(cluster);
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        output.drainPending();
        output.entry(cluster.logPosition(), timestamp);
        gatewaySessions.opened(cluster, session, timestamp);
        scheduleTimers(timestamp);
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        output.drainPending();
        // Its route goes first: nothing more is sent to a closed session. A gateway's close disconnects its clients'
        // sessions (cancel-on-disconnect included) at this log position on every node.
        output.sessionClosed(session);
        dropCopy.sessionClosed(session.id());
        output.entry(cluster.logPosition(), timestamp);
        applier.sessionClosed(session.id(), timestamp);
        scheduleTimers(timestamp);
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (gatewaySessions.hasRefused())
        {
            gatewaySessions.closeRefused(cluster);
        }
        output.drainPending();
        output.entry(cluster.logPosition(), timestamp);
        if (session == null)
        {
            stateCheck.onServiceMessage(buffer, offset);
        }
        else
        {
            onClientMessage(session, timestamp, buffer, offset, length);
        }
        scheduleTimers(timestamp);
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (gatewaySessions.hasRefused())
        {
            gatewaySessions.closeRefused(cluster);
        }
        output.drainPending();
        output.entry(cluster.logPosition(), timestamp);
        if (correlationId == LogApplier.EXPIRY_TIMER_ID)
        {
            expiryTimerDeadline = NO_TIMER;
        }
        applier.onTimer(correlationId, timestamp);
        if (correlationId == LogApplier.STATE_CHECK_TIMER_ID)
        {
            stateCheckTimerScheduled = false;
            stateCheck.offer(cluster, retryIdle);
        }
        scheduleTimers(timestamp);
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
        final SnapshotServiceEncoder encoder = new SnapshotServiceEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .formatVersion(SERVICE_SNAPSHOT_FORMAT)
            .chainValue(output.chain())
            .expiryTimerDeadline(expiryTimerDeadline)
            .stateCheckTimerScheduled(stateCheckTimerScheduled ? BooleanType.TRUE : BooleanType.FALSE)
            .messagesApplied(applier.commandsApplied());
        ServiceSnapshot.offer(
            snapshotPublication, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), retryIdle);
        engine.writeSnapshot((b, o, l) -> ServiceSnapshot.offer(snapshotPublication, b, o, l, retryIdle));
        final long hash = adminRequests.recordStateHash(cluster.logPosition());
        journalReplay.purge(cluster.logPosition(), cluster.time(), config);
        NodeLog.event(config, "snapshot", "logPosition", cluster.logPosition(), "stateHash", Long.toHexString(hash));
    }

    /**
     * Idle work on the service thread: the journal's share of a purge this node's {@link LogPurger} finished (the
     * journal is written on this thread only). Derived output, never state.
     */
    public int doBackgroundWork(final long nowNs)
    {
        final LogPurger logPurger = adminRequests.logPurger();
        final long journalPurge = logPurger == null ? 0 : logPurger.takeJournalPurgePosition();
        if (journalPurge > 0 && journal != null)
        {
            try
            {
                journal.purgeBefore(journalPurge);
            }
            catch (final RuntimeException ex)
            {
                NodeLog.event(config, "journal-purge-failed", "error", String.valueOf(ex));
            }
            return 1;
        }
        return 0;
    }

    /**
     * The node's archive side of log retention ({@code PurgeRequest}); set before the container starts. Null: the
     * request is answered, nothing is purged.
     */
    void logPurger(final LogPurger logPurger)
    {
        adminRequests.logPurger(logPurger);
    }

    /**
     * The engine as a new leadership term finds it, logged (and kept for tests): a cluster restored from a backup
     * ({@code keel restore}) starts its first term at the restore point, so this hash must equal
     * {@code keel replay rebuild BACKUP --at <termBaseLogPosition>}. The event changes no state, and hashing is cold
     * work once per term (as a snapshot's).
     */
    @Override
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final java.util.concurrent.TimeUnit timeUnit,
        final int appVersion)
    {
        final long hash = engine.stateHash();
        termStartHash = hash;
        termStartPosition = termBaseLogPosition;
        NodeLog.event(config, "term-start", "leadershipTermId", leadershipTermId, "termBaseLogPosition",
            termBaseLogPosition, "leaderMemberId", leaderMemberId, "stateHash", Long.toHexString(hash));
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        NodeLog.event(config, "role-change", "from", role.name(), "to", newRole.name());
        role = newRole;
    }

    public void onTerminate(final Cluster cluster)
    {
        closeJournal();
    }

    /**
     * Close the output journal (also done when the container terminates); idempotent.
     */
    public void closeJournal()
    {
        if (journal != null)
        {
            journal.close();
        }
    }

    /**
     * This node's role, readable from any thread.
     */
    public Cluster.Role role()
    {
        return role;
    }

    /**
     * The state hash recorded at the last snapshot or hash request, readable from any thread.
     */
    public long lastHash()
    {
        return adminRequests.lastHash();
    }

    public long lastHashPosition()
    {
        return adminRequests.lastHashPosition();
    }

    /**
     * The state hash at the start of the latest leadership term seen in the log, readable from any thread.
     */
    public long termStartHash()
    {
        return termStartHash;
    }

    /**
     * Where that term starts ({@code termBaseLogPosition}), -1 before the first.
     */
    public long termStartPosition()
    {
        return termStartPosition;
    }

    /**
     * The engine's counters, or null when metrics are off.
     */
    EngineMetrics engineMetrics()
    {
        return metrics;
    }

    public boolean hasDiverged()
    {
        return stateCheck.hasDiverged();
    }

    /**
     * Outputs the engine's encoder replaced because they held more than its buffers (the same on every node),
     * readable from any thread: 0 while the engine pages its answers.
     */
    public long outputsReplaced()
    {
        return eventEncoder.replacedOutputs();
    }

    /**
     * Outputs this node did not offer because a session's egress could not take them, readable from any thread.
     */
    public long outputsOversized()
    {
        return output.oversized();
    }

    /**
     * The leader's egress queues, readable from any thread: bytes queued for every gateway now, messages dropped at a
     * gateway's bound, and reports sent again from the journal so a gateway sees the gap an overflow left.
     */
    public long egressQueuedBytes()
    {
        return output.queuedBytes();
    }

    public long egressOverflowed()
    {
        return output.overflowed();
    }

    public long egressGapsSignalled()
    {
        return output.gapsSignalled();
    }

    private void onClientMessage(
        final ClientSession session, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        output.requester(session);
        final long startNs = metrics != null && metrics.timesApply() ? System.nanoTime() : 0; // determinism-ok: metrics only
        switch (applier.onClientMessage(session.id(), timestamp, buffer, offset, length))
        {
            case SNAPSHOT_REQUEST:
                adminRequests.onSnapshotRequest(cluster, role, applier.correlationId(), timestamp);
                break;
            case STATE_HASH_REQUEST:
                adminRequests.onStateHashRequest(cluster, applier.correlationId(), timestamp);
                break;
            case PURGE_REQUEST:
                adminRequests.onPurgeRequest(cluster, applier.decoder(), applier.correlationId(), timestamp);
                break;
            case SESSION_OPENED:
            case REPLAY_REQUEST:
                replayFromJournal(session.id());
                break;
            case DROP_COPY_REQUEST:
                dropCopy.request(session.id(), applier.decoder().dropCopyRequest(), cluster.logPosition(), timestamp);
                break;
            case NOT_SERVED_HERE:
                adminRequests.businessReject(session, applier.sessionIdOf(buffer, offset), applier.templateId(),
                    RejectReason.UNKNOWN_SESSION, timestamp);
                break;
            case INVALID:
                adminRequests.businessReject(session, 0, applier.templateId(), RejectReason.INVALID_MESSAGE, timestamp);
                break;
            case UNSUPPORTED:
                adminRequests.businessReject(session, 0, applier.templateId(), RejectReason.UNSUPPORTED_MESSAGE, timestamp);
                break;
            default:
                break;
        }
        if (metrics != null)
        {
            metrics.onApplied(engine.openOrderCount(), engine.accountCount(), engine.pendingTransferCount(),
                startNs != 0 ? System.nanoTime() - startNs : 0); // determinism-ok: metrics only
        }
    }

    private void scheduleTimers(final long now)
    {
        if (!stateCheckTimerScheduled)
        {
            schedule(LogApplier.STATE_CHECK_TIMER_ID, now + config.stateCheckIntervalMs());
            stateCheckTimerScheduled = true;
        }
        final long nextExpiry = engine.nextExpiryTime();
        if (nextExpiry != NO_TIMER && nextExpiry != expiryTimerDeadline)
        {
            schedule(LogApplier.EXPIRY_TIMER_ID, nextExpiry);
            expiryTimerDeadline = nextExpiry;
        }
    }

    private void schedule(final long correlationId, final long deadline)
    {
        // A skipped schedule would differ between nodes: retry until accepted.
        while (!cluster.scheduleTimer(correlationId, deadline))
        {
            retryIdle.idle();
        }
        retryIdle.reset();
    }

    /**
     * The leader sends what a session opened here missed, or what a gateway asked for again, from its journal.
     */
    private void replayFromJournal(final long gatewayLink)
    {
        if (role == Cluster.Role.LEADER)
        {
            final CommandDecoder decoder = applier.decoder();
            final long sessionId = decoder.replaySessionId();
            journalReplay.replay(gatewayLink, sessionId, decoder.replayFromSeqNo(), decoder.replayToSeqNo(),
                engine.sessionNextSeqNo(sessionId));
        }
    }

    /**
     * Drop copy's egress: one offer to a cluster session (mocked on followers), CLOSED when it is gone.
     */
    private long offerTo(final long clusterSessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ClientSession session = cluster.getClientSession(clusterSessionId);
        return session == null ? io.aeron.Publication.CLOSED : session.offer(buffer, offset, length);
    }

    /**
     * Drop-copy reports offered, and those a consumer's egress did not take, readable from any thread.
     */
    public long dropCopyReportsSent()
    {
        return dropCopy.reportsSent();
    }

    public long dropCopyReportsNotTaken()
    {
        return dropCopy.reportsNotTaken();
    }

    public int dropCopyLiveFeeds()
    {
        return dropCopy.liveFeeds();
    }

    private long sessionLink(final long sessionId)
    {
        return engine.sessionLink(sessionId);
    }

    private void loadSnapshot(final Image image)
    {
        final SnapshotLoader loader = new SnapshotLoader(engine);
        final SnapshotServiceDecoder serviceDecoder = new SnapshotServiceDecoder();
        final MessageHeaderDecoder snapshotHeader = new MessageHeaderDecoder();
        final boolean[] done = {false};
        final FragmentHandler handler = (buffer, offset, length, h) ->
        {
            snapshotHeader.wrap(buffer, offset);
            if (snapshotHeader.templateId() == SnapshotServiceDecoder.TEMPLATE_ID)
            {
                serviceDecoder.wrapAndApplyHeader(buffer, offset, snapshotHeader);
                output.chain(serviceDecoder.chainValue());
                expiryTimerDeadline = serviceDecoder.expiryTimerDeadline();
                stateCheckTimerScheduled = serviceDecoder.stateCheckTimerScheduled() == BooleanType.TRUE;
                applier.commandsApplied(serviceDecoder.messagesApplied());
            }
            else
            {
                done[0] = loader.onMessage(buffer, offset, length);
            }
        };
        ServiceSnapshot.read(image, handler, () -> done[0], retryIdle);
        engine.verifyInvariants();
    }

    /**
     * The engine, for tests and tools to inspect once the node is closed (never while it runs: the
     * service thread owns it).
     */
    public Engine engine()
    {
        return engine;
    }
}
