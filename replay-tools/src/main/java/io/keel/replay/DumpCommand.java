package io.keel.replay;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code keel replay dump DIR}: every entry of the node's cluster log, decoded offline from its
 * archive. The same log always gives byte-identical output; the summary goes to stderr.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Decode the cluster log of a node directory, offline (the node may be stopped).",
        "One entry per line: log position (after the entry; what rebuild --at takes), cluster time, " +
            "leadership term, session, type and every field. Summary on stderr."
    })
final class DumpCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The node directory (keel node --dir).")
    File dir;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (JSON Lines) (default ${DEFAULT-VALUE}).")
    OutputFormat format = OutputFormat.text;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after printing N entries (default: all).")
    long limit = Long.MAX_VALUE;

    @Mixin
    EntryFilter filter;

    public Integer call()
    {
        filter.conclude();
        final NodeDirectory node = NodeDirectory.open(dir);
        final RecordingReader reader = node.logReader();
        final long logStart = reader.recording().startPosition();
        if (logStart > 0 && filter.fromPosition() > 0 && filter.fromPosition() <= logStart)
        {
            // The entry ending at the log's start went with the purge too.
            throw new ReplayException(node.dir() + ": entries from position " + filter.fromPosition() +
                " were purged: " + node.earliestAvailable());
        }
        if (logStart > 0 && filter.fromTimeMs() != Long.MIN_VALUE)
        {
            final long[] first = {Long.MIN_VALUE};
            ClusterLogDecoder.read(node.logReader(), logStart, (entry) ->
            {
                first[0] = entry.timestamp;
                return false;
            });
            if (first[0] != Long.MIN_VALUE && filter.fromTimeMs() < first[0])
            {
                // Entries between that time and the first one held may have gone with the purge: say so, not guess.
                throw new ReplayException(node.dir() + ": entries from time " + DumpEntry.formatTime(filter.fromTimeMs()) +
                    " may have been purged: the first entry held is at " + DumpEntry.formatTime(first[0]) + "; " +
                    node.earliestAvailable());
            }
        }
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out,
            64 * 1024), false, StandardCharsets.UTF_8);
        final long[] counts = new long[2];
        final long end;
        try
        {
            end = ClusterLogDecoder.read(reader, reader.recording().startPosition(), (entry) ->
            {
                if (filter.isPastEnd(entry) || counts[1] >= limit)
                {
                    return false;
                }
                counts[0]++;
                final DumpEntry view = DumpEntry.of(entry);
                if (filter.matches(entry, view))
                {
                    counts[1]++;
                    out.println(format == OutputFormat.json ? view.toJson() : view.toText());
                }
                return true;
            });
        }
        finally
        {
            out.flush();
        }
        System.err.println("dump: " + counts[1] + " of " + counts[0] + " entries read, log recording " +
            reader.recording().recordingId() + " read to position " + end +
            (logStart > 0 ? " (held from position " + logStart + ", earlier entries purged)" : ""));
        return 0;
    }
}
