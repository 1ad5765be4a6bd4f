package io.keel.codecs;

/**
 * Gateway ids, and a layout for client session ids that name a gateway in their upper 32 bits. Since schema
 * version 3 a session id is the user's alone (the gateway derives it from the user name) and the cluster routes each
 * report by the session's serving gateway in its own state, not by these bits: the layout remains for tools and
 * tests that want distinct ids per simulated gateway. 0 is reserved ("any session" to mass cancel, "an admin" to an
 * account query).
 */
public final class SessionIds
{
    /** Gateway ids are 1..MAX_GATEWAY_ID. */
    public static final int MAX_GATEWAY_ID = 0xFFFF;

    private SessionIds()
    {
    }

    /**
     * A client session id that routes to this gateway.
     */
    public static long clientSessionId(final int gatewayId, final int localSessionId)
    {
        return ((long)gatewayId << 32) | (localSessionId & 0xFFFF_FFFFL);
    }

    public static int gatewayOf(final long clientSessionId)
    {
        return (int)(clientSessionId >>> 32);
    }
}
