package io.keel.gateway;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplayCompleteDecoder;
import io.keel.codecs.SessionStatusDecoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.ByteOrder;

/**
 * Every segment's egress back to the clients: each report to its session's connection, in its segment engine's seqNo
 * order with no gap and no repeat, its seqNo composed with the segment ({@link io.keel.codecs.SegmentSeqNo}) — a report past the one expected means some were lost on the way, and the session asks
 * the cluster's journal for them ({@link SessionSync}); a report already sent is not sent again. Session statuses
 * and replay ends go to {@link SessionSync}; market data to the subscribers.
 * <p>
 * Per report: one check and one copy into the connection's outbound buffer, nothing allocated.
 */
final class ReportRouter
{
    /** Every report and answer starts with the client session id. */
    private static final int SESSION_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    /** Reports carry their seqNo right after the session id (AccountStatus at the end of its block). */
    private static final int SEQ_NO_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES;
    private static final int ACCOUNT_STATUS_SEQ_NO_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + AccountStatusDecoder.seqNoEncodingOffset();
    private static final int INSTRUMENT_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;

    private final GatewayCounters counters;
    private final Sessions sessions;
    private final SessionReplies replies;
    private final SessionSync sync;
    private final MarketDataFeed marketData;
    private final CachedNanoClock clock;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MarketDataRequestDecoder marketDataRequestDecoder = new MarketDataRequestDecoder();

    ReportRouter(
        final GatewayCounters counters,
        final Sessions sessions,
        final SessionReplies replies,
        final SessionSync sync,
        final MarketDataFeed marketData,
        final CachedNanoClock clock)
    {
        this.counters = counters;
        this.sessions = sessions;
        this.replies = replies;
        this.sync = sync;
        this.marketData = marketData;
        this.clock = clock;
    }

    /**
     * One message of the cluster's egress.
     */
    void onEgress(final int segment, final DirectBuffer buffer, final int offset, final int length)
    {
        headerDecoder.wrap(buffer, offset);
        switch (headerDecoder.templateId())
        {
            case ExecutionReportDecoder.TEMPLATE_ID:
            case CancelRejectDecoder.TEMPLATE_ID:
            case BusinessRejectDecoder.TEMPLATE_ID:
            case MassCancelReportDecoder.TEMPLATE_ID:
                final HopTimer hops = counters.hops;
                if (hops != null)
                {
                    hops.onEgress(headerDecoder.templateId(), buffer, offset);
                }
                routeReport(segment, buffer, offset, length, SEQ_NO_OFFSET,
                    buffer.getLong(offset + SEQ_NO_OFFSET, ByteOrder.LITTLE_ENDIAN));
                if (hops != null)
                {
                    hops.onClientQueued();
                }
                break;

            case AccountStatusDecoder.TEMPLATE_ID:
                routeReport(segment, buffer, offset, length, ACCOUNT_STATUS_SEQ_NO_OFFSET,
                    length >= ACCOUNT_STATUS_SEQ_NO_OFFSET + Long.BYTES ?
                    buffer.getLong(offset + ACCOUNT_STATUS_SEQ_NO_OFFSET, ByteOrder.LITTLE_ENDIAN) : 0);
                break;

            case SessionStatusDecoder.TEMPLATE_ID:
                sync.onSessionStatus(segment, buffer, offset);
                break;

            case ReplayCompleteDecoder.TEMPLATE_ID:
                sync.onReplayComplete(segment, buffer, offset);
                break;

            case AdminResponseDecoder.TEMPLATE_ID:
                marketData.onAdminResponse(segment, buffer, offset);
                break;

            case BookUpdateDecoder.TEMPLATE_ID:
            case TradeDecoder.TEMPLATE_ID:
            case BookSnapshotDecoder.TEMPLATE_ID:
                final long nowNs = clock.nanoTime();
                final MarketDataFeed.Outcome outcome = marketData.onMarketData(buffer, offset, length, nowNs);
                final int instrumentId = buffer.getInt(offset + INSTRUMENT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
                if (outcome == MarketDataFeed.Outcome.FORWARD)
                {
                    fanOutMarketData(instrumentId, buffer, offset, length);
                }
                else if (outcome == MarketDataFeed.Outcome.RESYNCED)
                {
                    final int snapshotLength = marketData.encodeSnapshot(instrumentId);
                    fanOutMarketData(instrumentId, marketData.snapshotBuffer(), 0, snapshotLength);
                }
                break;

            default:
                break;
        }
    }

    /**
     * The gateway's own answer about a session (throttled, cluster unavailable): not one of the engine's reports, so
     * seqNo 0, never resent; sent if the session is logged on.
     */
    void deliverUnsequenced(final Session session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (session.isActive())
        {
            replies.send(session.connection, buffer, offset, length);
            counters.increment(GatewayCounters.REPORTS_SENT);
        }
    }

    void onMarketDataRequest(final ClientConnection connection, final DirectBuffer buffer, final int offset)
    {
        marketDataRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int instrument = marketDataRequestDecoder.instrumentId();
        if (marketDataRequestDecoder.subscribe() == BooleanType.TRUE)
        {
            // A snapshot first (now, or when the gateway's book is whole), then the increments; only for an
            // instrument the engine announced, so a session subscribes to at most every instrument there is.
            switch (marketData.subscribe(instrument, clock.nanoTime()))
            {
                case READY:
                    connection.session.marketData.add(instrument);
                    replies.send(connection, marketData.snapshotBuffer(), 0, marketData.encodeSnapshot(instrument));
                    break;
                case PENDING:
                    connection.session.marketData.add(instrument);
                    break;
                case UNKNOWN_INSTRUMENT:
                    replies.sessionReject(connection, MarketDataRequestDecoder.TEMPLATE_ID, RejectReason.UNKNOWN_INSTRUMENT,
                        "no such instrument");
                    break;
                default:
                    replies.sessionReject(connection, MarketDataRequestDecoder.TEMPLATE_ID, RejectReason.UNAVAILABLE,
                        "market data not ready yet: ask again");
                    break;
            }
        }
        else
        {
            connection.session.marketData.remove(marketDataRequestDecoder.instrumentId());
        }
    }

    /**
     * In seqNo order to the session's connection: the next expected goes out; one already sent is dropped (unless the
     * client asked for it again); one past it means a gap, dropped too, and the journal is asked from the first
     * missing one (its replay brings this one again, in order). A session with no connection here gets nothing: its
     * client catches up from the journal when it logs on, wherever it does.
     */
    private void routeReport(
        final int segmentId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int seqNoOffset,
        final long seqNo)
    {
        final long sessionId = buffer.getLong(offset + SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final Session session = sessions.byId(sessionId);
        if (session == null || !session.isActive())
        {
            counters.increment(GatewayCounters.UNROUTED_REPORTS);
            return;
        }
        if (seqNo == 0)
        {
            // Not numbered: an answer to the gateway (a refused message), not part of the session's sequence.
            deliverUnsequenced(session, buffer, offset, length);
            return;
        }
        final SessionSegment segment = session.segments[segmentId];
        final long expected = segment.nextExpectedSeqNo;
        if (seqNo == expected)
        {
            segment.nextExpectedSeqNo = expected + 1;
            replies.sendReport(session.connection, buffer, offset, length, seqNoOffset, segmentId, seqNo);
            counters.increment(GatewayCounters.REPORTS_SENT);
        }
        else if (seqNo < expected)
        {
            if (seqNo >= segment.clientResendFrom && seqNo <= segment.clientResendTo)
            {
                replies.sendReport(session.connection, buffer, offset, length, seqNoOffset, segmentId, seqNo);
                counters.increment(GatewayCounters.REPORTS_SENT);
            }
            else
            {
                counters.increment(GatewayCounters.DUPLICATE_REPORTS);
            }
        }
        else if (expected != 0)
        {
            sync.onGap(session, segment);
        }
    }

    private void fanOutMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            final Session session = sessions.get(i);
            final ClientConnection connection = session.connection;
            if (connection != null && connection.state == ClientConnection.State.ACTIVE &&
                session.marketData.contains(instrumentId))
            {
                replies.send(connection, buffer, offset, length);
            }
        }
    }
}
