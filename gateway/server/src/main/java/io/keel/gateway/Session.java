package io.keel.gateway;

import org.agrona.collections.IntHashSet;

/**
 * A user's session as this gateway serves it. The session itself lives in the cluster (opened, closed and numbered
 * in the log): the gateway holds only what it needs to deliver the engine's reports to the client in order — the
 * seqNo the client expects next, and whether a replay from the cluster's journal is on its way. The session id is
 * derived from the user name alone, so any gateway serves the same session.
 */
final class Session
{
    /**
     * Where the session stands with the cluster, as this gateway last told it and heard back.
     */
    enum ClusterState
    {
        /** Not served here: no connection, or its close was told to the cluster. */
        IDLE,
        /** A SessionOpen is to be sent (again, after a new leader or cluster session) or was sent; no answer yet. */
        OPENING,
        /** The cluster said OPEN: this gateway serves the session. */
        OPEN
    }

    final String username;
    /** Set from the verified credentials at every logon. */
    long accountId;
    final long sessionId;
    final IntHashSet marketData = new IntHashSet();
    ClientConnection connection;
    boolean cancelOnDisconnect;
    ClusterState clusterState = ClusterState.IDLE;
    /** A SessionOpen waits to be offered (the cluster was unreachable when it was due). */
    boolean openToSend;
    /** The client logged out: the SessionClose says LOGOUT rather than DISCONNECT. */
    boolean loggedOut;
    /** A SessionClose waits to be offered; dropped if the user logs on again first. */
    boolean closeToSend;
    /** The first seqNo the client has not been sent: reports below it are duplicates, above it a gap. */
    long nextExpectedSeqNo = 1;
    /** The cluster's journal is sending reports from nextExpectedSeqNo; nothing is asked again until it ends. */
    boolean replayPending;
    long replayRequestedNs;
    /** A client's ResendRequest being served from the journal: reports up to here are sent although not new. */
    long clientResendFrom;
    long clientResendTo;

    Session(final String username, final long accountId, final long sessionId)
    {
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
