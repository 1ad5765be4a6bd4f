package io.keel.chaos;

import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

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
    /** Another orderId reported for the same clOrdId: a second order. */
    long conflictingOrderId;
    int newReports;
    int statusReports;
    /** When a report first showed the order exists (NEW, TRADE, ORDER_STATUS...). */
    long ackNs;
    boolean rejected;
    String rejectReason = "";
    /** From the latest report: -1 until one arrived. */
    long leavesQty = -1;
    long cumQty;
    long seenFillQty;
    long seenFillNotional;
    boolean statusRequested;

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
     * Filled, cancelled, expired or rejected, as far as the client's reports say.
     */
    boolean isTerminal()
    {
        return rejected || leavesQty == 0;
    }

    /**
     * The quantity of base asset this order moved into (buy) or out of (sell) its account.
     */
    long signedBaseMoved()
    {
        return side == Side.BUY ? cumQty : -cumQty;
    }

    public String toString()
    {
        return "account=" + account + " clOrdId=" + clOrdId + " orderId=" + orderId + " " + side + " " + timeInForce +
            " " + quantity + "@" + price + " instrument=" + instrumentId + " leaves=" + leavesQty + " cum=" + cumQty +
            " seenFills=" + seenFillQty + " sends=" + sends + " unavailable=" + unavailable + " news=" + newReports +
            " statuses=" + statusReports + (rejected ? " rejected=" + rejectReason : "") +
            (conflictingOrderId != 0 ? " conflictingOrderId=" + conflictingOrderId : "");
    }
}
