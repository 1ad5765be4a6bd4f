package io.keel.node;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stuck = an election open for the whole timeout while the consensus module keeps counting errors; an election that
 * waits quietly (an isolated member) or closes in time is left alone.
 */
class ElectionWatchdogTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldFindAnElectionThatKeepsFailingForTheWholeTimeoutOnce()
    {
        final ElectionWatchdog watchdog = new ElectionWatchdog(1_000);
        long errors = 3;
        for (long t = 0; t < 999; t += 100)
        {
            assertFalse(watchdog.isStuck(t * MS, true, errors += 2), "at " + t + " ms");
        }
        assertTrue(watchdog.isStuck(1_000 * MS, true, errors += 2));
        assertFalse(watchdog.isStuck(1_100 * MS, true, errors + 2), "reported once");
    }

    @Test
    void shouldLeaveAQuietOrClosingElectionAlone()
    {
        final ElectionWatchdog quiet = new ElectionWatchdog(1_000);
        quiet.isStuck(0, true, 5);
        assertFalse(quiet.isStuck(5_000 * MS, true, 5 + ElectionWatchdog.MIN_ERRORS - 1), "an isolated member waits");

        final ElectionWatchdog closing = new ElectionWatchdog(1_000);
        closing.isStuck(0, true, 0);
        closing.isStuck(900 * MS, false, 50);
        closing.isStuck(950 * MS, true, 60);
        assertFalse(closing.isStuck(1_500 * MS, true, 200), "a new election starts its own clock");
        assertTrue(closing.isStuck(1_950 * MS, true, 200));

        final ElectionWatchdog off = new ElectionWatchdog(0);
        off.isStuck(0, true, 0);
        assertFalse(off.isStuck(10_000_000 * MS, true, 1_000_000));
    }
}
