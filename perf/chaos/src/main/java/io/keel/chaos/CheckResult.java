package io.keel.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the history checker found against one engine: the counts of the chaos run's last line and every anomaly,
 * by kind, with a readable message (the first {@link #MAX_MESSAGES_PER_KIND} of each kind are kept).
 */
final class CheckResult
{
    /** Per kind, so that a flood of one kind does not hide the others. */
    static final int MAX_MESSAGES_PER_KIND = 10;

    /** Orders whose existence the engine and the client's reports disagree on. */
    long lost;
    /** Orders, fills or reports there are two of. */
    long duplicated;
    /** Reports the engine produced that a client never received: per session, the larger of its seqNo gaps and
     * the reports its orders' end states imply (a lower bound either way). */
    long reportsLost;
    /** Accounts whose base and quote balances were compared with the fills their client received. */
    long accountsChecked;
    /** Per account: what the fills its client received moved, {base, quote} (summed across segments by the caller). */
    final Map<Long, long[]> moved = new java.util.TreeMap<>();
    final Map<Anomaly, Long> kinds = new EnumMap<>(Anomaly.class);
    final List<String> violations = new ArrayList<>();

    void violation(final Anomaly kind, final String text)
    {
        if (kinds.merge(kind, 1L, Long::sum) <= MAX_MESSAGES_PER_KIND)
        {
            violations.add(kind.label() + ": " + text);
        }
    }

    long count(final Anomaly kind)
    {
        return kinds.getOrDefault(kind, 0L);
    }

    long anomalies()
    {
        long total = 0;
        for (final long count : kinds.values())
        {
            total += count;
        }
        return total;
    }

    boolean passed()
    {
        return kinds.isEmpty();
    }

    public String toString()
    {
        return "lost=" + lost + " duplicated=" + duplicated + " reportsLost=" + reportsLost + " " + kinds;
    }
}
