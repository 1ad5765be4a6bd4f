package io.keel.gateway;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Failed logons, per user and per address: each failure's answer ({@code BAD_CREDENTIALS}) is delayed by a backoff
 * that doubles with the failures of the user or the address within the window ({@code --logon-backoff-ms} ×
 * 2^(failures-1), at most {@code --logon-backoff-max-ms}); a user with {@code --lockout-failures} failures within the
 * window ({@code --lockout-window-ms}) is locked out for a window, unless an operator clears it
 * ({@code keel gateway unlock}, see {@link GatewayAdminServer}).
 * <p>
 * A logon of a user that is locked out, or whose last failure's backoff has not run out, is refused without a
 * password check (answered when the backoff runs out): a guesser gets one check per backoff, however many connections
 * it opens. Users are keyed by a hash of the name, known or not, so an unknown user is delayed, locked out and answered
 * exactly as a known one with a wrong password: nothing tells the two apart.
 * <p>
 * Duty-cycle thread only, but for {@link #unlock}, the admin endpoint's.
 */
final class LogonGuard
{
    /** An operator's request to clear a user's or an address's failures, answered by the duty cycle. */
    static final class Unlock
    {
        final String user;
        final String address;
        final long addressKey;
        final CountDownLatch done = new CountDownLatch(1);
        volatile String answer;

        Unlock(final String user, final String address, final long addressKey)
        {
            this.user = user;
            this.address = address;
            this.addressKey = addressKey;
        }
    }

    private final GatewayCounters counters;
    private final FailureTable users;
    private final FailureTable addresses;
    private final long backoffNs;
    private final long backoffMaxNs;
    private final int lockoutFailures;
    private final OneToOneConcurrentArrayQueue<Unlock> unlocks = new OneToOneConcurrentArrayQueue<>(16);

    LogonGuard(final EdgeLimits limits, final GatewayCounters counters)
    {
        this.counters = counters;
        final long windowNs = TimeUnit.MILLISECONDS.toNanos(limits.lockoutWindowMs());
        users = new FailureTable(limits.failureEntries(), windowNs);
        addresses = new FailureTable(limits.failureEntries(), windowNs);
        backoffNs = TimeUnit.MILLISECONDS.toNanos(limits.logonBackoffMs());
        backoffMaxNs = TimeUnit.MILLISECONDS.toNanos(limits.logonBackoffMaxMs());
        lockoutFailures = limits.lockoutFailures();
    }

    /**
     * A username as a 64-bit key (FNV-1a over its characters): collisions are as rare as in any 64-bit hash.
     */
    static long userKey(final String username)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < username.length(); i++)
        {
            hash = (hash ^ username.charAt(i)) * 0x100000001b3L;
        }
        return hash;
    }

    /**
     * @return 0 when the logon may be checked; else when its refusal is due: the user is locked out, or the backoff
     * of its last failure has not run out.
     */
    long refuseUncheckedUntil(final long userKey, final long nowNs)
    {
        final int slot = users.find(userKey);
        if (slot == FailureTable.MISSING)
        {
            return 0;
        }
        if (users.isLocked(slot, nowNs))
        {
            return nowNs + backoffMaxNs;
        }
        final long dueNs = users.lastFailureNs(slot) + backoffNs(users.failures(slot));
        return dueNs - nowNs > 0 ? dueNs : 0;
    }

    /**
     * @return true when the user is locked out (for the log; the answer is the same).
     */
    boolean isLocked(final long userKey, final long nowNs)
    {
        final int slot = users.find(userKey);
        return slot != FailureTable.MISSING && users.isLocked(slot, nowNs);
    }

    /**
     * A password check failed.
     *
     * @return when its {@code BAD_CREDENTIALS} is due: now plus the backoff of the user or the address, the longer.
     */
    long onFailure(final long userKey, final long addressKey, final long nowNs)
    {
        final int userSlot = users.recordFailure(userKey, nowNs);
        int failures = users.failures(userSlot);
        if (failures >= lockoutFailures && !users.isLocked(userSlot, nowNs))
        {
            users.lock(userSlot, nowNs);
            counters.increment(GatewayCounters.LOGON_LOCKOUTS);
        }
        if (addressKey != AddressKey.NONE)
        {
            failures = Math.max(failures, addresses.failures(addresses.recordFailure(addressKey, nowNs)));
        }
        final long delayNs = backoffNs(failures);
        if (delayNs > 0)
        {
            counters.increment(GatewayCounters.LOGON_BACKOFFS);
        }
        return nowNs + delayNs;
    }

    /**
     * The password checked out: the user's failures are forgotten (the address's are not: one good account does not
     * excuse guessing others from the same place).
     */
    void onSuccess(final long userKey)
    {
        users.remove(userKey);
    }

    private long backoffNs(final int failures)
    {
        if (failures <= 0 || backoffNs == 0)
        {
            return 0;
        }
        final int shift = Math.min(failures - 1, 30);
        return Math.min(backoffMaxNs, backoffNs << shift);
    }

    /**
     * From the admin endpoint's thread: clear a user's and/or an address's failures and lockout, and wait (bounded)
     * for the duty cycle to have done it.
     *
     * @param user       null, or the user to clear.
     * @param address    null, or the address to clear (as the operator wrote it), with its {@link AddressKey}.
     * @return what was cleared, or why not.
     */
    String unlock(final String user, final String address, final long addressKey, final long timeoutMs)
        throws InterruptedException
    {
        final Unlock request = new Unlock(user, address, addressKey);
        if (!unlocks.offer(request))
        {
            return "busy: retry";
        }
        return request.done.await(timeoutMs, TimeUnit.MILLISECONDS) ? request.answer : "not applied within " +
            timeoutMs + " ms: is the gateway running?";
    }

    /**
     * Duty cycle: apply the operators' requests (cold: rare).
     */
    int drainUnlocks(final long nowNs)
    {
        int work = 0;
        Unlock request;
        while ((request = unlocks.poll()) != null)
        {
            work++;
            final StringBuilder answer = new StringBuilder();
            if (request.user != null)
            {
                final long key = userKey(request.user);
                final boolean locked = isLocked(key, nowNs);
                final boolean known = users.remove(key);
                answer.append("user ").append(request.user).append(
                    locked ? ": lockout cleared" : known ? ": failures cleared (was not locked out)" : ": no failures");
            }
            if (request.address != null)
            {
                final long key = request.addressKey;
                answer.append(answer.length() > 0 ? "; " : "").append("address ").append(request.address)
                    .append(key == AddressKey.NONE ? ": not an address" :
                        addresses.remove(key) ? ": failures cleared" : ": no failures");
            }
            GatewayLog.event("logon-unlock", "user", String.valueOf(request.user),
                "address", String.valueOf(request.address), "result", answer.toString());
            request.answer = answer.toString();
            request.done.countDown();
        }
        return work;
    }
}
