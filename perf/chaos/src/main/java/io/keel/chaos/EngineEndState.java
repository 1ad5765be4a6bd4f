package io.keel.chaos;

import io.keel.codecs.Side;
import io.keel.engine.BookWalk;
import io.keel.engine.Engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one engine holds at the end of a run, as the history checker needs it: the resting orders, every account's
 * base and quote balances, and whether its own invariants hold. Taken from an engine rebuilt from a node's disk, or
 * built by hand in a test. Cold path.
 */
final class EngineEndState
{
    record Resting(long orderId, long clOrdId, long accountId, int instrumentId, Side side, long price, long quantity,
        long leavesQty)
    {
        long cumQty()
        {
            return quantity - leavesQty;
        }

        public String toString()
        {
            return "orderId=" + orderId + " account=" + accountId + " clOrdId=" + clOrdId + " " + side + " " +
                quantity + "@" + price + " instrument=" + instrumentId + " leaves=" + leavesQty;
        }
    }

    record Balances(long base, long quote)
    {
    }

    final String name;
    final List<Resting> resting = new ArrayList<>();
    final Map<Long, Balances> balances = new TreeMap<>();
    /** The engine's own verdict ({@code verifyInvariants}); null when they hold. */
    String invariantFailure;

    EngineEndState(final String name)
    {
        this.name = name;
    }

    EngineEndState rest(
        final long orderId, final long clOrdId, final long accountId, final int instrumentId, final Side side,
        final long price, final long quantity, final long leavesQty)
    {
        resting.add(new Resting(orderId, clOrdId, accountId, instrumentId, side, price, quantity, leavesQty));
        return this;
    }

    EngineEndState balances(final long accountId, final long base, final long quote)
    {
        balances.put(accountId, new Balances(base, quote));
        return this;
    }

    static EngineEndState of(
        final String name,
        final Engine engine,
        final int instruments,
        final List<Integer> accounts,
        final int baseAsset,
        final int quoteAsset)
    {
        final int[] ids = new int[instruments];
        for (int i = 0; i < instruments; i++)
        {
            ids[i] = i + 1;
        }
        return of(name, engine, ids, accounts, baseAsset, quoteAsset);
    }

    static EngineEndState of(
        final String name,
        final Engine engine,
        final int[] instrumentIds,
        final List<Integer> accounts,
        final int baseAsset,
        final int quoteAsset)
    {
        final EngineEndState state = new EngineEndState(name);
        for (final int instrument : instrumentIds)
        {
            final int instrumentId = instrument;
            for (final Side side : new Side[]{Side.BUY, Side.SELL})
            {
                BookWalk.forEachOrder(engine, instrument, side, (orderId, clOrdId, accountId, sessionId, price, quantity, leaves) ->
                    state.rest(orderId, clOrdId, accountId, instrumentId, side, price, quantity, leaves));
            }
        }
        for (final int account : accounts)
        {
            state.balances(account, engine.balance(account, baseAsset), engine.balance(account, quoteAsset));
        }
        try
        {
            engine.verifyInvariants();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            state.invariantFailure = String.valueOf(ex.getMessage());
        }
        return state;
    }
}
