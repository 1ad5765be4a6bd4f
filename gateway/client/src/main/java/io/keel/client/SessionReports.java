package io.keel.client;

import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The session's numbered reports and the requests they answer. The gateway numbers every report to this session, so
 * each reaches the listener exactly once however often it arrives (resent after a reconnect, or asked for again).
 * A request stays in flight until a report answers its clOrdId, and is sent again unchanged after a logon or when it
 * has gone unanswered for the resend timeout: the engine answers a repeated clOrdId with the original outcome, so
 * resending never makes a second order.
 */
final class SessionReports
{
    /**
     * Scanning the in-flight requests costs a pass over the map; a timeout of seconds needs no finer check.
     */
    private static final long RESEND_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final KeelClientListener listener;
    private final InFlightRequests inFlight;
    private final long resendTimeoutNs;
    private final ExecutionReportDecoder executionReportDecoder = new ExecutionReportDecoder();
    private final CancelRejectDecoder cancelRejectDecoder = new CancelRejectDecoder();
    private final BusinessRejectDecoder businessRejectDecoder = new BusinessRejectDecoder();
    private final MassCancelReportDecoder massCancelReportDecoder = new MassCancelReportDecoder();

    private long nextExpectedSeqNo;
    private long gatewayNextSeqNo;
    private long nextResendCheckNs;
    private long resent;
    private long duplicatesDropped;

    /**
     * @param resendTimeoutMs a request unanswered this long is sent again; 0 = only after logons.
     */
    SessionReports(final KeelClientListener listener, final int maxInFlight, final long resendTimeoutMs)
    {
        this.listener = listener;
        inFlight = new InFlightRequests(maxInFlight);
        resendTimeoutNs = TimeUnit.MILLISECONDS.toNanos(resendTimeoutMs);
    }

    long nextExpectedSeqNo()
    {
        return nextExpectedSeqNo;
    }

    int inFlight()
    {
        return inFlight.size();
    }

    long resent()
    {
        return resent;
    }

    /**
     * Line up with the gateway's numbering from its LogonResponse.
     */
    void onLogon(final long gatewayNext)
    {
        gatewayNextSeqNo = gatewayNext;
        if (nextExpectedSeqNo == 0)
        {
            // First logon of this client: reports start now.
            nextExpectedSeqNo = gatewayNext;
        }
        else if (gatewayNext < nextExpectedSeqNo)
        {
            // The gateway restarted and numbers afresh; it sends everything it holds for us.
            nextExpectedSeqNo = 1;
        }
    }

    /**
     * @return true while reports the gateway sent before this logon have not all arrived: a request they answer
     * must not be sent again.
     */
    boolean missedReportsPending()
    {
        return nextExpectedSeqNo < gatewayNextSeqNo;
    }

    /**
     * Keep an encoded request until a report answers it.
     *
     * @return false when full or when this clOrdId is already in flight.
     */
    boolean track(final long clOrdId, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        return inFlight.add(clOrdId, buffer, offset, length, nowNs);
    }

    /**
     * After a logon: send again everything still unanswered.
     */
    void resendAll(final long nowNs, final InFlightRequests.Visitor sender)
    {
        resent += inFlight.forEachOlderThan(nowNs + 1, nowNs, sender);
    }

    /**
     * @return requests sent again because they went unanswered for the resend timeout.
     */
    int resendUnanswered(final long nowNs, final InFlightRequests.Visitor sender)
    {
        if (resendTimeoutNs <= 0 || nowNs - nextResendCheckNs < 0)
        {
            return 0;
        }
        nextResendCheckNs = nowNs + RESEND_CHECK_INTERVAL_NS;
        final int count = inFlight.forEachOlderThan(nowNs - resendTimeoutNs, nowNs, sender);
        resent += count;
        return count;
    }

    void onExecutionReport(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        executionReportDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(executionReportDecoder.seqNo(), executionReportDecoder.clOrdId()))
        {
            listener.onExecutionReport(executionReportDecoder);
        }
    }

    void onCancelReject(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        cancelRejectDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(cancelRejectDecoder.seqNo(), cancelRejectDecoder.clOrdId()))
        {
            listener.onCancelReject(cancelRejectDecoder);
        }
    }

    void onBusinessReject(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        businessRejectDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(businessRejectDecoder.seqNo(), businessRejectDecoder.clOrdId()))
        {
            listener.onBusinessReject(businessRejectDecoder);
        }
    }

    void onMassCancelReport(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        massCancelReportDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(massCancelReportDecoder.seqNo(), massCancelReportDecoder.clOrdId()))
        {
            listener.onMassCancelReport(massCancelReportDecoder);
        }
    }

    /**
     * Each report once: a resent one already delivered is dropped; a new one answers its request.
     */
    private boolean accept(final long seqNo, final long clOrdId)
    {
        if (seqNo < nextExpectedSeqNo)
        {
            duplicatesDropped++;
            return false;
        }
        nextExpectedSeqNo = seqNo + 1;
        inFlight.remove(clOrdId);
        return true;
    }
}
