package io.keel.engine;

/**
 * Spot balances per asset: total holdings and the part reserved by open orders.
 * Arrays are indexed by asset id and grown (cold) when a new asset appears.
 */
final class Account
{
    final long accountId;
    final ClOrdIdWindow clOrdIds;
    long[] total;
    long[] reserved;

    Account(final long accountId, final int assetCapacity, final int clOrdIdWindow)
    {
        this.accountId = accountId;
        this.clOrdIds = new ClOrdIdWindow(clOrdIdWindow);
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
