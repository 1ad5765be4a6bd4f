package io.keel.node;

/**
 * Finds a member stuck in an election it cannot finish, so that it can stop and be restarted.
 * <p>
 * Seen under network partitions with Aeron 1.51.0 ({@code keel chaos --net}): a member that led a term alone for a
 * moment, then rejoined, asked its own archive to replay its log from a position inside a frame ({@code
 * replayPosition=… does not point to a valid frame}). Aeron's election answers every error by going back to INIT
 * with the commit position as its log position — the same position — so it failed the same way every ~100 ms,
 * forever, while the other two members went on without it. A restart recovers the member (it rebuilds from its
 * recording log and the leader truncates and catches it up), so the node halts itself instead of staying stuck.
 * <p>
 * "Stuck" is an election open for the whole timeout <em>and</em> at least {@link #MIN_ERRORS} consensus module
 * errors counted meanwhile: a member that simply cannot reach the others (isolated, the others down) waits in
 * CANVASS without errors and is left alone — restarting it would change nothing. Fed from the node monitor's
 * samples of Aeron's counters; not thread safe.
 */
final class ElectionWatchdog
{
    /** Errors an election must count during the timeout to be stuck rather than waiting. */
    static final long MIN_ERRORS = 10;
    private static final long NONE = Long.MIN_VALUE;

    private final long timeoutNs;
    private long openSinceNs = NONE;
    private long errorsWhenOpened;

    /**
     * @param timeoutMs how long an erroring election may stay open; 0 = never give up.
     */
    ElectionWatchdog(final long timeoutMs)
    {
        timeoutNs = timeoutMs * 1_000_000L;
    }

    /**
     * @param electionOpen    whether an election is in progress (the election state counter is not CLOSED).
     * @param consensusErrors the consensus module's error count.
     * @return true once, when the election has been open for the timeout with {@link #MIN_ERRORS} errors or more.
     */
    boolean isStuck(final long nowNs, final boolean electionOpen, final long consensusErrors)
    {
        if (!electionOpen || timeoutNs == 0)
        {
            openSinceNs = NONE;
            return false;
        }
        if (openSinceNs == NONE)
        {
            openSinceNs = nowNs;
            errorsWhenOpened = consensusErrors;
            return false;
        }
        if (nowNs - openSinceNs >= timeoutNs && consensusErrors - errorsWhenOpened >= MIN_ERRORS)
        {
            openSinceNs = NONE; // once: the node is halting
            return true;
        }
        return false;
    }

    /**
     * @return errors counted since the current election opened (for the log line).
     */
    long errorsSinceOpened(final long consensusErrors)
    {
        return consensusErrors - errorsWhenOpened;
    }
}
