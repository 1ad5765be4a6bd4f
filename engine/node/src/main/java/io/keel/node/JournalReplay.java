package io.keel.node;

import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplayCompleteEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The leader sends a session's reports again from its output journal: the catch-up that follows a SessionOpen (what
 * the client has not seen) and a gateway's SessionReplay (a gap it saw, or a client's ResendRequest beyond what the
 * gateway holds). Each answer is the reports in seqNo order, then one ReplayComplete saying what was sent and, when
 * the journal no longer holds the start, RESEND_UNAVAILABLE with the first seqNo it still holds.
 * <p>
 * Served as the request is applied, so on the gateway's egress the replay comes before every report produced after
 * it: the gateway needs no buffering to deliver in order. Bounded per request ({@link #MAX_REPORTS_PER_REPLAY}); the
 * gateway asks again from where a ReplayComplete stopped. Only the leader sends (followers' offers go nowhere), and
 * nothing here is folded into the output chain or changes state: each node answers from its own journal.
 */
final class JournalReplay implements OutputJournal.ReportHandler
{
    /** Most reports one request is answered with; about 2 MB of egress at 200 bytes each. */
    static final int MAX_REPORTS_PER_REPLAY = 10_000;

    private final OutputJournal journal;
    private final ClusterOutput output;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ReplayCompleteEncoder complete = new ReplayCompleteEncoder();
    private long gatewayLink;

    JournalReplay(final OutputJournal journal, final ClusterOutput output)
    {
        this.journal = journal;
        this.output = output;
    }

    /**
     * Send the session's reports fromSeqNo..toSeqNo (0: to the latest) to the gateway behind this link.
     *
     * @param nextSeqNo the seqNo the session's next report will get (the engine's count).
     */
    void replay(final long gatewayLink, final long sessionId, final long fromSeqNo, final long toSeqNo, final long nextSeqNo)
    {
        this.gatewayLink = gatewayLink;
        final long last = nextSeqNo - 1;
        long from = Math.max(1, fromSeqNo);
        final long to = toSeqNo <= 0 || toSeqNo > last ? last : toSeqNo;
        RejectReason result = RejectReason.NONE;
        long firstHeld = journal == null ? 0 : journal.firstHeldSeqNo(sessionId);
        if (from <= to)
        {
            if (firstHeld == 0 || firstHeld > from)
            {
                result = RejectReason.RESEND_UNAVAILABLE;
                firstHeld = firstHeld == 0 ? nextSeqNo : firstHeld;
                from = Math.min(firstHeld, to + 1);
            }
        }
        int sent = 0;
        if (from <= to && journal != null)
        {
            final int limit = (int)Math.min(MAX_REPORTS_PER_REPLAY, to - from + 1);
            sent = journal.replay(sessionId, from, to, limit, this);
            if (sent == 0 && result == RejectReason.NONE)
            {
                // Held according to the index but not readable (a hole): say so rather than pretend.
                result = RejectReason.RESEND_UNAVAILABLE;
            }
        }
        complete.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .fromSeqNo(from)
            .toSeqNo(from + sent - 1)
            .result(result)
            .firstHeldSeqNo(firstHeld == 0 ? nextSeqNo : firstHeld)
            .nextSeqNo(nextSeqNo);
        output.resend(gatewayLink, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + complete.encodedLength());
    }

    public void onReport(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        output.resend(gatewayLink, buffer, offset, length);
    }

    /**
     * The node's journal, in {@link NodeContext#journalDir()}, recovered from what is on disk.
     */
    static OutputJournal openJournal(final NodeContext config)
    {
        return new OutputJournal(new OutputJournal.Context()
            .dir(config.journalDir())
            .segmentLength(config.journalSegmentBytes())
            .retentionBytes(config.journalRetentionMb() * 1024 * 1024)
            .retentionTime(TimeUnit.HOURS.toMillis(config.journalRetentionHours())));
    }

    /**
     * Retention, at a snapshot: a failure is logged, never thrown (the journal is not state).
     */
    void purge(final long snapshotLogPosition, final long time, final NodeContext config)
    {
        if (journal != null)
        {
            try
            {
                journal.purge(snapshotLogPosition, time);
            }
            catch (final RuntimeException ex)
            {
                NodeLog.event(config, "journal-purge-failed", "error", String.valueOf(ex));
            }
        }
    }
}
