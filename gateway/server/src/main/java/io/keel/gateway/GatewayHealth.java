package io.keel.gateway;

import java.util.concurrent.TimeUnit;

/**
 * Whether the gateway takes orders now: what {@code /health} tells a load balancer (200 or 503) and why.
 * <p>
 * The duty cycle is the single writer: it stores the state only when it changes, and a tick every few
 * milliseconds; the metrics server's thread reads both. A gateway whose duty cycle stopped ticking is not ready
 * either, whatever its last state said: it reads no socket and forwards no order.
 */
final class GatewayHealth
{
    enum State
    {
        /** Started, no cluster session yet. */
        STARTING("not yet connected to the cluster"),
        /** Had a session and lost it (no leader, no quorum, cluster unreachable): orders are refused. */
        NO_CLUSTER_SESSION("no cluster session: orders are refused as UNAVAILABLE"),
        /** Requests went unanswered for the breaker timeout: orders are refused but for a probe every 250 ms. */
        BREAKER_OPEN("circuit breaker open: orders are refused as UNAVAILABLE until the cluster answers"),
        /**
         * Market segments: some have no cluster session or an open breaker (their orders are refused as UNAVAILABLE),
         * the others take orders. Still ready for a load balancer: every gateway sees the same segments, so taking
         * them all out of rotation for one segment's election would refuse every new logon, the healthy segments'
         * included (the per-segment metrics say which segment is down).
         */
        DEGRADED("some market segments refuse orders as UNAVAILABLE, the others take them"),
        /** A cluster session that answers: orders go through. */
        READY("taking orders");

        final String text;

        State(final String text)
        {
            this.text = text;
        }
    }

    /** A duty cycle silent this long is taken as stuck: the gateway is not serving whatever its state says. */
    static final long STALL_NS = TimeUnit.SECONDS.toNanos(2);

    private final int gatewayId;
    private volatile State state = State.STARTING;
    private volatile long stateSinceNs;
    private volatile long lastTickNs;
    private volatile String lastError = "";

    GatewayHealth(final int gatewayId, final long nowNs)
    {
        this.gatewayId = gatewayId;
        stateSinceNs = nowNs;
        lastTickNs = nowNs;
    }

    /**
     * Duty cycle only: a volatile store when the state changes, nothing otherwise.
     */
    void state(final State newState, final long nowNs)
    {
        if (newState != state)
        {
            stateSinceNs = nowNs;
            state = newState;
            GatewayLog.event("health", "state", newState.name(), "ready",
                Boolean.toString(newState == State.READY || newState == State.DEGRADED));
        }
    }

    /**
     * Duty cycle only: the last cluster connect failure, shown while there is no session (cold path).
     */
    void lastError(final String error)
    {
        lastError = error;
    }

    /**
     * Duty cycle only, every few milliseconds.
     */
    void tick(final long nowNs)
    {
        lastTickNs = nowNs;
    }

    State state()
    {
        return state;
    }

    boolean isReady(final long nowNs)
    {
        final State current = state;
        return (current == State.READY || current == State.DEGRADED) && nowNs - lastTickNs < STALL_NS;
    }

    /**
     * The body of {@code /health} after "ready " or "not ready ".
     */
    String describe(final long nowNs)
    {
        final State current = state;
        final long sinceMs = TimeUnit.NANOSECONDS.toMillis(nowNs - stateSinceNs);
        final long silentNs = nowNs - lastTickNs;
        final StringBuilder text = new StringBuilder(160)
            .append("gateway=").append(gatewayId)
            .append(" state=").append(current.name())
            .append(" for=").append(sinceMs).append("ms: ").append(current.text);
        if (silentNs >= STALL_NS)
        {
            text.append("; duty cycle silent for ").append(TimeUnit.NANOSECONDS.toMillis(silentNs)).append(" ms");
        }
        final String error = lastError;
        if (current != State.READY && !error.isEmpty())
        {
            text.append("; last connect error: ").append(error);
        }
        return text.toString();
    }
}
