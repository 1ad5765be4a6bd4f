package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;

/**
 * Read-only questions about one account, asked through the log so every node answers the same at
 * the same point of the order flow: an order's status, and the account's balances and open orders.
 * <p>
 * Answers reach output (and the cluster's hash chain), so their order is canonical, never a hash
 * map's: balances by asset id, then open orders by instrument id, bids then asks, in book priority,
 * as the snapshot orders them. An answer is paged ({@link #PAGE_ENTRIES} entries per message) so
 * every message stays far below the cluster's largest, and the listing is capped at
 * {@link #MAX_LISTED_ORDERS} orders so a request cannot make the engine emit without bound; the
 * count of all open orders travels in every page. Cold path, but it allocates nothing.
 */
final class AccountQuery
{
    /** Balances plus orders per AccountStatus message: about 4 KiB. */
    static final int PAGE_ENTRIES = 64;
    /** Open orders listed per request at most (the count covers them all). */
    static final int MAX_LISTED_ORDERS = 1024;

    private final Accounts accounts;
    private final Instruments instruments;
    private final OrderIndex orders;
    private final Idempotency idempotency;
    private final EventEmitter emitter;
    private final AccountPage page = new AccountPage();
    private int cursorInstrument;
    private int cursorSide;
    private int cursorDepth;
    private Order cursorOrder;

    AccountQuery(
        final Accounts accounts,
        final Instruments instruments,
        final OrderIndex orders,
        final Idempotency idempotency,
        final EventEmitter emitter)
    {
        this.accounts = accounts;
        this.instruments = instruments;
        this.orders = orders;
        this.idempotency = idempotency;
        this.emitter = emitter;
    }

    /**
     * Answer with an ExecutionReport ORDER_STATUS (REJECTED for a request that was refused), by the order's id when
     * given (live orders only) or by clOrdId (a live order's current one, however old, or any request within the
     * idempotency horizon); an order the engine does not know gets ordStatus REJECTED
     * with UNKNOWN_ORDER (UNKNOWN_ACCOUNT for an unknown account), as FIX answers an OrderStatusRequest.
     */
    void orderStatus(final long sessionId, final long accountId, final long clOrdId, final long orderId, final long time)
    {
        final Account account = accounts.get(accountId);
        if (account != null)
        {
            if (orderId != 0)
            {
                final Order order = orders.get(orderId);
                if (order != null && order.accountId == accountId)
                {
                    // Only limit orders rest: market orders end within their own request.
                    emitter.statusReport(order, OrdType.LIMIT, order.clOrdId, sessionId, time);
                    return;
                }
            }
            else
            {
                if (idempotency.answerRepeat(account, clOrdId, sessionId, time))
                {
                    return;
                }
            }
        }
        emitter.detachedReport(
            sessionId, accountId, orderId, clOrdId, 0, ExecType.ORDER_STATUS, OrdStatus.REJECTED, null, null, null,
            account == null ? RejectReason.UNKNOWN_ACCOUNT : RejectReason.UNKNOWN_ORDER, 0, 0, 0, time);
    }

    /**
     * Answer with AccountStatus pages: one empty page with UNKNOWN_ACCOUNT when there is no such account.
     *
     * @param sessionId the asking client session, or 0 for an admin (the answer then goes to the admin session).
     */
    void accountStatus(final long sessionId, final long accountId, final long requestId, final long time)
    {
        final EngineListener listener = emitter.listener();
        final Account account = accounts.get(accountId);
        if (account == null)
        {
            listener.onAccountStatusBegin(page.set(sessionId, emitter.accountPageSeqNo(sessionId), accountId, requestId,
                1, 1, RejectReason.UNKNOWN_ACCOUNT, 0, 0, 0), time);
            listener.onAccountStatusEnd(sessionId, requestId);
            return;
        }

        int balanceCount = 0;
        for (int asset = 0, capacity = account.assetCapacity(); asset < capacity; asset++)
        {
            balanceCount += hasBalance(account, asset) ? 1 : 0;
        }
        int openOrderCount = 0;
        resetCursor();
        while (nextOrderOf(accountId) != null)
        {
            openOrderCount++;
        }
        final int listedOrders = Math.min(openOrderCount, MAX_LISTED_ORDERS);
        final int entries = balanceCount + listedOrders;
        final int pageCount = Math.max(1, (entries + PAGE_ENTRIES - 1) / PAGE_ENTRIES);

        int asset = 0;
        int balancesLeft = balanceCount;
        int ordersLeft = listedOrders;
        resetCursor();
        for (int pageNo = 1; pageNo <= pageCount; pageNo++)
        {
            final int pageBalances = Math.min(balancesLeft, PAGE_ENTRIES);
            final int pageOrders = Math.min(ordersLeft, PAGE_ENTRIES - pageBalances);
            listener.onAccountStatusBegin(page.set(sessionId, emitter.accountPageSeqNo(sessionId), accountId, requestId,
                pageNo, pageCount, RejectReason.NONE, openOrderCount, pageBalances, pageOrders), time);
            for (int i = 0; i < pageBalances; i++)
            {
                while (!hasBalance(account, asset))
                {
                    asset++;
                }
                listener.onAccountBalance(asset, account.available(asset), account.reserved(asset));
                asset++;
            }
            for (int i = 0; i < pageOrders; i++)
            {
                emitter.accountOrder(nextOrderOf(accountId));
            }
            listener.onAccountStatusEnd(sessionId, requestId);
            balancesLeft -= pageBalances;
            ordersLeft -= pageOrders;
        }
    }

    private static boolean hasBalance(final Account account, final int asset)
    {
        return account.total(asset) != 0 || account.reserved(asset) != 0;
    }

    private void resetCursor()
    {
        cursorInstrument = 0;
        cursorSide = 0;
        cursorDepth = -1;
        cursorOrder = null;
    }

    /**
     * The next resting order of the account in canonical order, or null after the last.
     */
    private Order nextOrderOf(final long accountId)
    {
        while (true)
        {
            while (cursorOrder == null)
            {
                if (!nextLevel())
                {
                    return null;
                }
            }
            final Order order = cursorOrder;
            cursorOrder = order.next;
            if (order.accountId == accountId)
            {
                return order;
            }
        }
    }

    private boolean nextLevel()
    {
        while (cursorInstrument < instruments.count)
        {
            final Instrument instrument = instruments.sorted[cursorInstrument];
            final BookSide book = cursorSide == 0 ? instrument.bids : instrument.asks;
            if (++cursorDepth < book.levelCount())
            {
                cursorOrder = book.level(cursorDepth).head;
                return true;
            }
            cursorDepth = -1;
            if (++cursorSide == 2)
            {
                cursorSide = 0;
                cursorInstrument++;
            }
        }
        return false;
    }
}
