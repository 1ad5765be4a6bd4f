package io.keel.common;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.RejectReason;

import java.io.PrintStream;

/**
 * Prints the pages of an AccountStatus answer as readable lines, for {@code keel account} and
 * {@code keel admin account}: one line for the account, one per balance, one per open order. Cold code.
 */
public final class AccountStatusPrinter
{
    private final PrintStream out;
    private int listedOrders;
    private boolean complete;
    private RejectReason result;

    public AccountStatusPrinter(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * Print one page (pages arrive in order on one session).
     *
     * @return true when it was the last page.
     */
    public boolean onPage(final AccountStatusDecoder status)
    {
        result = status.result();
        if (result != RejectReason.NONE)
        {
            out.println("account " + status.accountId() + " refused: " + result);
            complete = true;
            return true;
        }
        if (status.pageNo() == 1)
        {
            out.println("account " + status.accountId() + " open-orders=" + status.openOrderCount());
        }
        for (final AccountStatusDecoder.BalancesDecoder b : status.balances())
        {
            out.println("balance asset=" + b.assetId() + " available=" + b.available() + " reserved=" + b.reserved());
        }
        for (final AccountStatusDecoder.OrdersDecoder o : status.orders())
        {
            listedOrders++;
            out.println("order id=" + o.orderId() + " clOrdId=" + o.clOrdId() + " instrument=" + o.instrumentId() +
                " side=" + o.side() + " tif=" + o.timeInForce() + " px=" + o.price() + " qty=" + o.quantity() +
                " leaves=" + o.leavesQty() + " cum=" + o.cumQty() +
                (o.expireTime() != 0 ? " expire=" + o.expireTime() : ""));
        }
        complete = status.pageNo() >= status.pageCount();
        if (complete && listedOrders < status.openOrderCount())
        {
            out.println("orders listed: " + listedOrders + " of " + status.openOrderCount());
        }
        return complete;
    }

    public boolean isComplete()
    {
        return complete;
    }

    /**
     * @return NONE when the account was found, else why not (null before the first page).
     */
    public RejectReason result()
    {
        return result;
    }
}
