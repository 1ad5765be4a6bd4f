package io.keel.engine;

/**
 * Spot balances per asset: total holdings and the part reserved by open orders, interleaved in
 * one array ({@code balances[2a]} total, {@code balances[2a + 1]} reserved) so a check and its
 * update touch one cache line. Grown (cold) when a new asset appears.
 */
final class Account
{
    final long accountId;
    /** Highest clOrdId used: a higher one cannot be a repeat, so it needs no look-up. */
    long maxClOrdId = Long.MIN_VALUE;
    /** Live orders of this account (kept by {@link OrderIndex}): bounded by the per-account limit. */
    int openOrders;
    long[] balances;

    Account(final long accountId, final int assetCapacity)
    {
        this.accountId = accountId;
        balances = new long[assetCapacity << 1];
    }

    int assetCapacity()
    {
        return balances.length >> 1;
    }

    long total(final int assetId)
    {
        return balances[assetId << 1];
    }

    long reserved(final int assetId)
    {
        return balances[(assetId << 1) + 1];
    }

    long available(final int assetId)
    {
        final int index = assetId << 1;
        return balances[index] - balances[index + 1];
    }

    void ensureAssetCapacity(final int capacity)
    {
        if (assetCapacity() < capacity)
        {
            balances = java.util.Arrays.copyOf(balances, capacity << 1);
        }
    }
}
