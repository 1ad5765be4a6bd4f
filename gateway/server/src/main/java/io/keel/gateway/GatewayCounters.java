package io.keel.gateway;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the gateway has done, counted on its duty-cycle thread (the single writer: a plain read and
 * a release store, no locked instruction per message); other threads read with acquire semantics.
 */
final class GatewayCounters
{
    static final int CONNECTIONS = 0;
    static final int DISCONNECTS = 1;
    static final int LOGONS = 2;
    static final int FAILED_LOGONS = 3;
    static final int PROTOCOL_ERRORS = 4;
    static final int SESSION_REJECTS = 5;
    static final int THROTTLED = 6;
    static final int UNAVAILABLE = 7;
    static final int ORDERS_FORWARDED = 8;
    static final int REPORTS_SENT = 9;
    static final int UNROUTED_REPORTS = 10;
    static final int RESENDS = 11;
    static final int CANCEL_ON_DISCONNECTS = 12;
    static final int SLOW_CONSUMERS = 13;
    static final int REJECTED_CONNECTIONS = 14;
    /** Clients that connected over Aeron UDP (each client publication's image). */
    static final int UDP_CONNECTIONS = 15;
    static final int BYTES_RECEIVED = 16;
    static final int BYTES_SENT = 17;
    /** Gaps in a session's reports filled from the cluster's journal. */
    static final int REPLAYS = 18;
    /** Reports retention no longer held when a client needed them. */
    static final int REPORTS_UNAVAILABLE = 19;
    /** Reports received again (after a replay or a new leader) and not sent twice. */
    static final int DUPLICATE_REPORTS = 20;
    /** Connections refused at a per-address bound (also in REJECTED_CONNECTIONS). */
    static final int REFUSED_PER_ADDRESS = 21;
    /** Idle connections not logged on, evicted for a newer one when the pending slots were full. */
    static final int PENDING_EVICTED = 22;
    /** Failed logons answered late (the backoff of the user or address). */
    static final int LOGON_BACKOFFS = 23;
    /** Users locked out after too many failed logons. */
    static final int LOGON_LOCKOUTS = 24;
    /** Logons refused unchecked: the user is locked out or still in its backoff. */
    static final int LOGONS_UNCHECKED = 25;
    /** Exceptions a duty-cycle poll threw, caught by {@link DutyCycleGuard}. */
    static final int DUTY_CYCLE_ERRORS = 26;
    static final int COUNT = 27;

    private final AtomicLongArray values = new AtomicLongArray(COUNT);
    final DisconnectReasons disconnectReasons = new DisconnectReasons();
    /** Per-hop latency timing; null when metrics are off. Set before the duty cycle starts. */
    HopTimer hops;

    /**
     * Duty-cycle thread only.
     */
    void increment(final int counter)
    {
        values.setRelease(counter, values.getPlain(counter) + 1);
    }

    /**
     * Duty-cycle thread only.
     */
    void add(final int counter, final long delta)
    {
        values.setRelease(counter, values.getPlain(counter) + delta);
    }

    long get(final int counter)
    {
        return values.getAcquire(counter);
    }
}
