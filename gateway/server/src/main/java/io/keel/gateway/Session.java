package io.keel.gateway;

import org.agrona.collections.IntHashSet;

/**
 * A user's session as this gateway serves it. The session itself lives in the cluster (opened, closed and numbered
 * in the log of every market segment): the gateway holds only what it needs to deliver the engine's reports to the
 * client in order — per segment ({@link SessionSegment}), the seqNo the client expects next, and whether a replay
 * from that segment's journal is on its way. The session id is
 * derived from the user name alone, so any gateway serves the same session.
 */
final class Session
{
    final String username;
    /** Set from the verified credentials at every logon. */
    long accountId;
    final long sessionId;
    final IntHashSet marketData = new IntHashSet();
    ClientConnection connection;
    boolean cancelOnDisconnect;
    /** The client logged out: the SessionClose says LOGOUT rather than DISCONNECT. */
    boolean loggedOut;
    /** The session in each market segment's cluster, by segment id. */
    final SessionSegment[] segments;
    /** The segment named by the Logon's nextExpectedSeqNo: its answer completes the logon. */
    int logonSegment;

    Session(final String username, final long accountId, final long sessionId, final int segmentCount)
    {
        segments = new SessionSegment[segmentCount];
        for (int i = 0; i < segmentCount; i++)
        {
            segments[i] = new SessionSegment(i);
        }
        this.username = username;
        this.accountId = accountId;
        this.sessionId = sessionId;
    }

    /**
     * A user's session id: derived from the user name only, the same at every gateway and across restarts and edits
     * of the users file, so the user's orders and reports follow it wherever it logs on. Never 0.
     */
    static long sessionIdOf(final String username)
    {
        int hash = 0x811C9DC5;
        for (int i = 0; i < username.length(); i++)
        {
            hash = (hash ^ username.charAt(i)) * 0x01000193;
        }
        final int id = hash & 0x7FFF_FFFF;
        return id == 0 ? 1 : id;
    }

    boolean isActive()
    {
        return connection != null && connection.state == ClientConnection.State.ACTIVE;
    }
}
