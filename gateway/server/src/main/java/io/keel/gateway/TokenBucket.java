package io.keel.gateway;

/**
 * A session's message throttle: {@code rate} messages per second sustained, {@code burst} at
 * once. Tokens are kept as nanoseconds of credit so refilling needs no division.
 */
final class TokenBucket
{
    private final long nanosPerToken;
    private final long capacityNs;
    private long creditNs;
    private long lastNs;

    TokenBucket(final int ratePerSecond, final int burst, final long nowNs)
    {
        nanosPerToken = Math.max(1, 1_000_000_000L / ratePerSecond);
        capacityNs = nanosPerToken * burst;
        creditNs = capacityNs;
        lastNs = nowNs;
    }

    /**
     * @return true if a message may pass now (and takes its token).
     */
    boolean tryAcquire(final long nowNs)
    {
        final long elapsed = nowNs - lastNs;
        lastNs = nowNs;
        if (elapsed > 0)
        {
            creditNs = Math.min(capacityNs, creditNs + elapsed);
        }
        if (creditNs >= nanosPerToken)
        {
            creditNs -= nanosPerToken;
            return true;
        }
        return false;
    }
}
