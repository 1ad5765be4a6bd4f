package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.codecs.ClientSessionDecoder;
import io.aeron.cluster.codecs.SnapshotMarkerDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.SnapshotServiceDecoder;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import io.keel.engine.SnapshotLoader;
import io.keel.node.EventEncoder;
import io.keel.node.LogApplier;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;

import java.io.File;

/**
 * A fresh engine fed offline exactly as the cluster service feeds it: the same
 * {@link LogApplier} (session roles, dispatch, expiry timer), the same cluster timestamps, and
 * sessions and state from the service's own snapshot. Outputs are encoded (as on a node) and
 * dropped.
 */
final class Replay
{
    private static final OutputSink DISCARD = new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
        }
    };

    private final Engine engine;
    private final LogApplier applier;
    /** Sessions the service container knows: a message from any other session is a service message. */
    private final LongHashSet openSessions = new LongHashSet();
    private long position;
    private long timestamp;
    private long leadershipTermId;
    private long entriesApplied;

    Replay(final EngineContext engineContext)
    {
        engine = new Engine(engineContext, new EventEncoder(DISCARD));
        applier = new LogApplier(engine, -1);
    }

    Engine engine()
    {
        return engine;
    }

    /**
     * Position of the last entry applied (or of the snapshot loaded).
     */
    long position()
    {
        return position;
    }

    long timestamp()
    {
        return timestamp;
    }

    long leadershipTermId()
    {
        return leadershipTermId;
    }

    long entriesApplied()
    {
        return entriesApplied;
    }

    /**
     * Apply one log entry as the service would.
     */
    void apply(final LogEntry entry)
    {
        switch (entry.type)
        {
            case SESSION_OPEN:
                openSessions.add(entry.clusterSessionId);
                applier.sessionOpened(entry.clusterSessionId, entry.encodedPrincipal, entry.timestamp);
                break;
            case SESSION_CLOSE:
                openSessions.remove(entry.clusterSessionId);
                applier.sessionClosed(entry.clusterSessionId, entry.timestamp);
                break;
            case SESSION_MESSAGE:
                if (openSessions.contains(entry.clusterSessionId))
                {
                    applier.onClientMessage(
                        entry.clusterSessionId, entry.timestamp, entry.buffer, entry.payloadOffset, entry.payloadLength);
                }
                break;
            case TIMER:
                applier.onTimer(entry.correlationId, entry.timestamp);
                break;
            default:
                break;
        }
        position = entry.position;
        timestamp = entry.timestamp;
        leadershipTermId = entry.leadershipTermId;
        entriesApplied++;
    }

    /**
     * Load the service's snapshot (the container's sessions, then Keel's service and engine
     * messages) into this fresh replay.
     */
    void loadSnapshot(final NodeDirectory node, final RecordingLog.Entry snapshot)
    {
        final RecordingReader reader = new RecordingReader(node.archiveDir(), node.recording(snapshot.recordingId));
        final SnapshotLoader loader = new SnapshotLoader(engine);
        final io.aeron.cluster.codecs.MessageHeaderDecoder clusterHeader = new io.aeron.cluster.codecs.MessageHeaderDecoder();
        final MessageHeaderDecoder keelHeader = new MessageHeaderDecoder();
        final ClientSessionDecoder clientSession = new ClientSessionDecoder();
        final SnapshotServiceDecoder service = new SnapshotServiceDecoder();
        final long start = reader.recording().startPosition();
        final long[] reached = {start};
        try
        {
            reader.read(start, (buffer, offset, length, endPosition) ->
            {
                reached[0] = endPosition;
                clusterHeader.wrap(buffer, offset);
                if (clusterHeader.schemaId() == io.aeron.cluster.codecs.MessageHeaderDecoder.SCHEMA_ID)
                {
                    if (clusterHeader.templateId() == ClientSessionDecoder.TEMPLATE_ID)
                    {
                        clientSession.wrapAndApplyHeader(buffer, offset, clusterHeader);
                        final long sessionId = clientSession.clusterSessionId();
                        clientSession.skipResponseChannel();
                        final byte[] principal = new byte[clientSession.encodedPrincipalLength()];
                        clientSession.getEncodedPrincipal(principal, 0, principal.length);
                        openSessions.add(sessionId);
                        applier.sessionRestored(sessionId, principal);
                    }
                    else if (clusterHeader.templateId() != SnapshotMarkerDecoder.TEMPLATE_ID)
                    {
                        throw new IllegalStateException("unexpected cluster template " + clusterHeader.templateId());
                    }
                    return true;
                }
                keelHeader.wrap(buffer, offset);
                if (keelHeader.schemaId() == MessageHeaderDecoder.SCHEMA_ID &&
                    keelHeader.templateId() == SnapshotServiceDecoder.TEMPLATE_ID)
                {
                    service.wrapAndApplyHeader(buffer, offset, keelHeader);
                    applier.commandsApplied(service.messagesApplied());
                    return true;
                }
                return !loader.onMessage(buffer, offset, length);
            });
        }
        catch (final IllegalStateException ex)
        {
            throw ReplayException.at(reader.currentFile(), reached[0], "bad snapshot " + snapshot.recordingId + " (" +
                ex.getMessage() + ")");
        }
        if (!loader.isComplete())
        {
            throw ReplayException.at(reader.currentFile() == null ? new File(node.archiveDir(), "?") : reader.currentFile(),
                reached[0], "snapshot recording " + snapshot.recordingId + " ends before its end marker");
        }
        position = snapshot.logPosition;
        timestamp = snapshot.timestamp;
        leadershipTermId = snapshot.leadershipTermId;
    }
}
