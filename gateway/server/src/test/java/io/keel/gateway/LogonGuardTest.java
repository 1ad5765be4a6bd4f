package io.keel.gateway;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failed-logon rules on their own, on a clock the test moves: the backoff doubles and is capped, a lockout comes
 * at the Nth failure in the window, the tables stay within their capacity and forget the oldest entry that is not
 * locked out first.
 */
class LogonGuardTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final GatewayCounters counters = new GatewayCounters();
    private final LogonGuard guard = new LogonGuard(new EdgeLimits()
        .logonBackoffMs(100).logonBackoffMaxMs(800).lockoutFailures(5).lockoutWindowMs(60_000).failureEntries(16),
        counters);

    @Test
    void shouldDoubleTheBackoffUpToItsCapAndLockOutAtTheNthFailure()
    {
        final long user = LogonGuard.userKey("alice");
        final long[] expectedMs = {100, 200, 400, 800, 800};
        long nowNs = 1_000 * MS;
        for (int i = 0; i < expectedMs.length; i++)
        {
            assertEquals(0, guard.refuseUncheckedUntil(user, nowNs), "checked after the backoff ran out");
            final long dueNs = guard.onFailure(user, AddressKey.NONE, nowNs);
            assertEquals(expectedMs[i] * MS, dueNs - nowNs, "failure " + (i + 1));
            if (i < expectedMs.length - 1)
            {
                assertEquals(dueNs, guard.refuseUncheckedUntil(user, nowNs + MS), "unchecked within the backoff");
            }
            nowNs = dueNs;
        }
        assertTrue(guard.isLocked(user, nowNs));
        assertEquals(1, counters.get(GatewayCounters.LOGON_LOCKOUTS));
        assertEquals(nowNs + 800 * MS, guard.refuseUncheckedUntil(user, nowNs), "locked: the longest backoff, unchecked");
        assertTrue(guard.isLocked(user, nowNs + 59_000 * MS));
        assertFalse(guard.isLocked(user, nowNs + 61_000 * MS), "a lockout lasts one window");
    }

    @Test
    void shouldBackOffByTheAddressAcrossUsers()
    {
        final long address = 42;
        final long[] expectedMs = {100, 200, 400, 800, 800};
        long nowNs = 0;
        for (int i = 0; i < expectedMs.length; i++)
        {
            // A new user each time: its own failures are 1, the address's grow.
            final long dueNs = guard.onFailure(LogonGuard.userKey("user" + i), address, nowNs);
            assertEquals(expectedMs[i] * MS, dueNs - nowNs, "failure " + (i + 1) + " from the address");
            nowNs = dueNs;
        }
    }

    @Test
    void shouldForgetAUserOnSuccessAndOnUnlock() throws Exception
    {
        final long user = LogonGuard.userKey("bob");
        for (int i = 0; i < 5; i++)
        {
            guard.onFailure(user, AddressKey.NONE, 0);
        }
        assertTrue(guard.isLocked(user, 0));
        final Thread admin = new Thread(() ->
        {
            try
            {
                assertEquals("user bob: lockout cleared", guard.unlock("bob", null, AddressKey.NONE, 5_000));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        admin.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (guard.drainUnlocks(0) == 0 && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
        admin.join(5_000);
        assertFalse(guard.isLocked(user, 0));
        assertEquals(0, guard.refuseUncheckedUntil(user, 0));

        guard.onFailure(user, AddressKey.NONE, 0);
        guard.onSuccess(user);
        assertEquals(0, guard.refuseUncheckedUntil(user, 0));
    }

    @Test
    void shouldStayWithinCapacityAndForgetTheOldestUnlockedFirst()
    {
        final FailureTable table = new FailureTable(16, 60_000 * MS);
        for (int key = 1; key <= 16; key++)
        {
            table.recordFailure(key, key * MS);
        }
        table.lock(table.find(1), 16 * MS);
        table.recordFailure(17, 17 * MS);
        assertEquals(16, table.size());
        assertNotEquals(FailureTable.MISSING, table.find(1), "the oldest, but locked out: kept");
        assertEquals(FailureTable.MISSING, table.find(2), "the oldest not locked out: forgotten");
        assertNotEquals(FailureTable.MISSING, table.find(17));

        assertTrue(table.remove(5));
        assertEquals(15, table.size());
        for (final long key : new long[]{1, 3, 4, 6, 16, 17})
        {
            assertEquals(1, table.failures(table.find(key)), "key " + key + " still found after a remove");
        }
    }

    @Test
    void shouldStartAFreshWindowAfterTheLastOneEnded()
    {
        final FailureTable table = new FailureTable(16, 1_000 * MS);
        table.recordFailure(7, 0);
        table.recordFailure(7, 500 * MS);
        assertEquals(2, table.failures(table.find(7)));
        table.recordFailure(7, 1_600 * MS);
        assertEquals(1, table.failures(table.find(7)));
    }
}
