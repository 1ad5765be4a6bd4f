package io.keel.chaos;

import io.keel.codecs.Side;
import io.keel.engine.Engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what the clients saw (their history) with an engine rebuilt from a node's own disk
 * (its latest snapshot plus its log) after the run.
 * <ul>
 *   <li><b>lost</b>: an order a client saw acknowledged whose final state (its last report, or the
 *   ORDER_STATUS the engine gave when asked again with the same clOrdId after the run) says it is
 *   open, but which is not resting in the engine with that orderId, account, clOrdId and leaves
 *   quantity; or one the client saw finished that still rests; or one never answered at all.</li>
 *   <li><b>duplicated</b>: a clOrdId that got two orderIds or two NEW reports; a resting order no
 *   client asked for; a trade report (execId) delivered twice; fills seen beyond the order's
 *   final cumulative quantity; or an account whose base-asset balance differs from its starting
 *   balance plus the net of its orders' final cumulative quantities (a fill applied twice, or lost).</li>
 *   <li>the engine's own invariants ({@code verifyInvariants}: reservations, no negatives, per-asset
 *   conservation), and the totals of both assets over all accounts equal to the deposits.</li>
 * </ul>
 */
final class HistoryChecker
{
    static final class Result
    {
        long lost;
        long duplicated;
        long quoteChecked;
        long quoteSkipped;
        final List<String> violations = new ArrayList<>();

        void violation(final String kind, final String text)
        {
            if (violations.size() < 50)
            {
                violations.add(kind + ": " + text);
            }
        }
    }

    private record Resting(long orderId, long clOrdId, long accountId, long leavesQty)
    {
    }

    private HistoryChecker()
    {
    }

    static Result check(
        final String engineName,
        final Engine engine,
        final List<ChaosTrader> traders,
        final int instruments,
        final int baseAsset,
        final int quoteAsset,
        final long initialBase,
        final long initialQuote)
    {
        final Result result = new Result();
        final Map<Long, Resting> resting = new HashMap<>();
        final Map<String, Long> restingByClOrdId = new HashMap<>();
        for (int instrument = 1; instrument <= instruments; instrument++)
        {
            for (final Side side : new Side[]{Side.BUY, Side.SELL})
            {
                engine.forEachOrder(instrument, side, (orderId, clOrdId, accountId, sessionId, price, quantity, leavesQty) ->
                {
                    resting.put(orderId, new Resting(orderId, clOrdId, accountId, leavesQty));
                    final Long previous = restingByClOrdId.put(accountId + "/" + clOrdId, orderId);
                    if (previous != null)
                    {
                        result.duplicated++;
                        result.violation("duplicate", engineName + " rests two orders " + previous + " and " + orderId +
                            " for account " + accountId + " clOrdId " + clOrdId);
                    }
                });
            }
        }

        final Map<Long, ChaosOrder> clientOrders = new HashMap<>();
        for (final ChaosTrader trader : traders)
        {
            long baseMoved = 0;
            long quoteMoved = 0;
            boolean everyFillSeen = true;
            for (final ChaosOrder order : trader.orders())
            {
                if (!order.isAcked())
                {
                    if (!order.rejected)
                    {
                        result.lost++;
                        result.violation("lost", "never answered: " + order);
                    }
                    continue;
                }
                clientOrders.put(order.orderId, order);
                if (order.conflictingOrderId != 0 || order.newReports > 1)
                {
                    result.duplicated++;
                    result.violation("duplicate", "a clOrdId placed twice: " + order);
                }
                if (order.seenFillQty > order.cumQty || order.cumQty > order.quantity)
                {
                    result.duplicated++;
                    result.violation("duplicate", "fills beyond the order's quantity: " + order);
                }
                final Resting rest = resting.get(order.orderId);
                if (order.leavesQty > 0)
                {
                    if (rest == null || rest.accountId != order.account || rest.clOrdId != order.clOrdId ||
                        rest.leavesQty != order.leavesQty)
                    {
                        result.lost++;
                        result.violation("lost", engineName + " has " + rest + " for " + order);
                    }
                }
                else if (rest != null)
                {
                    result.lost++;
                    result.violation("lost", engineName + " still rests " + rest + " for an order the client saw done: " +
                        order);
                }
                baseMoved += order.signedBaseMoved();
                quoteMoved += order.side == Side.BUY ? -order.seenFillNotional : order.seenFillNotional;
                everyFillSeen &= order.seenFillQty == order.cumQty;
            }
            final long base = engine.balance(trader.account(), baseAsset);
            if (base != initialBase + baseMoved)
            {
                result.duplicated++;
                result.violation("fills", engineName + " account " + trader.account() + " base balance " + base +
                    " != " + initialBase + " + " + baseMoved + " from its orders' final cumulative quantities");
            }
            if (everyFillSeen)
            {
                result.quoteChecked++;
                final long quote = engine.balance(trader.account(), quoteAsset);
                if (quote != initialQuote + quoteMoved)
                {
                    result.duplicated++;
                    result.violation("fills", engineName + " account " + trader.account() + " quote balance " + quote +
                        " != " + initialQuote + " + " + quoteMoved + " from the fills its client saw");
                }
            }
            else
            {
                result.quoteSkipped++; // some fills were reported while its gateway was down
            }
            if (trader.duplicateTradeExecIds > 0)
            {
                result.duplicated += trader.duplicateTradeExecIds;
                result.violation("duplicate", "account " + trader.account() + " received " + trader.duplicateTradeExecIds +
                    " trade reports twice");
            }
        }
        for (final Resting rest : resting.values())
        {
            if (!clientOrders.containsKey(rest.orderId))
            {
                result.duplicated++;
                result.violation("duplicate", engineName + " rests an order no client knows: " + rest);
            }
        }

        try
        {
            engine.verifyInvariants();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            result.violation("invariant", engineName + ": " + ex.getMessage());
        }
        long totalBase = 0;
        long totalQuote = 0;
        for (final ChaosTrader trader : traders)
        {
            totalBase += engine.balance(trader.account(), baseAsset);
            totalQuote += engine.balance(trader.account(), quoteAsset);
        }
        if (totalBase != initialBase * traders.size() || totalQuote != initialQuote * traders.size())
        {
            result.violation("invariant", engineName + " totals base " + totalBase + " quote " + totalQuote +
                " differ from the deposits");
        }
        return result;
    }
}
