package io.keel.gateway;

import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TradeDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a test client received, copied out of the flyweights.
 */
final class Reports implements KeelClientListener
{
    record Exec(long seqNo, long clOrdId, long orderId, ExecType execType, OrdStatus ordStatus, RejectReason reason,
        long price, long quantity, long leavesQty, long cumQty, long lastQty, long lastPrice, long tradeId)
    {
    }

    record Reject(long seqNo, long clOrdId, int refTemplateId, RejectReason reason)
    {
    }

    record SessionReject(int refTemplateId, RejectReason reason, String text)
    {
    }

    record Reconnecting(String endpoint, long delayMs, String reason)
    {
    }

    final List<Exec> execs = new ArrayList<>();
    final List<Reject> businessRejects = new ArrayList<>();
    final List<Reject> cancelRejects = new ArrayList<>();
    final List<MassCancelReportDecoder> massCancels = new ArrayList<>();
    final List<SessionReject> sessionRejects = new ArrayList<>();
    final List<LogoutReason> logouts = new ArrayList<>();
    final List<String> disconnects = new ArrayList<>();
    final List<Reconnecting> reconnecting = new ArrayList<>();
    final List<Long> seqNos = new ArrayList<>();
    int trades;
    int massCancelCount;

    public void onExecutionReport(final ExecutionReportDecoder r)
    {
        seqNos.add(r.seqNo());
        execs.add(new Exec(r.seqNo(), r.clOrdId(), r.orderId(), r.execType(), r.ordStatus(), r.rejectReason(), r.price(),
            r.quantity(), r.leavesQty(), r.cumQty(), r.lastQty(), r.lastPrice(), r.tradeId()));
    }

    public void onBusinessReject(final BusinessRejectDecoder r)
    {
        seqNos.add(r.seqNo());
        businessRejects.add(new Reject(r.seqNo(), r.clOrdId(), r.refTemplateId(), r.reason()));
    }

    public void onCancelReject(final CancelRejectDecoder r)
    {
        seqNos.add(r.seqNo());
        cancelRejects.add(new Reject(r.seqNo(), r.clOrdId(), 0, r.reason()));
    }

    public void onMassCancelReport(final MassCancelReportDecoder r)
    {
        seqNos.add(r.seqNo());
        massCancelCount++;
    }

    public void onTrade(final TradeDecoder trade)
    {
        trades++;
    }

    public void onSessionReject(final int refTemplateId, final RejectReason reason, final String text)
    {
        sessionRejects.add(new SessionReject(refTemplateId, reason, text));
    }

    public void onLogout(final LogoutReason reason, final String text)
    {
        logouts.add(reason);
    }

    public void onDisconnected(final String reason)
    {
        disconnects.add(reason);
    }

    public void onReconnecting(final String endpoint, final long delayMs, final String reason)
    {
        reconnecting.add(new Reconnecting(endpoint, delayMs, reason));
    }

    long count(final long clOrdId, final ExecType execType)
    {
        return execs.stream().filter((e) -> e.clOrdId() == clOrdId && e.execType() == execType).count();
    }

    long count(final ExecType execType)
    {
        return execs.stream().filter((e) -> e.execType() == execType).count();
    }

    boolean has(final long clOrdId, final ExecType execType)
    {
        return count(clOrdId, execType) > 0;
    }

    long filledQty()
    {
        return execs.stream().filter((e) -> e.execType() == ExecType.TRADE).mapToLong(Exec::lastQty).sum();
    }
}
