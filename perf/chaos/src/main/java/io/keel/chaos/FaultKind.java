package io.keel.chaos;

import java.util.List;

/**
 * The faults a chaos run injects. Node faults are only injected while all three members run and
 * have caught up, so the cluster always keeps a majority.
 */
public enum FaultKind
{
    /** SIGKILL of the current leader: an election, in-flight requests resent by the clients. */
    KILL_LEADER("kill -9 leader"),
    /** SIGKILL of a follower: the leader carries on with the other follower. */
    KILL_FOLLOWER("kill -9 follower"),
    /** SIGSTOP of the leader for longer than the election timeout, then SIGCONT: it must step down. */
    PAUSE_LEADER("SIGSTOP leader"),
    /** SIGSTOP of a follower past the election timeout, then SIGCONT: it must catch up. */
    PAUSE_FOLLOWER("SIGSTOP follower"),
    /** Start the killed member again on its directory: recovery from snapshot and log, catch-up. */
    RESTART_NODE("restart node"),
    /** SIGKILL of one gateway and a new process of it on the same port: its clients log on again. */
    KILL_GATEWAY("kill -9 gateway+restart"),
    /** SIGTERM of one gateway (clean stop) and a new one: its clients log on again. */
    RESTART_GATEWAY("gateway restart"),
    /**
     * One client's connection cut and its load balancer route moved to the other gateway: it logs on there with its
     * nextExpectedSeqNo, gets what it missed, and keeps trading there.
     */
    MOVE_CLIENT("client to the other gateway");

    /**
     * The fixed cycle of {@code --faults schedule}.
     */
    public static final List<FaultKind> SCHEDULE = List.of(
        KILL_LEADER, MOVE_CLIENT, RESTART_NODE, PAUSE_LEADER, KILL_GATEWAY, KILL_FOLLOWER, RESTART_NODE, PAUSE_FOLLOWER,
        MOVE_CLIENT, RESTART_GATEWAY);

    private final String label;

    FaultKind(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
