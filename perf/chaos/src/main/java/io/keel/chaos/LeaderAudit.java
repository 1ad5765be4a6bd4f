package io.keel.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "No two leaders accept commands for the same log position", checked from the nodes' own logs
 * after a run (every start of every node, killed ones included):
 * <ul>
 * <li>at most one member closed an election as leader in any leadership term — Raft's election
 * safety; an isolated old leader and the majority's new one are legal only in different terms;</li>
 * <li>no node's divergence detector fired ({@code "event":"divergence"}): two leaders committing
 * different commands at one log position would show there first, as different state or output hashes
 * at the same position.</li>
 * </ul>
 * The first comes from the node monitor, which samples Aeron's counters every 100 ms: a term whose
 * leader lost it within one sample may be missed (fewer terms seen), never invented.
 */
final class LeaderAudit
{
    private static final Pattern MEMBER = Pattern.compile("\"member\":(\\d+)");
    private static final Pattern TERM = Pattern.compile("\"leadershipTermId\":(\\d+)");
    private static final Pattern POSITION = Pattern.compile("\"logPosition\":(\\d+)");

    /**
     * Leaders seen per leadership term, in term order.
     */
    final Map<Long, TreeSet<Integer>> leadersByTerm = new TreeMap<>();
    final List<String> divergences = new ArrayList<>();

    /**
     * Reads every {@code node-*.log} in the run's log directory.
     */
    static LeaderAudit of(final File logDir)
    {
        return of(logDir, "");
    }

    /**
     * Reads every {@code <prefix>node-*.log}: one market segment's members ({@code s<k>-}).
     */
    static LeaderAudit of(final File logDir, final String prefix)
    {
        final LeaderAudit audit = new LeaderAudit();
        final File[] logs = logDir.listFiles((d, n) -> n.startsWith(prefix + "node-") && n.endsWith(".log"));
        if (logs != null)
        {
            Arrays.sort(logs);
            for (final File log : logs)
            {
                try
                {
                    for (final String line : Files.readAllLines(log.toPath(), StandardCharsets.UTF_8))
                    {
                        audit.accept(line);
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        return audit;
    }

    void accept(final String line)
    {
        if (line.contains("\"event\":\"divergence\""))
        {
            final Matcher position = POSITION.matcher(line);
            divergences.add("member " + group(MEMBER, line) + " at log position " +
                (position.find() ? position.group(1) : "?"));
        }
        else if (line.contains("\"event\":\"election-closed\"") && line.contains("\"role\":\"LEADER\""))
        {
            final String term = group(TERM, line);
            final String member = group(MEMBER, line);
            if (term != null && member != null)
            {
                leadersByTerm.computeIfAbsent(Long.parseLong(term), (t) -> new TreeSet<>()).add(Integer.parseInt(member));
            }
        }
    }

    /**
     * One line per term with two leaders or more, and per divergence; empty when the run is clean.
     */
    List<String> problems()
    {
        final List<String> problems = new ArrayList<>();
        leadersByTerm.forEach((term, members) ->
        {
            if (members.size() > 1)
            {
                problems.add("two leaders in leadership term " + term + ": members " + members);
            }
        });
        for (final String divergence : divergences)
        {
            problems.add("divergence detector fired: " + divergence);
        }
        return problems;
    }

    /**
     * For the report: "7 terms, one leader each (0, 1, 2, …); divergence: none".
     */
    String summary()
    {
        final StringBuilder leaders = new StringBuilder();
        leadersByTerm.forEach((term, members) -> leaders.append(leaders.length() == 0 ? "" : " ").append(term)
            .append(':').append(members.size() == 1 ? members.first().toString() : members.toString()));
        return leadersByTerm.size() + " terms seen (term:leader " + leaders + "); divergence: " +
            (divergences.isEmpty() ? "none" : divergences.size() + " nodes");
    }

    private static String group(final Pattern pattern, final String line)
    {
        final Matcher matcher = pattern.matcher(line);
        return matcher.find() ? matcher.group(1) : null;
    }
}
