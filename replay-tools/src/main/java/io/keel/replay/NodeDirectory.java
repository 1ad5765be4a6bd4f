package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import io.keel.node.NodeContext;
import io.keel.node.RecordingLogCopy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A Keel node's directory as {@code keel node --dir} lays it out ({@link NodeContext}): the
 * cluster dir with Aeron's {@code recording.log}, the archive with the log and snapshot
 * recordings, and {@code state-hashes.txt}. Read-only: the recording log is read from a copy,
 * the catalog and segments are only ever opened for reading.
 */
final class NodeDirectory
{
    /** Aeron Cluster's service id of the (only) Keel service. */
    static final int SERVICE_ID = 0;

    /**
     * One line of {@code state-hashes.txt}: the service's state hash at a log position.
     */
    record StateHashLine(long position, long hash)
    {
    }

    private final File dir;
    /** Where a node keeps what: the same layout the node was started with. */
    private final NodeContext layout;
    private final List<RecordingLog.Entry> entries;
    private final List<RecordingDescriptor> recordings;

    private NodeDirectory(final File dir)
    {
        this.dir = dir;
        layout = new NodeContext().nodeDir(dir);
        entries = readRecordingLog(layout.clusterDir());
        recordings = ArchiveCatalog.read(layout.archiveDir());
    }

    /**
     * @throws ReplayException when {@code dir} is not a readable node directory.
     */
    static NodeDirectory open(final File dir)
    {
        if (!dir.exists())
        {
            throw new ReplayException(dir + ": no such directory");
        }
        if (!dir.isDirectory())
        {
            throw new ReplayException(dir + ": not a directory");
        }
        final File recordingLog = new File(new NodeContext().nodeDir(dir).clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME);
        if (!recordingLog.isFile())
        {
            throw new ReplayException(dir + ": not a Keel node directory (no cluster/" +
                RecordingLog.RECORDING_LOG_FILE_NAME + ")");
        }
        return new NodeDirectory(dir);
    }

    File dir()
    {
        return dir;
    }

    File clusterDir()
    {
        return layout.clusterDir();
    }

    File archiveDir()
    {
        return layout.archiveDir();
    }

    File stateHashFile()
    {
        return layout.stateHashFile();
    }

    List<RecordingLog.Entry> recordingLogEntries()
    {
        return entries;
    }

    List<RecordingDescriptor> recordings()
    {
        return recordings;
    }

    RecordingDescriptor recording(final long recordingId)
    {
        for (final RecordingDescriptor recording : recordings)
        {
            if (recording.recordingId() == recordingId)
            {
                return recording;
            }
        }
        throw new ReplayException(new File(archiveDir(), ArchiveCatalog.FILE_NAME) + ": no recording " + recordingId +
            " (the recording log names it)");
    }

    /**
     * The valid leadership-term entries, oldest first.
     */
    List<RecordingLog.Entry> terms()
    {
        final List<RecordingLog.Entry> terms = new ArrayList<>();
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_TERM)
            {
                terms.add(entry);
            }
        }
        terms.sort(Comparator.comparingLong((RecordingLog.Entry e) -> e.leadershipTermId));
        return terms;
    }

    /**
     * The recording that holds the cluster log.
     *
     * @throws ReplayException when the node never started a term, or its log spans recordings.
     */
    RecordingDescriptor logRecording()
    {
        final List<RecordingLog.Entry> terms = terms();
        if (terms.isEmpty())
        {
            throw new ReplayException(new File(clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME) +
                ": no leadership term recorded (the node never joined a cluster)");
        }
        final long recordingId = terms.get(terms.size() - 1).recordingId;
        for (final RecordingLog.Entry term : terms)
        {
            if (term.recordingId != recordingId)
            {
                throw new ReplayException(new File(clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME) +
                    ": the log spans recordings " + term.recordingId + " and " + recordingId + " (not supported)");
            }
        }
        return recording(recordingId);
    }

    RecordingReader logReader()
    {
        return new RecordingReader(archiveDir(), logRecording());
    }

    /**
     * The Keel service's valid snapshots that can still be used, oldest first: their recording is in the archive and
     * the log after them is held (a purge, {@code keel admin purge}, removes both before its snapshot).
     */
    List<RecordingLog.Entry> snapshots()
    {
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        final long logStart = logStartPosition();
        for (final RecordingLog.Entry entry : allSnapshots())
        {
            if (hasRecording(entry.recordingId) && entry.logPosition >= logStart)
            {
                snapshots.add(entry);
            }
        }
        return snapshots;
    }

    /**
     * Every valid service snapshot the recording log names, usable or purged, oldest first.
     */
    List<RecordingLog.Entry> allSnapshots()
    {
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.serviceId == SERVICE_ID)
            {
                snapshots.add(entry);
            }
        }
        snapshots.sort(Comparator.comparingLong((RecordingLog.Entry e) -> e.logPosition));
        return snapshots;
    }

    boolean hasRecording(final long recordingId)
    {
        for (final RecordingDescriptor recording : recordings)
        {
            if (recording.recordingId() == recordingId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The earliest log position the archive still holds (0 unless purged), or 0 when the node has no log.
     */
    long logStartPosition()
    {
        return terms().isEmpty() ? 0 : logRecording().startPosition();
    }

    /**
     * One line naming the earliest point this node can still serve, for answers to requests before it.
     */
    String earliestAvailable()
    {
        final long logStart = logStartPosition();
        final List<RecordingLog.Entry> usable = snapshots();
        final StringBuilder sb = new StringBuilder("the log is held from position ").append(logStart);
        if (!usable.isEmpty())
        {
            final RecordingLog.Entry first = usable.get(0);
            sb.append("; the earliest point to rebuild from is the snapshot at position ").append(first.logPosition)
                .append(" (").append(DumpEntry.formatTime(first.timestamp)).append(')');
        }
        else if (logStart > 0)
        {
            sb.append(" and no snapshot at or after it is held: nothing to rebuild from");
        }
        return sb.toString();
    }

    /**
     * What the service recorded in {@code state-hashes.txt}, in file order (a position recorded
     * twice, e.g. replayed after a restart, appears twice).
     */
    List<StateHashLine> stateHashes()
    {
        final File file = stateHashFile();
        final List<StateHashLine> lines = new ArrayList<>();
        if (!file.isFile())
        {
            return lines;
        }
        final List<String> text;
        try
        {
            text = Files.readAllLines(file.toPath());
        }
        catch (final IOException ex)
        {
            throw new ReplayException(file + ": cannot read: " + ex.getMessage());
        }
        int lineNumber = 0;
        for (final String line : text)
        {
            lineNumber++;
            final String[] parts = line.trim().split(" ");
            if (parts.length != 2)
            {
                continue;
            }
            try
            {
                lines.add(new StateHashLine(Long.parseLong(parts[0]), Long.parseUnsignedLong(parts[1], 16)));
            }
            catch (final NumberFormatException ex)
            {
                throw new ReplayException(file + ": line " + lineNumber + " is not '<position> <hex hash>': " + line);
            }
        }
        return lines;
    }

    private static List<RecordingLog.Entry> readRecordingLog(final File clusterDir)
    {
        try
        {
            return RecordingLogCopy.entries(clusterDir);
        }
        catch (final RuntimeException ex)
        {
            throw new ReplayException(new File(clusterDir, RecordingLog.RECORDING_LOG_FILE_NAME) + ": cannot read: " +
                ex.getMessage());
        }
    }
}
