package io.keel.replay;

import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which entries {@code dump} and {@code tail} print: a position and time range, accounts,
 * instruments, entry types. A picocli mixin; every filter is optional and they all must match.
 */
final class EntryFilter
{
    /**
     * Keel messages only, cluster events only, or everything.
     */
    enum Kind
    {
        all,
        keel,
        cluster
    }

    @Option(names = "--from-position", paramLabel = "POS", description = "Entries at or after this log position.")
    long fromPosition = 0;

    @Option(names = "--to-position", paramLabel = "POS", description = "Entries at or before this log position.")
    long toPosition = Long.MAX_VALUE;

    @Option(names = "--from-time", paramLabel = "TIME",
        description = "Entries at or after this cluster time (ms since the epoch, or ISO-8601 like 2025-01-31T12:00:00Z).")
    String fromTime;

    @Option(names = "--to-time", paramLabel = "TIME", description = "Entries at or before this cluster time (as --from-time).")
    String toTime;

    @Option(names = "--account", paramLabel = "ID", split = ",",
        description = "Only Keel messages with this accountId (repeat or comma-separate for several).")
    Set<Long> accounts = new TreeSet<>();

    @Option(names = "--instrument", paramLabel = "ID", split = ",",
        description = "Only Keel messages with this instrumentId (repeat or comma-separate for several).")
    Set<Long> instruments = new TreeSet<>();

    @Option(names = "--type", paramLabel = "TYPE", split = ",",
        description = "Only these types: Keel messages (NewOrder, CancelOrder, Deposit, ...) or cluster events " +
            "(SessionOpen, SessionClose, Timer, ClusterAction, NewLeadershipTerm); case-insensitive.")
    Set<String> types = new TreeSet<>();

    @Option(names = "--kind", paramLabel = "KIND",
        description = "all, keel (only Keel messages) or cluster (only cluster events) (default ${DEFAULT-VALUE}).")
    Kind kind = Kind.all;

    private long fromTimeMs = Long.MIN_VALUE;
    private long toTimeMs = Long.MAX_VALUE;
    private final Set<String> typesLower = new TreeSet<>();

    /**
     * Parse what picocli cannot type (times) and fail with a one-line message on bad input.
     */
    EntryFilter conclude()
    {
        if (fromTime != null)
        {
            fromTimeMs = Target.parseTime(fromTime, "--from-time");
        }
        if (toTime != null)
        {
            toTimeMs = Target.parseTime(toTime, "--to-time");
        }
        for (final String type : types)
        {
            typesLower.add(type.toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /**
     * @return true when no later entry can match (positions and cluster time only grow).
     */
    /**
     * The {@code --from-position} asked for, 0 when none.
     */
    long fromPosition()
    {
        return fromPosition;
    }

    /**
     * The {@code --from-time} asked for, {@link Long#MIN_VALUE} when none.
     */
    long fromTimeMs()
    {
        return fromTimeMs;
    }

    boolean isPastEnd(final LogEntry entry)
    {
        return entry.position > toPosition || entry.timestamp > toTimeMs;
    }

    boolean matches(final LogEntry entry, final DumpEntry view)
    {
        if (entry.position < fromPosition || entry.timestamp < fromTimeMs)
        {
            return false;
        }
        final boolean keel = entry.type == LogEntry.Type.SESSION_MESSAGE;
        if ((kind == Kind.keel && !keel) || (kind == Kind.cluster && keel))
        {
            return false;
        }
        if (!typesLower.isEmpty() && !typesLower.contains(view.type().toLowerCase(Locale.ROOT)))
        {
            return false;
        }
        if (!accounts.isEmpty() && !accounts.contains(view.longField("accountId")))
        {
            return false;
        }
        return instruments.isEmpty() || instruments.contains(view.longField("instrumentId"));
    }
}
