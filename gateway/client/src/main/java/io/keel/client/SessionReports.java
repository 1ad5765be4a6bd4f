package io.keel.client;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The session's numbered reports and the requests they answer.
 * <p>
 * The engine numbers every report to this session from 1 — ExecutionReport, CancelReject, MassCancelReport, the
 * engine's BusinessRejects and AccountStatus pages — the same on every node and at every gateway, so the number the
 * client expects next ({@link #nextExpectedSeqNo()}) is worth keeping across reconnects to any gateway. Each numbered
 * report reaches the listener once and in order: one already delivered is dropped; one past the next expected is
 * dropped too (never delivered ahead of the missing ones), and the gateway is asked once for everything from the
 * first missing one, which its replay brings again in order. Reports the gateway makes itself (THROTTLED, UNAVAILABLE)
 * carry seqNo 0: they are outside the sequence, delivered as they come, and never resent.
 * <p>
 * Behind a gateway with several market segments each segment's engine numbers the session's reports on its own, and
 * the gateway puts the segment in the top bits of the seqNo ({@link SegmentSeqNo}): everything above holds per segment
 * (one expected seqNo, one gap, one ResendRequest per segment). A logon names one segment's number (segment 0's when
 * known); after it, every other segment seen before is asked for what it missed with a ResendRequest from its next
 * expected seqNo. A segment never seen starts its sequence with its first report. With one segment nothing changes.
 * <p>
 * A request stays in flight until a report answers its clOrdId, and is sent again unchanged after a logon or when it
 * has gone unanswered for the resend timeout: the engine answers a repeated clOrdId with the original outcome, so
 * resending never makes a second order. One refused UNAVAILABLE (the gateway cannot reach the cluster) stays in
 * flight and is sent again after a backoff, a bounded number of times, each retry told to
 * {@link KeelClientListener#onRequestUnavailable}; only the last refusal reaches {@code onBusinessReject}.
 */
final class SessionReports
{
    /**
     * Scanning the in-flight requests costs a pass over the map; a timeout of seconds needs no finer check.
     */
    private static final long RESEND_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * A gap asked for and not filled, with no progress for this long, is asked for again: the answer may have been
     * refused (a replay already running at the gateway) or the replay ended short of reports that arrived live
     * meanwhile and were dropped. Longer than a replay of a few thousand reports takes, shorter than a user waits.
     */
    static final long GAP_RESEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    /** The first retry of a request refused UNAVAILABLE; each next one waits twice as long, up to the max. */
    static final long UNAVAILABLE_BACKOFF_MIN_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long UNAVAILABLE_BACKOFF_MAX_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * How a gap is asked for: a ResendRequest on the session (false when it could not be sent now).
     */
    interface ResendRequester
    {
        boolean requestResend(long fromSeqNo, long toSeqNo);
    }

    private final KeelClientListener listener;
    private final InFlightRequests inFlight;
    private final long resendTimeoutNs;
    private final int maxUnavailableRetries;
    private final ResendRequester resendRequester;
    private final NanoClock clock;
    private final ExecutionReportDecoder executionReportDecoder = new ExecutionReportDecoder();
    private final CancelRejectDecoder cancelRejectDecoder = new CancelRejectDecoder();
    private final BusinessRejectDecoder businessRejectDecoder = new BusinessRejectDecoder();
    private final MassCancelReportDecoder massCancelReportDecoder = new MassCancelReportDecoder();
    private final AccountStatusDecoder accountStatusDecoder = new AccountStatusDecoder();

    /*
     * Per segment (index = segment id), every seqNo as the client sees it (composed with its segment):
     * nextExpected 0 until the first logon or first report of the segment when nothing from before is known.
     */
    private long[] nextExpected = new long[1];
    /** The highest seqNo seen, delivered or dropped: a gap is known while it is at or past the next expected. */
    private long[] highestSeen = new long[1];
    /** The next expected seqNo when the gap was last asked for; 0 = no gap asked for. */
    private long[] gapRequestedFrom = new long[1];
    /** When the gap was last asked for or last narrowed. */
    private long[] gapActivityNs = new long[1];
    /**
     * The gateway said reports are no longer held without saying from where: the next report past the gap starts the
     * sequence again.
     */
    private boolean[] acceptNextAfterGap = new boolean[1];
    /** The logon's segment's next seqNo from the gateway (composed). */
    private long gatewayNextSeqNo;
    /** Market segments behind the gateway, from the last LogonResponse (1 before, or from an older gateway). */
    private int segments = 1;
    private long nextResendCheckNs;
    private long resent;
    private long unavailableRetries;
    private long duplicatesDropped;
    private long outOfOrderDropped;
    private long gapResendRequests;
    private long reportsLost;

    /**
     * @param resendTimeoutMs       a request unanswered this long is sent again; 0 = only after logons.
     * @param maxUnavailableRetries how often a request refused UNAVAILABLE is sent again before the refusal is
     *                              delivered; 0 = deliver the first.
     * @param nextExpectedSeqNos    where a previous client of this session stopped, one composed seqNo per segment it
     *                              saw (0s are skipped); none = nothing from before.
     */
    SessionReports(
        final KeelClientListener listener,
        final int maxInFlight,
        final long resendTimeoutMs,
        final int maxUnavailableRetries,
        final long[] nextExpectedSeqNos,
        final ResendRequester resendRequester,
        final NanoClock clock)
    {
        this.listener = listener;
        this.maxUnavailableRetries = maxUnavailableRetries;
        for (final long seqNo : nextExpectedSeqNos)
        {
            if (seqNo > 0)
            {
                final int segment = SegmentSeqNo.segment(seqNo);
                ensure(segment);
                nextExpected[segment] = seqNo;
            }
        }
        this.resendRequester = resendRequester;
        this.clock = clock;
        inFlight = new InFlightRequests(maxInFlight);
        resendTimeoutNs = TimeUnit.MILLISECONDS.toNanos(resendTimeoutMs);
    }

    /**
     * @return the seqNo a Logon names: segment 0's next expected when known, else the lowest segment's that is, else
     * 0 (nothing from before).
     */
    long nextExpectedSeqNo()
    {
        for (final long seqNo : nextExpected)
        {
            if (seqNo != 0)
            {
                return seqNo;
            }
        }
        return 0;
    }

    /**
     * @return the next seqNo expected from one segment (composed with it), 0 when none is known.
     */
    long nextExpectedSeqNo(final int segment)
    {
        return segment < nextExpected.length ? nextExpected[segment] : 0;
    }

    /**
     * @return every segment's next expected seqNo that is known (composed), to store and resume from.
     */
    long[] nextExpectedSeqNos()
    {
        int known = 0;
        for (final long seqNo : nextExpected)
        {
            known += seqNo != 0 ? 1 : 0;
        }
        final long[] seqNos = new long[known];
        int i = 0;
        for (final long seqNo : nextExpected)
        {
            if (seqNo != 0)
            {
                seqNos[i++] = seqNo;
            }
        }
        return seqNos;
    }

    /**
     * @return market segments behind the gateway, as its last LogonResponse said (1 with one).
     */
    int segments()
    {
        return segments;
    }

    int inFlight()
    {
        return inFlight.size();
    }

    long resent()
    {
        return resent;
    }

    long unavailableRetries()
    {
        return unavailableRetries;
    }

    long duplicatesDropped()
    {
        return duplicatesDropped;
    }

    long outOfOrderDropped()
    {
        return outOfOrderDropped;
    }

    long gapResendRequests()
    {
        return gapResendRequests;
    }

    /**
     * @return reports the gateway said it no longer holds, skipped over.
     */
    long reportsLost()
    {
        return reportsLost;
    }

    /**
     * The gateway accepted the logon; {@code engineNextSeqNo} is the seqNo the engine of the logon's segment gives this
     * session's next report (composed with that segment). The engine numbers, not the gateway, so the number expected
     * is kept whichever gateway this is: the reports from it up to {@code engineNextSeqNo - 1} follow in order. With
     * none kept (0), the sequence starts at the engine's. Every other segment seen before is asked for what it missed.
     */
    void onLogon(final long engineNextSeqNo)
    {
        onLogon(engineNextSeqNo, 1);
    }

    void onLogon(final long engineNextSeqNo, final int gatewaySegments)
    {
        segments = Math.max(1, gatewaySegments);
        ensure(segments - 1);
        final int logonSegment = SegmentSeqNo.segment(engineNextSeqNo);
        ensure(logonSegment);
        gatewayNextSeqNo = engineNextSeqNo;
        if (nextExpected[logonSegment] == 0)
        {
            nextExpected[logonSegment] = engineNextSeqNo;
        }
        for (int segment = 0; segment < nextExpected.length; segment++)
        {
            // A gap seen on the last connection is the catch-up's to fill now.
            highestSeen[segment] = nextExpected[segment] == 0 ? 0 : nextExpected[segment] - 1;
            gapRequestedFrom[segment] = 0;
            acceptNextAfterGap[segment] = false;
        }
        final long nowNs = clock.nanoTime();
        for (int segment = 0; segment < nextExpected.length; segment++)
        {
            if (segment != logonSegment && nextExpected[segment] != 0)
            {
                requestGap(segment, nowNs);
            }
        }
    }

    /**
     * The cluster refused the logon because the number expected is beyond any report the engine produced for this
     * session (its state was rebuilt without them, or the number belongs to another session). Forget it, so the next
     * logon succeeds, from the engine's next seqNo: reports produced before that logon are not delivered.
     */
    void onInvalidSeqNo()
    {
        final long refused = nextExpectedSeqNo();
        final int segment = SegmentSeqNo.segment(refused);
        if (segment < nextExpected.length)
        {
            nextExpected[segment] = 0;
            highestSeen[segment] = 0;
            gapRequestedFrom[segment] = 0;
        }
    }

    /**
     * @return true while reports of the logon's segment produced before this logon have not all arrived: a request
     * they answer must not be sent again.
     */
    boolean missedReportsPending()
    {
        final int segment = SegmentSeqNo.segment(gatewayNextSeqNo);
        return segment < nextExpected.length && nextExpected[segment] < gatewayNextSeqNo;
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
     * After a logon: send again everything still unanswered, including requests waiting for an UNAVAILABLE retry.
     */
    void resendAll(final long nowNs, final InFlightRequests.Visitor sender)
    {
        resent += inFlight.forEach(nowNs, sender);
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

    /**
     * @return requests refused UNAVAILABLE sent again now that their backoff is over.
     */
    int sendDueRetries(final long nowNs, final InFlightRequests.Visitor sender)
    {
        final int count = inFlight.sendDueRetries(nowNs, sender);
        resent += count;
        unavailableRetries += count;
        return count;
    }

    /**
     * Ask again for a gap that a first ResendRequest did not fill.
     *
     * @return 1 when asked.
     */
    int checkGap(final long nowNs)
    {
        int work = 0;
        for (int segment = 0; segment < nextExpected.length; segment++)
        {
            if (gapRequestedFrom[segment] != 0 && highestSeen[segment] >= nextExpected[segment] &&
                nowNs - gapActivityNs[segment] >= GAP_RESEND_TIMEOUT_NS)
            {
                requestGap(segment, nowNs);
                work++;
            }
        }
        return work;
    }

    /**
     * The gateway no longer holds reports this session asked for (a SessionReject RESEND_UNAVAILABLE): they cannot be
     * delivered, so the sequence goes on from the first one held, and what is held past it is asked for again if it
     * arrived while the gap was open and was dropped. The listener hears of the reject itself.
     */
    void onResendUnavailable(final String text)
    {
        final long firstHeld = firstHeldSeqNo(text);
        if (firstHeld != 0)
        {
            final int segment = SegmentSeqNo.segment(firstHeld);
            ensure(segment);
            if (firstHeld > nextExpected[segment])
            {
                reportsLost += firstHeld - nextExpected[segment];
                nextExpected[segment] = firstHeld;
                gapRequestedFrom[segment] = 0;
                if (highestSeen[segment] >= nextExpected[segment])
                {
                    requestGap(segment, clock.nanoTime());
                }
            }
            return;
        }
        for (int segment = 0; segment < nextExpected.length; segment++)
        {
            final boolean gapOpen = highestSeen[segment] >= nextExpected[segment] ||
                SegmentSeqNo.segment(gatewayNextSeqNo) == segment && nextExpected[segment] < gatewayNextSeqNo;
            if (gapOpen && nextExpected[segment] != 0)
            {
                acceptNextAfterGap[segment] = true;
            }
        }
    }

    void onExecutionReport(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        executionReportDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(executionReportDecoder.seqNo()))
        {
            inFlight.remove(executionReportDecoder.clOrdId());
            listener.onExecutionReport(executionReportDecoder);
        }
    }

    void onCancelReject(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        cancelRejectDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(cancelRejectDecoder.seqNo()))
        {
            inFlight.remove(cancelRejectDecoder.clOrdId());
            listener.onCancelReject(cancelRejectDecoder);
        }
    }

    /**
     * The engine's rejects are numbered; the gateway's own (seqNo 0) are not, and an UNAVAILABLE one for a request in
     * flight is retried rather than delivered, until the retries run out.
     */
    void onBusinessReject(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        final BusinessRejectDecoder reject = businessRejectDecoder.wrapAndApplyHeader(buffer, offset, header);
        final long clOrdId = reject.clOrdId();
        if (reject.seqNo() == 0 && reject.reason() == RejectReason.UNAVAILABLE &&
            inFlight.contains(clOrdId, reject.refTemplateId()) && retryUnavailable(clOrdId))
        {
            return;
        }
        if (accept(reject.seqNo()))
        {
            inFlight.remove(clOrdId);
            listener.onBusinessReject(reject);
        }
    }

    void onMassCancelReport(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        massCancelReportDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (accept(massCancelReportDecoder.seqNo()))
        {
            inFlight.remove(massCancelReportDecoder.clOrdId());
            listener.onMassCancelReport(massCancelReportDecoder);
        }
    }

    /**
     * Account pages are numbered like reports (an admin's, or one from a gateway older than schema version 3, carry
     * none: delivered as they come). They answer a query, which is not kept in flight.
     */
    void onAccountStatus(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        accountStatusDecoder.wrapAndApplyHeader(buffer, offset, header);
        final long seqNo = accountStatusDecoder.seqNo();
        if (accept(seqNo == AccountStatusDecoder.seqNoNullValue() ? 0 : seqNo))
        {
            // Reading the fixed block left the decoder at the groups, where the listener starts.
            listener.onAccountStatus(accountStatusDecoder);
        }
    }

    /**
     * Each numbered report once and in order. Unnumbered ones (0) pass and leave the sequence alone.
     *
     * @return true to deliver.
     */
    private boolean accept(final long seqNo)
    {
        if (seqNo == 0)
        {
            return true;
        }
        final int segment = SegmentSeqNo.segment(seqNo);
        ensure(segment);
        if (nextExpected[segment] == 0)
        {
            // A segment never seen before (opened at the logon with nothing to send again): its sequence starts here.
            nextExpected[segment] = seqNo;
        }
        final long expected = nextExpected[segment];
        if (seqNo > highestSeen[segment])
        {
            highestSeen[segment] = seqNo;
        }
        if (seqNo < expected)
        {
            duplicatesDropped++;
            return false;
        }
        if (seqNo > expected)
        {
            if (acceptNextAfterGap[segment])
            {
                reportsLost += seqNo - expected;
                acceptNextAfterGap[segment] = false;
            }
            else
            {
                outOfOrderDropped++;
                if (gapRequestedFrom[segment] == 0)
                {
                    requestGap(segment, clock.nanoTime());
                }
                return false;
            }
        }
        nextExpected[segment] = seqNo + 1;
        if (gapRequestedFrom[segment] != 0)
        {
            if (nextExpected[segment] > highestSeen[segment])
            {
                gapRequestedFrom[segment] = 0;
            }
            else
            {
                gapActivityNs[segment] = clock.nanoTime();
            }
        }
        return true;
    }

    /**
     * One ResendRequest from the segment's first missing report to its latest; not again until {@link #checkGap} finds
     * it still open after {@link #GAP_RESEND_TIMEOUT_NS} without progress. Unsent (not logged on), it is asked for by
     * the same timer, or by the catch-up of the next logon.
     */
    private void requestGap(final int segment, final long nowNs)
    {
        gapRequestedFrom[segment] = nextExpected[segment];
        gapActivityNs[segment] = nowNs;
        gapResendRequests++;
        resendRequester.requestResend(nextExpected[segment], 0);
    }

    /**
     * Room for the segment's state (cold: once per segment seen).
     */
    private void ensure(final int segment)
    {
        if (segment < nextExpected.length)
        {
            return;
        }
        final int length = segment + 1;
        nextExpected = java.util.Arrays.copyOf(nextExpected, length);
        highestSeen = java.util.Arrays.copyOf(highestSeen, length);
        gapRequestedFrom = java.util.Arrays.copyOf(gapRequestedFrom, length);
        gapActivityNs = java.util.Arrays.copyOf(gapActivityNs, length);
        acceptNextAfterGap = java.util.Arrays.copyOf(acceptNextAfterGap, length);
    }

    /**
     * @return true while retries remain (the request was kept and will go again); false when giving up.
     */
    private boolean retryUnavailable(final long clOrdId)
    {
        final int refusals = inFlight.countUnavailable(clOrdId);
        if (refusals > maxUnavailableRetries)
        {
            inFlight.remove(clOrdId);
            listener.onRequestUnavailable(clOrdId, refusals, true);
            return false;
        }
        inFlight.retryAt(clOrdId, clock.nanoTime() + unavailableBackoffNs(refusals));
        listener.onRequestUnavailable(clOrdId, refusals, false);
        return true;
    }

    /**
     * @return the wait before the retry that follows the n-th refusal: 100 ms doubling up to 1 s.
     */
    static long unavailableBackoffNs(final int refusals)
    {
        final int doublings = Math.min(Math.max(refusals - 1, 0), 16);
        return Math.min(UNAVAILABLE_BACKOFF_MIN_NS << doublings, UNAVAILABLE_BACKOFF_MAX_NS);
    }

    /**
     * The first seqNo the gateway still holds, from a RESEND_UNAVAILABLE SessionReject's text (the schema gives it no
     * field of its own): "reports before seqNo F are no longer held", or "reports A..B are no longer held" (F = B + 1).
     * Cold path.
     *
     * @return F, or 0 when the text names neither.
     */
    static long firstHeldSeqNo(final String text)
    {
        final String before = "before seqNo ";
        final int at = text.indexOf(before);
        if (at >= 0)
        {
            return parseNumber(text, at + before.length());
        }
        final int range = text.indexOf("..");
        if (range >= 0)
        {
            final long last = parseNumber(text, range + 2);
            return last > 0 ? last + 1 : 0;
        }
        return 0;
    }

    private static long parseNumber(final String text, final int from)
    {
        long value = 0;
        int i = from;
        while (i < text.length() && Character.isDigit(text.charAt(i)) && value < Long.MAX_VALUE / 10)
        {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        return i == from ? 0 : value;
    }
}
