package io.keel.engine;

import io.keel.codecs.RejectReason;
import org.agrona.BitUtil;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Spot accounts, their balances and reservations, and the net deposits every asset must add up
 * to. Funding (create, deposit, withdraw) returns a result the engine reports; reserving and
 * releasing follow an order's life.
 */
final class Accounts
{
    /** Every account; iterated only for cold work (snapshots sort the ids first). */
    final Long2ObjectHashMap<Account> byId = new Long2ObjectHashMap<>();
    /** Accounts by the low bits of their id, checked: the order path's look-up, no hashing. */
    private final Account[] slots;
    private final int slotMask;
    private final int maxAccounts;
    private final int maxAssets;
    /** Net deposits per asset: what the sum of every account's total must equal. */
    long[] netDeposits;
    int assetCapacity = 16;

    Accounts(final EngineContext ctx)
    {
        maxAccounts = ctx.maxAccounts();
        maxAssets = ctx.maxAssets();
        slots = new Account[BitUtil.findNextPositivePowerOfTwo(Math.min(maxAccounts, 1 << 17))];
        slotMask = slots.length - 1;
        netDeposits = new long[assetCapacity];
    }

    /**
     * The account, or null.
     */
    Account get(final long accountId)
    {
        final Account account = slots[(int)accountId & slotMask];
        return account != null && account.accountId == accountId ? account : byId.get(accountId);
    }

    boolean exists(final long accountId)
    {
        return byId.containsKey(accountId);
    }

    int size()
    {
        return byId.size();
    }

    RejectReason create(final long accountId)
    {
        if (accountId <= 0)
        {
            return RejectReason.UNKNOWN_ACCOUNT;
        }
        if (byId.containsKey(accountId))
        {
            return RejectReason.ACCOUNT_EXISTS;
        }
        if (byId.size() >= maxAccounts)
        {
            return RejectReason.ACCOUNT_LIMIT_REACHED;
        }
        add(accountId);
        return RejectReason.NONE;
    }

    RejectReason deposit(final long accountId, final int assetId, final long amount)
    {
        final Account account = get(accountId);
        final RejectReason result = validateTransfer(account, assetId, amount);
        if (result != RejectReason.NONE)
        {
            return result;
        }
        ensureAssetCapacity(assetId + 1);
        // The sum of all deposits must stay a long, or conservation could not be checked.
        if (netDeposits[assetId] > Long.MAX_VALUE - amount)
        {
            return RejectReason.INVALID_AMOUNT;
        }
        account.balances[assetId << 1] += amount;
        netDeposits[assetId] += amount;
        return RejectReason.NONE;
    }

    RejectReason withdraw(final long accountId, final int assetId, final long amount)
    {
        final Account account = get(accountId);
        final RejectReason result = validateTransfer(account, assetId, amount);
        if (result != RejectReason.NONE)
        {
            return result;
        }
        if (assetId >= assetCapacity || account.available(assetId) < amount)
        {
            return RejectReason.INSUFFICIENT_FUNDS;
        }
        account.balances[assetId << 1] -= amount;
        netDeposits[assetId] -= amount;
        return RejectReason.NONE;
    }

    RejectReason validateTransfer(final Account account, final int assetId, final long amount)
    {
        if (account == null)
        {
            return RejectReason.UNKNOWN_ACCOUNT;
        }
        if (!isValidAsset(assetId))
        {
            return RejectReason.INVALID_ASSET;
        }
        return amount <= 0 ? RejectReason.INVALID_AMOUNT : RejectReason.NONE;
    }

    boolean isValidAsset(final int assetId)
    {
        return assetId >= 0 && assetId < maxAssets;
    }

    Account add(final long accountId)
    {
        final Account account = new Account(accountId, assetCapacity);
        byId.put(accountId, account);
        final int slot = (int)accountId & slotMask;
        if (slots[slot] == null)
        {
            slots[slot] = account;
        }
        return account;
    }

    /**
     * Grow every account to hold this many assets (cold: the first use of a higher asset id).
     */
    void ensureAssetCapacity(final int capacity)
    {
        if (capacity > assetCapacity)
        {
            assetCapacity = Math.max(capacity, Math.min(assetCapacity * 2, maxAssets));
            netDeposits = Arrays.copyOf(netDeposits, assetCapacity);
            for (final Account account : byId.values())
            {
                account.ensureAssetCapacity(assetCapacity);
            }
        }
    }

    long balance(final long accountId, final int assetId)
    {
        final Account account = byId.get(accountId);
        return account == null || assetId < 0 || assetId >= account.assetCapacity() ? 0 : account.total(assetId);
    }

    long reserved(final long accountId, final int assetId)
    {
        final Account account = byId.get(accountId);
        return account == null || assetId < 0 || assetId >= account.assetCapacity() ? 0 : account.reserved(assetId);
    }

    /**
     * Reserve what the order's remainder needs: {@code price * leavesQty} quote for a buy, the
     * base quantity for a sell. Funds were checked first.
     */
    static void reserve(final Order order, final Instrument instrument)
    {
        final Account account = order.account;
        if (order.isBuy())
        {
            order.reserved = order.price * order.leavesQty;
            account.balances[(instrument.quoteAssetId << 1) + 1] += order.reserved;
        }
        else
        {
            order.reserved = order.leavesQty;
            account.balances[(instrument.baseAssetId << 1) + 1] += order.reserved;
        }
    }

    static void release(final Order order, final Instrument instrument)
    {
        final int asset = order.isBuy() ? instrument.quoteAssetId : instrument.baseAssetId;
        order.account.balances[(asset << 1) + 1] -= order.reserved;
        order.reserved = 0;
    }
}
