package io.keel.chaos;

import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

import java.util.ArrayList;
import java.util.List;

/**
 * One new order a chaos client meant to place, and everything its reports told the client.
 * Cold path: a chaos run allocates one per order.
 */
final class ChaosOrder
{
    final int account;
    final long clOrdId;
    final int instrumentId;
    final Side side;
    final TimeInForce timeInForce;
    final long price;
    final long quantity;

    long firstSentNs;
    int sends;
    int unavailable;
    /** First orderId reported for this clOrdId; 0 until acknowledged. */
    long orderId;
    /** When a report first showed the order exists (NEW, TRADE, ORDER_STATUS...). */
    long ackNs;
    boolean rejected;
    String rejectReason = "";
    /** From the latest report: -1 until one arrived. */
    long leavesQty = -1;
    long cumQty;
    boolean statusRequested;
    /** Every execution report about this order, as received: what the history checker replays. */
    final List<OrderReport> reports = new ArrayList<>();

    ChaosOrder(
        final int account,
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        this.account = account;
        this.clOrdId = clOrdId;
        this.instrumentId = instrumentId;
        this.side = side;
        this.timeInForce = timeInForce;
        this.price = price;
        this.quantity = quantity;
    }

    boolean isAcked()
    {
        return orderId != 0;
    }

    /**
     * Filled, cancelled, expired or rejected, as far as the latest report says (the trader's own view, which an
     * ORDER_STATUS updates too; the history checker replays {@link #reports} instead).
     */
    boolean isTerminal()
    {
        return rejected || leavesQty == 0;
    }

    public String toString()
    {
        return "account=" + account + " clOrdId=" + clOrdId + " orderId=" + orderId + " " + side + " " + timeInForce +
            " " + quantity + "@" + price + " instrument=" + instrumentId + " leaves=" + leavesQty + " cum=" + cumQty +
            " sends=" + sends + " unavailable=" + unavailable + " reports=" + reports.size() +
            (rejected ? " rejected=" + rejectReason : "");
    }
}
