package io.keel.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schedule of {@link ReconnectBackoff}, without sockets or clocks: doubling, the cap, the jitter's bounds, the
 * reset after a logon, and one schedule per seed.
 */
class ReconnectBackoffTest
{
    private static final long INITIAL_NS = 200_000_000L;
    private static final long MAX_NS = 5_000_000_000L;

    @Test
    void shouldDoubleFromTheInitialIntervalUpToTheCap()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(INITIAL_NS, MAX_NS, 1);
        final List<Long> steps = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            steps.add(backoff.stepNs());
            backoff.nextDelayNs();
        }
        assertEquals(List.of(200_000_000L, 400_000_000L, 800_000_000L, 1_600_000_000L, 3_200_000_000L,
            5_000_000_000L, 5_000_000_000L, 5_000_000_000L), steps);
    }

    @Test
    void shouldKeepEveryDelayWithinTwentyPercentOfItsStepAndSpreadThem()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(INITIAL_NS, MAX_NS, 7);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++)
        {
            final long stepNs = backoff.stepNs();
            final long delayNs = backoff.nextDelayNs();
            assertTrue(delayNs >= stepNs * 8 / 10 && delayNs <= stepNs * 12 / 10, delayNs + " for a step of " + stepNs);
            if (stepNs == MAX_NS)
            {
                min = Math.min(min, delayNs);
                max = Math.max(max, delayNs);
            }
        }
        assertTrue(min < MAX_NS * 81 / 100 && max > MAX_NS * 119 / 100, "jitter uses its range: " + min + ".." + max);
    }

    @Test
    void shouldStartOverAfterALogon()
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(INITIAL_NS, MAX_NS, 3);
        for (int i = 0; i < 10; i++)
        {
            backoff.nextDelayNs();
        }
        assertEquals(MAX_NS, backoff.stepNs());
        backoff.reset();
        assertEquals(INITIAL_NS, backoff.stepNs());
        final long delayNs = backoff.nextDelayNs();
        assertTrue(delayNs >= INITIAL_NS * 8 / 10 && delayNs <= INITIAL_NS * 12 / 10, Long.toString(delayNs));
        assertEquals(2 * INITIAL_NS, backoff.stepNs());
    }

    @Test
    void shouldGiveOneScheduleForOneSeedAndAnotherForAnother()
    {
        assertEquals(schedule(11), schedule(11));
        assertNotEquals(schedule(11), schedule(12));
    }

    @Test
    void shouldRefuseAnIntervalAboveItsCap()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(0, 1, 0));
    }

    private static List<Long> schedule(final long seed)
    {
        final ReconnectBackoff backoff = new ReconnectBackoff(INITIAL_NS, MAX_NS, seed);
        final List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            delays.add(backoff.nextDelayNs());
        }
        return delays;
    }
}
