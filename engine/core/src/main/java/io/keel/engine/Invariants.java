package io.keel.engine;

import io.keel.codecs.Side;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The engine's promises, checked from scratch. Cold path: used by tests, replay verify and
 * chaos checks, never per message.
 */
final class Invariants
{
    private Invariants()
    {
    }

    static void verify(final Engine engine)
    {
        final int assets = engine.accounts.assetCapacity;
        final long[] totals = new long[assets];
        final Long2ObjectHashMap<long[]> reservedByAccount = new Long2ObjectHashMap<>();

        for (final Account account : engine.accounts.byId.values())
        {
            reservedByAccount.put(account.accountId, new long[assets]);
            for (int asset = 0; asset < assets; asset++)
            {
                if (account.total(asset) < 0 || account.reserved(asset) < 0 ||
                    account.reserved(asset) > account.total(asset))
                {
                    fail("account " + account.accountId + " asset " + asset + ": total=" + account.total(asset) +
                        " reserved=" + account.reserved(asset));
                }
                totals[asset] += account.total(asset);
            }
        }
        for (int asset = 0; asset < assets; asset++)
        {
            if (totals[asset] != engine.accounts.netDeposits[asset])
            {
                fail("conservation of asset " + asset + ": accounts hold " + totals[asset] + ", net deposits " +
                    engine.accounts.netDeposits[asset]);
            }
        }

        verifyTransfers(engine.transfers);

        int resting = 0;
        for (int i = 0; i < engine.instruments.count; i++)
        {
            final Instrument instrument = engine.instruments.sorted[i];
            resting += verifySide(engine, instrument, instrument.bids, reservedByAccount);
            resting += verifySide(engine, instrument, instrument.asks, reservedByAccount);
            final PriceLevel bid = instrument.bids.best();
            final PriceLevel ask = instrument.asks.best();
            if (bid != null && ask != null && bid.price >= ask.price)
            {
                fail("book " + instrument.instrumentId + " crossed at rest: bid " + bid.price + " >= ask " + ask.price);
            }
        }
        if (resting != engine.orders.size())
        {
            fail("order index holds " + engine.orders.size() + " orders, books hold " + resting);
        }

        for (final Account account : engine.accounts.byId.values())
        {
            final long[] expected = reservedByAccount.get(account.accountId);
            for (int asset = 0; asset < assets; asset++)
            {
                if (expected[asset] != account.reserved(asset))
                {
                    fail("account " + account.accountId + " asset " + asset + " reserves " + account.reserved(asset) +
                        " but its open orders need " + expected[asset]);
                }
            }
        }
    }

    private static int verifySide(
        final Engine engine,
        final Instrument instrument,
        final BookSide book,
        final Long2ObjectHashMap<long[]> reservedByAccount)
    {
        int orders = 0;
        long previousPrice = 0;
        for (int depth = 0; depth < book.levelCount(); depth++)
        {
            final PriceLevel level = book.level(depth);
            if (depth > 0 && !book.isBetter(previousPrice, level.price))
            {
                fail("book " + instrument.instrumentId + " " + book.side + " levels out of order at " + level.price);
            }
            previousPrice = level.price;
            long quantity = 0;
            int count = 0;
            for (Order o = level.head; o != null; o = o.next)
            {
                if (o.leavesQty <= 0 || o.price != level.price || o.level != level || o.side != book.side ||
                    o.cumQty + o.leavesQty != o.quantity || engine.orders.get(o.orderId) != o)
                {
                    fail("order " + o.orderId + " inconsistent at level " + level.price);
                }
                final long need = o.side == Side.BUY ? o.price * o.leavesQty : o.leavesQty;
                if (o.reserved != need)
                {
                    fail("order " + o.orderId + " reserves " + o.reserved + ", needs " + need);
                }
                final int asset = o.side == Side.BUY ? instrument.quoteAssetId : instrument.baseAssetId;
                reservedByAccount.get(o.accountId)[asset] += o.reserved;
                quantity += o.leavesQty;
                count++;
            }
            if (count == 0 || quantity != level.quantity || count != level.orderCount)
            {
                fail("level " + level.price + " of book " + instrument.instrumentId + " aggregates " + level.quantity +
                    "/" + level.orderCount + ", orders sum to " + quantity + "/" + count);
            }
            orders += count;
        }
        return orders;
    }

    /**
     * Transfer records agree with their counts and the window: every pending one holds a positive amount, every
     * remembered id is held and is not pending, and nothing else is held.
     */
    private static void verifyTransfers(final Transfers transfers)
    {
        int pending = 0;
        for (final Transfers.Transfer t : transfers.byId.values())
        {
            if (t.amount <= 0 || t.transferId <= 0)
            {
                fail("transfer " + t.transferId + " holds " + t.amount);
            }
            pending += t.state == io.keel.codecs.TransferState.PENDING ? 1 : 0;
        }
        if (pending != transfers.pendingCount || pending > transfers.maxPending)
        {
            fail("transfers: " + pending + " pending, counted " + transfers.pendingCount + ", bound " + transfers.maxPending);
        }
        for (int i = 0; i < transfers.rememberedCount; i++)
        {
            final Transfers.Transfer t = transfers.byId.get(transfers.rememberedAt(i));
            if (t == null || t.state == io.keel.codecs.TransferState.PENDING)
            {
                fail("remembered transfer " + transfers.rememberedAt(i) + " is " + (t == null ? "not held" : "pending"));
            }
        }
        if (transfers.byId.size() != pending + transfers.rememberedCount ||
            transfers.rememberedCount > transfers.maxRemembered)
        {
            fail("transfers held " + transfers.byId.size() + " != " + pending + " pending + " +
                transfers.rememberedCount + " remembered (bound " + transfers.maxRemembered + ")");
        }
    }

    private static void fail(final String message)
    {
        throw new IllegalStateException("invariant broken: " + message);
    }
}
