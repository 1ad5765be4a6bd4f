package io.keel.engine;

/**
 * Spot balances per asset: total holdings and the part reserved by open orders.
 * Arrays are indexed by asset id and grown (cold) when a new asset appears.
 */
final class Account
{
    final long accountId;
    /** Highest clOrdId used: a higher one cannot be a retry, so it needs no window look-up. */
    long maxClOrdId = Long.MIN_VALUE;
    /** Whether the clOrdId window indexes this account's requests (derived, not snapshotted). */
    boolean indexed;
    long[] total;
    long[] reserved;

    Account(final long accountId, final int assetCapacity)
    {
        this.accountId = accountId;
        total = new long[assetCapacity];
        reserved = new long[assetCapacity];
    }

    long available(final int assetId)
    {
        return total[assetId] - reserved[assetId];
    }

    void ensureAssetCapacity(final int capacity)
    {
        if (total.length < capacity)
        {
            total = java.util.Arrays.copyOf(total, capacity);
            reserved = java.util.Arrays.copyOf(reserved, capacity);
        }
    }
}
