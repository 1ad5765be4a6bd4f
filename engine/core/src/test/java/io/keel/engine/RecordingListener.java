package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.engine.Events.AdminResponse;
import io.keel.engine.Events.BookUpdate;
import io.keel.engine.Events.CancelReject;
import io.keel.engine.Events.Event;
import io.keel.engine.Events.Exec;
import io.keel.engine.Events.MassCancelReport;
import io.keel.engine.Events.Trade;

import java.util.ArrayList;
import java.util.List;

/**
 * Copies every event the engine emits, in order.
 */
final class RecordingListener implements EngineListener
{
    public void onSessionStatus(
        final long gatewayLink,
        final long sessionId,
        final long accountId,
        final int gatewayId,
        final io.keel.codecs.SessionState state,
        final io.keel.codecs.RejectReason reason,
        final long nextSeqNo,
        final long time)
    {
    }

    private final List<Event> events = new ArrayList<>();

    public void onExecutionReport(
        final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
    {
        events.add(Exec.copyOf(order, execType, reason, execId, 0, 0, 0, time));
    }

    public void onFill(
        final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId, final long time)
    {
        events.add(Exec.copyOf(order, ExecType.TRADE, RejectReason.NONE, execId, lastPrice, lastQty, tradeId, time));
    }

    public void onCancelReject(
        final long sessionId,
        final long seqNo,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final CancelRejectResponseTo responseTo,
        final RejectReason reason,
        final long time)
    {
        events.add(new CancelReject(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, responseTo, reason, time));
    }

    public void onMassCancelReport(
        final long sessionId,
        final long seqNo,
        final long accountId,
        final long clOrdId,
        final MassCancelScope scope,
        final int instrumentId,
        final int canceledCount,
        final RejectReason reason,
        final long time)
    {
        events.add(new MassCancelReport(sessionId, accountId, clOrdId, scope, instrumentId, canceledCount, reason, time));
    }

    public void onTrade(
        final int instrumentId,
        final long mdSeqNo,
        final long tradeId,
        final long price,
        final long quantity,
        final Side aggressorSide,
        final long time)
    {
        events.add(new Trade(instrumentId, mdSeqNo, tradeId, price, quantity, aggressorSide, time));
    }

    public void onBookUpdate(
        final int instrumentId,
        final long mdSeqNo,
        final Side side,
        final long price,
        final long quantity,
        final int orderCount,
        final long time)
    {
        events.add(new BookUpdate(instrumentId, mdSeqNo, side, price, quantity, orderCount, time));
    }

    public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
    {
        events.add(new AdminResponse(correlationId, refTemplateId, result, time));
    }

    List<Event> events()
    {
        return events;
    }

    /**
     * Everything recorded so far, and forget it.
     */
    List<Event> drain()
    {
        final List<Event> copy = new ArrayList<>(events);
        events.clear();
        return copy;
    }

    void clear()
    {
        events.clear();
    }

    <T extends Event> List<T> ofType(final Class<T> type)
    {
        final List<T> result = new ArrayList<>();
        for (final Event event : events)
        {
            if (type.isInstance(event))
            {
                result.add(type.cast(event));
            }
        }
        return result;
    }

    List<Exec> reports()
    {
        return ofType(Exec.class);
    }

    List<Exec> reports(final ExecType execType)
    {
        final List<Exec> result = new ArrayList<>();
        for (final Exec exec : reports())
        {
            if (exec.execType() == execType)
            {
                result.add(exec);
            }
        }
        return result;
    }

    List<Exec> reportsForOrder(final long orderId)
    {
        final List<Exec> result = new ArrayList<>();
        for (final Exec exec : reports())
        {
            if (exec.orderId() == orderId)
            {
                result.add(exec);
            }
        }
        return result;
    }

    Exec lastReport()
    {
        final List<Exec> reports = reports();
        if (reports.isEmpty())
        {
            throw new AssertionError("no execution report in " + events);
        }
        return reports.get(reports.size() - 1);
    }

    Exec onlyReport()
    {
        final List<Exec> reports = reports();
        if (reports.size() != 1)
        {
            throw new AssertionError("expected exactly one execution report, got " + events);
        }
        return reports.get(0);
    }

    <T extends Event> T only(final Class<T> type)
    {
        final List<T> found = ofType(type);
        if (found.size() != 1)
        {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + ", got " + events);
        }
        return found.get(0);
    }

    AdminResponse lastAdmin()
    {
        final List<AdminResponse> responses = ofType(AdminResponse.class);
        if (responses.isEmpty())
        {
            throw new AssertionError("no admin response in " + events);
        }
        return responses.get(responses.size() - 1);
    }

    /**
     * The kinds of events in order, e.g. "NEW TRADE-PRINT TRADE TRADE BOOK": a compact shape to assert on.
     */
    String shape()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Event event : events)
        {
            if (sb.length() > 0)
            {
                sb.append(' ');
            }
            if (event instanceof Exec exec)
            {
                sb.append(exec.execType());
            }
            else if (event instanceof Trade)
            {
                sb.append("PRINT");
            }
            else if (event instanceof BookUpdate)
            {
                sb.append("BOOK");
            }
            else if (event instanceof CancelReject)
            {
                sb.append("CANCEL_REJECT");
            }
            else if (event instanceof MassCancelReport)
            {
                sb.append("MASS_CANCEL_REPORT");
            }
            else
            {
                sb.append("ADMIN");
            }
        }
        return sb.toString();
    }

    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Event event : events)
        {
            sb.append("\n  ").append(event);
        }
        return sb.toString();
    }
}
