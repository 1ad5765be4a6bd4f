package io.keel.chaos;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a segment chaos run found: the clients' side and the faults over the whole run ({@link #all}), each
 * segment's own checks (its live and rebuilt hashes, its members' engines against the sessions' views of it, its
 * leaders), the transfers between segments, and the money check across segments.
 */
final class SegmentChaosReport
{
    final ChaosReport all = new ChaosReport();
    private final List<ChaosReport> segments = new ArrayList<>();
    final MoneyConservation money;
    CheckResult moneyCheck;
    List<String> recoverLines = List.of();
    List<TransferFaults.Attempt> transferAttempts = List.of();
    long transfers;
    long transfersCompleted;
    long transfersNeverDebited;
    /** Transfers neither completed in both segments nor untouched in both, after recovery. */
    final List<String> transfersUnsettled = new ArrayList<>();
    long processKills;
    long pendingAfterRecovery;
    long pauseNs;
    /** Per segment node fault: orders of the other segments acknowledged within {@link #OTHERS_WINDOW_NS} after it. */
    final List<String> othersTradedOn = new ArrayList<>();
    long othersLeastAcked = -1;
    static final long OTHERS_WINDOW_NS = 3_000_000_000L;

    SegmentChaosReport(final int segments)
    {
        for (int i = 0; i < segments; i++)
        {
            this.segments.add(new ChaosReport());
        }
        money = new MoneyConservation(segments);
    }

    ChaosReport segment(final int segment)
    {
        return segments.get(segment);
    }

    int segments()
    {
        return segments.size();
    }

    long lost()
    {
        long sum = 0;
        for (final ChaosReport segment : segments)
        {
            sum += segment.lost();
        }
        return sum;
    }

    long duplicates()
    {
        long sum = 0;
        for (final ChaosReport segment : segments)
        {
            sum += segment.duplicates();
        }
        return sum;
    }

    long reportsLost()
    {
        long sum = 0;
        for (final ChaosReport segment : segments)
        {
            sum += segment.reportsLost();
        }
        return sum;
    }

    boolean hashesEqual()
    {
        boolean equal = true;
        for (final ChaosReport segment : segments)
        {
            equal &= segment.hashesEqual();
        }
        return equal;
    }

    boolean moneyConserved()
    {
        return moneyCheck != null && moneyCheck.passed();
    }

    /**
     * Transfers recovery completed, by its last line ({@code recovered=N}); -1 when it gave none.
     */
    long recovered()
    {
        for (int i = recoverLines.size() - 1; i >= 0; i--)
        {
            final String line = recoverLines.get(i).trim();
            final int at = line.lastIndexOf("recovered=");
            if (at >= 0)
            {
                try
                {
                    return Long.parseLong(line.substring(at + "recovered=".length()).split("\\s")[0]);
                }
                catch (final NumberFormatException ex)
                {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Transfers whose coordinator was at work when a leader of their source or destination was killed or SIGSTOPped
     * (a pause lasts {@code pauseMs}; a kill's failover is counted for the same span).
     */
    long transfersDuringLeaderFaults()
    {
        long count = 0;
        for (final TransferFaults.Attempt attempt : transferAttempts)
        {
            for (final FaultInjector.Fault fault : all.faults)
            {
                final boolean leader = fault.kind == FaultKind.KILL_LEADER || fault.kind == FaultKind.PAUSE_LEADER;
                final boolean ofItsSegments = fault.members.startsWith("segment " + attempt.from() + " ") ||
                    fault.members.startsWith("segment " + attempt.to() + " ");
                if (leader && ofItsSegments && attempt.startNs() - (fault.atNs + pauseNs) < 0 &&
                    fault.atNs - attempt.endNs() < 0)
                {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    /**
     * "A fault in one segment does not stop the others": for each node fault of a segment, how many orders of the
     * other segments were acknowledged in the 3 s after it (first report showing them accepted).
     */
    void collectOthersTradedOn(final List<ChaosTrader> traders, final io.keel.common.SegmentMap map)
    {
        for (final FaultInjector.Fault fault : all.faults)
        {
            if (!fault.members.startsWith("segment "))
            {
                continue;
            }
            final int segment = Integer.parseInt(fault.members.substring("segment ".length()).split(" ")[0]);
            long acked = 0;
            for (final ChaosTrader trader : traders)
            {
                for (final ChaosOrder order : trader.orders())
                {
                    if (order.ackNs != 0 && map.segmentOf(order.instrumentId) != segment &&
                        order.ackNs - fault.atNs >= 0 && order.ackNs - fault.atNs < OTHERS_WINDOW_NS)
                    {
                        acked++;
                    }
                }
            }
            othersTradedOn.add(fault.kind.label() + " " + fault.members + ": " + acked);
            othersLeastAcked = othersLeastAcked < 0 ? acked : Math.min(othersLeastAcked, acked);
        }
    }

    boolean passed()
    {
        boolean clean = all.problems.isEmpty() && moneyConserved() && hashesEqual() && pendingAfterRecovery == 0 &&
            recovered() >= 0 && transfersUnsettled.isEmpty();
        for (final ChaosReport segment : segments)
        {
            clean &= segment.passed();
        }
        return clean;
    }

    void print(final PrintStream out)
    {
        out.println();
        out.println("| measure | value |");
        out.println("|---|---|");
        row(out, "load duration", String.format("%.1f s", all.loadSeconds));
        row(out, "orders placed (distinct clOrdIds) / acknowledged / rejected", all.ordersSent + " / " + all.acked +
            " / " + all.rejected);
        row(out, "ack latency p50 / p99 / max (first send to first report, retries included)",
            all.percentileMs(0.5) + " / " + all.percentileMs(0.99) + " / " + all.percentileMs(1.0) + " ms");
        row(out, "rejected UNAVAILABLE (no leader in the order's segment; resent)", all.unavailableRejects);
        row(out, "requests resent by the client library / client reconnects", all.resent + " / " + all.reconnects);
        row(out, "reports received (every segment's streams)", all.reports);
        for (int k = 0; k < segments.size(); k++)
        {
            final ChaosReport segment = segments.get(k);
            row(out, "segment " + k + ": lost / duplicated / reports lost (seqNo gaps in its stream or implied)",
                segment.lost() + " / " + segment.duplicates() + " / " + segment.reportsLost());
            row(out, "segment " + k + ": live state hashes at position " + segment.liveHashPosition,
                ChaosRun.hex(segment.liveHashes));
            row(out, "segment " + k + ": rebuilt state hashes (snapshot + log, per node)", ChaosRun.hex(segment.rebuiltHashes));
            row(out, "segment " + k + ": leaders per term and the divergence detector", segment.leaders);
            row(out, "segment " + k + ": invariants (verifyInvariants per node)", segment.invariantsHold() ? "hold" : "VIOLATED");
            row(out, "segment " + k + ": market data replayed from the log = final books",
                segment.marketDataChecked == 0 ? "not checked" : segment.marketDataMatches() ? "yes" : "NO");
        }
        row(out, "orders of the other segments acknowledged within 3 s of a segment's node fault (least over " +
            othersTradedOn.size() + " faults)", othersLeastAcked);
        row(out, "transfers between segments (distinct ids) / attempts", transfers + " / " + transferAttempts.size());
        for (final TransferFaults.Mode mode : TransferFaults.Mode.values())
        {
            long count = 0;
            for (final TransferFaults.Attempt attempt : transferAttempts)
            {
                count += attempt.mode() == mode ? 1 : 0;
            }
            row(out, "  transfers " + mode.name().toLowerCase().replace('_', ' '), count +
                (mode == TransferFaults.Mode.KILLED_PROCESS ? " (" + processKills + " SIGKILLed)" : ""));
        }
        row(out, "transfers under way while a leader of one of their segments was killed or stopped",
            transfersDuringLeaderFaults());
        row(out, "transfer-recover completed", recovered());
        row(out, "transfers at the end: completed in both segments / never debited (coordinator killed first) / " +
            "neither", transfersCompleted + " / " + transfersNeverDebited + " / " + transfersUnsettled.size() + " of " +
            transfers);
        row(out, "transfers pending after recovery (every segment)", pendingAfterRecovery);
        row(out, "money conserved across segments (per asset, per account with its fills, no credit without debit)",
            moneyConserved() ? "yes (" + (moneyCheck == null ? 0 : moneyCheck.accountsChecked) + " account/asset pairs)" :
            "NO");
        row(out, "mid-run hash checks (equal/total)", all.healthChecksEqual + "/" + all.healthChecks);
        row(out, "history lines", all.history + (all.keptHistory ? " in " + new File(all.dir, "history.log") : " (deleted)"));
        row(out, "faults injected", all.faults.size());
        out.println();
        out.println("| # | at (s) | fault | members |");
        out.println("|---|---|---|---|");
        for (int i = 0; i < all.faults.size(); i++)
        {
            final FaultInjector.Fault fault = all.faults.get(i);
            out.printf("| %d | %+.1f | %s | %s |%n", i + 1, (fault.atNs - all.loadStartNs) / 1e9, fault.kind.label(),
                fault.members);
        }
        final Set<String> printed = new LinkedHashSet<>();
        printed.addAll(all.problems);
        for (int k = 0; k < segments.size(); k++)
        {
            for (final String problem : segments.get(k).problems)
            {
                printed.add("segment " + k + ": " + problem);
            }
        }
        for (final String unsettled : transfersUnsettled)
        {
            printed.add("unsettled " + unsettled);
        }
        for (final String problem : printed)
        {
            out.println("problem: " + problem);
        }
        final Set<String> violations = new LinkedHashSet<>();
        for (int k = 0; k < segments.size(); k++)
        {
            for (final CheckResult check : segments.get(k).checks)
            {
                for (final String violation : check.violations)
                {
                    violations.add("segment " + k + " " + violation);
                }
            }
        }
        if (moneyCheck != null)
        {
            violations.addAll(moneyCheck.violations);
        }
        for (final String violation : violations)
        {
            out.println("violation: " + violation);
        }
        out.println();
        out.printf("chaos: segments=%d acked=%d lost=%d duplicates=%d reports=%d reports-lost=%d hashes-equal=%b " +
            "transfers=%d recovered=%d money-conserved=%b faults=%d%n", segments.size(), all.acked, lost(), duplicates(),
            all.reports, reportsLost(), hashesEqual(), transfers, recovered(), moneyConserved(), all.faults.size());
    }

    private static void row(final PrintStream out, final String measure, final Object value)
    {
        out.println("| " + measure + " | " + value + " |");
    }
}
