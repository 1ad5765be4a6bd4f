package io.keel.node;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.keel.codecs.SessionIds;
import io.keel.engine.StateHash;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

/**
 * Routes encoded engine outputs to cluster sessions and folds every output, on every node, into
 * a running hash chain for divergence detection. Client reports go to the gateway named in the
 * upper bits of the client session id; market data to every gateway; admin answers to the
 * session that asked. Back-pressure is retried briefly, then queued per gateway and drained on
 * the next callback: a slow gateway never loses a report and never stalls the log for long.
 */
final class ClusterOutput implements OutputSink
{
    private static final int QUICK_RETRIES = 3;
    private static final int PENDING_INITIAL_BYTES = 64 * 1024;
    private static final int PENDING_MAX_BYTES = 64 * 1024 * 1024;
    /** What {@link #offerChecked} returns for a message too long for the session's egress. */
    private static final long OVERSIZED = Long.MIN_VALUE;

    /**
     * One gateway's cluster session and what it has not yet taken.
     */
    private static final class GatewayRoute
    {
        final int gatewayId;
        ClientSession session;
        final ExpandableRingBuffer pending = new ExpandableRingBuffer(PENDING_INITIAL_BYTES, PENDING_MAX_BYTES, false);

        GatewayRoute(final int gatewayId)
        {
            this.gatewayId = gatewayId;
        }
    }

    private final Int2ObjectHashMap<GatewayRoute> routes = new Int2ObjectHashMap<>();
    private IdleStrategy retryIdle;
    private final ExpandableRingBuffer.MessageConsumer drainer = this::drainOne;
    private GatewayRoute draining;
    private ClientSession requester;
    private long chain;
    private long dropped;
    private long queued;
    private volatile long oversized;

    ClusterOutput(final IdleStrategy retryIdle)
    {
        this.retryIdle = retryIdle;
    }

    void retryIdle(final IdleStrategy retryIdle)
    {
        this.retryIdle = retryIdle;
    }

    long chain()
    {
        return chain;
    }

    void chain(final long chain)
    {
        this.chain = chain;
    }

    long dropped()
    {
        return dropped;
    }

    long queued()
    {
        return queued;
    }

    /**
     * Messages not offered because they were longer than a session's egress takes, readable from any thread:
     * never, while the engine keeps its outputs to {@link EventEncoder#MAX_OUTPUT_LENGTH} and clients take the
     * node's egress term or a longer one.
     */
    long oversized()
    {
        return oversized;
    }

    /**
     * The session whose message is being applied: admin answers go there.
     */
    void requester(final ClientSession session)
    {
        requester = session;
    }

    void gatewayConnected(final int gatewayId, final ClientSession session)
    {
        GatewayRoute route = routes.get(gatewayId);
        if (route == null)
        {
            route = new GatewayRoute(gatewayId);
            routes.put(gatewayId, route);
        }
        route.session = session;
    }

    void sessionClosed(final ClientSession session)
    {
        for (final GatewayRoute route : routes.values())
        {
            if (route.session == session)
            {
                route.session = null;
                route.pending.reset(PENDING_INITIAL_BYTES);
            }
        }
        if (requester == session)
        {
            requester = null;
        }
    }

    public void onSessionOutput(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        fold(buffer, offset, length);
        final GatewayRoute route = routes.get(SessionIds.gatewayOf(sessionId));
        if (route != null)
        {
            send(route, buffer, offset, length);
        }
    }

    public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
    {
        fold(buffer, offset, length);
        for (final GatewayRoute route : routes.values())
        {
            send(route, buffer, offset, length);
        }
    }

    public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        fold(buffer, offset, length);
        if (requester != null)
        {
            offer(requester, buffer, offset, length);
        }
    }

    /**
     * Offer what earlier back-pressure left queued, oldest first.
     */
    void drainPending()
    {
        if (queued == 0)
        {
            return;
        }
        for (final GatewayRoute route : routes.values())
        {
            if (!route.pending.isEmpty() && route.session != null)
            {
                draining = route;
                route.pending.consume(drainer, Integer.MAX_VALUE);
            }
        }
        draining = null;
    }

    private boolean drainOne(final org.agrona.MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final long result = offerChecked(draining.session, buffer, offset, length);
        if (result > 0 || result == Publication.NOT_CONNECTED || result == Publication.CLOSED || result == OVERSIZED)
        {
            queued--;
            return true;
        }
        return false;
    }

    private void send(final GatewayRoute route, final DirectBuffer buffer, final int offset, final int length)
    {
        if (route.session == null)
        {
            return;
        }
        if (!route.pending.isEmpty() || !offer(route.session, buffer, offset, length))
        {
            if (route.pending.append(buffer, offset, length))
            {
                queued++;
            }
            else
            {
                // A gateway this far behind is broken: it resynchronises by resend after reconnect.
                dropped++;
                route.session.close();
            }
        }
    }

    /**
     * @return true when sent (or, on a follower, mocked) or when the session is gone for good;
     * false when still back-pressured after a few quick tries.
     */
    private boolean offer(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i <= QUICK_RETRIES; i++)
        {
            final long result = offerChecked(session, buffer, offset, length);
            if (result > 0)
            {
                retryIdle.reset();
                return true;
            }
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                dropped++;
                return true;
            }
            if (result == OVERSIZED)
            {
                return true;
            }
            retryIdle.idle();
        }
        retryIdle.reset();
        return false;
    }

    /**
     * {@link ClientSession#offer}, except that a message longer than the session's egress takes is counted and
     * not offered instead of thrown: Aeron throws only on the leader (a follower's offer is mocked), and a throw
     * here would skip the rest of a command the followers apply. The length check covers the node's own egress
     * term; the catch, a client that chose a shorter one (Aeron checks the length only when not back-pressured).
     *
     * @return the offer's result, or {@link #OVERSIZED}.
     */
    private long offerChecked(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length <= EventEncoder.MAX_OUTPUT_LENGTH)
        {
            try
            {
                return session.offer(buffer, offset, length);
            }
            catch (final IllegalArgumentException ex)
            {
                // Publication.offer throws this for a length only: beyond the session's max message length.
            }
        }
        oversized++;
        return OVERSIZED;
    }

    private void fold(final DirectBuffer buffer, final int offset, final int length)
    {
        chain = StateHash.fold(chain, buffer, offset, length);
    }
}
