package io.keel.gateway;

import io.keel.codecs.LogoutReason;

import java.util.concurrent.TimeUnit;

/**
 * Where an exception from one of the duty cycle's polls ends: counted, logged with the poll and the connection it was
 * serving, and that connection closed, so that one client's bad input (or a bug it finds) costs that client alone and
 * the rest of the cycle — flushes, timers, the media driver — runs as always. Logging is bounded: at most one line per
 * second, with the number not logged since.
 * <p>
 * Cold path: only when something threw. Duty-cycle thread only.
 */
final class DutyCycleGuard
{
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final GatewayCounters counters;
    private final SessionReplies replies;
    private final LogLimiter log = new LogLimiter(LOG_INTERVAL_NS);

    DutyCycleGuard(final GatewayCounters counters, final SessionReplies replies)
    {
        this.counters = counters;
        this.replies = replies;
    }

    /**
     * @param poll     the named poll that threw.
     * @param culprit  the connection it was serving, or null.
     */
    void onError(final String poll, final ClientConnection culprit, final Exception ex, final long nowNs)
    {
        counters.increment(GatewayCounters.DUTY_CYCLE_ERRORS);
        if (log.tryLog(nowNs))
        {
            final StackTraceElement[] stack = ex.getStackTrace();
            GatewayLog.event("error", "poll", poll,
                "connection", culprit == null ? "" : Long.toString(culprit.connectionId),
                "remote", culprit == null ? "" : culprit.remoteAddress,
                "error", String.valueOf(ex),
                "at", stack.length == 0 ? "" : String.valueOf(stack[0]),
                "notLogged", log.takeNotLogged());
        }
        if (culprit != null && culprit.isOpen())
        {
            try
            {
                replies.logout(culprit, LogoutReason.PROTOCOL_ERROR, "internal error handling this connection");
            }
            catch (final RuntimeException again)
            {
                culprit.disconnect("internal error handling this connection");
            }
        }
    }
}
