package io.keel.gateway;

import io.keel.codecs.SessionIds;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.ArrayList;

/**
 * The users this gateway may serve and the sessions it holds for them, found by name (logon) or by the local part
 * of the session id (a report). A session is created once per user and kept for the gateway's life: it outlives its
 * connections, so its seqNo and resend cache do too.
 */
final class Sessions
{
    private final GatewayContext config;
    private final Int2ObjectHashMap<String> usernameByLocalId = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Session> sessionsByLocalId = new Int2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Session> sessionsByName = new Object2ObjectHashMap<>();
    private final ArrayList<Session> sessions = new ArrayList<>();

    /**
     * @throws IllegalArgumentException when two users would share a session id.
     */
    Sessions(final GatewayContext config, final CredentialsStore users)
    {
        this.config = config;
        for (final String username : users.usernames())
        {
            final int localId = Session.localIdOf(username);
            final String other = usernameByLocalId.put(localId, username);
            if (other != null)
            {
                throw new IllegalArgumentException("users '" + other + "' and '" + username +
                    "' would share a session id; rename one of them");
            }
        }
    }

    int size()
    {
        return sessions.size();
    }

    /**
     * By index, for allocation-free iteration on the duty cycle.
     */
    Session get(final int index)
    {
        return sessions.get(index);
    }

    /**
     * @return the session this gateway holds under the local part of a session id, or null.
     */
    Session byLocalId(final long sessionId)
    {
        return sessionsByLocalId.get((int)sessionId);
    }

    /**
     * A query's asker: only this gateway's sessions, never one created for the answer.
     */
    Session ownSession(final long sessionId)
    {
        return SessionIds.gatewayOf(sessionId) == config.gatewayId() ? byLocalId(sessionId) : null;
    }

    /**
     * A report for a user who has not logged on since this gateway started: kept for their logon (cold path: once
     * per user per gateway start).
     */
    Session forReport(final long sessionId)
    {
        final String username = usernameByLocalId.get((int)sessionId);
        if (SessionIds.gatewayOf(sessionId) != config.gatewayId() || username == null)
        {
            return null;
        }
        // No account until the logon sets it from the credentials: nothing reads it before a connection is bound.
        return sessionFor(username, CredentialsStore.NO_ACCOUNT);
    }

    /**
     * The user's session, created at its first logon or report (cold path).
     */
    Session sessionFor(final String username, final long accountId)
    {
        Session session = sessionsByName.get(username);
        if (session == null)
        {
            session = new Session(username, accountId, config.gatewayId(), Session.localIdOf(username),
                config.resendCacheSize());
            sessionsByName.put(username, session);
            sessionsByLocalId.put(Session.localIdOf(username), session);
            sessions.add(session);
        }
        return session;
    }
}
