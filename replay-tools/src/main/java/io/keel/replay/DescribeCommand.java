package io.keel.replay;

import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.RecordingLog;
import io.keel.node.JournalSummary;
import io.keel.node.NodeContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code keel replay describe DIR}: the node's cluster state in words.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Describe a node directory: running or stopped (and, when running, its role and commit position), its " +
            "leadership terms, log, snapshots, recordings and recorded state hashes.",
        "Read-only; works on a stopped node."
    })
final class DescribeCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The node directory (keel node --dir).")
    File dir;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "The node's Aeron directory, when it is not DIR/aeron (keel node --aeron-dir).")
    File aeronDir;

    @Option(names = "--no-scan", description = "Do not read the whole log (faster on long logs).")
    boolean noScan;

    @Option(names = "--cluster-tool", description = "Also print Aeron ClusterTool's describe and recording-log output.")
    boolean clusterTool;

    public Integer call()
    {
        final NodeDirectory node = NodeDirectory.open(dir);
        final var out = System.out;
        out.println("node: " + node.dir());
        final File aeron = aeronDir != null ? aeronDir : new File(node.dir(), "aeron");
        final String live = NodeCounters.describe(aeron, System.currentTimeMillis()); // determinism-ok: ops tool
        out.println("process: " + (live != null ? live : "stopped (no live media driver in " + aeron + ")"));

        for (final RecordingLog.Entry term : node.terms())
        {
            out.println("term " + term.leadershipTermId + ": base-position=" + term.termBaseLogPosition + " end-position=" +
                (term.logPosition < 0 ? "open" : Long.toString(term.logPosition)) + " started=" +
                DumpEntry.formatTime(term.timestamp) + " log-recording=" + term.recordingId);
        }
        final RecordingDescriptor log = node.terms().isEmpty() ? null : node.logRecording();
        if (log != null)
        {
            out.println("log: recording " + log.recordingId() + " positions " + log.startPosition() + ".." +
                (log.isStopped() ? log.stopPosition() + " (stopped)" : "? (recording active, or the node crashed)"));
            out.println("log earliest held: position " + log.startPosition() + firstEntryTime(node) +
                (log.startPosition() > 0 ? " (history before it purged)" : " (nothing purged)") +
                "; " + node.earliestAvailable());
            if (!noScan)
            {
                scan(node);
            }
        }
        final List<RecordingLog.Entry> usable = node.snapshots();
        final List<RecordingLog.Entry> snapshots = node.allSnapshots();
        out.println("snapshots: " + usable.size() + (snapshots.size() > usable.size() ?
            " (and " + (snapshots.size() - usable.size()) + " purged, still named by Aeron's recording log)" : ""));
        for (final RecordingLog.Entry snapshot : snapshots)
        {
            out.println("  snapshot position=" + snapshot.logPosition + " term=" + snapshot.leadershipTermId + " time=" +
                DumpEntry.formatTime(snapshot.timestamp) + " recording=" + snapshot.recordingId +
                (usable.contains(snapshot) ? "" : " (purged)"));
        }
        final JournalSummary journal = JournalSummary.read(new NodeContext().nodeDir(node.dir()).journalDir());
        if (journal == null)
        {
            out.println("journal: none");
        }
        else
        {
            out.println("journal: " + journal.segments() + " segment(s), " + journal.bytes() + " bytes, earliest held: " +
                (journal.firstLogPosition() < 0 ? "nothing" : "log position " + journal.firstLogPosition() + " time=" +
                DumpEntry.formatTime(journal.firstTimestamp())));
        }
        out.println("recordings: " + node.recordings().size());
        for (final RecordingDescriptor recording : node.recordings())
        {
            out.println("  recording " + recording.recordingId() + " stream=" + recording.streamId() + " positions " +
                recording.startPosition() + ".." + (recording.isStopped() ? Long.toString(recording.stopPosition()) : "?") +
                " role=" + roleOf(node, recording));
        }
        final List<NodeDirectory.StateHashLine> hashes = node.stateHashes();
        if (hashes.isEmpty())
        {
            out.println("state hashes: none recorded");
        }
        else
        {
            final NodeDirectory.StateHashLine last = hashes.get(hashes.size() - 1);
            out.println("state hashes: " + hashes.size() + " recorded, latest position=" + last.position() + " hash=" +
                Long.toHexString(last.hash()));
        }
        if (clusterTool)
        {
            out.println("--- ClusterTool describe");
            ClusterTool.describe(out, node.clusterDir());
            out.println("--- ClusterTool recording-log");
            ClusterTool.recordingLog(out, node.clusterDir());
        }
        return 0;
    }

    private static String roleOf(final NodeDirectory node, final RecordingDescriptor recording)
    {
        for (final RecordingLog.Entry entry : node.recordingLogEntries())
        {
            if (entry.recordingId == recording.recordingId())
            {
                if (entry.type == RecordingLog.ENTRY_TYPE_TERM)
                {
                    return "log";
                }
                if (entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT)
                {
                    return entry.serviceId < 0 ? "consensus-module-snapshot@" + entry.logPosition :
                        "service-snapshot@" + entry.logPosition;
                }
            }
        }
        return "other";
    }

    /**
     * The cluster time of the first entry still held, or nothing when the log is empty.
     */
    private static String firstEntryTime(final NodeDirectory node)
    {
        final long[] time = {Long.MIN_VALUE};
        final RecordingReader reader = node.logReader();
        ClusterLogDecoder.read(reader, reader.recording().startPosition(), (entry) ->
        {
            time[0] = entry.timestamp;
            return false;
        });
        return time[0] == Long.MIN_VALUE ? "" : " time=" + DumpEntry.formatTime(time[0]);
    }

    private static void scan(final NodeDirectory node)
    {
        final long[] stats = new long[5];
        final RecordingReader reader = node.logReader();
        final long end = ClusterLogDecoder.read(reader, reader.recording().startPosition(), (entry) ->
        {
            stats[0]++;
            if (entry.type == LogEntry.Type.SESSION_MESSAGE)
            {
                stats[1]++;
            }
            if (entry.type == LogEntry.Type.NEW_LEADERSHIP_TERM)
            {
                stats[2] = entry.leaderMemberId;
                stats[3] = entry.leadershipTermId;
            }
            stats[4] = entry.timestamp;
            return true;
        });
        System.out.println("log entries: " + stats[0] + " (" + stats[1] + " session messages), end position=" + end +
            ", last cluster time=" + DumpEntry.formatTime(stats[4]) + ", leader in term " + stats[3] + ": member " + stats[2]);
    }
}
