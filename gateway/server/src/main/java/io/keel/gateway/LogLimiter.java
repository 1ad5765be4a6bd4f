package io.keel.gateway;

/**
 * At most one log line per interval from a place that can be hit by a flood (refusals, caught exceptions), with the
 * number of occurrences not logged since the last line. Duty-cycle thread only; judged by the cycle's clock.
 */
final class LogLimiter
{
    private final long intervalNs;
    private boolean logged;
    private long nextLogNs;
    private long notLogged;

    LogLimiter(final long intervalNs)
    {
        this.intervalNs = intervalNs;
    }

    /**
     * @return true when this occurrence is to be logged; then {@link #takeNotLogged()} says how many were not.
     */
    boolean tryLog(final long nowNs)
    {
        if (!logged || nowNs - nextLogNs >= 0)
        {
            logged = true;
            nextLogNs = nowNs + intervalNs;
            return true;
        }
        notLogged++;
        return false;
    }

    /**
     * @return the occurrences not logged since the last line, as a log field; counting starts again.
     */
    String takeNotLogged()
    {
        final long count = notLogged;
        notLogged = 0;
        return Long.toString(count);
    }
}
