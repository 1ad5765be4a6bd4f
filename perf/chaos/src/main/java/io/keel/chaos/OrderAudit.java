package io.keel.chaos;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.TimeInForce;
import org.agrona.collections.LongHashSet;

/**
 * One order's reports replayed in the order its client received them, under the rule that an order's state changes
 * only through a report the client received: NEW opens it, a TRADE fills it (the last one ends it), CANCELED,
 * EXPIRED and REJECTED end it. Every report also carries the engine's cumQty, which must equal the fills the client
 * has received by then: more means a TRADE report never arrived, less means a fill arrived twice. An ORDER_STATUS
 * (the engine's answer to a repeated clOrdId, after a reconnect or at the end of the run) may confirm the state the
 * reports left, never explain a change: "open" followed by ORDER_STATUS leaves=0 with no report of why is an order
 * that vanished.
 * <p>
 * Each anomaly is reported once, where it first shows; the replay then takes the engine's word and goes on, so one
 * lost report does not make every later report of the order look wrong too.
 */
final class OrderAudit
{
    /**
     * The order as its client's reports describe it.
     */
    enum View
    {
        /** No report yet: sent, not acknowledged. */
        UNANSWERED,
        /** Acknowledged, not ended. */
        OPEN,
        /** Filled, canceled, expired or rejected. */
        DONE
    }

    final ChaosOrder order;
    private final String who;
    private final CheckResult result;
    private int newReports;
    private OrderReport ended;

    View view = View.UNANSWERED;
    long orderId;
    /** Sum of the lastQty of the TRADE reports received (each execId once). */
    long receivedQty;
    long receivedNotional;
    /** The engine's cumQty as far as it is accounted for: the fills received plus those already found missing. */
    long explainedCum;
    long leavesQty;
    /** Reports the engine must have produced for this order that never reached the client (a lower bound). */
    long impliedLost;

    private OrderAudit(final String session, final ChaosOrder order, final CheckResult result)
    {
        this.order = order;
        this.result = result;
        who = session + " clOrdId=" + order.clOrdId + " " + order.side + " " + order.timeInForce + " " +
            order.quantity + "@" + order.price;
        leavesQty = order.quantity;
    }

    /**
     * @param execIds the execIds of the TRADE reports the session received so far, to find one received twice.
     */
    static OrderAudit replay(
        final String session, final ChaosOrder order, final LongHashSet execIds, final CheckResult result)
    {
        final OrderAudit audit = new OrderAudit(session, order, result);
        for (final OrderReport report : order.reports)
        {
            audit.apply(report, execIds);
        }
        return audit;
    }

    private void apply(final OrderReport report, final LongHashSet execIds)
    {
        checkOrderId(report);
        checkStatus(report);
        switch (report.execType())
        {
            case REJECTED:
                if (view == View.OPEN || (view == View.DONE && ended.execType() != ExecType.REJECTED))
                {
                    contradiction(report, "rejected after " + (view == View.OPEN ? "it was acknowledged" :
                        "it ended (" + ended + ")"));
                }
                end(report);
                break;

            case NEW:
                if (++newReports > 1)
                {
                    result.duplicated++;
                    result.violation(Anomaly.DUPLICATE_ORDER, who + ": a second NEW report " + report);
                }
                else if (view != View.UNANSWERED)
                {
                    contradiction(report, "NEW after " + (view == View.OPEN ? "a later report" : "it ended (" + ended + ")"));
                }
                checkCum(report);
                open(report);
                break;

            case TRADE:
                if (!execIds.add(report.execId()))
                {
                    result.duplicated++;
                    result.violation(Anomaly.DUPLICATE_FILL, who + ": TRADE execId " + report.execId() +
                        " received again " + report);
                    return;
                }
                expectAcknowledged(report);
                receivedQty += report.lastQty();
                receivedNotional += report.lastQty() * report.lastPrice();
                explainedCum += report.lastQty();
                checkCum(report);
                if (report.leavesQty() == 0)
                {
                    end(report);
                }
                else
                {
                    open(report);
                }
                break;

            case CANCELED:
            case EXPIRED:
                if (!(report.execType() == ExecType.EXPIRED && order.timeInForce == TimeInForce.FOK))
                {
                    expectAcknowledged(report); // a FOK that cannot fill expires without a NEW
                }
                checkCum(report);
                end(report);
                break;

            case ORDER_STATUS:
                confirm(report);
                break;

            default: // REPLACED, RESTATED: still open, same fills
                expectAcknowledged(report);
                checkCum(report);
                open(report);
                break;
        }
    }

    /**
     * An ORDER_STATUS confirms the state the reports left; where it differs, a report is missing (or wrong).
     */
    private void confirm(final OrderReport report)
    {
        if (report.ordStatus() == OrdStatus.REJECTED)
        {
            unknownToEngine(report);
            return;
        }
        final boolean fillMissing = checkCum(report);
        if (view == View.UNANSWERED)
        {
            impliedLost++;
            result.violation(Anomaly.NEW_NOT_DELIVERED, who + ": the engine answers " + report +
                " but no NEW or REJECTED report ever acknowledged it");
        }
        else if (view == View.OPEN && report.leavesQty() == 0)
        {
            if (!(fillMissing && report.ordStatus() == OrdStatus.FILLED))
            {
                result.lost++;
                impliedLost++;
                result.violation(Anomaly.VANISHED, who + " orderId=" + orderId +
                    ": acknowledged and open as far as its reports go (leaves=" + leavesQty + " cum=" + explainedCum +
                    "), then " + report + " with no CANCELED, EXPIRED or TRADE report");
            }
        }
        else if (view == View.DONE && report.leavesQty() > 0)
        {
            contradiction(report, "open again after it ended (" + ended + ")");
        }
        if (report.leavesQty() == 0)
        {
            end(report);
        }
        else
        {
            open(report);
        }
    }

    /**
     * An ORDER_STATUS with status REJECTED says the engine does not know the order (UNKNOWN_ORDER), not what
     * became of it: no news for an order never acknowledged or already ended (the engine forgets ended orders in
     * time), but an open one it forgot has vanished.
     */
    private void unknownToEngine(final OrderReport report)
    {
        if (view == View.OPEN)
        {
            result.lost++;
            impliedLost++;
            result.violation(Anomaly.VANISHED, who + " orderId=" + orderId +
                ": acknowledged and open as far as its reports go (leaves=" + leavesQty + " cum=" + explainedCum +
                "), then the engine does not know it: " + report);
            end(report);
        }
    }

    /**
     * @return true when the report shows fills the client never received a TRADE report for.
     */
    private boolean checkCum(final OrderReport report)
    {
        final long cum = report.cumQty();
        if (cum > explainedCum)
        {
            impliedLost++;
            result.violation(Anomaly.FILL_NOT_DELIVERED, who + " orderId=" + orderId + ": " + report +
                " but the client received TRADE reports for " + receivedQty + ": " + (cum - explainedCum) +
                " filled without a report");
            explainedCum = cum;
            return true;
        }
        if (cum < explainedCum)
        {
            result.duplicated++;
            result.violation(Anomaly.DUPLICATE_FILL, who + " orderId=" + orderId + ": " + report +
                " but the client received TRADE reports for " + receivedQty + ": " + (explainedCum - cum) + " too many");
            explainedCum = cum;
        }
        return false;
    }

    private void checkOrderId(final OrderReport report)
    {
        if (report.orderId() == 0)
        {
            return;
        }
        if (orderId == 0)
        {
            orderId = report.orderId();
        }
        else if (orderId != report.orderId())
        {
            result.duplicated++;
            result.violation(Anomaly.DUPLICATE_ORDER, who + ": reported as orderId " + orderId + " and then as " +
                report.orderId() + " " + report);
        }
    }

    /**
     * A report must agree with itself: its status with its leaves and cum, and with its execType.
     */
    private void checkStatus(final OrderReport report)
    {
        final long leaves = report.leavesQty();
        final long cum = report.cumQty();
        final OrdStatus status = report.ordStatus();
        String problem = null;
        if (status == null || status == OrdStatus.NULL_VAL)
        {
            problem = "no status";
        }
        else if (leaves < 0 || cum < 0 || leaves + cum > order.quantity)
        {
            problem = "leaves + cum exceed the order's quantity " + order.quantity;
        }
        else if (status == OrdStatus.NEW && (leaves == 0 || cum != 0))
        {
            problem = "status NEW needs leaves > 0 and cum = 0";
        }
        else if (status == OrdStatus.PARTIALLY_FILLED && (leaves == 0 || cum == 0))
        {
            problem = "status PARTIALLY_FILLED needs leaves > 0 and cum > 0";
        }
        else if (status == OrdStatus.FILLED && (leaves != 0 || cum == 0))
        {
            problem = "status FILLED needs leaves = 0 and cum > 0";
        }
        else if ((status == OrdStatus.CANCELED || status == OrdStatus.EXPIRED || status == OrdStatus.REJECTED) &&
            leaves != 0)
        {
            problem = "status " + status + " needs leaves = 0";
        }
        else if (!statusFits(report.execType(), status))
        {
            problem = "a " + report.execType() + " report cannot say status " + status;
        }
        if (problem != null)
        {
            contradiction(report, problem);
        }
    }

    private static boolean statusFits(final ExecType execType, final OrdStatus status)
    {
        switch (execType)
        {
            case NEW:
                return status == OrdStatus.NEW;
            case TRADE:
                return status == OrdStatus.PARTIALLY_FILLED || status == OrdStatus.FILLED;
            case CANCELED:
                return status == OrdStatus.CANCELED;
            case EXPIRED:
                return status == OrdStatus.EXPIRED;
            case REJECTED:
                return status == OrdStatus.REJECTED;
            default:
                return true;
        }
    }

    private void expectAcknowledged(final OrderReport report)
    {
        if (view == View.UNANSWERED)
        {
            impliedLost++;
            result.violation(Anomaly.NEW_NOT_DELIVERED, who + ": the first report is " + report +
                "; no NEW acknowledged it");
        }
        else if (view == View.DONE)
        {
            contradiction(report, "after it ended (" + ended + ")");
        }
    }

    private void contradiction(final OrderReport report, final String problem)
    {
        result.violation(Anomaly.CONTRADICTORY_STATUS, who + " orderId=" + orderId + ": " + report + ": " + problem);
    }

    private void open(final OrderReport report)
    {
        view = View.OPEN;
        leavesQty = report.leavesQty();
    }

    private void end(final OrderReport report)
    {
        view = View.DONE;
        leavesQty = 0;
        ended = report;
    }

    /**
     * The end of the run: the engine's resting order under this order's id (null if none) must be what the reports
     * left — resting with the same account, clOrdId, quantity and fills if open, not resting if ended.
     */
    void compare(final String engineName, final EngineEndState.Resting rest)
    {
        switch (view)
        {
            case UNANSWERED:
                if (rest == null && !order.rejected)
                {
                    result.lost++;
                    result.violation(Anomaly.NEVER_ANSWERED, who + ": sent " + order.sends + " times, never answered, " +
                        "and " + engineName + " does not rest it");
                }
                break;

            case OPEN:
                if (rest == null)
                {
                    result.lost++;
                    impliedLost++;
                    result.violation(Anomaly.VANISHED, who + " orderId=" + orderId + ": acknowledged and open as far " +
                        "as its reports go (leaves=" + leavesQty + " cum=" + explainedCum + "), but " + engineName +
                        " does not rest it and no report said it ended");
                }
                else if (rest.accountId() != order.account || rest.clOrdId() != order.clOrdId ||
                    rest.quantity() != order.quantity)
                {
                    result.lost++;
                    result.violation(Anomaly.RESTS_OTHERWISE, who + " orderId=" + orderId + ": " + engineName +
                        " rests " + rest);
                }
                else if (rest.cumQty() > explainedCum)
                {
                    impliedLost++;
                    result.violation(Anomaly.FILL_NOT_DELIVERED, who + " orderId=" + orderId + ": " + engineName +
                        " rests it with leaves=" + rest.leavesQty() + " but the client received TRADE reports for " +
                        receivedQty + ": " + (rest.cumQty() - explainedCum) + " filled without a report");
                }
                else if (rest.cumQty() < explainedCum)
                {
                    result.duplicated++;
                    result.violation(Anomaly.DUPLICATE_FILL, who + " orderId=" + orderId + ": " + engineName +
                        " rests it with leaves=" + rest.leavesQty() + " but the client received TRADE reports for " +
                        receivedQty);
                }
                break;

            default:
                if (rest != null)
                {
                    result.lost++;
                    result.violation(Anomaly.RESTS_OTHERWISE, who + " orderId=" + orderId + ": " + engineName +
                        " still rests " + rest + " though its reports ended it: " + ended);
                }
                break;
        }
    }
}
