package io.keel.client;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AccountStatusEncoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.CancelRejectEncoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrderStatusRequestDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;
import io.keel.codecs.Side;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SessionReports} on its own: reports fed as the transport would hand them, time moved by hand, ResendRequests
 * and resent requests recorded instead of sent.
 */
class SessionReportsTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Recorder listener = new Recorder();
    private final List<long[]> resendRequests = new ArrayList<>();
    private final List<Long> sentClOrdIds = new ArrayList<>();
    private final InFlightRequests.Visitor sender = this::onSent;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void shouldKeepOneSequenceAndOneGapPerSegment()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(5, 2);
        final long s1 = SegmentSeqNo.compose(1, 1);
        execution(reports, 5, 1);
        execution(reports, s1 + 6, 2); // segment 1 starts where its first report is (opened with nothing to resend)
        execution(reports, 6, 3);
        execution(reports, s1 + 8, 4); // segment 1 lost s1+7: only segment 1 is asked again
        execution(reports, 7, 5);

        assertEquals(List.of("exec:5:1", "exec:" + (s1 + 6) + ":2", "exec:6:3", "exec:7:5"), listener.events);
        assertEquals(1, resendRequests.size());
        assertArrayEquals(new long[]{s1 + 7, 0}, resendRequests.get(0));
        assertEquals(8, reports.nextExpectedSeqNo(0));
        assertEquals(s1 + 7, reports.nextExpectedSeqNo(1));

        execution(reports, s1 + 7, 6);
        execution(reports, s1 + 8, 4);
        assertEquals(s1 + 9, reports.nextExpectedSeqNo(1));
        assertEquals(2, reports.segments());
    }

    @Test
    void shouldNameOneSegmentAtLogonAndAskEveryOtherSegmentSeenForWhatItMissed()
    {
        final long s1 = SegmentSeqNo.compose(1, 10);
        final long s2 = SegmentSeqNo.compose(2, 3);
        final SessionReports reports = new SessionReports(listener, 64, 3_000, 20, new long[]{s2, 40, s1},
            (from, to) -> resendRequests.add(new long[]{from, to}), clock);
        assertEquals(40, reports.nextExpectedSeqNo(), "the logon names segment 0's");
        assertArrayEquals(new long[]{40, s1, s2}, reports.nextExpectedSeqNos());

        reports.onLogon(45, 3);
        assertEquals(2, resendRequests.size());
        assertArrayEquals(new long[]{s1, 0}, resendRequests.get(0));
        assertArrayEquals(new long[]{s2, 0}, resendRequests.get(1));
        execution(reports, s1, 1);
        execution(reports, 40, 2);
        assertEquals(List.of("exec:" + s1 + ":1", "exec:40:2"), listener.events);
    }

    private SessionReports reports(final long nextExpectedSeqNo, final int maxUnavailableRetries)
    {
        clock.update(1_000 * MS);
        return new SessionReports(listener, 64, 3_000, maxUnavailableRetries, new long[]{nextExpectedSeqNo},
            (from, to) -> resendRequests.add(new long[]{ from, to }), clock);
    }

    @Test
    void shouldDeliverUnnumberedReportsAsTheyComeWithoutMovingTheSequence()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(5);

        businessReject(reports, 0, 77, NewOrderEncoder.TEMPLATE_ID, RejectReason.THROTTLED);
        businessReject(reports, 0, 78, NewOrderEncoder.TEMPLATE_ID, RejectReason.THROTTLED);
        execution(reports, 5, 1);
        businessReject(reports, 0, 79, NewOrderEncoder.TEMPLATE_ID, RejectReason.THROTTLED);
        execution(reports, 6, 2);

        assertEquals(List.of("reject:0:77", "reject:0:78", "exec:5:1", "reject:0:79", "exec:6:2"), listener.events);
        assertEquals(7, reports.nextExpectedSeqNo());
        assertEquals(0, reports.duplicatesDropped());
        assertTrue(resendRequests.isEmpty());
    }

    @Test
    void shouldDropDuplicates()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        execution(reports, 1, 1);
        execution(reports, 2, 1);
        execution(reports, 1, 1);
        execution(reports, 2, 1);
        cancelReject(reports, 2, 9);
        execution(reports, 3, 1);

        assertEquals(List.of("exec:1:1", "exec:2:1", "exec:3:1"), listener.events);
        assertEquals(3, reports.duplicatesDropped());
        assertEquals(4, reports.nextExpectedSeqNo());
    }

    @Test
    void shouldAskOnceForAGapAndDeliverNothingAheadOfIt()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        execution(reports, 1, 1);
        execution(reports, 4, 1);
        execution(reports, 5, 1);
        execution(reports, 6, 1);

        assertEquals(List.of("exec:1:1"), listener.events, "nothing delivered ahead of the missing 2 and 3");
        assertEquals(1, resendRequests.size(), "one ResendRequest for the gap, however many arrive past it");
        assertEquals(2, resendRequests.get(0)[0]);
        assertEquals(0, resendRequests.get(0)[1]);
        assertEquals(0, reports.checkGap(clock.nanoTime() + SessionReports.GAP_RESEND_TIMEOUT_NS / 2));

        // The gateway's replay brings everything from 2 again, in order; the live 7 follows.
        for (long seqNo = 2; seqNo <= 7; seqNo++)
        {
            execution(reports, seqNo, 1);
        }
        assertEquals(List.of("exec:1:1", "exec:2:1", "exec:3:1", "exec:4:1", "exec:5:1", "exec:6:1", "exec:7:1"),
            listener.events);
        assertEquals(3, reports.outOfOrderDropped());
        assertEquals(8, reports.nextExpectedSeqNo());

        clock.advance(10 * SessionReports.GAP_RESEND_TIMEOUT_NS);
        assertEquals(0, reports.checkGap(clock.nanoTime()), "the gap is filled: nothing more to ask");
        assertEquals(1, resendRequests.size());
    }

    @Test
    void shouldAskAgainWhenTheGapStaysOpenWithoutProgress()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        execution(reports, 1, 1);
        execution(reports, 3, 1);
        assertEquals(1, resendRequests.size());

        // The replay filled 2 and 3 but 4 and 5 came live meanwhile and were dropped: still a gap (6 seen).
        execution(reports, 6, 1);
        execution(reports, 2, 1);
        execution(reports, 3, 1);
        assertEquals(4, reports.nextExpectedSeqNo());
        assertEquals(1, resendRequests.size(), "not again while the replay makes progress");

        clock.advance(SessionReports.GAP_RESEND_TIMEOUT_NS);
        assertEquals(1, reports.checkGap(clock.nanoTime()));
        assertEquals(2, resendRequests.size());
        assertEquals(4, resendRequests.get(1)[0]);
        assertEquals(0, reports.checkGap(clock.nanoTime()), "not twice at once");
    }

    @Test
    void shouldGoOnFromTheFirstReportStillHeld()
    {
        final SessionReports reports = reports(3, 20);
        reports.onLogon(40);
        assertTrue(reports.missedReportsPending());

        // At logon: the journal no longer holds 3..9; the gateway says so, then sends from 10.
        reports.onResendUnavailable("reports 3..9 are no longer held");
        assertEquals(10, reports.nextExpectedSeqNo());
        execution(reports, 10, 1);
        assertEquals(List.of("exec:10:1"), listener.events);
        assertEquals(7, reports.reportsLost());
        assertTrue(resendRequests.isEmpty());

        // Asked for a gap: the replay's held reports arrived before the reject and were dropped; ask from there.
        execution(reports, 15, 1);
        execution(reports, 16, 1);
        assertEquals(1, resendRequests.size());
        reports.onResendUnavailable("reports before seqNo 14 are no longer held");
        assertEquals(14, reports.nextExpectedSeqNo());
        assertEquals(2, resendRequests.size());
        assertEquals(14, resendRequests.get(1)[0]);

        assertEquals(14, SessionReports.firstHeldSeqNo("reports before seqNo 14 are no longer held"));
        assertEquals(10, SessionReports.firstHeldSeqNo("reports 3..9 are no longer held"));
        assertEquals(0, SessionReports.firstHeldSeqNo("retention"));
    }

    @Test
    void shouldAcceptTheNextReportWhenTheGatewayDoesNotSayWhatItHolds()
    {
        final SessionReports reports = reports(3, 20);
        reports.onLogon(40);
        reports.onResendUnavailable("gone");
        execution(reports, 12, 1);
        execution(reports, 13, 1);
        assertEquals(List.of("exec:12:1", "exec:13:1"), listener.events);
        assertEquals(9, reports.reportsLost());
    }

    @Test
    void shouldNumberAccountPagesWithTheReports()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        execution(reports, 1, 1);
        accountStatus(reports, 2, 1, 2);
        accountStatus(reports, 3, 2, 2);
        accountStatus(reports, 2, 1, 2);
        accountStatus(reports, 5, 1, 1);
        execution(reports, 4, 1);
        accountStatus(reports, 5, 1, 1);
        accountStatus(reports, 0, 1, 1);

        assertEquals(List.of("exec:1:1", "account:2:1/2", "account:3:2/2", "exec:4:1", "account:5:1/1", "account:0:1/1"),
            listener.events, "pages once and in order with the reports; an unnumbered one (an admin's) as it comes");
        assertEquals(1, resendRequests.size(), "page 5 ahead of report 4 asked for the gap");
        assertEquals(6, reports.nextExpectedSeqNo());
    }

    @Test
    void shouldKeepTheNumberAcrossLogonsAndTakeTheEnginesWhenItHasNone()
    {
        final SessionReports fresh = reports(0, 20);
        fresh.onLogon(17);
        assertEquals(17, fresh.nextExpectedSeqNo());
        assertFalse(fresh.missedReportsPending());

        final SessionReports resumed = reports(5, 20);
        resumed.onLogon(9);
        assertEquals(5, resumed.nextExpectedSeqNo(), "an engine-numbered sequence is kept at any gateway");
        assertTrue(resumed.missedReportsPending());
        for (long seqNo = 5; seqNo <= 8; seqNo++)
        {
            execution(resumed, seqNo, 1);
        }
        assertFalse(resumed.missedReportsPending());

        // A reconnect to another gateway: still from where it stopped, not from 1.
        resumed.onLogon(12);
        assertEquals(9, resumed.nextExpectedSeqNo());

        resumed.onInvalidSeqNo();
        assertEquals(0, resumed.nextExpectedSeqNo(), "a refused number is forgotten so the next logon succeeds");
    }

    @Test
    void shouldRetryUnavailableWithBackoffThenGiveUp()
    {
        final SessionReports reports = reports(0, 3);
        reports.onLogon(1);
        track(reports, 42);
        assertEquals(1, reports.inFlight());

        final long[] backoffs = { 100 * MS, 200 * MS, 400 * MS };
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            businessReject(reports, 0, 42, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
            assertEquals("unavailable:42:" + attempt + ":false", listener.last());
            assertEquals(1, reports.inFlight(), "kept in flight while retries remain");

            clock.advance(backoffs[attempt - 1] - 1);
            assertEquals(0, reports.sendDueRetries(clock.nanoTime(), sender), "not before the backoff");
            assertEquals(0, reports.resendUnanswered(clock.nanoTime() + 10_000 * MS, sender),
                "a request waiting for its retry is not also resent by the timeout");
            clock.advance(1);
            assertEquals(1, reports.sendDueRetries(clock.nanoTime(), sender));
            assertEquals(attempt, sentClOrdIds.size());
            assertEquals(42L, sentClOrdIds.get(attempt - 1), "the same clOrdId, unchanged");
        }
        businessReject(reports, 0, 42, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        assertEquals(List.of("unavailable:42:1:false", "unavailable:42:2:false", "unavailable:42:3:false",
            "unavailable:42:4:true", "reject:0:42"), listener.events);
        assertEquals(0, reports.inFlight(), "given up: no longer in flight");
        assertEquals(3, reports.unavailableRetries());
        assertEquals(1, reports.nextExpectedSeqNo());
        clock.advance(10_000 * MS);
        assertEquals(0, reports.sendDueRetries(clock.nanoTime(), sender));
    }

    @Test
    void shouldStopRetryingOnceAnswered()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        track(reports, 42);
        track(reports, 43);
        businessReject(reports, 0, 42, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        businessReject(reports, 0, 43, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        execution(reports, 1, 42);
        clock.advance(SessionReports.UNAVAILABLE_BACKOFF_MAX_NS);
        assertEquals(1, reports.sendDueRetries(clock.nanoTime(), sender));
        assertEquals(List.of(43L), sentClOrdIds);
        assertEquals(1, reports.inFlight());

        // After a logon everything goes again, retries included, and they no longer wait.
        businessReject(reports, 0, 43, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        reports.resendAll(clock.nanoTime(), sender);
        assertEquals(List.of(43L, 43L), sentClOrdIds);
        clock.advance(SessionReports.UNAVAILABLE_BACKOFF_MAX_NS);
        assertEquals(0, reports.sendDueRetries(clock.nanoTime(), sender));
    }

    @Test
    void shouldDeliverUnavailableForWhatIsNotInFlightOrNotTheSameRequest()
    {
        final SessionReports reports = reports(0, 20);
        reports.onLogon(1);
        track(reports, 42);
        // An order status naming the order in flight, refused: the order itself is not the one refused.
        businessReject(reports, 0, 42, OrderStatusRequestDecoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        businessReject(reports, 0, 99, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        assertEquals(List.of("reject:0:42", "reject:0:99"), listener.events);
        assertEquals(0, reports.unavailableRetries());

        final SessionReports noRetries = reports(0, 0);
        noRetries.onLogon(1);
        track(noRetries, 7);
        listener.events.clear();
        businessReject(noRetries, 0, 7, NewOrderEncoder.TEMPLATE_ID, RejectReason.UNAVAILABLE);
        assertEquals(List.of("unavailable:7:1:true", "reject:0:7"), listener.events);
        assertEquals(0, noRetries.inFlight());
    }

    @Test
    void shouldBackOffFrom100MsDoublingTo1s()
    {
        assertEquals(100 * MS, SessionReports.unavailableBackoffNs(1));
        assertEquals(200 * MS, SessionReports.unavailableBackoffNs(2));
        assertEquals(400 * MS, SessionReports.unavailableBackoffNs(3));
        assertEquals(800 * MS, SessionReports.unavailableBackoffNs(4));
        assertEquals(1_000 * MS, SessionReports.unavailableBackoffNs(5));
        assertEquals(1_000 * MS, SessionReports.unavailableBackoffNs(1_000));
    }

    private void track(final SessionReports reports, final long clOrdId)
    {
        final NewOrderEncoder order = new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clOrdId(clOrdId).instrumentId(1).side(Side.BUY).price(100).quantity(1);
        assertTrue(reports.track(clOrdId, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength(),
            clock.nanoTime()));
    }

    private void onSent(final DirectBuffer sent, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(sent, offset);
        assertEquals(NewOrderDecoder.TEMPLATE_ID, header.templateId());
        sentClOrdIds.add(new NewOrderDecoder().wrapAndApplyHeader(sent, offset, header).clOrdId());
    }

    private void execution(final SessionReports reports, final long seqNo, final long clOrdId)
    {
        new ExecutionReportEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(1).seqNo(seqNo).clOrdId(clOrdId).execType(ExecType.NEW);
        reports.onExecutionReport(buffer, 0, headerDecoder.wrap(buffer, 0));
    }

    private void cancelReject(final SessionReports reports, final long seqNo, final long clOrdId)
    {
        new CancelRejectEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(1).seqNo(seqNo).clOrdId(clOrdId).reason(RejectReason.UNKNOWN_ORDER);
        reports.onCancelReject(buffer, 0, headerDecoder.wrap(buffer, 0));
    }

    private void businessReject(
        final SessionReports reports, final long seqNo, final long clOrdId, final int refTemplateId,
        final RejectReason reason)
    {
        new BusinessRejectEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(1).seqNo(seqNo).clOrdId(clOrdId).refTemplateId(refTemplateId).reason(reason);
        reports.onBusinessReject(buffer, 0, headerDecoder.wrap(buffer, 0));
    }

    private void accountStatus(final SessionReports reports, final long seqNo, final int pageNo, final int pageCount)
    {
        final AccountStatusEncoder page = new AccountStatusEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(1).accountId(1).requestId(5).pageNo(pageNo).pageCount(pageCount).result(RejectReason.NONE)
            .seqNo(seqNo);
        page.balancesCount(1).next().assetId(2).available(100).reserved(0);
        page.ordersCount(0);
        reports.onAccountStatus(buffer, 0, headerDecoder.wrap(buffer, 0));
    }

    /**
     * What the listener was handed, in order.
     */
    private static final class Recorder implements KeelClientListener
    {
        final List<String> events = new ArrayList<>();

        String last()
        {
            return events.get(events.size() - 1);
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            events.add("exec:" + report.seqNo() + ":" + report.clOrdId());
        }

        public void onCancelReject(final CancelRejectDecoder reject)
        {
            events.add("cancelReject:" + reject.seqNo() + ":" + reject.clOrdId());
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            events.add("reject:" + reject.seqNo() + ":" + reject.clOrdId());
        }

        public void onMassCancelReport(final MassCancelReportDecoder report)
        {
            events.add("massCancel:" + report.seqNo());
        }

        public void onAccountStatus(final AccountStatusDecoder status)
        {
            // Walk the groups, as an application would: the decoder must be positioned at their start.
            final AccountStatusDecoder.BalancesDecoder balances = status.balances();
            assertEquals(1, balances.count());
            assertEquals(2, balances.next().assetId());
            status.orders();
            events.add("account:" + status.seqNo() + ":" + status.pageNo() + "/" + status.pageCount());
        }

        public void onRequestUnavailable(final long clOrdId, final int attempt, final boolean givingUp)
        {
            events.add("unavailable:" + clOrdId + ":" + attempt + ":" + givingUp);
        }
    }
}
