package io.keel.node;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.keel.engine.StateHash;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongUnaryOperator;

/**
 * Routes encoded engine outputs to cluster sessions, journals every client report, and folds every output, on every
 * node, into a running hash chain for divergence detection. A client report goes to the gateway that serves its
 * session now (the engine knows which: sessions are in the log); market data to every gateway; a session status to
 * the gateway it answers; admin answers to the session that asked.
 * <p>
 * Nothing here may change what the engine does, or throw: an offer that is back-pressured or not yet connected is
 * retried briefly, then queued per gateway and drained on the next callback. Each gateway's queue is preallocated
 * to a bound in bytes when the gateway connects and never grows (no copy on the service thread). A message that does
 * not fit is dropped, never the gateway: a client report dropped becomes a gap that the gateway fills from the
 * journal — once the queue has drained, the latest report dropped for each session is sent again from the journal,
 * the gateway sees it past the seqNo it expects and asks for the rest ({@code SessionSync}), as after any gap. A
 * market-data increment dropped shows as an mdSeqNo gap at the next one, and the gateway asks for a snapshot. What a
 * gateway did not get is never lost: it is in the journal. Without a journal (tests), overflow closes the gateway's
 * cluster session as before: a log event after which the gateway re-opens its sessions.
 * <p>
 * The bound is sized from what a gateway can catch up: past a few MiB behind, it catches up faster from the journal
 * (bounded replays it asks for at its own pace) than through a queue on the leader's heap.
 */
final class ClusterOutput implements OutputSink
{
    private static final int QUICK_RETRIES = 3;
    /** Default bound of one gateway's queue: 4 MiB, about 30,000 reports (see the class comment). */
    static final int EGRESS_QUEUE_BYTES_DEFAULT = 4 * 1024 * 1024;
    /** What {@link #offerChecked} returns for a message too long for the session's egress. */
    private static final long OVERSIZED = Long.MIN_VALUE;

    /**
     * One gateway's cluster session and what it has not yet taken.
     */
    private static final class GatewayRoute
    {
        final ClientSession session;
        /** Preallocated at the bound: initial and most capacity alike, so it never doubles. */
        final ExpandableRingBuffer pending;
        /** Messages in {@link #pending}. */
        int queued;
        /** Sessions whose reports were dropped at the bound → the latest seqNo dropped; empty unless overflowed. */
        final Long2LongHashMap gaps = new Long2LongHashMap(0);

        GatewayRoute(final ClientSession session, final int queueBytes)
        {
            this.session = session;
            pending = new ExpandableRingBuffer(queueBytes, queueBytes, false);
        }
    }

    /** Gateway routes by cluster session id: the gateway link the engine names a session's server by. */
    private final Long2ObjectHashMap<GatewayRoute> routes = new Long2ObjectHashMap<>();
    private final LongUnaryOperator linkOfSession;
    private final ExpandableRingBuffer.MessageConsumer drainer = this::drainOne;
    private final OutputJournal journal;
    private final int queueBytes;
    private final OutputJournal.ReportHandler tailSender = this::sendTail;
    private IdleStrategy retryIdle;
    private GatewayRoute draining;
    private ClientSession requester;
    private DropCopyFeeds dropCopy;
    private long entryPosition;
    private long entryTime;
    /** Client reports of the entry so far: each one's index among them, as the journal and drop copy place it. */
    private int entryReports;
    private long chain;
    private long dropped;
    private long queued;
    private long journalErrors;
    private volatile long oversized;
    private volatile long overflowed;
    private volatile long gapsSignalled;
    private volatile long queuedBytes;

    /**
     * @param linkOfSession the gateway link serving a client session now (0 when none): the engine's answer.
     * @param journal       where every client report is kept, or null for none.
     * @param queueBytes    bound of each gateway's queue (rounded up to a power of two).
     */
    ClusterOutput(
        final IdleStrategy retryIdle, final LongUnaryOperator linkOfSession, final OutputJournal journal, final int queueBytes)
    {
        this.retryIdle = retryIdle;
        this.linkOfSession = linkOfSession;
        this.journal = journal;
        this.queueBytes = queueBytes;
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
     * Bytes queued for every gateway now, readable from any thread.
     */
    long queuedBytes()
    {
        return queuedBytes;
    }

    /**
     * Messages dropped at a gateway's queue bound, readable from any thread.
     */
    long overflowed()
    {
        return overflowed;
    }

    /**
     * Reports sent again from the journal after an overflow so their gateway sees the gap, readable from any thread.
     */
    long gapsSignalled()
    {
        return gapsSignalled;
    }

    /**
     * The log entry being applied: its reports are journaled under this position and time.
     */
    void entry(final long logPosition, final long timestamp)
    {
        entryPosition = logPosition;
        entryTime = timestamp;
        entryReports = 0;
    }

    /**
     * Drop copy's live feeds: each client report goes to them right after it is journaled.
     */
    void dropCopy(final DropCopyFeeds dropCopy)
    {
        this.dropCopy = dropCopy;
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

    void gatewayConnected(final ClientSession session)
    {
        if (!routes.containsKey(session.id()))
        {
            routes.put(session.id(), new GatewayRoute(session, queueBytes)); // cold: a gateway connects
        }
    }

    /**
     * A cluster session closed: what was queued for it goes (a gateway that comes back re-opens its sessions, and the
     * journal has every report).
     */
    void sessionClosed(final ClientSession session)
    {
        final GatewayRoute route = routes.remove(session.id());
        if (route != null)
        {
            queued -= route.queued;
            updateQueuedBytes();
        }
        if (requester == session)
        {
            requester = null;
        }
    }

    public void onSessionOutput(
        final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
    {
        fold(buffer, offset, length);
        if (journal != null && seqNo > 0)
        {
            try
            {
                journal.append(sessionId, seqNo, entryPosition, entryTime, buffer, offset, length);
            }
            catch (final RuntimeException ex)
            {
                // The journal is derived output: a failure here must not stop the engine (nor differ from the other
                // nodes' outcome). A replay stops at the hole and says so.
                if (journalErrors++ == 0)
                {
                    System.err.println("{\"event\":\"journal-error\",\"error\":\"" + ex + "\"}");
                }
            }
        }
        if (seqNo > 0 && dropCopy != null)
        {
            dropCopy.onReport(sessionId, seqNo, entryPosition, entryReports++, entryTime, buffer, offset, length);
        }
        final GatewayRoute route = routes.get(linkOfSession.applyAsLong(sessionId));
        if (route != null && !send(route, buffer, offset, length) && seqNo > 0)
        {
            route.gaps.put(sessionId, seqNo); // cold: only past the bound
        }
    }

    public void onGatewayOutput(final long gatewayLink, final DirectBuffer buffer, final int offset, final int length)
    {
        fold(buffer, offset, length);
        final GatewayRoute route = routes.get(gatewayLink);
        if (route != null)
        {
            send(route, buffer, offset, length);
        }
    }

    /**
     * A report sent again from the journal, or a replay's end: to one gateway, never folded into the chain (only the
     * leader sends it, from its own journal).
     */
    void resend(final long gatewayLink, final DirectBuffer buffer, final int offset, final int length)
    {
        final GatewayRoute route = routes.get(gatewayLink);
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
    int drainPending()
    {
        if (queued == 0)
        {
            return 0;
        }
        final long before = queued;
        for (final GatewayRoute route : routes.values())
        {
            if (!route.pending.isEmpty())
            {
                draining = route;
                route.pending.consume(drainer, Integer.MAX_VALUE);
                if (route.pending.isEmpty() && !route.gaps.isEmpty())
                {
                    signalGaps(route);
                }
            }
        }
        draining = null;
        updateQueuedBytes();
        return (int)Math.min(Integer.MAX_VALUE, before - queued);
    }

    /**
     * Cold, after an overflow drained: the latest report dropped for each session, again from the journal, so the
     * gateway sees the gap (it asks for the rest itself). Session ids in order, the same every time.
     */
    private void signalGaps(final GatewayRoute route)
    {
        final long[] sessionIds = new long[route.gaps.size()];
        int i = 0;
        final Long2LongHashMap.KeyIterator keys = route.gaps.keySet().iterator();
        while (keys.hasNext())
        {
            sessionIds[i++] = keys.nextValue();
        }
        java.util.Arrays.sort(sessionIds);
        draining = route;
        for (final long sessionId : sessionIds)
        {
            final long seqNo = route.gaps.get(sessionId);
            journal.replay(sessionId, seqNo, seqNo, 1, tailSender);
        }
        route.gaps.clear();
    }

    private void sendTail(
        final long sessionId,
        final long seqNo,
        final long logPosition,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (send(draining, buffer, offset, length))
        {
            gapsSignalled++;
        }
    }

    private void updateQueuedBytes()
    {
        long bytes = 0;
        for (final GatewayRoute route : routes.values())
        {
            bytes += route.pending.size();
        }
        queuedBytes = bytes;
    }

    private boolean drainOne(final org.agrona.MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final long result = offerChecked(draining.session, buffer, offset, length);
        if (result > 0 || result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED || result == OVERSIZED)
        {
            queued--;
            draining.queued--;
            return true;
        }
        return false;
    }

    /**
     * @return false when dropped at the queue's bound.
     */
    private boolean send(final GatewayRoute route, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!route.pending.isEmpty() || !offer(route.session, buffer, offset, length))
        {
            if (route.pending.append(buffer, offset, length))
            {
                queued++;
                route.queued++;
            }
            else
            {
                overflowed++;
                if (journal == null)
                {
                    // Nothing to fill a gap from: closing the gateway's session is a log event; it comes back and
                    // re-opens its sessions.
                    dropped++;
                    route.session.close();
                }
                return false;
            }
        }
        return true;
    }

    /**
     * @return true when sent (or, on a follower, mocked) or when the session is gone for good; false when still
     * back-pressured or not yet connected after a few quick tries.
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
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
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
            catch (final RuntimeException ex)
            {
                // Publication.offer throws an IllegalArgumentException for a length beyond the session's max
                // message length; nothing thrown here may stop applying the log.
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
