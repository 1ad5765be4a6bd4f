package io.keel.chaos;

import io.keel.codecs.Side;
import org.agrona.collections.LongHashSet;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the clients received (their history) with what an engine holds at the end (rebuilt from a node's
 * own disk), trusting neither the engine's answers nor the client's conclusions: only the reports themselves.
 * <ul>
 *   <li>Every session's numbered reports run 1..N with no gap and no repeat ({@link SequenceAudit}).</li>
 *   <li>Every order's reports, replayed in order, explain every change of its state, and every fill the engine
 *   implies was delivered: cumQty at each report and at the end equals the TRADE quantity received for it; an
 *   ORDER_STATUS only confirms ({@link OrderAudit}).</li>
 *   <li>The engine rests exactly the orders the reports leave open, as reported; none the clients never saw
 *   acknowledged (phantom), none twice.</li>
 *   <li>Every account's base and quote balances equal its deposits plus the effect of the fills its client
 *   received — for every account, so a fill applied twice or never reported shows.</li>
 *   <li>The engine's own invariants, and the totals of both assets equal to the deposits.</li>
 * </ul>
 */
final class HistoryChecker
{
    private HistoryChecker()
    {
    }

    static CheckResult check(
        final EngineEndState engine, final List<SessionHistory> sessions, final long initialBase, final long initialQuote)
    {
        return check(engine, sessions, initialBase, initialQuote, true);
    }

    /**
     * @param checkMoney false for one market segment of several: admin transfers move money between segments, so a
     *                   segment's balances are checked across segments ({@link MoneyConservation}, fed with
     *                   {@link CheckResult#moved}), not here.
     */
    static CheckResult check(
        final EngineEndState engine,
        final List<SessionHistory> sessions,
        final long initialBase,
        final long initialQuote,
        final boolean checkMoney)
    {
        final CheckResult result = new CheckResult();
        final Map<Long, EngineEndState.Resting> restingById = new HashMap<>();
        final Map<String, EngineEndState.Resting> restingByClOrdId = new HashMap<>();
        for (final EngineEndState.Resting rest : engine.resting)
        {
            restingById.put(rest.orderId(), rest);
            final EngineEndState.Resting other = restingByClOrdId.put(key(rest.accountId(), rest.clOrdId()), rest);
            if (other != null)
            {
                result.duplicated++;
                result.violation(Anomaly.DUPLICATE_ORDER, engine.name + " rests two orders for one clOrdId: " + other +
                    " and " + rest);
            }
        }

        final Set<Long> claimed = new HashSet<>();
        final Map<String, OrderAudit> byClOrdId = new HashMap<>();
        for (final SessionHistory session : sessions)
        {
            final long gaps = SequenceAudit.audit(session, result);
            final LongHashSet execIds = new LongHashSet();
            long implied = 0;
            long baseMoved = 0;
            long quoteMoved = 0;
            for (final ChaosOrder order : session.orders)
            {
                final OrderAudit audit = OrderAudit.replay(session.name, order, execIds, result);
                byClOrdId.put(key(order.account, order.clOrdId), audit);
                if (audit.orderId != 0)
                {
                    claimed.add(audit.orderId);
                    audit.compare(engine.name, restingById.get(audit.orderId));
                }
                else
                {
                    final EngineEndState.Resting rest = restingByClOrdId.get(key(order.account, order.clOrdId));
                    if (rest != null)
                    {
                        claimed.add(rest.orderId());
                        implied++;
                        result.violation(Anomaly.PHANTOM, engine.name + " rests " + rest + ", which " + session.name +
                            " sent but never saw acknowledged");
                    }
                    audit.compare(engine.name, rest);
                }
                implied += audit.impliedLost;
                baseMoved += order.side == Side.BUY ? audit.receivedQty : -audit.receivedQty;
                quoteMoved += order.side == Side.BUY ? -audit.receivedNotional : audit.receivedNotional;
            }
            for (final String unknown : session.unknownReports)
            {
                result.violation(Anomaly.UNKNOWN_REPORT, session.name + ": " + unknown);
            }
            result.reportsLost += Math.max(gaps, implied);
            final long[] moved = result.moved.computeIfAbsent((long)session.account, (a) -> new long[2]);
            moved[0] += baseMoved;
            moved[1] += quoteMoved;
            if (checkMoney)
            {
                checkBalances(engine, session, initialBase + baseMoved, initialQuote + quoteMoved, result);
            }
        }

        for (final EngineEndState.Resting rest : engine.resting)
        {
            if (claimed.contains(rest.orderId()))
            {
                continue;
            }
            final OrderAudit audit = byClOrdId.get(key(rest.accountId(), rest.clOrdId()));
            result.duplicated++;
            if (audit != null)
            {
                result.violation(Anomaly.DUPLICATE_ORDER, engine.name + " rests " + rest + ", a second order for a " +
                    "clOrdId its client saw acknowledged as orderId " + audit.orderId);
            }
            else
            {
                result.violation(Anomaly.PHANTOM, engine.name + " rests " + rest + ", which no client sent");
            }
        }
        checkEngine(engine, checkMoney ? sessions.size() : -1, initialBase, initialQuote, result);
        return result;
    }

    private static void checkBalances(
        final EngineEndState engine,
        final SessionHistory session,
        final long expectedBase,
        final long expectedQuote,
        final CheckResult result)
    {
        final EngineEndState.Balances balances = engine.balances.get((long)session.account);
        if (balances == null)
        {
            result.violation(Anomaly.BALANCE, engine.name + " has no account " + session.account);
            return;
        }
        result.accountsChecked++;
        if (balances.base() != expectedBase || balances.quote() != expectedQuote)
        {
            result.violation(Anomaly.BALANCE, engine.name + " account " + session.account + " holds base " +
                balances.base() + " quote " + balances.quote() + ", but its deposits plus the fills " + session.name +
                " received make base " + expectedBase + " quote " + expectedQuote + " (differences " +
                (balances.base() - expectedBase) + " and " + (balances.quote() - expectedQuote) + ")");
        }
    }

    private static void checkEngine(
        final EngineEndState engine,
        final int accounts,
        final long initialBase,
        final long initialQuote,
        final CheckResult result)
    {
        if (engine.invariantFailure != null)
        {
            result.violation(Anomaly.INVARIANT, engine.name + ": " + engine.invariantFailure);
        }
        if (accounts < 0)
        {
            return; // totals: across segments
        }
        long totalBase = 0;
        long totalQuote = 0;
        for (final EngineEndState.Balances balances : engine.balances.values())
        {
            totalBase += balances.base();
            totalQuote += balances.quote();
        }
        if (totalBase != initialBase * accounts || totalQuote != initialQuote * accounts)
        {
            result.violation(Anomaly.INVARIANT, engine.name + " totals base " + totalBase + " quote " + totalQuote +
                " differ from the deposits " + initialBase * accounts + " and " + initialQuote * accounts);
        }
    }

    private static String key(final long account, final long clOrdId)
    {
        return account + "/" + clOrdId;
    }
}
