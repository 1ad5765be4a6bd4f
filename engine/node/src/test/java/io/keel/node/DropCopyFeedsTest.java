package io.keel.node;

import io.keel.codecs.BooleanType;
import io.keel.codecs.DropCopyBatchEndDecoder;
import io.keel.codecs.DropCopyReportDecoder;
import io.keel.codecs.DropCopyRequestDecoder;
import io.keel.codecs.DropCopyRequestEncoder;
import io.keel.codecs.DropCopyResult;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node side of drop copy on a real {@link OutputJournal} (small segments, so retention can purge), without a
 * cluster: places, batches and their bounds, the account filter, resuming inside one log entry, the live tail, the
 * bound on live feeds, and the answer for a start the journal no longer holds. Each test names, in a "Catches:" line,
 * the bug planted in {@link DropCopyFeeds} that made it fail.
 */
@Timeout(30)
class DropCopyFeedsTest
{
    private static final int SMALL_SEGMENT = 64 * 1024;
    private static final long CONSUMER = 77;

    /** What the node offered, decoded. */
    record Sent(long clusterSessionId, boolean report, long correlationId, long feedSeq, long logPosition, int index,
        long sessionId, long seqNo, long accountId, DropCopyResult result, long reports, long nextPosition, int nextIndex,
        long earliest, boolean live)
    {
    }

    private final UnsafeBuffer reportBuffer = new UnsafeBuffer(new byte[256]);
    private final ExecutionReportEncoder report = new ExecutionReportEncoder();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final List<Sent> sent = new ArrayList<>();
    private File dir;
    private OutputJournal journal;
    private DropCopyFeeds feeds;
    private long position;

    @BeforeEach
    void before(final TestInfo info)
    {
        dir = new File("target/drop-copy-feeds-test/" + info.getTestMethod().orElseThrow().getName() + "-" +
            System.nanoTime());
        journal = new OutputJournal(new OutputJournal.Context().dir(dir).segmentLength(SMALL_SEGMENT).retentionBytes(0));
        feeds = new DropCopyFeeds(journal, this::offer);
    }

    @AfterEach
    void after()
    {
        journal.close();
        IoUtil.delete(dir, true);
    }

    /** Catches: the index not reset at a new log position; the batch end's next place off by one. */
    @Test
    void shouldSendEveryReportInLogOrderWithItsPlaceThenGoLive()
    {
        entry(new long[][]{{1, 1, 10}, {2, 1, 20}});
        entry(new long[][]{{1, 2, 10}});
        entry(new long[][]{{2, 2, 20}, {1, 3, 10}, {2, 3, 20}});

        final long requestPosition = position + 64;
        request(1, 0, 0, 0, 0, requestPosition);

        final List<Sent> reports = reports(1);
        assertEquals(6, reports.size());
        assertEquals(List.of(0, 1, 0, 0, 1, 2), reports.stream().map(Sent::index).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), reports.stream().map(Sent::feedSeq).toList());
        assertEquals(List.of(1L, 1L, 2L, 2L, 3L, 3L), reports.stream().map(Sent::seqNo).toList());
        final Sent end = end(1);
        assertEquals(DropCopyResult.NONE, end.result());
        assertEquals(6, end.reports());
        assertTrue(end.live());
        assertEquals(requestPosition, end.nextPosition());
        assertEquals(0, end.nextIndex());
        assertEquals(1, feeds.liveCount());

        // Live: numbered on, placed as the journal would place them.
        position = requestPosition + 32;
        feeds.onReport(1, 4, position, 0, 5, reportBuffer, 0, encode(1, 4, 10));
        feeds.onReport(2, 4, position, 1, 5, reportBuffer, 0, encode(2, 4, 20));
        final List<Sent> live = reports(1).subList(6, 8);
        assertEquals(List.of(7L, 8L), live.stream().map(Sent::feedSeq).toList());
        assertEquals(List.of(0, 1), live.stream().map(Sent::index).toList());

        feeds.sessionClosed(CONSUMER);
        assertEquals(0, feeds.liveCount());
        feeds.onReport(1, 5, position + 32, 0, 5, reportBuffer, 0, encode(1, 5, 10));
        assertEquals(8, reports(1).size(), "nothing after the session closed");
    }

    /** Catches: a resume inside one log entry skipping by seqNo instead of by index; the filter ignored. */
    @Test
    void shouldResumeInsideOneLogEntryAndFilterByAccount()
    {
        entry(new long[][]{{1, 1, 10}, {2, 1, 20}, {3, 1, 10}});
        final long first = position;
        entry(new long[][]{{1, 2, 10}, {2, 2, 20}});

        request(1, first, 1, 0, 0, position + 32);
        assertEquals(List.of(1, 2, 0, 1), reports(1).stream().map(Sent::index).toList());
        assertEquals(first, reports(1).get(0).logPosition());

        request(2, 0, 0, 20, 0, position + 32);
        assertEquals(List.of(2L, 2L), reports(2).stream().map(Sent::sessionId).toList());
        assertEquals(List.of(1, 1), reports(2).stream().map(Sent::index).toList(), "indexes count every report");
        assertEquals(List.of(1L, 2L), reports(2).stream().map(Sent::feedSeq).toList());
        assertEquals(2, end(2).reports());

        // Live with a filter: only that account's reports, numbered on.
        feeds.onReport(1, 3, position + 64, 0, 5, reportBuffer, 0, encode(1, 3, 10));
        feeds.onReport(2, 3, position + 64, 1, 5, reportBuffer, 0, encode(2, 3, 20));
        assertEquals(List.of(3L), reports(2).subList(2, 3).stream().map(Sent::feedSeq).toList());
        assertEquals(1, feeds.liveCount(), "the session's second request replaced its first feed");
    }

    /** Catches: a batch not bounded (one request reads the whole journal); the next place after a full batch wrong. */
    @Test
    void shouldBoundEachBatchAndContinueExactlyWhereItStopped()
    {
        for (int i = 1; i <= 2_500; i++)
        {
            entry(new long[][]{{i % 3, i, 10}, {(i % 3) + 10, i, 20}});
        }
        final long now = position + 32;
        final List<Sent> all = new ArrayList<>();
        long from = 0;
        int fromIndex = 0;
        int requests = 0;
        while (true)
        {
            requests++;
            request(requests, from, fromIndex, 0, 0, now);
            all.addAll(reports(requests));
            final Sent end = end(requests);
            assertTrue(end.reports() <= DropCopyFeeds.MAX_RECORDS_PER_REQUEST);
            if (end.live())
            {
                break;
            }
            from = end.nextPosition();
            fromIndex = end.nextIndex();
        }
        assertEquals(5_000, all.size());
        assertEquals(5_000 / DropCopyFeeds.MAX_RECORDS_PER_REQUEST + 1, requests, "full batches, then the end");

        // Not a benchmark: what one full batch costs the service thread here (read, filter, encode, copy, offer).
        final DropCopyFeeds bare = new DropCopyFeeds(journal, (id, buffer, offset, length) -> length);
        final DropCopyRequestDecoder everyAccount = requestDecoder(1, 0, 0, 0, 0);
        final DropCopyRequestDecoder oneAccount = requestDecoder(2, 0, 0, 20, 0);
        final int rounds = 400;
        long startNs = 0;
        for (int i = 0; i < 2 * rounds; i++)
        {
            if (i == rounds)
            {
                startNs = System.nanoTime(); // after a warm-up
            }
            bare.request(CONSUMER, i % 2 == 0 ? everyAccount : oneAccount, now, 5);
        }
        System.out.printf("[drop-copy] one request of %d records: %.1f us (every account and one account, " +
            "alternating)%n", DropCopyFeeds.MAX_RECORDS_PER_REQUEST, (System.nanoTime() - startNs) / 1e3 / rounds);
        for (int i = 1; i < all.size(); i++)
        {
            final Sent a = all.get(i - 1);
            final Sent b = all.get(i);
            assertTrue(b.logPosition() > a.logPosition() || b.logPosition() == a.logPosition() && b.index() == a.index() + 1,
                "in order, no gap, no repeat at " + i);
        }
    }

    /** Catches: no bound on live feeds; a refused feed not told (it would wait for reports that never come). */
    @Test
    void shouldAnswerAtTheBoundOfLiveFeeds()
    {
        entry(new long[][]{{1, 1, 10}});
        for (int i = 0; i < DropCopyFeeds.MAX_LIVE_FEEDS; i++)
        {
            feeds.request(1_000 + i, requestDecoder(i + 1, 0, 0, 0, 0), position + 32, 5);
        }
        assertEquals(DropCopyFeeds.MAX_LIVE_FEEDS, feeds.liveCount());
        sent.clear();
        request(99, 0, 0, 0, 0, position + 32);
        final Sent end = end(99);
        assertEquals(DropCopyResult.LIVE_LIMIT_REACHED, end.result());
        assertEquals(1, end.reports(), "the batch is served all the same");
        assertTrue(!end.live());
        feeds.sessionClosed(1_003);
        request(100, 0, 0, 0, 0, position + 32);
        assertTrue(end(100).live(), "a slot freed by a close");
    }

    /** Catches: a start older than the journal served from what is left, as if nothing were missing. */
    @Test
    void shouldSayClearlyWhenTheStartIsNoLongerHeld()
    {
        final long firstPosition = position + 32;
        long seqNo = 1;
        while (journal.bytesHeld() < 3L * SMALL_SEGMENT)
        {
            entry(new long[][]{{1, seqNo++, 10}});
        }
        journal.purge(position, 0);
        final long earliest = journal.firstHeldPosition();
        assertTrue(earliest > firstPosition, "retention deleted the oldest segments");

        request(1, firstPosition, 0, 0, 0, position + 32);
        final Sent end = end(1);
        assertEquals(DropCopyResult.START_PURGED, end.result());
        assertEquals(earliest, end.earliest());
        assertEquals(0, reports(1).size());
        assertTrue(!end.live());

        request(2, DropCopyConsumer.FROM_START, 0, 0, 0, position + 32);
        assertEquals(DropCopyResult.NONE, end(2).result());
        assertEquals(earliest, reports(2).get(0).logPosition(), "from the start: from what is held");
    }

    private void entry(final long[][] reports)
    {
        position += 32;
        for (final long[] r : reports)
        {
            final int length = encode(r[0], r[1], r[2]);
            journal.append(r[0], r[1], position, 1_000 + position, reportBuffer, 0, length);
        }
    }

    private int encode(final long sessionId, final long seqNo, final long accountId)
    {
        report.wrapAndApplyHeader(reportBuffer, 0, header)
            .sessionId(sessionId)
            .seqNo(seqNo)
            .accountId(accountId)
            .clOrdId(seqNo)
            .execType(ExecType.NEW);
        return MessageHeaderEncoder.ENCODED_LENGTH + report.encodedLength();
    }

    private void request(
        final long correlationId, final long from, final int fromIndex, final long accountId, final int maxReports,
        final long logPosition)
    {
        feeds.request(CONSUMER, requestDecoder(correlationId, from, fromIndex, accountId, maxReports), logPosition, 5);
    }

    private static DropCopyRequestDecoder requestDecoder(
        final long correlationId, final long from, final int fromIndex, final long accountId, final int maxReports)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        new DropCopyRequestEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .fromLogPosition(from)
            .fromIndex(fromIndex)
            .accountId(accountId)
            .maxReports(maxReports);
        return new DropCopyRequestDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
    }

    private List<Sent> reports(final long correlationId)
    {
        return sent.stream().filter((s) -> s.report() && s.correlationId() == correlationId).toList();
    }

    private Sent end(final long correlationId)
    {
        final List<Sent> ends = sent.stream().filter((s) -> !s.report() && s.correlationId() == correlationId).toList();
        assertEquals(1, ends.size(), "one batch end for request " + correlationId);
        return ends.get(0);
    }

    private long offer(final long clusterSessionId, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, offset);
        if (h.templateId() == DropCopyReportDecoder.TEMPLATE_ID)
        {
            final DropCopyReportDecoder r = new DropCopyReportDecoder().wrapAndApplyHeader(buffer, offset, h);
            final int reportOffset = offset + DropCopyFeeds.REPORT_PREFIX_LENGTH;
            assertEquals(length - DropCopyFeeds.REPORT_PREFIX_LENGTH, r.reportLength());
            sent.add(new Sent(clusterSessionId, true, r.correlationId(), r.feedSeq(), r.logPosition(), r.index(),
                r.sessionId(), r.seqNo(), DropCopyFeeds.accountOf(buffer, reportOffset, r.reportLength()), null, 0, 0, 0, 0,
                false));
        }
        else
        {
            final DropCopyBatchEndDecoder e = new DropCopyBatchEndDecoder().wrapAndApplyHeader(buffer, offset, h);
            sent.add(new Sent(clusterSessionId, false, e.correlationId(), 0, 0, 0, 0, 0, 0, e.result(), e.reports(),
                e.nextLogPosition(), e.nextIndex(), e.earliestLogPosition(), e.live() == BooleanType.TRUE));
        }
        return length;
    }
}
