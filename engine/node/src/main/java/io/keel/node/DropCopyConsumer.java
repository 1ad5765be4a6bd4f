package io.keel.node;

import io.keel.codecs.BooleanType;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.DropCopyBatchEndDecoder;
import io.keel.codecs.DropCopyReportDecoder;
import io.keel.codecs.DropCopyRequestDecoder;
import io.keel.codecs.DropCopyRequestEncoder;
import io.keel.codecs.DropCopyResult;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.common.IdleProfile;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A drop-copy consumer: every report the engine produced for client sessions (or one account's), each once, in log
 * order, from a place it can store and resume from, then live, across leader changes — like a Kafka consumer.
 * <p>
 * It asks the cluster (a DropCopyRequest through the log, as an admin or {@code dropcopy:<name>} principal) for the
 * journaled reports from its place on; the leader answers with a bounded batch and keeps the feed live once the batch
 * reaches the journal's end ({@code DropCopyFeeds}). The consumer checks what arrives: each report of its current
 * request must carry the next feedSeq and lie after the last one delivered (its log position, then its index within
 * that log entry). On a gap, a new leader, a new cluster session, an unanswered request, or every
 * {@link Context#refreshIntervalMs()} while live (a lost report with nothing after it shows no gap), it asks again
 * from its place; what an overlapping answer repeats is skipped by place. That is what makes "each report once, in
 * order".
 * <p>
 * Poll-driven and single-threaded, like Aeron's clients: call {@link #poll()} from one thread, well inside the
 * cluster's session timeout. Store {@link #nextLogPosition()} and {@link #nextIndex()} with what the handler
 * delivered; resume with {@link Context#from(long, int)}.
 */
public final class DropCopyConsumer implements AutoCloseable
{
    /** {@link Context#from} this: every report the journal still holds. */
    public static final long FROM_START = 0;
    /** {@link Context#from} this: only reports produced after the first request is applied. */
    public static final long FROM_END = Long.MAX_VALUE;

    /**
     * Receives each report once, in log order; {@code buffer} is valid during the call only.
     */
    @FunctionalInterface
    public interface ReportHandler
    {
        /**
         * @param logPosition of the log entry that produced the report.
         * @param index       its order among that entry's reports, from 0.
         * @param clusterTime of that entry.
         * @param sessionId   the client session it is for.
         * @param seqNo       the engine's number for it in that session.
         * @param buffer      holding the report, an SBE message of the Keel schema.
         */
        void onReport(
            long logPosition, int index, long clusterTime, long sessionId, long seqNo, DirectBuffer buffer, int offset,
            int length);
    }

    public enum State
    {
        /** Reading what the journal holds, batch by batch. */
        CATCHING_UP,
        /** Following: new reports arrive as the engine produces them. */
        LIVE,
        /** Refused, or the start is no longer held: see {@link #failure()}; polling does nothing more. */
        FAILED
    }

    private final Context ctx;
    private final ClusterCommandSession session;
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[128]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final DropCopyRequestEncoder requestEncoder = new DropCopyRequestEncoder();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final DropCopyReportDecoder reportDecoder = new DropCopyReportDecoder();
    private final DropCopyBatchEndDecoder batchEndDecoder = new DropCopyBatchEndDecoder();
    private final BusinessRejectDecoder rejectDecoder = new BusinessRejectDecoder();
    private State state = State.CATCHING_UP;
    private String failure;
    private long nextPosition;
    private int nextIndex;
    private long correlationId;
    private long expectedFeedSeq = 1;
    private boolean requestDue;
    private boolean awaitingEnd;
    private long requestNotBeforeNs;
    private long requestSentNs;
    private long seenLeaderChanges;
    private long seenReconnects;
    private long earliestLogPosition;
    private long delivered;
    private long requests;
    private long gaps;
    private long duplicatesSkipped;
    private long reportsReceived;

    public DropCopyConsumer(final Context ctx)
    {
        this.ctx = ctx.conclude();
        nextPosition = ctx.fromLogPosition();
        nextIndex = ctx.fromIndex();
        session = new ClusterCommandSession(
            ctx.ingressEndpoints(), ctx.credentials(), ctx.aeronDir(), ctx.idleProfile(), this::onMessage)
            .egressHost(ctx.egressHost());
    }

    /**
     * Connect and send the first request.
     *
     * @throws io.aeron.security.AuthenticationException when the cluster refuses the credentials.
     * @throws io.aeron.exceptions.AeronException        when no leader answers in time.
     */
    public DropCopyConsumer start()
    {
        session.connect();
        seenLeaderChanges = session.leaderChanges();
        seenReconnects = session.reconnects();
        requestDue = true;
        final long nowNs = System.nanoTime(); // determinism-ok: client side
        requestNotBeforeNs = nowNs;
        sendDueRequest(nowNs);
        return this;
    }

    /**
     * Poll egress, hand what arrived to the handler, and ask again when due.
     *
     * @return work done.
     */
    public int poll()
    {
        if (state == State.FAILED)
        {
            return 0;
        }
        int work;
        try
        {
            work = session.poll();
        }
        catch (final RuntimeException ex)
        {
            // The cluster closed the session and no leader took a new one yet (an election): try again next poll.
            requestDue = true;
            return 0;
        }
        if (session.leaderChanges() != seenLeaderChanges || session.reconnects() != seenReconnects)
        {
            // A new leader may not know this feed (it may have restarted from a snapshot), a new session has none.
            seenLeaderChanges = session.leaderChanges();
            seenReconnects = session.reconnects();
            requestDue = true;
        }
        final long nowNs = System.nanoTime(); // determinism-ok: client side
        if (!requestDue && awaitingEnd && nowNs - requestSentNs > ctx.requestTimeoutNs())
        {
            requestDue = true; // lost with a leader that died, or its answer was
        }
        if (!requestDue && state == State.LIVE && nowNs - requestSentNs > ctx.refreshIntervalNs())
        {
            requestDue = true;
        }
        if (requestDue && state != State.FAILED)
        {
            work += sendDueRequest(nowNs);
        }
        return work;
    }

    public State state()
    {
        return state;
    }

    public boolean isLive()
    {
        return state == State.LIVE;
    }

    /**
     * Why the consumer stopped (one line), or null.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * The place to resume from: the log position of the next report wanted (with {@link #nextIndex()}).
     */
    public long nextLogPosition()
    {
        return nextPosition;
    }

    /**
     * The index, within {@link #nextLogPosition()}'s entry, of the next report wanted.
     */
    public int nextIndex()
    {
        return nextIndex;
    }

    /**
     * The oldest log position the leader's journal held at the last answer, 0 when empty.
     */
    public long earliestLogPosition()
    {
        return earliestLogPosition;
    }

    public long delivered()
    {
        return delivered;
    }

    /**
     * Requests sent: the first, then one per batch, gap, leader change, reconnect, timeout or refresh.
     */
    public long requests()
    {
        return requests;
    }

    /**
     * Gaps seen (a feedSeq skipped, or a batch shorter than its end said): each answered by asking again.
     */
    public long gaps()
    {
        return gaps;
    }

    public long duplicatesSkipped()
    {
        return duplicatesSkipped;
    }

    public long leaderChanges()
    {
        return session.leaderChanges();
    }

    public void close()
    {
        session.close();
    }

    private int sendDueRequest(final long nowNs)
    {
        if (nowNs - requestNotBeforeNs < 0)
        {
            return 0;
        }
        requestDue = false;
        // From now on only the new request's answers count: anything still arriving for an older one is stale.
        correlationId++;
        expectedFeedSeq = 1;
        awaitingEnd = true;
        requestSentNs = nowNs;
        requests++;
        final boolean rewind = ctx.testRewindOnRequest && requests == 2; // test: one overlapping re-request
        requestEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .fromLogPosition(rewind ? FROM_START : nextPosition)
            .fromIndex(rewind ? 0 : nextIndex)
            .accountId(ctx.accountId())
            .maxReports(ctx.maxReports());
        if (!session.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + requestEncoder.encodedLength(),
            TimeUnit.SECONDS.toNanos(1)))
        {
            requestDue = true;
            awaitingEnd = false;
            requestNotBeforeNs = nowNs + ctx.retryIntervalNs();
            return 0;
        }
        return 1;
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        switch (header.templateId())
        {
            case DropCopyReportDecoder.TEMPLATE_ID:
                onReport(buffer, offset, length);
                break;
            case DropCopyBatchEndDecoder.TEMPLATE_ID:
                onBatchEnd(buffer, offset);
                break;
            case BusinessRejectDecoder.TEMPLATE_ID:
                rejectDecoder.wrapAndApplyHeader(buffer, offset, header);
                if (rejectDecoder.refTemplateId() == DropCopyRequestDecoder.TEMPLATE_ID)
                {
                    fail("refused: " + rejectDecoder.reason() +
                        " (drop copy is for admin:<name> and dropcopy:<name> principals only)");
                }
                break;
            default:
                break;
        }
    }

    private void onReport(final DirectBuffer buffer, final int offset, final int length)
    {
        final DropCopyReportDecoder report = reportDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (report.correlationId() != correlationId || state == State.FAILED)
        {
            return; // an older request's: what it still sends is covered by the newer one
        }
        if (++reportsReceived == ctx.testLoseReport)
        {
            return; // test: as if the network lost it
        }
        if (report.feedSeq() != expectedFeedSeq && !ctx.testIgnoreFeedGaps)
        {
            gap();
            return;
        }
        expectedFeedSeq = report.feedSeq() + 1;
        final int reportOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength();
        final int reportLength = report.reportLength();
        if (reportOffset + reportLength > offset + length)
        {
            gap(); // cut short: ask for it again
            return;
        }
        final long logPosition = report.logPosition();
        final int index = report.index();
        if (!ctx.testDeliverDuplicates &&
            (logPosition < nextPosition || logPosition == nextPosition && index < nextIndex))
        {
            duplicatesSkipped++;
            return;
        }
        nextPosition = logPosition;
        nextIndex = index + 1;
        delivered++;
        ctx.handler().onReport(
            logPosition, index, report.timestamp(), report.sessionId(), report.seqNo(), buffer, reportOffset, reportLength);
    }

    private void onBatchEnd(final DirectBuffer buffer, final int offset)
    {
        final DropCopyBatchEndDecoder end = batchEndDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (end.correlationId() != correlationId || state == State.FAILED)
        {
            return;
        }
        awaitingEnd = false;
        if (end.reports() != expectedFeedSeq - 1 && !ctx.testIgnoreFeedGaps)
        {
            gap(); // the batch's last reports did not arrive
            return;
        }
        earliestLogPosition = end.earliestLogPosition();
        final DropCopyResult result = end.result();
        if (result == DropCopyResult.START_PURGED)
        {
            fail("the journal no longer holds log position " + nextPosition + ": it starts at log position " +
                end.earliestLogPosition() + " (resume from there, or from the start, knowing reports in between are gone)");
            return;
        }
        if (result != DropCopyResult.NONE && result != DropCopyResult.LIVE_LIMIT_REACHED)
        {
            fail("the leader cannot serve drop copy: " + result);
            return;
        }
        final long endPosition = end.nextLogPosition();
        final int endIndex = end.nextIndex();
        if (nextPosition == FROM_END || endPosition > nextPosition || endPosition == nextPosition && endIndex > nextIndex)
        {
            // Everything before that place was read for this request, filtered or sent: nothing to ask for again.
            nextPosition = endPosition;
            nextIndex = endIndex;
        }
        if (end.live() == BooleanType.TRUE)
        {
            state = State.LIVE;
        }
        else
        {
            state = State.CATCHING_UP;
            requestDue = true;
            if (result == DropCopyResult.LIVE_LIMIT_REACHED)
            {
                // Every live slot is taken: poll with further requests, not too often.
                requestNotBeforeNs = System.nanoTime() + ctx.retryIntervalNs(); // determinism-ok: client side
            }
        }
    }

    private void gap()
    {
        gaps++;
        correlationId++; // ignore the rest of this request's answers until the next request goes out
        awaitingEnd = false;
        requestDue = true;
        if (state == State.LIVE)
        {
            state = State.CATCHING_UP;
        }
    }

    private void fail(final String why)
    {
        failure = why;
        state = State.FAILED;
    }

    /**
     * Configuration, Aeron style: fluent accessors; {@link #conclude()} validates and fails fast naming the option.
     */
    public static final class Context
    {
        public static final int MAX_REPORTS_DEFAULT = 500;
        public static final long REQUEST_TIMEOUT_MS_DEFAULT = 5_000;
        public static final long REFRESH_INTERVAL_MS_DEFAULT = 10_000;
        public static final long RETRY_INTERVAL_MS_DEFAULT = 250;

        private String ingressEndpoints;
        private byte[] credentials;
        private File aeronDir;
        private IdleProfile idleProfile = IdleProfile.BACKOFF;
        private String egressHost = "localhost";
        private long accountId;
        private long fromLogPosition = FROM_END;
        private int fromIndex;
        private int maxReports = MAX_REPORTS_DEFAULT;
        private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
        private long refreshIntervalMs = REFRESH_INTERVAL_MS_DEFAULT;
        private long retryIntervalMs = RETRY_INTERVAL_MS_DEFAULT;
        private ReportHandler handler;
        private boolean concluded;
        long testLoseReport;
        boolean testIgnoreFeedGaps;
        boolean testDeliverDuplicates;
        boolean testRewindOnRequest;

        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (ingressEndpoints == null || ingressEndpoints.isEmpty())
            {
                throw new IllegalArgumentException("ingressEndpoints is required");
            }
            if (credentials == null)
            {
                throw new IllegalArgumentException("credentials are required");
            }
            if (aeronDir == null)
            {
                throw new IllegalArgumentException("aeronDir is required (an aeron dir of its own)");
            }
            if (handler == null)
            {
                throw new IllegalArgumentException("handler is required");
            }
            if (accountId < 0)
            {
                throw new IllegalArgumentException("accountId must be >= 0 (0: every account): " + accountId);
            }
            if (fromLogPosition < 0 || fromIndex < 0)
            {
                throw new IllegalArgumentException("from must be >= 0: " + fromLogPosition + ":" + fromIndex);
            }
            if (maxReports < 1)
            {
                throw new IllegalArgumentException("maxReports must be >= 1: " + maxReports);
            }
            if (requestTimeoutMs < 1 || refreshIntervalMs < 1 || retryIntervalMs < 0)
            {
                throw new IllegalArgumentException("requestTimeoutMs and refreshIntervalMs must be >= 1, " +
                    "retryIntervalMs >= 0");
            }
            concluded = true;
            return this;
        }

        /**
         * Every member's ingress: {@code 0=host:port,1=host:port,…} ({@link ClusterEndpoints#ingressEndpoints()}).
         */
        public Context ingressEndpoints(final String ingressEndpoints)
        {
            this.ingressEndpoints = ingressEndpoints;
            return this;
        }

        public String ingressEndpoints()
        {
            return ingressEndpoints;
        }

        /**
         * {@code dropcopy:<name>:<secret>} ({@link io.keel.common.Principal#dropCopyCredentials}) or an admin's.
         */
        public Context credentials(final byte[] credentials)
        {
            this.credentials = credentials;
            return this;
        }

        public byte[] credentials()
        {
            return credentials;
        }

        /**
         * An aeron dir of its own: the consumer runs an embedded media driver there, so it outlives any node.
         */
        public Context aeronDir(final File aeronDir)
        {
            this.aeronDir = aeronDir;
            return this;
        }

        public File aeronDir()
        {
            return aeronDir;
        }

        public Context idleProfile(final IdleProfile idleProfile)
        {
            this.idleProfile = idleProfile;
            return this;
        }

        public IdleProfile idleProfile()
        {
            return idleProfile;
        }

        /**
         * The address the nodes reach this consumer at (its egress binds there); localhost with the nodes here.
         */
        public Context egressHost(final String egressHost)
        {
            this.egressHost = egressHost;
            return this;
        }

        public String egressHost()
        {
            return egressHost;
        }

        /**
         * Only this account's reports; 0 (the default) for every account.
         */
        public Context accountId(final long accountId)
        {
            this.accountId = accountId;
            return this;
        }

        public long accountId()
        {
            return accountId;
        }

        /**
         * Where to start: {@link #FROM_START}, {@link #FROM_END} (the default), or a stored place (a log position and
         * the index of the next report within it, as {@link #nextLogPosition()} and {@link #nextIndex()} said).
         */
        public Context from(final long logPosition, final int index)
        {
            this.fromLogPosition = logPosition;
            this.fromIndex = index;
            return this;
        }

        public long fromLogPosition()
        {
            return fromLogPosition;
        }

        public int fromIndex()
        {
            return fromIndex;
        }

        /**
         * Most journal records one request reads; the node bounds it further (500 and 256 KiB per batch).
         */
        public Context maxReports(final int maxReports)
        {
            this.maxReports = maxReports;
            return this;
        }

        public int maxReports()
        {
            return maxReports;
        }

        /**
         * Ask again when a request's batch end has not come in this long.
         */
        public Context requestTimeoutMs(final long requestTimeoutMs)
        {
            this.requestTimeoutMs = requestTimeoutMs;
            return this;
        }

        public long requestTimeoutNs()
        {
            return TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        }

        /**
         * While live, ask again this often: a report the leader could not send with nothing after it shows no gap,
         * so this bounds how late it can be.
         */
        public Context refreshIntervalMs(final long refreshIntervalMs)
        {
            this.refreshIntervalMs = refreshIntervalMs;
            return this;
        }

        public long refreshIntervalMs()
        {
            return refreshIntervalMs;
        }

        long refreshIntervalNs()
        {
            return TimeUnit.MILLISECONDS.toNanos(refreshIntervalMs);
        }

        /**
         * Pause before asking again when every live slot was taken, or the cluster did not take a request.
         */
        public Context retryIntervalMs(final long retryIntervalMs)
        {
            this.retryIntervalMs = retryIntervalMs;
            return this;
        }

        long retryIntervalNs()
        {
            return TimeUnit.MILLISECONDS.toNanos(retryIntervalMs);
        }

        public Context handler(final ReportHandler handler)
        {
            this.handler = handler;
            return this;
        }

        public ReportHandler handler()
        {
            return handler;
        }
    }
}
