package io.keel.engine;

import io.keel.codecs.RejectReason;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionState;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.util.Arrays;

/**
 * The client sessions, in replicated state: who each session trades for, which gateway serves it now, its
 * cancel-on-disconnect policy, and the seqNo of its next report. Opened, closed and lost only through the log, so
 * every node agrees on all of it, and a gateway holds nothing the cluster could not give back.
 * <p>
 * A session outlives its connections: the seqNo and the orders carry over when its user logs on again, through any
 * gateway. The newest logon wins: a session opened at a second gateway is taken from the first, which is told so
 * (EVICTED). Cancel-on-disconnect runs here, on cluster time: a disconnected session's orders are cancelled when its
 * grace runs out, unless it is back before.
 */
final class Sessions
{
    /** Most sessions the engine keeps; one per user, never forgotten (their seqNos must not restart). */
    static final int MAX_SESSIONS = 65_536;
    /** Longest cancel-on-disconnect grace a gateway may ask for, in cluster time units (an hour in ms). */
    static final long MAX_GRACE_TIME = 3_600_000;
    static final long NO_DEADLINE = Long.MAX_VALUE;

    static final class Session
    {
        final long sessionId;
        long accountId;
        int gatewayId;
        long gatewayLink;
        SessionState state = SessionState.CLOSED;
        boolean cancelOnDisconnect;
        long graceTime;
        long cancelDeadline = NO_DEADLINE;
        long nextSeqNo = 1;

        Session(final long sessionId)
        {
            this.sessionId = sessionId;
        }
    }

    final Long2ObjectHashMap<Session> byId = new Long2ObjectHashMap<>();
    /** Pending cancel-on-disconnects as (deadline, sessionId); entries of sessions back in time are skipped. */
    private final DeadlineQueue deadlines = new DeadlineQueue();
    private final EventEmitter emitter;
    private final LongArrayList scratch = new LongArrayList();

    Sessions(final EventEmitter emitter)
    {
        this.emitter = emitter;
    }

    /**
     * The seqNo for the next report to a session, taken; 0 for a session the engine does not keep (an admin's).
     */
    long takeSeqNo(final long sessionId)
    {
        final Session session = sessionId == 0 ? null : byId.get(sessionId);
        return session == null ? 0 : session.nextSeqNo++;
    }

    Session get(final long sessionId)
    {
        return byId.get(sessionId);
    }

    /**
     * The link (the gateway's connection to the cluster) a session is served through, or 0 when none serves it.
     */
    long linkOf(final long sessionId)
    {
        final Session session = byId.get(sessionId);
        return session == null || session.state != SessionState.OPEN ? 0 : session.gatewayLink;
    }

    /**
     * A gateway verified a user's password and serves the session from now on.
     *
     * @return the session, now OPEN at this gateway, or null when refused (the refusal has been told).
     */
    Session open(
        final long gatewayLink,
        final int gatewayId,
        final long sessionId,
        final long accountId,
        final boolean cancelOnDisconnect,
        final long graceTime,
        final long nextExpectedSeqNo,
        final boolean accountExists,
        final long time)
    {
        Session session = byId.get(sessionId);
        final RejectReason refusal;
        if (sessionId <= 0)
        {
            refusal = RejectReason.UNKNOWN_SESSION;
        }
        else if (!accountExists || session != null && session.accountId != accountId)
        {
            refusal = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (session == null && byId.size() >= MAX_SESSIONS)
        {
            refusal = RejectReason.SESSION_LIMIT_REACHED;
        }
        else if (nextExpectedSeqNo < 0 || nextExpectedSeqNo > (session == null ? 1 : session.nextSeqNo))
        {
            refusal = RejectReason.INVALID_SEQ_NO;
        }
        else
        {
            refusal = RejectReason.NONE;
        }
        if (refusal != RejectReason.NONE)
        {
            emitter.sessionStatus(gatewayLink, sessionId, accountId, gatewayId, SessionState.REFUSED, refusal,
                session == null ? 1 : session.nextSeqNo, time);
            return null;
        }

        if (session == null)
        {
            session = new Session(sessionId);
            session.accountId = accountId;
            byId.put(sessionId, session);
        }
        else if (session.state == SessionState.OPEN && session.gatewayLink != gatewayLink)
        {
            // The newest logon wins: the gateway that served it until now lets its connection go.
            emitter.sessionStatus(session.gatewayLink, sessionId, accountId, gatewayId, SessionState.EVICTED,
                RejectReason.NONE, session.nextSeqNo, time);
        }
        session.state = SessionState.OPEN;
        session.gatewayId = gatewayId;
        session.gatewayLink = gatewayLink;
        session.cancelOnDisconnect = cancelOnDisconnect;
        session.graceTime = Math.max(0, Math.min(MAX_GRACE_TIME, graceTime));
        session.cancelDeadline = NO_DEADLINE;
        emitter.sessionStatus(gatewayLink, sessionId, accountId, gatewayId, SessionState.OPEN, RejectReason.NONE,
            session.nextSeqNo, time);
        return session;
    }

    /**
     * The serving gateway says the client logged out or its connection went away.
     *
     * @return the session to cancel the orders of now (cancel-on-disconnect with no grace), else null.
     */
    Session close(final long gatewayLink, final long sessionId, final SessionCloseReason reason, final long time)
    {
        final Session session = byId.get(sessionId);
        if (session == null || session.state != SessionState.OPEN || session.gatewayLink != gatewayLink)
        {
            // Not this gateway's to close (moved on, or never opened here): nothing changes.
            emitter.sessionStatus(gatewayLink, sessionId, session == null ? 0 : session.accountId, 0,
                SessionState.REFUSED, RejectReason.UNKNOWN_SESSION, session == null ? 1 : session.nextSeqNo, time);
            return null;
        }
        return disconnect(session, time);
    }

    /**
     * A gateway's link to the cluster closed (the gateway stopped, crashed or timed out): every session it served is
     * disconnected, in session id order.
     *
     * @param due receives the sessions whose orders are to be cancelled now.
     */
    void linkLost(final long gatewayLink, final long time, final LongArrayList due)
    {
        final LongArrayList served = scratch;
        served.clear();
        for (final Session session : byId.values())
        {
            if (session.state == SessionState.OPEN && session.gatewayLink == gatewayLink)
            {
                served.addLong(session.sessionId);
            }
        }
        // Hash order differs between a node that restored a snapshot and one that did not: sort.
        final long[] ids = served.toLongArray();
        Arrays.sort(ids);
        for (final long sessionId : ids)
        {
            final Session dueNow = disconnect(byId.get(sessionId), time);
            if (dueNow != null)
            {
                due.addLong(dueNow.sessionId);
            }
        }
    }

    /**
     * @return whether any session is open through this gateway link (cold path: a scan).
     */
    boolean servesAny(final long gatewayLink)
    {
        for (final Session session : byId.values())
        {
            if (session.state == SessionState.OPEN && session.gatewayLink == gatewayLink)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Pop the pending cancel-on-disconnects due by this time, in deadline then session id order.
     */
    void takeDue(final long time, final LongArrayList due)
    {
        while (deadlines.peekTime() <= time)
        {
            final long deadline = deadlines.peekTime();
            final long sessionId = deadlines.peekOrderId();
            deadlines.pop();
            final Session session = byId.get(sessionId);
            if (session != null && session.state == SessionState.DISCONNECTED && session.cancelDeadline == deadline)
            {
                session.cancelDeadline = NO_DEADLINE;
                due.addLong(sessionId);
            }
        }
    }

    /**
     * Cluster time of the next pending cancel-on-disconnect (perhaps of a session back since), or Long.MAX_VALUE.
     */
    long nextDeadline()
    {
        return deadlines.peekTime();
    }

    private Session disconnect(final Session session, final long time)
    {
        session.state = SessionState.DISCONNECTED;
        session.gatewayId = 0;
        session.gatewayLink = 0;
        if (!session.cancelOnDisconnect)
        {
            return null;
        }
        if (session.graceTime == 0)
        {
            return session;
        }
        session.cancelDeadline = time + session.graceTime;
        deadlines.add(session.cancelDeadline, session.sessionId);
        return null;
    }

    /**
     * A session as a snapshot restores it.
     */
    void restore(
        final long sessionId,
        final long accountId,
        final int gatewayId,
        final long gatewayLink,
        final SessionState state,
        final boolean cancelOnDisconnect,
        final long graceTime,
        final long cancelDeadline,
        final long nextSeqNo)
    {
        final Session session = new Session(sessionId);
        session.accountId = accountId;
        session.gatewayId = gatewayId;
        session.gatewayLink = gatewayLink;
        session.state = state;
        session.cancelOnDisconnect = cancelOnDisconnect;
        session.graceTime = graceTime;
        session.cancelDeadline = cancelDeadline;
        session.nextSeqNo = nextSeqNo;
        byId.put(sessionId, session);
        if (cancelDeadline != NO_DEADLINE)
        {
            deadlines.add(cancelDeadline, sessionId);
        }
    }

    long[] sortedIds()
    {
        final long[] ids = new long[byId.size()];
        int i = 0;
        final Long2ObjectHashMap<Session>.KeyIterator keys = byId.keySet().iterator();
        while (keys.hasNext())
        {
            ids[i++] = keys.nextLong();
        }
        Arrays.sort(ids);
        return ids;
    }
}
