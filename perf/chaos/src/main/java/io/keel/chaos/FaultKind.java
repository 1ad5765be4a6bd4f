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
    MOVE_CLIENT("client to the other gateway"),
    /** --net: the leader cut both ways from every other host (nodes, gateways, clients), healed after a while. */
    ISOLATE_LEADER("isolate leader", true),
    /** --net: a follower cut both ways from every other host: the leader carries on with the other follower. */
    ISOLATE_FOLLOWER("isolate follower", true),
    /**
     * --net: 1|2 with the leader in the minority: leader and gateway 1 | the followers and gateway 2; the clients
     * reach both gateways. The old leader still takes gateway 1's ingress but can commit nothing.
     */
    SPLIT_LEADER_MINORITY("split 1:2, leader in minority", true),
    /** --net: packets leader→follower lost, follower→leader pass: the follower hears nothing but can still answer. */
    ONE_WAY_LEADER_TO_FOLLOWER("one-way loss leader->follower", true),
    /** --net: packets follower→leader lost: the follower hears the leader but cannot answer. */
    ONE_WAY_FOLLOWER_TO_LEADER("one-way loss follower->leader", true),
    /** --net: one gateway cut both ways from the leader only; it still reaches the followers. */
    CUT_GATEWAY_LEADER("gateway cut from leader", true),
    /** --net: the leader–follower link cut and healed every 200-400 ms for the partition's duration. */
    FLAP_LINK("flapping link leader-follower", true);

    /**
     * The fixed cycle of {@code --faults schedule}.
     */
    public static final List<FaultKind> SCHEDULE = List.of(
        KILL_LEADER, MOVE_CLIENT, RESTART_NODE, PAUSE_LEADER, KILL_GATEWAY, KILL_FOLLOWER, RESTART_NODE, PAUSE_FOLLOWER,
        MOVE_CLIENT, RESTART_GATEWAY);

    /**
     * The cycle of {@code --net --faults schedule}: every partition first, then the process faults.
     */
    public static final List<FaultKind> NET_SCHEDULE = List.of(
        ISOLATE_LEADER, ONE_WAY_LEADER_TO_FOLLOWER, CUT_GATEWAY_LEADER, ISOLATE_FOLLOWER, SPLIT_LEADER_MINORITY,
        ONE_WAY_FOLLOWER_TO_LEADER, FLAP_LINK, KILL_LEADER, MOVE_CLIENT, RESTART_NODE, PAUSE_FOLLOWER, KILL_GATEWAY);

    private final String label;
    private final boolean partition;

    FaultKind(final String label)
    {
        this(label, false);
    }

    FaultKind(final String label, final boolean partition)
    {
        this.label = label;
        this.partition = partition;
    }

    /**
     * @return a network fault (needs --net), healed at its end.
     */
    public boolean partition()
    {
        return partition;
    }

    public String label()
    {
        return label;
    }
}
