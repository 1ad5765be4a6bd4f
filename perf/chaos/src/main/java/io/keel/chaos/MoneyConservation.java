package io.keel.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Money across market segments: balances are held per segment and only an admin transfer moves funds between
 * segments (debit in one, credit in the other, each step applied from its own segment's log). Whatever the faults,
 * no money may appear or vanish:
 * <ul>
 *   <li>per asset, the balances of every account in every segment, plus what transfers debited and have not yet
 *   credited (in flight), equal everything deposited — trades only move money between accounts;</li>
 *   <li>per account and asset, when the fills its client received are known: the sum over segments of its balances
 *   plus its transfers in flight equals its deposits plus what its fills moved (a transfer never changes it);</li>
 *   <li>no transfer is credited that its source segment never debited (money from nowhere).</li>
 * </ul>
 * Inputs are what the engines hold at the end (each segment's balances and its transfer records) and what the run
 * deposited; built by the segment chaos run or by hand in a test. Cold path.
 */
final class MoneyConservation
{
    /** One account's holding of one asset. */
    record Key(long account, int asset) implements Comparable<Key>
    {
        public int compareTo(final Key other)
        {
            return account != other.account ? Long.compare(account, other.account) : Integer.compare(asset, other.asset);
        }

        public String toString()
        {
            return "account " + account + " asset " + asset;
        }
    }

    /**
     * What the two segments of a transfer hold of it: debited in {@code from} (pending or confirmed there), credited
     * in {@code to}.
     */
    record Transfer(long id, long account, int asset, long amount, int from, int to, boolean debited, boolean credited)
    {
        boolean inFlight()
        {
            return debited && !credited;
        }
    }

    private final Map<Key, Long> deposited = new TreeMap<>();
    private final List<Map<Key, Long>> balances = new ArrayList<>();
    private final Map<Long, Transfer> transfers = new TreeMap<>();
    private Map<Key, Long> moved;

    MoneyConservation(final int segments)
    {
        for (int i = 0; i < segments; i++)
        {
            balances.add(new TreeMap<>());
        }
    }

    MoneyConservation deposit(final int segment, final long account, final int asset, final long amount)
    {
        checkSegment(segment);
        deposited.merge(new Key(account, asset), amount, Long::sum);
        return this;
    }

    MoneyConservation balance(final int segment, final long account, final int asset, final long amount)
    {
        checkSegment(segment);
        balances.get(segment).merge(new Key(account, asset), amount, Long::sum);
        return this;
    }

    MoneyConservation transfer(final Transfer transfer)
    {
        if (transfers.put(transfer.id(), transfer) != null)
        {
            throw new IllegalArgumentException("transfer " + transfer.id() + " given twice");
        }
        return this;
    }

    /**
     * What the fills an account's client received moved of an asset (bought base +, paid quote -): enables the
     * per-account check.
     */
    MoneyConservation moved(final long account, final int asset, final long amount)
    {
        if (moved == null)
        {
            moved = new TreeMap<>();
        }
        moved.merge(new Key(account, asset), amount, Long::sum);
        return this;
    }

    int segments()
    {
        return balances.size();
    }

    long inFlight()
    {
        long count = 0;
        for (final Transfer transfer : transfers.values())
        {
            count += transfer.inFlight() ? 1 : 0;
        }
        return count;
    }

    private void checkSegment(final int segment)
    {
        if (segment < 0 || segment >= balances.size())
        {
            throw new IllegalArgumentException("no segment " + segment);
        }
    }

    /**
     * @return the violations found ({@link Anomaly#MONEY}); {@code accountsChecked} counts the account/asset pairs
     * compared one by one.
     */
    CheckResult check()
    {
        final CheckResult result = new CheckResult();
        final Map<Key, Long> held = new TreeMap<>();
        for (final Map<Key, Long> segment : balances)
        {
            segment.forEach((key, amount) -> held.merge(key, amount, Long::sum));
        }
        final Map<Key, Long> flying = new TreeMap<>();
        for (final Transfer transfer : transfers.values())
        {
            if (transfer.credited() && !transfer.debited())
            {
                result.violation(Anomaly.MONEY, "transfer " + transfer.id() + " (" + transfer.amount() + " of asset " +
                    transfer.asset() + " for account " + transfer.account() + ") is credited in segment " +
                    transfer.to() + " but segment " + transfer.from() + " never debited it");
            }
            if (transfer.inFlight())
            {
                flying.merge(new Key(transfer.account(), transfer.asset()), transfer.amount(), Long::sum);
            }
        }

        final TreeSet<Integer> assets = new TreeSet<>();
        deposited.keySet().forEach((key) -> assets.add(key.asset()));
        held.keySet().forEach((key) -> assets.add(key.asset()));
        for (final int asset : assets)
        {
            final long in = sum(deposited, asset);
            final long out = sum(held, asset) + sum(flying, asset);
            if (in != out)
            {
                result.violation(Anomaly.MONEY, "asset " + asset + ": balances over every segment " + sum(held, asset) +
                    " + in flight " + sum(flying, asset) + " = " + out + ", deposited " + in + " (" +
                    (out > in ? (out - in) + " created" : (in - out) + " lost") + ")");
            }
        }

        if (moved != null)
        {
            final TreeSet<Key> keys = new TreeSet<>(deposited.keySet());
            keys.addAll(held.keySet());
            for (final Key key : keys)
            {
                result.accountsChecked++;
                final long expected = deposited.getOrDefault(key, 0L) + moved.getOrDefault(key, 0L);
                final long actual = held.getOrDefault(key, 0L) + flying.getOrDefault(key, 0L);
                if (expected != actual)
                {
                    result.violation(Anomaly.MONEY, key + ": balances over every segment " +
                        held.getOrDefault(key, 0L) + " + in flight " + flying.getOrDefault(key, 0L) + " = " + actual +
                        ", but deposits plus the fills its client received make " + expected + " (difference " +
                        (actual - expected) + ")");
                }
            }
        }
        return result;
    }

    private static long sum(final Map<Key, Long> amounts, final int asset)
    {
        long total = 0;
        for (final Map.Entry<Key, Long> entry : amounts.entrySet())
        {
            total += entry.getKey().asset() == asset ? entry.getValue() : 0;
        }
        return total;
    }
}
