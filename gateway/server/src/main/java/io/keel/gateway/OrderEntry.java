package io.keel.gateway;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.logbuffer.BufferClaim;
import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.CancelOrderDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.ReplaceOrderDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Order entry from a logged-on session into the cluster: throttled per connection, copied once into an ingress claim
 * with the session's id and account stamped over whatever the client sent, or answered at once with a
 * BusinessReject (THROTTLED, UNAVAILABLE) numbered like any report.
 * <p>
 * Decode → stamp → tryClaim allocates nothing and never blocks: back-pressure is the UNAVAILABLE reject.
 */
final class OrderEntry
{
    /** Client-session fields at the start of every order-entry body: sessionId, accountId, clOrdId. */
    private static final int SESSION_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int ACCOUNT_ID_OFFSET = SESSION_ID_OFFSET + Long.BYTES;
    private static final int CL_ORD_ID_OFFSET = ACCOUNT_ID_OFFSET + Long.BYTES;
    private static final long THROTTLE_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int NEW_ORDER_INSTRUMENT_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + NewOrderDecoder.instrumentIdEncodingOffset();
    private static final int CANCEL_INSTRUMENT_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + CancelOrderDecoder.instrumentIdEncodingOffset();
    private static final int REPLACE_INSTRUMENT_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + ReplaceOrderDecoder.instrumentIdEncodingOffset();
    private static final int MASS_CANCEL_SCOPE_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + MassCancelDecoder.scopeEncodingOffset();
    private static final int MASS_CANCEL_INSTRUMENT_OFFSET =
        MessageHeaderDecoder.ENCODED_LENGTH + MassCancelDecoder.instrumentIdEncodingOffset();
    /** {@link #segmentOf}: the message goes to every segment. */
    private static final int EVERY_SEGMENT = -1;

    private final GatewayContext config;
    private final GatewayCounters counters;
    private final ClusterSessions cluster;
    private final ReportRouter router;
    private final SessionReplies replies;
    private final CachedNanoClock clock;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BusinessRejectEncoder businessRejectEncoder = new BusinessRejectEncoder();

    OrderEntry(
        final GatewayContext config,
        final GatewayCounters counters,
        final ClusterSessions cluster,
        final ReportRouter router,
        final SessionReplies replies,
        final CachedNanoClock clock)
    {
        this.config = config;
        this.counters = counters;
        this.cluster = cluster;
        this.router = router;
        this.replies = replies;
        this.clock = clock;
    }

    /**
     * An order, cancel, replace, mass cancel or query. Queries are stamped like orders: a user only ever asks about
     * its own account.
     */
    void onOrderEntry(
        final ClientConnection connection, final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        if (admit(connection))
        {
            final int segment = cluster.count() == 1 ? 0 : segmentOf(buffer, offset, templateId);
            if (segment == EVERY_SEGMENT)
            {
                for (int i = 0, count = cluster.count(); i < count; i++)
                {
                    forward(i, i == 0, connection.session, buffer, offset, length, templateId);
                }
            }
            else
            {
                forward(segment, true, connection.session, buffer, offset, length, templateId);
            }
        }
        else
        {
            businessReject(connection.session, clOrdId(buffer, offset), templateId, RejectReason.THROTTLED);
        }
    }

    /**
     * The session's throttle; a session throttled beyond the abuse limit within a second is dropped.
     */
    boolean admit(final ClientConnection connection)
    {
        final long nowNs = clock.nanoTime();
        if (connection.throttle.tryAcquire(nowNs))
        {
            return true;
        }
        counters.increment(GatewayCounters.THROTTLED);
        if (nowNs - connection.throttleWindowStartNs >= THROTTLE_WINDOW_NS)
        {
            connection.throttleWindowStartNs = nowNs;
            connection.throttledInWindow = 0;
        }
        if (++connection.throttledInWindow > config.throttleAbuse())
        {
            replies.logout(connection, LogoutReason.THROTTLE_ABUSE,
                "throttled more than " + config.throttleAbuse() + " messages within a second");
        }
        return false;
    }

    /**
     * The market segment a request goes to: an order, cancel or replace by its instrument (an instrument no segment
     * names goes to segment 0, whose engine answers it as unknown); a mass cancel of one instrument to that instrument's
     * segment, of the session or account to every segment; an account query to every segment (balances are per
     * segment); an order status query to every segment, as it names no instrument (the segment that holds the order
     * answers its state, the others UNKNOWN_ORDER). Allocation-free.
     *
     * @return the segment, or {@link #EVERY_SEGMENT}.
     */
    int segmentOf(final DirectBuffer buffer, final int offset, final int templateId)
    {
        switch (templateId)
        {
            case NewOrderDecoder.TEMPLATE_ID:
                return config.segmentOf(buffer.getInt(offset + NEW_ORDER_INSTRUMENT_OFFSET, ByteOrder.LITTLE_ENDIAN));
            case CancelOrderDecoder.TEMPLATE_ID:
                return config.segmentOf(buffer.getInt(offset + CANCEL_INSTRUMENT_OFFSET, ByteOrder.LITTLE_ENDIAN));
            case ReplaceOrderDecoder.TEMPLATE_ID:
                return config.segmentOf(buffer.getInt(offset + REPLACE_INSTRUMENT_OFFSET, ByteOrder.LITTLE_ENDIAN));
            case MassCancelDecoder.TEMPLATE_ID:
                return buffer.getByte(offset + MASS_CANCEL_SCOPE_OFFSET) == MassCancelScope.INSTRUMENT.value() ?
                    config.segmentOf(buffer.getInt(offset + MASS_CANCEL_INSTRUMENT_OFFSET, ByteOrder.LITTLE_ENDIAN)) :
                    EVERY_SEGMENT;
            default:
                return EVERY_SEGMENT;
        }
    }

    /**
     * Into the segment's cluster with the session's identity stamped on it, or an UNAVAILABLE reject at once.
     */
    private void forward(
        final int segment,
        final boolean timeHops,
        final Session session,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int templateId)
    {
        if (!cluster.tryClaim(segment, length, claim, clock.nanoTime()))
        {
            counters.increment(GatewayCounters.UNAVAILABLE);
            businessReject(session, clOrdId(buffer, offset), templateId, RejectReason.UNAVAILABLE);
            return;
        }
        final MutableDirectBuffer out = claim.buffer();
        final int at = claim.offset() + AeronCluster.SESSION_HEADER_LENGTH;
        out.putBytes(at, buffer, offset, length);
        out.putLong(at + SESSION_ID_OFFSET, session.sessionId, ByteOrder.LITTLE_ENDIAN);
        out.putLong(at + ACCOUNT_ID_OFFSET, session.accountId, ByteOrder.LITTLE_ENDIAN);
        claim.commit();
        counters.increment(GatewayCounters.ORDERS_FORWARDED);
        // An AccountStatus answer is not a report: the hop timer would wait for it in vain.
        if (counters.hops != null && templateId != AccountRequestDecoder.TEMPLATE_ID && timeHops)
        {
            counters.hops.onIngressSent(session.sessionId, clOrdId(buffer, offset));
        }
    }

    /**
     * The gateway's own answer: the engine never saw the request, so it is not one of the session's numbered reports
     * (seqNo 0).
     */
    private void businessReject(final Session session, final long clOrdId, final int refTemplateId, final RejectReason reason)
    {
        businessRejectEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .sessionId(session.sessionId)
            .seqNo(0)
            .accountId(session.accountId)
            .clOrdId(clOrdId)
            .refTemplateId(refTemplateId)
            .reason(reason)
            .transactTime(System.currentTimeMillis()); // determinism-ok: the gateway, not the state machine
        router.deliverUnsequenced(session, scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + businessRejectEncoder.encodedLength());
    }

    private static long clOrdId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CL_ORD_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
