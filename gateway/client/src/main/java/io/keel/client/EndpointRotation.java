package io.keel.client;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Which endpoint a {@link ClientSession} tries next, and when. Round-robin: every attempt goes to the endpoint after
 * the one that last failed or was lost, so a dead gateway is skipped at once and the first gateway of the list does
 * not get every client back. A lost connection waits one step of the {@link ReconnectBackoff} before the next attempt;
 * within a cycle the endpoints are tried one after another without waiting, and a whole cycle that fails counts as one
 * more step. A logon resets the backoff. The listener hears of every attempt that failed and of every lost connection
 * that will be tried again ({@link KeelClientListener#onReconnecting}).
 * <p>
 * Cold code: it runs between connections.
 */
final class EndpointRotation
{
    /**
     * Logs on at the endpoint, or throws {@link KeelClientException} saying why not.
     */
    @FunctionalInterface
    interface LogOn
    {
        void logOn(Endpoint endpoint);
    }

    private final Endpoint[] endpoints;
    private final ReconnectBackoff backoff;
    private final KeelClientListener listener;
    private int next;
    private int current;
    private int failedInCycle;
    private long nextAttemptNs;

    EndpointRotation(final Endpoint[] endpoints, final ReconnectBackoff backoff, final KeelClientListener listener)
    {
        if (endpoints.length == 0)
        {
            throw new IllegalArgumentException("no endpoints");
        }
        this.endpoints = endpoints.clone();
        this.backoff = backoff;
        this.listener = listener;
    }

    /**
     * One cycle: each endpoint once, from {@link #next()}, until one logs on.
     *
     * @param tryNext whether a failure lets the next endpoint be tried; when not, it is thrown at once.
     * @throws KeelClientException the one failure when there is one endpoint, else one naming every failure.
     */
    void connect(final LogOn logOn, final Predicate<KeelClientException> tryNext)
    {
        KeelClientException failure = null;
        final StringBuilder failures = new StringBuilder();
        for (int i = 0; i < endpoints.length; i++)
        {
            final Endpoint endpoint = next();
            try
            {
                attempt(logOn);
                return;
            }
            catch (final KeelClientException ex)
            {
                if (!tryNext.test(ex))
                {
                    throw ex;
                }
                onAttemptFailed(System.nanoTime());
                failure = ex;
                failures.append(failures.length() == 0 ? "" : "; ").append(ex.getMessage());
                if (i < endpoints.length - 1)
                {
                    listener.onReconnecting(endpoint.toString(), 0, ex.getMessage());
                }
            }
        }
        throw endpoints.length == 1 ? failure :
            new KeelClientException("no endpoint logged on: " + failures, failure.result());
    }

    /**
     * One attempt at {@link #next()}, when one is due.
     *
     * @param retrying after a failure: whether the client will try again by itself (then the listener is told).
     * @return true when it logged on.
     */
    boolean attemptNext(final LogOn logOn, final BooleanSupplier retrying)
    {
        final Endpoint endpoint = next();
        try
        {
            attempt(logOn);
            return true;
        }
        catch (final KeelClientException ex)
        {
            final long delayNs = onAttemptFailed(System.nanoTime());
            if (retrying.getAsBoolean())
            {
                listener.onReconnecting(endpoint.toString(), TimeUnit.NANOSECONDS.toMillis(delayNs), ex.getMessage());
            }
            return false;
        }
    }

    /**
     * The connection to {@link #current()} was lost: the next endpoint is tried after one step of backoff.
     *
     * @param retrying whether the client will try again by itself (then the listener is told).
     * @return the wait before the next attempt, in ns.
     */
    long onLost(final long nowNs, final String reason, final boolean retrying)
    {
        next = (current + 1) % endpoints.length;
        failedInCycle = 0;
        final long delayNs = backoff.nextDelayNs();
        nextAttemptNs = nowNs + delayNs;
        if (retrying)
        {
            listener.onReconnecting(current().toString(), TimeUnit.NANOSECONDS.toMillis(delayNs), reason);
        }
        return delayNs;
    }

    boolean isDue(final long nowNs)
    {
        return nowNs - nextAttemptNs >= 0;
    }

    int size()
    {
        return endpoints.length;
    }

    /**
     * @return the endpoint the next attempt goes to.
     */
    Endpoint next()
    {
        return endpoints[next];
    }

    /**
     * @return the endpoint of the connection made last (or being made).
     */
    Endpoint current()
    {
        return endpoints[current];
    }

    /**
     * The attempt at {@link #current()} failed: the next endpoint is tried at once, unless this failure ends a cycle
     * in which every endpoint failed; then after one more step of backoff.
     *
     * @return the wait before the next attempt, in ns (0 within a cycle).
     */
    long onAttemptFailed(final long nowNs)
    {
        next = (current + 1) % endpoints.length;
        long delayNs = 0;
        if (++failedInCycle >= endpoints.length)
        {
            failedInCycle = 0;
            delayNs = backoff.nextDelayNs();
        }
        nextAttemptNs = nowNs + delayNs;
        return delayNs;
    }

    private void attempt(final LogOn logOn)
    {
        current = next;
        logOn.logOn(endpoints[current]);
        failedInCycle = 0;
        backoff.reset();
    }
}
