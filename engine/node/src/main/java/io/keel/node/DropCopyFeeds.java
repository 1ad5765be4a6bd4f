package io.keel.node;

import io.aeron.Publication;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.DropCopyBatchEndEncoder;
import io.keel.codecs.DropCopyReportEncoder;
import io.keel.codecs.DropCopyRequestDecoder;
import io.keel.codecs.DropCopyResult;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Drop copy on the node: every journaled report, in log order, to the admin and drop-copy sessions that ask.
 * <p>
 * A DropCopyRequest is served as it is applied, so its batch comes before every report produced after it: a bounded
 * read of the {@link OutputJournal} from the place asked for, then one DropCopyBatchEnd. When the read reaches the
 * journal's end the feed becomes <b>live</b>: each later report that passes its filter is sent right after it is
 * journaled ({@link #onReport}), numbered on. Each report has a place that every node gives it alike — its log
 * position and its index among the reports of that log entry — and each feed numbers what it sends (feedSeq 1, 2, 3…
 * per request), so a consumer sees a gap and asks again from the place it stored ({@code DropCopyConsumer}).
 * <p>
 * The registrations are made by log entries and dropped by session closes, so every node keeps the same ones; they
 * are transient output bookkeeping, not engine state, not in the snapshot (a node restarted from a snapshot does not
 * know older ones: its consumers ask again at the leader change). Every node reads its own journal the same way; only
 * the leader's offers leave the node. Offers are tried once and never retried nor queued: a drop copy never slows the
 * engine — a report it could not take becomes a feedSeq gap the consumer fills by asking again. Nothing here throws
 * or changes state; nothing is folded into the output chain.
 * <p>
 * Bounds: {@link #MAX_LIVE_FEEDS} live feeds (a request beyond it gets its batch, then LIVE_LIMIT_REACHED: the consumer
 * polls with further requests), {@link #MAX_RECORDS_PER_REQUEST} journal records read and about
 * {@link #MAX_BATCH_BYTES} sent per request — what a consumer's egress (1 MiB terms) takes in one go.
 */
final class DropCopyFeeds implements OutputJournal.ScanHandler
{
    /** Most feeds following live at once. */
    static final int MAX_LIVE_FEEDS = 16;
    /** Most journal records one request reads (matching or not): the work one log entry may cost the service thread
     *  (0.4-0.8 ms on the 2-vCPU test VM, quiet or busy: DropCopyFeedsTest prints it). */
    static final int MAX_RECORDS_PER_REQUEST = 500;
    /** A batch stops after the report that reaches this many bytes. */
    static final int MAX_BATCH_BYTES = 256 * 1024;
    /** Header and block of a DropCopyReport, before the report itself. */
    static final int REPORT_PREFIX_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + DropCopyReportEncoder.BLOCK_LENGTH;

    /**
     * Where the node's messages to a cluster session go: {@code ClientSession.offer} (mocked on followers).
     */
    @FunctionalInterface
    interface Egress
    {
        long offer(long clusterSessionId, DirectBuffer buffer, int offset, int length);
    }

    /**
     * One live feed; preallocated, reused.
     */
    private static final class Feed
    {
        long clusterSessionId;
        long correlationId;
        long accountId;
        long feedSeq;
    }

    private final OutputJournal journal;
    private final Egress egress;
    private final Feed[] live = new Feed[MAX_LIVE_FEEDS];
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[REPORT_PREFIX_LENGTH + EventEncoder.MAX_OUTPUT_LENGTH]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final DropCopyReportEncoder reportEncoder = new DropCopyReportEncoder();
    private final DropCopyBatchEndEncoder batchEnd = new DropCopyBatchEndEncoder();
    private int liveCount;

    // The request being served (a scan calls back into this object).
    private long batchSessionId;
    private long batchCorrelationId;
    private long batchAccountId;
    private long batchFeedSeq;
    private long batchFromPosition;
    private int batchFromIndex;
    private int batchBytes;
    private boolean stoppedByBytes;
    private long scanPosition;
    private int scanIndex;

    private volatile long reportsSent;
    private volatile long reportsNotTaken;
    private volatile int liveFeeds;

    DropCopyFeeds(final OutputJournal journal, final Egress egress)
    {
        this.journal = journal;
        this.egress = egress;
        for (int i = 0; i < MAX_LIVE_FEEDS; i++)
        {
            live[i] = new Feed();
        }
    }

    /**
     * A DropCopyRequest from {@code clusterSessionId}, applied at {@code logPosition}: the batch, its end, and maybe a
     * live registration. A session has at most one feed: a new request replaces the old one.
     */
    void request(
        final long clusterSessionId, final DropCopyRequestDecoder request, final long logPosition, final long timestamp)
    {
        sessionClosed(clusterSessionId);
        batchSessionId = clusterSessionId;
        batchCorrelationId = request.correlationId();
        batchAccountId = request.accountId();
        batchFromPosition = Math.max(0, request.fromLogPosition());
        batchFromIndex = Math.max(0, request.fromIndex());
        batchFeedSeq = 0;
        batchBytes = 0;
        stoppedByBytes = false;
        scanPosition = -1;
        scanIndex = 0;
        if (journal == null)
        {
            end(DropCopyResult.UNAVAILABLE, batchFromPosition, batchFromIndex, 0, logPosition, false, timestamp);
            return;
        }
        final long earliest = journal.firstHeldPosition();
        if (batchFromPosition > 0 && batchFromPosition < earliest && journal.hasPurged())
        {
            // Reports between the start asked for and the earliest held may be gone: say so, send nothing.
            end(DropCopyResult.START_PURGED, batchFromPosition, batchFromIndex, earliest, logPosition, false, timestamp);
            return;
        }
        final int maxReports = request.maxReports();
        final int limit = maxReports <= 0 || maxReports > MAX_RECORDS_PER_REQUEST ? MAX_RECORDS_PER_REQUEST : maxReports;
        final int read = journal.scanUntil(batchFromPosition, limit, this);
        final boolean reachedEnd = read < limit && !stoppedByBytes;
        final boolean goesLive = reachedEnd && liveCount < MAX_LIVE_FEEDS;
        if (goesLive)
        {
            final Feed feed = live[liveCount++];
            feed.clusterSessionId = clusterSessionId;
            feed.correlationId = batchCorrelationId;
            feed.accountId = batchAccountId;
            feed.feedSeq = batchFeedSeq;
            liveFeeds = liveCount;
        }
        final long nextPosition;
        final int nextIndex;
        if (reachedEnd)
        {
            // Every report before this entry was read, and this entry produces none: the next one is after it.
            nextPosition = logPosition;
            nextIndex = 0;
        }
        else if (scanPosition < 0)
        {
            nextPosition = batchFromPosition;
            nextIndex = batchFromIndex;
        }
        else
        {
            nextPosition = scanPosition;
            nextIndex = scanIndex + 1;
        }
        end(reachedEnd && !goesLive ? DropCopyResult.LIVE_LIMIT_REACHED : DropCopyResult.NONE,
            nextPosition, nextIndex, earliest, logPosition, goesLive, timestamp);
    }

    /**
     * One journal record of the batch being served.
     */
    public boolean onReport(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (logPosition != scanPosition)
        {
            scanPosition = logPosition;
            scanIndex = 0;
        }
        else
        {
            scanIndex++;
        }
        if (logPosition == batchFromPosition && scanIndex < batchFromIndex)
        {
            return true;
        }
        if (batchAccountId != 0 && accountOf(buffer, offset, length) != batchAccountId)
        {
            return true;
        }
        send(batchSessionId, batchCorrelationId, ++batchFeedSeq, logPosition, scanIndex, timestamp, sessionId, seqNo,
            buffer, offset, length);
        batchBytes += REPORT_PREFIX_LENGTH + length;
        stoppedByBytes = batchBytes >= MAX_BATCH_BYTES;
        return !stoppedByBytes;
    }

    /**
     * A report was just journaled: to every live feed it passes, numbered on.
     *
     * @param index its order among the reports of its log entry, from 0 (as the journal holds them).
     */
    void onReport(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final int index,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (liveCount == 0)
        {
            return;
        }
        long accountId = Long.MIN_VALUE;
        for (int i = 0; i < liveCount; i++)
        {
            final Feed feed = live[i];
            if (feed.accountId != 0)
            {
                if (accountId == Long.MIN_VALUE)
                {
                    accountId = accountOf(buffer, offset, length);
                }
                if (accountId != feed.accountId)
                {
                    continue;
                }
            }
            send(feed.clusterSessionId, feed.correlationId, ++feed.feedSeq, logPosition, index, timestamp, sessionId,
                seqNo, buffer, offset, length);
        }
    }

    /**
     * A cluster session closed (or asked again): its live feed goes. Registration order is kept.
     */
    void sessionClosed(final long clusterSessionId)
    {
        for (int i = 0; i < liveCount; i++)
        {
            if (live[i].clusterSessionId == clusterSessionId)
            {
                final Feed removed = live[i];
                System.arraycopy(live, i + 1, live, i, liveCount - i - 1);
                live[--liveCount] = removed;
                liveFeeds = liveCount;
                return;
            }
        }
    }

    int liveCount()
    {
        return liveCount;
    }

    /**
     * Feeds following live now, readable from any thread.
     */
    int liveFeeds()
    {
        return liveFeeds;
    }

    /**
     * Drop-copy reports offered (on followers: mocked), readable from any thread.
     */
    long reportsSent()
    {
        return reportsSent;
    }

    /**
     * Drop-copy reports a consumer's egress did not take (its consumer asks again), readable from any thread.
     */
    long reportsNotTaken()
    {
        return reportsNotTaken;
    }

    /**
     * The account a report is about, by its template; 0 when it names none.
     */
    static long accountOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return 0;
        }
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int fieldOffset;
        switch (templateId)
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
                fieldOffset = ExecutionReportDecoder.accountIdEncodingOffset();
                break;
            case CancelRejectDecoder.TEMPLATE_ID:
                fieldOffset = CancelRejectDecoder.accountIdEncodingOffset();
                break;
            case BusinessRejectDecoder.TEMPLATE_ID:
                fieldOffset = BusinessRejectDecoder.accountIdEncodingOffset();
                break;
            case MassCancelReportDecoder.TEMPLATE_ID:
                fieldOffset = MassCancelReportDecoder.accountIdEncodingOffset();
                break;
            case AccountStatusDecoder.TEMPLATE_ID:
                fieldOffset = AccountStatusDecoder.accountIdEncodingOffset();
                break;
            default:
                return 0;
        }
        final int at = MessageHeaderDecoder.ENCODED_LENGTH + fieldOffset;
        return length >= at + Long.BYTES ? buffer.getLong(offset + at, ByteOrder.LITTLE_ENDIAN) : 0;
    }

    private void send(
        final long clusterSessionId,
        final long correlationId,
        final long feedSeq,
        final long logPosition,
        final int index,
        final long timestamp,
        final long sessionId,
        final long seqNo,
        final DirectBuffer report,
        final int reportOffset,
        final int reportLength)
    {
        if (reportLength > EventEncoder.MAX_OUTPUT_LENGTH)
        {
            reportsNotTaken++; // never, while the engine keeps its outputs to that bound; a gap for the consumer
            return;
        }
        reportEncoder.wrapAndApplyHeader(sendBuffer, 0, header)
            .correlationId(correlationId)
            .feedSeq(feedSeq)
            .logPosition(logPosition)
            .index(index)
            .timestamp(timestamp)
            .sessionId(sessionId)
            .seqNo(seqNo)
            .reportLength(reportLength);
        sendBuffer.putBytes(REPORT_PREFIX_LENGTH, report, reportOffset, reportLength);
        offer(clusterSessionId, REPORT_PREFIX_LENGTH + reportLength);
        reportsSent++;
    }

    private void end(
        final DropCopyResult result,
        final long nextPosition,
        final int nextIndex,
        final long earliest,
        final long logPosition,
        final boolean goesLive,
        final long timestamp)
    {
        batchEnd.wrapAndApplyHeader(sendBuffer, 0, header)
            .correlationId(batchCorrelationId)
            .result(result)
            .reports(batchFeedSeq)
            .nextLogPosition(nextPosition)
            .nextIndex(nextIndex)
            .earliestLogPosition(earliest)
            .requestLogPosition(logPosition)
            .live(goesLive ? BooleanType.TRUE : BooleanType.FALSE)
            .transactTime(timestamp);
        offer(batchSessionId, MessageHeaderEncoder.ENCODED_LENGTH + batchEnd.encodedLength());
    }

    /**
     * Once, never retried: a drop copy must not slow the engine. Never branches state on the result.
     */
    private void offer(final long clusterSessionId, final int length)
    {
        try
        {
            final long result = egress.offer(clusterSessionId, sendBuffer, 0, length);
            if (result < 0 && result != Publication.CLOSED)
            {
                reportsNotTaken++;
            }
        }
        catch (final RuntimeException ex)
        {
            // A message longer than the consumer's egress takes: Aeron throws on the leader only. A gap for it.
            reportsNotTaken++;
        }
    }
}
