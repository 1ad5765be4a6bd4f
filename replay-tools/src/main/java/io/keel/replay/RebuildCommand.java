package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code keel replay rebuild DIR --at <position|time>}: the engine as it was at that moment,
 * rebuilt offline from the node's latest snapshot before it plus the log.
 */
@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Rebuild the engine as it was at a log position or cluster time, offline: load the latest snapshot at or " +
            "before it (or start empty), replay the log up to it, print the books (top levels), the accounts and " +
            "the state hash.",
        "The last line: rebuild: position=... time=... entries=... snapshot=... hash=..."
    })
final class RebuildCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The node directory (keel node --dir).")
    File dir;

    @Option(names = "--at", paramLabel = "WHEN", required = true,
        description = "A log position (entries ending at or before it are applied), <ms>ms or an ISO-8601 instant " +
            "(cluster time: entries at or before it), or 'end'.")
    String at;

    @Option(names = "--depth", paramLabel = "N", description = "Book levels per side to print (default ${DEFAULT-VALUE}).")
    int depth = 5;

    @Option(names = "--account", paramLabel = "ID", split = ",", description = "Only these accounts (default: all).")
    Set<Long> accounts = new TreeSet<>();

    @Option(names = "--no-snapshot", description = "Replay the whole log from its start instead of loading a snapshot.")
    boolean noSnapshot;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (one object) (default ${DEFAULT-VALUE}).")
    OutputFormat format = OutputFormat.text;

    /** Not options: the engine starts as the node's does, and the log carries its limits. */
    private final EngineOptions engineOptions = new EngineOptions();

    public Integer call()
    {
        if (depth < 0)
        {
            throw new IllegalArgumentException("--depth must be >= 0: " + depth);
        }
        final Target target = Target.parse(at);
        final NodeDirectory node = NodeDirectory.open(dir);
        final Rebuilder rebuilder = new Rebuilder(node, engineOptions.context());
        final RecordingLog.Entry snapshot = noSnapshot ? null : rebuilder.snapshotFor(target);
        final Replay replay = rebuilder.rebuild(target, snapshot, null);
        final StateReport report = new StateReport(replay.engine(), accounts);
        final long hash = replay.engine().stateHash();
        final String from = snapshot == null ? "none" : Long.toString(snapshot.logPosition);
        if (format == OutputFormat.json)
        {
            final StringBuilder sb = new StringBuilder("{\"position\":").append(replay.position())
                .append(",\"timestamp\":").append(replay.timestamp())
                .append(",\"time\":\"").append(DumpEntry.formatTime(replay.timestamp())).append('"')
                .append(",\"term\":").append(replay.leadershipTermId())
                .append(",\"entries\":").append(replay.entriesApplied())
                .append(",\"snapshot\":").append(snapshot == null ? "null" : from)
                .append(",\"hash\":\"").append(Long.toHexString(hash)).append("\",");
            report.appendJson(sb, depth);
            System.out.println(sb.append('}'));
        }
        else
        {
            report.printText(System.out, depth);
            System.out.println("rebuild: position=" + replay.position() + " time=" + DumpEntry.formatTime(replay.timestamp()) +
                " term=" + replay.leadershipTermId() + " entries=" + replay.entriesApplied() + " snapshot=" + from +
                " hash=" + Long.toHexString(hash));
        }
        return 0;
    }
}
