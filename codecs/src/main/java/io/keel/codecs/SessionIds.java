package io.keel.codecs;

/**
 * The layout of a client session id, as every message's {@code sessionId} carries it: the serving
 * gateway's id in the upper 32 bits, the gateway's own number for the session in the lower 32. The
 * cluster routes each report to the gateway named there; 0 is reserved ("any session" to mass cancel,
 * "an admin" to an account query).
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
