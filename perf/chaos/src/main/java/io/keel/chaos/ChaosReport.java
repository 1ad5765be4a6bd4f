package io.keel.chaos;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a chaos run counted and found, and the table it prints.
 */
final class ChaosReport
{
    File dir;
    boolean keptHistory;
    /** A --net run: the last line also counts partitions. */
    boolean net;
    long history;
    double loadSeconds;
    long loadStartNs;
    double rebuildSeconds;
    long ordersSent;
    long sends;
    long acked;
    long rejected;
    long unavailableRejects;
    long throttledRejects;
    long cancelsSent;
    long cancelRejects;
    long notSent;
    long skippedSlots;
    long resent;
    long reconnects;
    long reports;
    long statusQueries;
    long healthChecks;
    long healthChecksEqual;
    int openOrders;
    int marketDataChecked;
    long marketDataMismatches;
    long marketDataMessages;
    Long[] liveHashes;
    long liveHashPosition;
    Long[] rebuiltHashes;
    long[] engineHashes;
    final List<FaultInjector.Fault> faults = new ArrayList<>();
    final List<Long> recoveryMs = new ArrayList<>();
    /**
     * Per fault: until every client that sent an order after it had one acknowledged (the slowest client's
     * recovery: e.g. the clients of a gateway cut from the leader), -1 if one of them never did.
     */
    final List<Long> everyClientRecoveryMs = new ArrayList<>();
    /** Sorted: first send of an order to the first report showing it accepted, in microseconds. */
    long[] ackLatencyUs = new long[0];
    final List<CheckResult> checks = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    String leaders = "not read";
    int stuckElectionRestarts;

    long lost()
    {
        long lost = 0;
        for (final CheckResult check : checks)
        {
            lost = Math.max(lost, check.lost);
        }
        return lost;
    }

    long duplicates()
    {
        long duplicates = 0;
        for (final CheckResult check : checks)
        {
            duplicates = Math.max(duplicates, check.duplicated);
        }
        return duplicates;
    }

    /**
     * Reports the engine produced that a client never received, by the worst node's end state.
     */
    long reportsLost()
    {
        long lost = 0;
        for (final CheckResult check : checks)
        {
            lost = Math.max(lost, check.reportsLost);
        }
        return lost;
    }

    /**
     * Every anomaly of every kind, by the worst node's end state.
     */
    long anomalies()
    {
        long anomalies = 0;
        for (final CheckResult check : checks)
        {
            anomalies = Math.max(anomalies, check.anomalies());
        }
        return anomalies;
    }

    long count(final Anomaly kind)
    {
        long count = 0;
        for (final CheckResult check : checks)
        {
            count = Math.max(count, check.count(kind));
        }
        return count;
    }

    boolean invariantsHold()
    {
        for (final CheckResult check : checks)
        {
            if (check.count(Anomaly.INVARIANT) > 0)
            {
                return false;
            }
        }
        return checks.size() == ChaosContext.NODES;
    }

    /**
     * The live nodes' hashes at one position are equal, the rebuilt nodes' too, and each rebuilt
     * engine's hash is the live cluster's final one.
     */
    boolean hashesEqual()
    {
        if (!allEqual(liveHashes) || !allEqual(rebuiltHashes) || engineHashes == null)
        {
            return false;
        }
        for (final long hash : engineHashes)
        {
            if (hash != liveHashes[0] || hash != rebuiltHashes[0])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean allEqual(final Long[] hashes)
    {
        if (hashes == null || hashes.length == 0 || hashes[0] == null)
        {
            return false;
        }
        for (final Long hash : hashes)
        {
            if (!hashes[0].equals(hash))
            {
                return false;
            }
        }
        return true;
    }

    boolean marketDataMatches()
    {
        return marketDataMismatches == 0;
    }

    boolean passed()
    {
        boolean clean = true;
        for (final CheckResult check : checks)
        {
            clean &= check.passed();
        }
        return clean && problems.isEmpty() && checks.size() == ChaosContext.NODES && hashesEqual();
    }

    void print(final PrintStream out)
    {
        out.println();
        out.println("| measure | value |");
        out.println("|---|---|");
        row(out, "load duration", String.format("%.1f s", loadSeconds));
        row(out, "orders placed (distinct clOrdIds)", ordersSent);
        row(out, "order requests sent (incl. UNAVAILABLE/THROTTLED retries and status queries)", sends);
        row(out, "requests resent by the client library (reconnect/timeout)", resent);
        row(out, "cancels sent / cancel rejects", cancelsSent + " / " + cancelRejects);
        row(out, "acknowledged orders", acked);
        row(out, "rejected by the engine", rejected);
        row(out, "ack latency p50 / p99 / p99.9 / max (first send to first report, retries included)",
            percentileMs(0.5) + " / " + percentileMs(0.99) + " / " + percentileMs(0.999) + " / " + percentileMs(1.0) + " ms");
        row(out, "rejected UNAVAILABLE (no leader; resent)", unavailableRejects);
        row(out, "rejected THROTTLED (resent)", throttledRejects);
        row(out, "load slots skipped (client not logged on / loop stalled)", notSent + " / " + skippedSlots);
        row(out, "client reconnects", reconnects);
        row(out, "status queries after the run", statusQueries);
        row(out, "reports received (numbered reports handed to the clients' listeners)", reports);
        row(out, "lost (orders the engine and the reports disagree on)", lost());
        row(out, "duplicated (orders, fills or reports twice)", duplicates());
        row(out, "reports lost (seqNo gaps, or implied by the engine's end state)", reportsLost());
        row(out, "anomalies by kind (worst node)", kinds());
        row(out, "mid-run hash checks (equal/total)", healthChecksEqual + "/" + healthChecks);
        row(out, "live state hashes at position " + liveHashPosition, ChaosRun.hex(liveHashes));
        row(out, "rebuilt state hashes (snapshot + log, per node)", ChaosRun.hex(rebuiltHashes));
        row(out, "leaders per term (nodes' election lines) and the divergence detector", leaders);
        row(out, "nodes restarted after halting on a stuck election (exit 4)", stuckElectionRestarts);
        row(out, "invariants (verifyInvariants + conservation, per node)", invariantsHold() ? "hold" : "VIOLATED");
        row(out, "orders resting at the end", openOrders);
        row(out, "market data replayed from the log = final books (nodes checked)",
            marketDataChecked == 0 ? "not checked (the rebuild started from a snapshot)" :
            (marketDataMatches() ? "yes" : "NO") + " (" + marketDataChecked + " nodes, " + marketDataMessages +
                " book updates and trades each)");
        row(out, "history lines", history + (keptHistory ? " in " + new File(dir, "history.log") : " (deleted)"));
        row(out, "faults injected", faults.size());
        out.println();
        out.println("| # | at (s) | fault | members | recovery: first accepted order after it | every client again |");
        out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < faults.size(); i++)
        {
            final FaultInjector.Fault fault = faults.get(i);
            out.printf("| %d | %+.1f | %s | %s | %s | %s |%n", i + 1, (fault.atNs - loadStartNs) / 1e9, fault.kind.label(),
                fault.members, ms(recoveryMs, i), ms(everyClientRecoveryMs, i));
        }
        printRecoveryByKind(out);
        for (final String problem : problems)
        {
            out.println("problem: " + problem);
        }
        // What the clients' history alone shows is found against every node alike: print each message once.
        final Set<String> printed = new LinkedHashSet<>();
        for (final CheckResult check : checks)
        {
            printed.addAll(check.violations);
        }
        for (final String violation : printed)
        {
            out.println("violation: " + violation);
        }
        out.println();
        out.printf("chaos: acked=%d lost=%d duplicates=%d reports=%d reports-lost=%d hashes-equal=%b faults=%d%s%n",
            acked, lost(), duplicates(), reports, reportsLost(), hashesEqual(), faults.size(),
            net ? " partitions=" + partitions() : "");
    }

    long partitions()
    {
        long count = 0;
        for (final FaultInjector.Fault fault : faults)
        {
            count += fault.kind.partition() ? 1 : 0;
        }
        return count;
    }

    /**
     * Time to recover per fault kind, median and max over its faults (faults followed by no accepted order are
     * counted apart).
     */
    private void printRecoveryByKind(final PrintStream out)
    {
        if (faults.isEmpty())
        {
            return;
        }
        out.println();
        out.println("| fault kind | faults | recovery median | recovery max | no recovery | every client again: median | max | never |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (final FaultKind kind : FaultKind.values())
        {
            final List<Long> times = recoveries(kind, recoveryMs);
            final List<Long> everyClient = recoveries(kind, everyClientRecoveryMs);
            int count = 0;
            for (final FaultInjector.Fault fault : faults)
            {
                count += fault.kind == kind ? 1 : 0;
            }
            if (count == 0)
            {
                continue;
            }
            out.printf("| %s | %d | %s | %s | %d | %s | %s | %d |%n", kind.label(), count,
                medianMs(times), maxMs(times), count - times.size(),
                medianMs(everyClient), maxMs(everyClient), count - everyClient.size());
        }
    }

    private List<Long> recoveries(final FaultKind kind, final List<Long> perFault)
    {
        final List<Long> times = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++)
        {
            final long recovery = i < perFault.size() ? perFault.get(i) : -1;
            if (faults.get(i).kind == kind && recovery >= 0)
            {
                times.add(recovery);
            }
        }
        java.util.Collections.sort(times);
        return times;
    }

    private static String ms(final List<Long> perFault, final int i)
    {
        final long recovery = i < perFault.size() ? perFault.get(i) : -1;
        return recovery < 0 ? "none" : recovery + " ms";
    }

    private static String medianMs(final List<Long> sorted)
    {
        return sorted.isEmpty() ? "-" : median(sorted) + " ms";
    }

    private static String maxMs(final List<Long> sorted)
    {
        return sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1) + " ms";
    }

    static long median(final List<Long> sorted)
    {
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private String kinds()
    {
        final StringBuilder text = new StringBuilder();
        for (final Anomaly kind : Anomaly.values())
        {
            final long count = count(kind);
            if (count > 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append(kind.label()).append(' ').append(count);
            }
        }
        return text.length() == 0 ? "none" : text.toString();
    }

    String percentileMs(final double quantile)
    {
        if (ackLatencyUs.length == 0)
        {
            return "-";
        }
        final int index = (int)Math.min(ackLatencyUs.length - 1, Math.ceil(quantile * ackLatencyUs.length) - 1);
        return String.format("%.2f", ackLatencyUs[Math.max(0, index)] / 1_000.0);
    }

    private static void row(final PrintStream out, final String measure, final Object value)
    {
        out.println("| " + measure + " | " + value + " |");
    }

    /**
     * Tally what the traders sent and saw, acknowledgement latencies, and the recovery after each fault.
     */
    void collect(final List<ChaosTrader> traders)
    {
        for (final ChaosTrader trader : traders)
        {
            for (final ChaosOrder order : trader.orders())
            {
                ordersSent++;
                sends += order.sends;
                if (order.isAcked())
                {
                    acked++;
                }
                else if (order.rejected)
                {
                    rejected++;
                }
            }
            unavailableRejects += trader.unavailableRejects;
            throttledRejects += trader.throttledRejects;
            cancelsSent += trader.cancelsSent;
            cancelRejects += trader.cancelRejects;
            notSent += trader.notSent;
            resent += trader.client().resent();
            reconnects += trader.client().reconnects();
            reports += trader.reports;
        }
        final long[] latencies = new long[(int)acked];
        int count = 0;
        for (final ChaosTrader trader : traders)
        {
            for (final ChaosOrder order : trader.orders())
            {
                if (order.ackNs != 0 && count < latencies.length)
                {
                    latencies[count++] = (order.ackNs - order.firstSentNs) / 1_000;
                }
            }
        }
        ackLatencyUs = Arrays.copyOf(latencies, count);
        Arrays.sort(ackLatencyUs);
        for (final FaultInjector.Fault fault : faults)
        {
            long first = Long.MAX_VALUE;
            for (final ChaosTrader trader : traders)
            {
                for (final ChaosOrder order : trader.orders())
                {
                    if (order.ackNs != 0 && order.firstSentNs - fault.atNs >= 0 && order.ackNs - first < 0)
                    {
                        first = order.ackNs;
                    }
                }
            }
            recoveryMs.add(first == Long.MAX_VALUE ? -1 : (first - fault.atNs) / 1_000_000);
            everyClientRecoveryMs.add(everyClientRecoveryMs(traders, fault.atNs));
        }
    }

    private static long everyClientRecoveryMs(final List<ChaosTrader> traders, final long faultNs)
    {
        long slowest = 0;
        for (final ChaosTrader trader : traders)
        {
            long first = Long.MAX_VALUE;
            boolean sentAfter = false;
            for (final ChaosOrder order : trader.orders())
            {
                // Orders the engine rejected answer too, but carry no ack time: left out.
                if (order.firstSentNs != 0 && order.firstSentNs - faultNs >= 0 && !order.rejected)
                {
                    sentAfter = true;
                    if (order.ackNs != 0 && order.ackNs - first < 0)
                    {
                        first = order.ackNs;
                    }
                }
            }
            if (sentAfter && first == Long.MAX_VALUE)
            {
                return -1;
            }
            if (sentAfter)
            {
                slowest = Math.max(slowest, (first - faultNs) / 1_000_000);
            }
        }
        return slowest;
    }
}
