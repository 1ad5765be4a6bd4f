package io.keel.gateway;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Disconnects counted by a small fixed set of reasons, from the close reason text the session
 * layer and transports already give (cold path: once per connection). Single writer: the duty cycle.
 */
final class DisconnectReasons
{
    static final String[] NAMES = {
        "peer_closed", "client_logout", "heartbeat_timeout", "logon_timeout", "logon_failed", "throttle_abuse",
        "slow_consumer", "protocol_error", "shutdown", "io_error", "connection_limit", "other"};

    private final AtomicLongArray counts = new AtomicLongArray(NAMES.length);

    void count(final String closeReason)
    {
        final int index = classify(closeReason);
        counts.setRelease(index, counts.getPlain(index) + 1);
    }

    long get(final int index)
    {
        return counts.getAcquire(index);
    }

    static int classify(final String reason)
    {
        if (reason == null || reason.startsWith("closed by peer"))
        {
            return 0;
        }
        if (reason.startsWith("CLIENT_REQUEST"))
        {
            return 1;
        }
        if (reason.startsWith("HEARTBEAT_TIMEOUT"))
        {
            return 2;
        }
        if (reason.startsWith("LOGON_TIMEOUT"))
        {
            return 3;
        }
        if (reason.contains("logon failed") || reason.contains("logon refused"))
        {
            return 4;
        }
        if (reason.startsWith("THROTTLE_ABUSE"))
        {
            return 5;
        }
        if (reason.startsWith("SLOW_CONSUMER"))
        {
            return 6;
        }
        if (reason.startsWith("PROTOCOL_ERROR"))
        {
            return 7;
        }
        if (reason.contains("connection limit"))
        {
            return 10;
        }
        if (reason.startsWith("SHUTDOWN") || reason.startsWith("gateway shutting down"))
        {
            return 8;
        }
        if (reason.startsWith("read failed") || reason.startsWith("write failed"))
        {
            return 9;
        }
        return NAMES.length - 1;
    }
}
