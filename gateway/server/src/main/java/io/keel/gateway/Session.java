package io.keel.gateway;

import io.keel.codecs.SessionIds;
import org.agrona.collections.IntHashSet;

/**
 * A user's session on this gateway. It outlives its TCP connections: the session id, the outbound
 * sequence and the resend cache carry over when the user logs on again, so nothing sent while the
 * client was away is lost. The session id is the one the engine knows the user's orders by.
 */
final class Session
{
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final String username;
    /** Set from the verified credentials at every logon (a session first created for a report may not know it). */
    long accountId;
    final long sessionId;
    final ResendCache reports;
    final IntHashSet marketData = new IntHashSet();
    ClientConnection connection;
    boolean cancelOnDisconnect;
    boolean sessionLostPending;
    long sessionLostDueNs = NO_DEADLINE;

    Session(final String username, final long accountId, final int gatewayId, final int localId, final int cacheSize)
    {
        this.username = username;
        this.accountId = accountId;
        this.sessionId = SessionIds.clientSessionId(gatewayId, localId);
        this.reports = new ResendCache(cacheSize);
    }

    /**
     * A user's local session id: stable across gateway restarts and edits of the users file, so a
     * report for an order placed before a restart still reaches its owner. Never 0.
     */
    static int localIdOf(final String username)
    {
        int hash = 0x811C9DC5;
        for (int i = 0; i < username.length(); i++)
        {
            hash = (hash ^ username.charAt(i)) * 0x01000193;
        }
        final int id = hash & 0x7FFF_FFFF;
        return id == 0 ? 1 : id;
    }
}
