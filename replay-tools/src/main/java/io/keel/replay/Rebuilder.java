package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;


/**
 * Point-in-time rebuild: the right snapshot (the latest at or before the target, or none), then
 * the log after it up to the target, into a fresh engine. Offline and read-only.
 */
final class Rebuilder
{
    /**
     * Sees the replay after every entry it applied.
     */
    @FunctionalInterface
    interface Observer
    {
        void afterEntry(LogEntry entry, Replay replay);
    }

    private final NodeDirectory node;
    private final EngineContext engineContext;

    Rebuilder(final NodeDirectory node, final EngineContext engineContext)
    {
        this.node = node;
        this.engineContext = engineContext;
    }

    /**
     * The latest snapshot at or before the target, or null.
     */
    RecordingLog.Entry snapshotFor(final Target target)
    {
        RecordingLog.Entry chosen = null;
        for (final RecordingLog.Entry snapshot : node.snapshots())
        {
            if (!target.isBefore(snapshot.logPosition, snapshot.timestamp))
            {
                chosen = snapshot;
            }
        }
        return chosen;
    }

    /**
     * @param snapshot where to start (see {@link #snapshotFor}), or null to replay from the log's start.
     * @param observer sees every entry applied, or null.
     */
    Replay rebuild(final Target target, final RecordingLog.Entry snapshot, final Observer observer)
    {
        final RecordingReader reader = node.logReader();
        final RecordingDescriptor log = reader.recording();
        final Replay replay = new Replay(engineContext);
        final long start;
        if (snapshot != null)
        {
            replay.loadSnapshot(node, snapshot);
            start = snapshot.logPosition;
        }
        else
        {
            if (log.startPosition() != 0)
            {
                // Purged history (keel admin purge): one line naming what is still there.
                throw new ReplayException(node.dir() + ": " + target + " is before the history this node still " +
                    "holds: " + node.earliestAvailable());
            }
            start = log.startPosition();
        }
        final long logEnd = ClusterLogDecoder.read(reader, start, (entry) ->
        {
            if (target.isBefore(entry.position, entry.timestamp))
            {
                return false;
            }
            replay.apply(entry);
            if (observer != null)
            {
                observer.afterEntry(entry, replay);
            }
            return true;
        });
        if (target.kind() == Target.Kind.POSITION && target.value() > replay.position() && target.value() > logEnd)
        {
            throw new ReplayException(reader.segmentFile(logEnd) + ": position " + target.value() +
                " is past the end of the log (" + logEnd + ")");
        }
        return replay;
    }
}
