package io.keel.engine;

import org.agrona.collections.LongArrayList;

/**
 * The engine's cluster time and what falls due as it moves: GTD expiries, and cancel-on-disconnect deadlines of
 * sessions whose grace ran out (or whose gateway was lost). Every command passes its log entry's time here first.
 */
final class EngineClock
{
    private final Sessions sessions;
    private final OrderLifecycle lifecycle;
    /** Sessions whose orders cancel-on-disconnect cancels now; reused. */
    private final LongArrayList dueSessions = new LongArrayList();
    long lastTime;

    EngineClock(final Sessions sessions, final OrderLifecycle lifecycle)
    {
        this.sessions = sessions;
        this.lifecycle = lifecycle;
    }

    /**
     * Time only moves forward; every command first expires the GTD orders due by its time, then cancels the orders
     * of sessions whose deadline passed.
     */
    void advance(final long time)
    {
        if (time > lastTime)
        {
            lastTime = time;
        }
        lifecycle.expireDue(time);
        if (sessions.nextDeadline() <= time)
        {
            dueSessions.clear();
            sessions.takeDue(time, dueSessions);
            cancelSessionOrders(time);
        }
    }

    /**
     * A gateway's link closed: its sessions are disconnected, in session id order.
     */
    void linkLost(final long gatewayLink, final long time)
    {
        advance(time);
        dueSessions.clear();
        sessions.linkLost(gatewayLink, time, dueSessions);
        cancelSessionOrders(time);
    }

    private void cancelSessionOrders(final long time)
    {
        for (int i = 0, size = dueSessions.size(); i < size; i++)
        {
            final long sessionId = dueSessions.getLong(i);
            lifecycle.sessionLost(sessionId, sessions.get(sessionId).accountId, time);
        }
    }
}
