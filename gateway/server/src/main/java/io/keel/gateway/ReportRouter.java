package io.keel.gateway;

import io.keel.codecs.AccountStatusDecoder;
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
import io.keel.codecs.ResendRequestDecoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.ByteOrder;

/**
 * The cluster's egress back to the clients: each report numbered into its session's resend cache and sent to the
 * session's connection if it has one; query answers to the asker only; market data to the subscribers. Also serves
 * what a client asks of that output: a resend, a market-data subscription.
 * <p>
 * Per report: one copy into the resend cache and one into the connection's outbound buffer, nothing allocated.
 */
final class ReportRouter
{
    /** Every report and answer starts with the client session id. */
    private static final int SESSION_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int INSTRUMENT_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;

    private final GatewayCounters counters;
    private final Sessions sessions;
    private final SessionReplies replies;
    private final MarketDataFeed marketData;
    private final CachedNanoClock clock;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ResendRequestDecoder resendRequestDecoder = new ResendRequestDecoder();
    private final MarketDataRequestDecoder marketDataRequestDecoder = new MarketDataRequestDecoder();

    ReportRouter(
        final GatewayCounters counters,
        final Sessions sessions,
        final SessionReplies replies,
        final MarketDataFeed marketData,
        final CachedNanoClock clock)
    {
        this.counters = counters;
        this.sessions = sessions;
        this.replies = replies;
        this.marketData = marketData;
        this.clock = clock;
    }

    /**
     * One message of the cluster's egress.
     */
    void onEgress(final DirectBuffer buffer, final int offset, final int length)
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
                routeReport(buffer, offset, length);
                if (hops != null)
                {
                    hops.onClientQueued();
                }
                break;

            case AccountStatusDecoder.TEMPLATE_ID:
                routeAnswer(buffer, offset, length);
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
     * Number the report into the session's resend cache and send that copy if the session is logged on; a report
     * for a session that is away waits in the cache for its logon or ResendRequest.
     */
    void deliverReport(final Session session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!ResendCache.fits(length))
        {
            counters.increment(GatewayCounters.UNROUTED_REPORTS);
            return;
        }
        final ResendCache reports = session.reports;
        final long seqNo = reports.append(buffer, offset, length);
        final ClientConnection connection = session.connection;
        if (connection != null && connection.state == ClientConnection.State.ACTIVE)
        {
            replies.send(connection, reports.buffer(), reports.messageOffset(seqNo), length);
            counters.increment(GatewayCounters.REPORTS_SENT);
        }
    }

    void onResendRequest(final ClientConnection connection, final DirectBuffer buffer, final int offset)
    {
        resendRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        resend(connection, resendRequestDecoder.fromSeqNo(), resendRequestDecoder.toSeqNo());
    }

    /**
     * Everything held from {@code fromSeqNo} to {@code toSeqNo} (0: the last), or a RESEND_UNAVAILABLE reject for the
     * part no longer held followed by the rest.
     */
    void resend(final ClientConnection connection, final long fromSeqNo, final long toSeqNo)
    {
        final ResendCache reports = connection.session.reports;
        final long last = reports.nextSeqNo() - 1;
        final long to = toSeqNo <= 0 || toSeqNo > last ? last : toSeqNo;
        long from = Math.max(1, fromSeqNo);
        if (from < reports.oldestSeqNo())
        {
            replies.sessionReject(connection, ResendRequestDecoder.TEMPLATE_ID, RejectReason.RESEND_UNAVAILABLE,
                "reports before seqNo " + reports.oldestSeqNo() + " are no longer held");
            from = reports.oldestSeqNo();
        }
        for (long seqNo = from; seqNo <= to && connection.isOpen(); seqNo++)
        {
            replies.send(connection, reports.buffer(), reports.messageOffset(seqNo), reports.messageLength(seqNo));
        }
        counters.increment(GatewayCounters.RESENDS);
    }

    void onMarketDataRequest(final ClientConnection connection, final DirectBuffer buffer, final int offset)
    {
        marketDataRequestDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int instrument = marketDataRequestDecoder.instrumentId();
        if (marketDataRequestDecoder.subscribe() == BooleanType.TRUE)
        {
            // A snapshot first (now, or when the gateway's book is whole), then the increments.
            connection.session.marketData.add(instrument);
            if (marketData.isReady(instrument, clock.nanoTime()))
            {
                replies.send(connection, marketData.snapshotBuffer(), 0, marketData.encodeSnapshot(instrument));
            }
        }
        else
        {
            connection.session.marketData.remove(marketDataRequestDecoder.instrumentId());
        }
    }

    private void routeReport(final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = buffer.getLong(offset + SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        Session session = sessions.byLocalId(sessionId);
        if (session == null)
        {
            session = sessions.forReport(sessionId);
            if (session == null)
            {
                counters.increment(GatewayCounters.UNROUTED_REPORTS);
                return;
            }
        }
        deliverReport(session, buffer, offset, length);
    }

    /**
     * A query's answer: to the asking session's connection if it is still there, never numbered or kept for resend
     * (asking again is the recovery).
     */
    private void routeAnswer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = buffer.getLong(offset + SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final Session session = sessions.ownSession(sessionId);
        final ClientConnection connection = session == null ? null : session.connection;
        if (connection != null && connection.state == ClientConnection.State.ACTIVE)
        {
            replies.send(connection, buffer, offset, length);
        }
        else
        {
            counters.increment(GatewayCounters.UNROUTED_REPORTS);
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
