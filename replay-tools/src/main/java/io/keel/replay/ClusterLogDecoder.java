package io.keel.replay;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.codecs.ClusterActionRequestDecoder;
import io.aeron.cluster.codecs.MessageHeaderDecoder;
import io.aeron.cluster.codecs.NewLeadershipTermEventDecoder;
import io.aeron.cluster.codecs.SessionCloseEventDecoder;
import io.aeron.cluster.codecs.SessionMessageHeaderDecoder;
import io.aeron.cluster.codecs.SessionOpenEventDecoder;
import io.aeron.cluster.codecs.TimerEventDecoder;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.function.Supplier;

/**
 * Turns the messages of a cluster log recording into {@link LogEntry}s: Aeron Cluster's own
 * schema (111) around Keel's messages. Refuses entries from a newer cluster or Keel schema
 * version (the replay would silently differ) with the file and position.
 */
final class ClusterLogDecoder
{
    /**
     * @return false to stop.
     */
    @FunctionalInterface
    interface EntryHandler
    {
        boolean onEntry(LogEntry entry);
    }

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SessionMessageHeaderDecoder sessionMessage = new SessionMessageHeaderDecoder();
    private final TimerEventDecoder timer = new TimerEventDecoder();
    private final SessionOpenEventDecoder open = new SessionOpenEventDecoder();
    private final SessionCloseEventDecoder close = new SessionCloseEventDecoder();
    private final ClusterActionRequestDecoder actionRequest = new ClusterActionRequestDecoder();
    private final NewLeadershipTermEventDecoder newTerm = new NewLeadershipTermEventDecoder();
    private final io.keel.codecs.MessageHeaderDecoder keelHeader = new io.keel.codecs.MessageHeaderDecoder();
    private final LogEntry entry = new LogEntry();
    private final Supplier<File> currentFile;
    private final EntryHandler handler;

    ClusterLogDecoder(final Supplier<File> currentFile, final EntryHandler handler)
    {
        this.currentFile = currentFile;
        this.handler = handler;
    }

    /**
     * Read a whole log recording (or from a message boundary) through this decoder.
     *
     * @return the position reached.
     */
    static long read(final RecordingReader reader, final long fromPosition, final EntryHandler handler)
    {
        final ClusterLogDecoder decoder = new ClusterLogDecoder(reader::currentFile, handler);
        return reader.read(fromPosition, decoder::onMessage);
    }

    boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final long endPosition)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw corrupt(endPosition, "entry of " + length + " bytes");
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            throw corrupt(endPosition, "entry of schema " + header.schemaId() + ", expected Aeron Cluster's " +
                MessageHeaderDecoder.SCHEMA_ID);
        }
        final int templateId = header.templateId();
        final int version = header.version();
        final int blockLength = header.blockLength();
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            throw corrupt(endPosition, "entry shorter than its block");
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (templateId)
        {
            case SessionMessageHeaderDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.SESSION_MESSAGE, version, endPosition);
                sessionMessage.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = sessionMessage.leadershipTermId();
                entry.clusterSessionId = sessionMessage.clusterSessionId();
                entry.timestamp = sessionMessage.timestamp();
                entry.buffer = buffer;
                entry.payloadOffset = offset + AeronCluster.SESSION_HEADER_LENGTH;
                entry.payloadLength = length - AeronCluster.SESSION_HEADER_LENGTH;
                checkKeelVersion(entry, endPosition);
                break;

            case TimerEventDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.TIMER, version, endPosition);
                timer.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = timer.leadershipTermId();
                entry.correlationId = timer.correlationId();
                entry.timestamp = timer.timestamp();
                break;

            case SessionOpenEventDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.SESSION_OPEN, version, endPosition);
                open.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = open.leadershipTermId();
                entry.correlationId = open.correlationId();
                entry.clusterSessionId = open.clusterSessionId();
                entry.timestamp = open.timestamp();
                entry.responseStreamId = open.responseStreamId();
                entry.responseChannel = open.responseChannel();
                entry.encodedPrincipal = new byte[open.encodedPrincipalLength()];
                open.getEncodedPrincipal(entry.encodedPrincipal, 0, entry.encodedPrincipal.length);
                break;

            case SessionCloseEventDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.SESSION_CLOSE, version, endPosition);
                close.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = close.leadershipTermId();
                entry.clusterSessionId = close.clusterSessionId();
                entry.timestamp = close.timestamp();
                entry.closeReason = String.valueOf(close.closeReason());
                break;

            case ClusterActionRequestDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.CLUSTER_ACTION, version, endPosition);
                actionRequest.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = actionRequest.leadershipTermId();
                entry.logPosition = actionRequest.logPosition();
                entry.timestamp = actionRequest.timestamp();
                entry.action = String.valueOf(actionRequest.action());
                entry.flags = actionRequest.flags();
                break;

            case NewLeadershipTermEventDecoder.TEMPLATE_ID:
                begin(LogEntry.Type.NEW_LEADERSHIP_TERM, version, endPosition);
                newTerm.wrap(buffer, body, blockLength, version);
                entry.leadershipTermId = newTerm.leadershipTermId();
                entry.logPosition = newTerm.logPosition();
                entry.timestamp = newTerm.timestamp();
                entry.termBaseLogPosition = newTerm.termBaseLogPosition();
                entry.leaderMemberId = newTerm.leaderMemberId();
                entry.logSessionId = newTerm.logSessionId();
                entry.timeUnit = String.valueOf(newTerm.timeUnit());
                entry.appVersion = newTerm.appVersion();
                break;

            default:
                entry.reset(LogEntry.Type.OTHER, endPosition);
                entry.templateId = templateId;
                break;
        }
        return handler.onEntry(entry);
    }

    /**
     * An entry of Aeron Cluster's schema (every message of it shares one schema version) starts here.
     */
    private void begin(final LogEntry.Type type, final int version, final long position)
    {
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            throw ReplayException.at(currentFile.get(), position, "log entry from a newer Aeron Cluster schema " +
                "version " + version + " (this tool reads up to " + MessageHeaderDecoder.SCHEMA_VERSION + ")");
        }
        entry.reset(type, position);
    }

    private void checkKeelVersion(final LogEntry entry, final long position)
    {
        if (entry.payloadLength >= io.keel.codecs.MessageHeaderDecoder.ENCODED_LENGTH)
        {
            keelHeader.wrap(entry.buffer, entry.payloadOffset);
            if (keelHeader.schemaId() == io.keel.codecs.MessageHeaderDecoder.SCHEMA_ID &&
                keelHeader.version() > io.keel.codecs.MessageHeaderDecoder.SCHEMA_VERSION)
            {
                throw ReplayException.at(currentFile.get(), position, "Keel message from a newer schema version " +
                    keelHeader.version() + " (this tool reads up to " + io.keel.codecs.MessageHeaderDecoder.SCHEMA_VERSION +
                    ")");
            }
        }
    }

    private ReplayException corrupt(final long position, final String what)
    {
        return ReplayException.at(currentFile.get(), position, "corrupt log entry (" + what + ")");
    }
}
