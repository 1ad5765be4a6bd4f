package io.keel.common;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;

import java.io.PrintStream;

/**
 * Prints the pages of an AccountStatus answer as readable lines, for {@code keel account} and
 * {@code keel admin account}: one line for the account, one per balance, one per open order. Cold code.
 * <p>
 * Behind a gateway with several market segments every segment answers with its own pages (balances are held per
 * segment); each page's seqNo names its segment ({@link SegmentSeqNo}), every line then starts with
 * {@code segment=N}, and the answer is complete when every segment's last page is in.
 */
public final class AccountStatusPrinter
{
    private final PrintStream out;
    private final int segments;
    private final int[] listedOrders;
    private final boolean[] segmentComplete;
    private boolean complete;
    private RejectReason result;

    public AccountStatusPrinter(final PrintStream out)
    {
        this(out, 1);
    }

    /**
     * @param segments how many answers make the whole (a gateway's LogonResponse.segments); 1 prints as before.
     */
    public AccountStatusPrinter(final PrintStream out, final int segments)
    {
        this.out = out;
        this.segments = Math.max(1, segments);
        listedOrders = new int[this.segments];
        segmentComplete = new boolean[this.segments];
    }

    /**
     * Print one page (pages arrive in order on one session).
     *
     * @return true when it was the last page.
     */
    public boolean onPage(final AccountStatusDecoder status)
    {
        final long seqNo = status.seqNo();
        final int segment = segments == 1 || seqNo == AccountStatusDecoder.seqNoNullValue() ? 0 :
            Math.min(SegmentSeqNo.segment(seqNo), segments - 1);
        final String prefix = segments == 1 ? "" : "segment=" + segment + " ";
        final RejectReason pageResult = status.result();
        if (result == null || result == RejectReason.NONE)
        {
            result = pageResult;
        }
        if (pageResult != RejectReason.NONE)
        {
            out.println(prefix + "account " + status.accountId() + " refused: " + pageResult);
            return segmentDone(segment);
        }
        if (status.pageNo() == 1)
        {
            out.println(prefix + "account " + status.accountId() + " open-orders=" + status.openOrderCount());
        }
        for (final AccountStatusDecoder.BalancesDecoder b : status.balances())
        {
            out.println(prefix + "balance asset=" + b.assetId() + " available=" + b.available() + " reserved=" +
                b.reserved());
        }
        for (final AccountStatusDecoder.OrdersDecoder o : status.orders())
        {
            listedOrders[segment]++;
            out.println(prefix + "order id=" + o.orderId() + " clOrdId=" + o.clOrdId() + " instrument=" +
                o.instrumentId() + " side=" + o.side() + " tif=" + o.timeInForce() + " px=" + o.price() + " qty=" +
                o.quantity() + " leaves=" + o.leavesQty() + " cum=" + o.cumQty() +
                (o.expireTime() != 0 ? " expire=" + o.expireTime() : ""));
        }
        if (status.pageNo() >= status.pageCount())
        {
            if (listedOrders[segment] < status.openOrderCount())
            {
                out.println(prefix + "orders listed: " + listedOrders[segment] + " of " + status.openOrderCount());
            }
            return segmentDone(segment);
        }
        return false;
    }

    private boolean segmentDone(final int segment)
    {
        segmentComplete[segment] = true;
        boolean all = true;
        for (final boolean done : segmentComplete)
        {
            all &= done;
        }
        complete = all;
        return all;
    }

    public boolean isComplete()
    {
        return complete;
    }

    /**
     * @return NONE when the account was found (in every segment), else why not (null before the first page).
     */
    public RejectReason result()
    {
        return result;
    }
}
