package io.keel.gateway;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.ArrayList;

/**
 * The users this gateway may serve and the sessions it holds for them, found by name (logon) or by session id (a
 * report). A session is created at its user's first logon here and kept for the gateway's life; everything that
 * matters about it is in the cluster.
 */
final class Sessions
{
    private final Long2ObjectHashMap<String> usernameBySessionId = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Session> sessionsById = new Long2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Session> sessionsByName = new Object2ObjectHashMap<>();
    private final ArrayList<Session> sessions = new ArrayList<>();
    private final int segmentCount;

    /**
     * @throws IllegalArgumentException when two users would share a session id.
     */
    Sessions(final CredentialsStore users, final int segmentCount)
    {
        this.segmentCount = segmentCount;
        for (final String username : users.usernames())
        {
            final long sessionId = Session.sessionIdOf(username);
            final String other = usernameBySessionId.put(sessionId, username);
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
     * @return the session this gateway holds under this id, or null.
     */
    Session byId(final long sessionId)
    {
        return sessionsById.get(sessionId);
    }

    /**
     * The user's session, created at its first logon here (cold path).
     */
    Session sessionFor(final String username, final long accountId)
    {
        Session session = sessionsByName.get(username);
        if (session == null)
        {
            final long sessionId = Session.sessionIdOf(username);
            session = new Session(username, accountId, sessionId, segmentCount);
            sessionsByName.put(username, session);
            sessionsById.put(sessionId, session);
            sessions.add(session);
        }
        return session;
    }
}
