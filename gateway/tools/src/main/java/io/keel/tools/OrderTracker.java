package io.keel.tools;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;

import java.io.PrintStream;

/**
 * Follows one request of {@code keel order} to its end: prints every report the session gets, one line each, and
 * decides when the reports that belong to the request are all in and whether it was accepted.
 * <p>
 * A new order or a replace may trade at once, and nothing in a report says the last immediate trade has come. So
 * once the order is acknowledged the command asks for its status (an OrderStatusRequest through the log): the
 * engine applies it after the order, so its answer comes after every report the order produced. That answer ends
 * the wait and is not printed. A filled, canceled, expired or refused order ends it sooner. Cold code.
 */
final class OrderTracker implements KeelClientListener
{
    enum Kind
    {
        NEW, CANCEL, REPLACE, MASS_CANCEL, STATUS
    }

    private final Kind kind;
    private final long clOrdId;
    private final PrintStream out;
    private final boolean follow;
    private boolean following;
    private boolean acknowledged;
    private boolean statusWanted;
    private boolean statusAsked;
    private boolean done;
    private boolean accepted;

    /**
     * @param follow once the request is answered and the order rests, go on until it is filled, canceled or
     *               expired (a maker watching for its trades).
     */
    OrderTracker(final Kind kind, final long clOrdId, final boolean follow, final PrintStream out)
    {
        this.kind = kind;
        this.clOrdId = clOrdId;
        this.follow = follow;
        this.out = out;
    }

    /**
     * @return the request was answered and the order rests; reports of its fills may follow.
     */
    boolean isFollowing()
    {
        return following;
    }

    boolean isDone()
    {
        return done;
    }

    boolean isAccepted()
    {
        return accepted;
    }

    /**
     * Ask for the status once the order is acknowledged: from the polling loop, not from inside a callback.
     */
    void askStatusIfWanted(final KeelClient client)
    {
        if (statusWanted && !statusAsked)
        {
            statusAsked = client.orderStatus(clOrdId, 0);
        }
    }

    public void onExecutionReport(final ExecutionReportDecoder r)
    {
        final ExecType execType = r.execType();
        final boolean mine = r.clOrdId() == clOrdId;
        if (mine && statusAsked && execType == ExecType.ORDER_STATUS && !following)
        {
            final OrdStatus status = r.ordStatus();
            if (follow && (status == OrdStatus.NEW || status == OrdStatus.PARTIALLY_FILLED))
            {
                following = true;
                out.println("resting: following order=" + r.orderId() + " until it is filled or canceled");
            }
            else
            {
                finish(true);
            }
            return;
        }
        out.println(format(r));
        if (kind == Kind.STATUS)
        {
            if (execType == ExecType.ORDER_STATUS || mine && execType == ExecType.REJECTED)
            {
                final RejectReason reason = r.rejectReason();
                finish(reason != RejectReason.UNKNOWN_ORDER && reason != RejectReason.UNKNOWN_ACCOUNT);
            }
            return;
        }
        if (!mine)
        {
            return;
        }
        switch (execType)
        {
            case NEW:
            case REPLACED:
                acknowledged = true;
                statusWanted = true;
                break;
            case TRADE:
                if (r.ordStatus() == OrdStatus.FILLED)
                {
                    finish(true);
                }
                break;
            case CANCELED:
                finish(kind != Kind.NEW || acknowledged);
                break;
            case EXPIRED:
            case REJECTED:
                finish(acknowledged && execType == ExecType.EXPIRED);
                break;
            case ORDER_STATUS:
                // A repeated clOrdId: the engine says again what became of the first request.
                finish(r.ordStatus() != OrdStatus.REJECTED);
                break;
            default:
                break;
        }
    }

    public void onCancelReject(final CancelRejectDecoder r)
    {
        out.println("cancel-reject clOrdId=" + r.clOrdId() + " origClOrdId=" + r.origClOrdId() + " order=" +
            r.orderId() + " responseTo=" + r.responseTo() + " reason=" + r.reason());
        if (r.clOrdId() == clOrdId)
        {
            finish(false);
        }
    }

    public void onBusinessReject(final BusinessRejectDecoder r)
    {
        out.println("business-reject clOrdId=" + r.clOrdId() + " refTemplateId=" + r.refTemplateId() + " reason=" +
            r.reason());
        if (r.clOrdId() == clOrdId || r.clOrdId() == 0)
        {
            finish(false);
        }
    }

    public void onMassCancelReport(final MassCancelReportDecoder r)
    {
        out.println("mass-cancel-report clOrdId=" + r.clOrdId() + " scope=" + r.scope() + " instrument=" +
            r.instrumentId() + " canceled=" + r.canceledCount() + " reason=" + r.rejectReason());
        if (r.clOrdId() == clOrdId)
        {
            finish(r.rejectReason() == RejectReason.NONE);
        }
    }

    public void onSessionReject(final int refTemplateId, final RejectReason reason, final String text)
    {
        out.println("session-reject refTemplateId=" + refTemplateId + " reason=" + reason + " " + text);
        finish(false);
    }

    public void onLogout(final LogoutReason reason, final String text)
    {
        out.println("logout reason=" + reason + " " + text);
    }

    private void finish(final boolean accepted)
    {
        if (!done)
        {
            done = true;
            this.accepted = accepted;
        }
    }

    static String format(final ExecutionReportDecoder r)
    {
        final StringBuilder sb = new StringBuilder(160)
            .append("report ").append(r.execType())
            .append(" order=").append(r.orderId())
            .append(" clOrdId=").append(r.clOrdId());
        if (r.origClOrdId() != 0)
        {
            sb.append(" origClOrdId=").append(r.origClOrdId());
        }
        sb.append(" instrument=").append(r.instrumentId())
            .append(" side=").append(r.side())
            .append(" status=").append(r.ordStatus())
            .append(" px=").append(r.price())
            .append(" qty=").append(r.quantity())
            .append(" leaves=").append(r.leavesQty())
            .append(" cum=").append(r.cumQty());
        if (r.execType() == ExecType.TRADE)
        {
            sb.append(" lastPx=").append(r.lastPrice()).append(" lastQty=").append(r.lastQty())
                .append(" tradeId=").append(r.tradeId());
        }
        if (r.rejectReason() != RejectReason.NONE)
        {
            sb.append(" reason=").append(r.rejectReason());
        }
        return sb.toString();
    }
}
