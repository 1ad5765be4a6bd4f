package io.keel.chaos;

import io.keel.node.NodeMain;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Injects faults on its own thread, one every fault interval, from the fixed schedule or at random
 * (seeded), while the load runs on the main thread. A node fault (kill, pause) is injected only
 * when all three members run and have caught up (their state hashes at one position are recorded),
 * so a majority is always there to come back to; otherwise it waits. It owns the admin session
 * while it runs.
 */
final class FaultInjector implements Runnable
{
    private volatile int stuckElectionRestarts;

    /**
     * One injected fault: when, what, and on whom ("member 1 (leader 0)", "gateway 2", "c3 gateway 1 -> 2").
     */
    static final class Fault
    {
        final FaultKind kind;
        final long atNs;
        final String members;

        Fault(final FaultKind kind, final long atNs, final String members)
        {
            this.kind = kind;
            this.atNs = atNs;
            this.members = members;
        }
    }

    private final ChaosContext config;
    private final ChaosProcesses processes;
    private final AdminSession admin;
    private final ClientMover mover;
    private final History history;
    private final long startNs;
    private final long endNs;
    private final Random random;
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final boolean[] killed = new boolean[ChaosContext.NODES];
    private volatile boolean running = true;
    private long healthChecks;
    private long healthChecksEqual;
    /** With market segments: this injector's own cycle, spacing, first fault and label ("segment 1 "). */
    private List<FaultKind> schedule;
    private long intervalNs;
    private long firstFaultNs;
    private String label = "";

    FaultInjector(
        final ChaosContext config,
        final ChaosProcesses processes,
        final AdminSession admin,
        final ClientMover mover,
        final History history,
        final long startNs,
        final long endNs)
    {
        this.config = config;
        this.processes = processes;
        this.admin = admin;
        this.mover = mover;
        this.history = history;
        this.startNs = startNs;
        this.endNs = endNs;
        random = new Random(config.seed() ^ 0x5DEECE66DL);
        intervalNs = TimeUnit.SECONDS.toNanos(config.faultIntervalS());
        firstFaultNs = startNs + intervalNs;
    }

    /**
     * One market segment's injector: its processes and admin session are that segment's, it runs this cycle (node
     * faults; gateway faults and client moves where the processes start the gateways), a fault every
     * {@code intervalNs} from {@code firstFaultNs}, each fault's members prefixed with the label. Before the
     * thread starts.
     */
    FaultInjector segment(
        final String label, final List<FaultKind> schedule, final long intervalNs, final long firstFaultNs, final long seed)
    {
        this.label = label;
        this.schedule = schedule;
        this.intervalNs = intervalNs;
        this.firstFaultNs = firstFaultNs;
        random.setSeed(seed);
        return this;
    }

    /**
     * Nodes that halted themselves on an election they could not finish ({@code keel node} exit code 4) and were
     * restarted.
     */
    int stuckElectionRestarts()
    {
        return stuckElectionRestarts;
    }

    List<Fault> faults()
    {
        return faults;
    }

    List<String> problems()
    {
        return problems;
    }

    long healthChecks()
    {
        return healthChecks;
    }

    long healthChecksEqual()
    {
        return healthChecksEqual;
    }

    void stop()
    {
        running = false;
    }

    public void run()
    {
        if (config.faultMode() == ChaosContext.FaultMode.NONE)
        {
            while (waitUntil(endNs))
            {
                // Only watch the processes.
            }
            return;
        }
        long nextNs = firstFaultNs;
        int step = 0;
        try
        {
            while (running)
            {
                if (!waitUntil(nextNs))
                {
                    return;
                }
                final List<FaultKind> schedule = this.schedule != null ? this.schedule :
                    config.net() != null ? FaultKind.NET_SCHEDULE : FaultKind.SCHEDULE;
                final FaultKind kind = config.faultMode() == ChaosContext.FaultMode.SCHEDULE ?
                    schedule.get(step % schedule.size()) : randomKind();
                step++;
                inject(kind);
                nextNs = Math.max(nextNs + intervalNs, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            problems.add("fault injector failed: " + ex);
            history.line("faults ERROR " + ex);
        }
    }

    /**
     * Sleep (keeping the admin session alive and watching the processes) until then or the end.
     *
     * @return false when the run is over.
     */
    private boolean waitUntil(final long deadlineNs)
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (!running || System.nanoTime() - endNs > 0)
            {
                return false;
            }
            admin.poll();
            watchProcesses();
            ChaosTrader.sleep(5);
        }
        return running && System.nanoTime() - endNs < 0;
    }

    private void watchProcesses()
    {
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            final Process node = processes.node(i);
            if (!killed[i] && node != null && !node.isAlive() && node.exitValue() == NodeMain.EXIT_ELECTION_STUCK)
            {
                // The node's answer to an election it cannot finish: restart it, as its supervisor would
                // (README "Running a cluster"). Counted and reported, not a problem.
                stuckElectionRestarts++;
                history.line("faults SELF_RESTART member=" + i + " code=" + NodeMain.EXIT_ELECTION_STUCK + " (election stuck)");
                processes.startNode(i);
                continue;
            }
            if (!killed[i] && node != null && !node.isAlive())
            {
                killed[i] = true; // report once; a restart brings it back
                problems.add("member " + i + " exited by itself with code " + node.exitValue() +
                    (node.exitValue() == NodeMain.EXIT_DIVERGED ? " (divergence)" : "") + ": " + processes.tail("node-" + i));
                history.line("faults UNEXPECTED_EXIT member=" + i + " code=" + node.exitValue());
            }
        }
    }

    private FaultKind randomKind()
    {
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            if (!processes.isNodeAlive(i))
            {
                final int choice = random.nextInt(4);
                return choice == 0 ? FaultKind.KILL_GATEWAY : choice == 1 ? FaultKind.MOVE_CLIENT : FaultKind.RESTART_NODE;
            }
        }
        final FaultKind[] choices = config.net() != null ? FaultKind.values() : new FaultKind[] {
            FaultKind.KILL_LEADER, FaultKind.KILL_FOLLOWER, FaultKind.PAUSE_LEADER, FaultKind.PAUSE_FOLLOWER,
            FaultKind.KILL_GATEWAY, FaultKind.RESTART_GATEWAY, FaultKind.MOVE_CLIENT};
        FaultKind kind;
        do
        {
            kind = choices[random.nextInt(choices.length)];
        }
        while (kind == FaultKind.RESTART_NODE); // only when a node is down (above)
        return kind;
    }

    private void inject(final FaultKind kind) throws InterruptedException
    {
        switch (kind)
        {
            case KILL_LEADER:
            case KILL_FOLLOWER:
            case PAUSE_LEADER:
            case PAUSE_FOLLOWER:
                injectNodeFault(kind);
                break;
            case RESTART_NODE:
                for (int i = 0; i < ChaosContext.NODES; i++)
                {
                    if (!processes.isNodeAlive(i))
                    {
                        record(kind, "member " + i);
                        processes.startNode(i);
                        killed[i] = false;
                        return;
                    }
                }
                history.line("faults SKIP " + kind + " nothing to restart");
                break;
            case KILL_GATEWAY:
            {
                final int gateway = random.nextInt(ChaosProcesses.GATEWAYS);
                record(kind, "gateway " + ChaosProcesses.gatewayId(gateway));
                processes.kill9Gateway(gateway);
                processes.startGateway(gateway);
                break;
            }
            case RESTART_GATEWAY:
            {
                final int gateway = random.nextInt(ChaosProcesses.GATEWAYS);
                final String name = "gateway " + ChaosProcesses.gatewayId(gateway);
                record(kind, name);
                if (ChaosProcesses.terminate(processes.gateway(gateway), 10_000) == null)
                {
                    problems.add(name + " did not stop within 10 s of SIGTERM: " +
                        processes.tail("gateway-" + ChaosProcesses.gatewayId(gateway)));
                    processes.kill9Gateway(gateway);
                }
                processes.startGateway(gateway);
                break;
            }
            case MOVE_CLIENT:
            {
                record(kind, mover.move(random.nextInt(config.clients())));
                break;
            }
            case ISOLATE_LEADER:
            case ISOLATE_FOLLOWER:
            case SPLIT_LEADER_MINORITY:
            case ONE_WAY_LEADER_TO_FOLLOWER:
            case ONE_WAY_FOLLOWER_TO_LEADER:
            case CUT_GATEWAY_LEADER:
            case FLAP_LINK:
                injectPartition(kind);
                break;
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    private void injectNodeFault(final FaultKind kind) throws InterruptedException
    {
        final int leader = awaitHealthyLeader();
        if (leader < 0)
        {
            history.line("faults SKIP " + kind + " cluster not healthy");
            return;
        }
        final boolean onLeader = kind == FaultKind.KILL_LEADER || kind == FaultKind.PAUSE_LEADER;
        final int member = onLeader ? leader : (leader + 1 + random.nextInt(2)) % ChaosContext.NODES;
        record(kind, "member " + member + (onLeader ? " (leader)" : " (leader " + leader + ")"));
        if (kind == FaultKind.KILL_LEADER || kind == FaultKind.KILL_FOLLOWER)
        {
            killed[member] = true;
            processes.kill9Node(member);
        }
        else
        {
            processes.pauseNode(member);
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.pauseMs());
            while (System.nanoTime() - until < 0)
            {
                admin.poll();
                ChaosTrader.sleep(5);
            }
            processes.resumeNode(member);
            history.line("faults SIGCONT member=" + member);
        }
    }

    /**
     * A network fault on a healthy cluster (as node faults), held for the partition time, then healed; both ends are
     * in the history ({@code FAULT} and {@code HEAL} lines).
     */
    private void injectPartition(final FaultKind kind)
    {
        final NetTopology net = config.net();
        if (net == null)
        {
            throw new IllegalStateException(kind + " needs --net");
        }
        final int leader = awaitHealthyLeader();
        if (leader < 0 || System.nanoTime() - endNs > 0)
        {
            // The health check can outlast the load: a partition after it would have no order to recover.
            history.line("faults SKIP " + kind + (leader < 0 ? " cluster not healthy" : " load over"));
            return;
        }
        final int follower = (leader + 1 + random.nextInt(2)) % ChaosContext.NODES;
        final int otherFollower = 3 - leader - follower;
        final String leaderHost = NetTopology.nodeHost(leader);
        final String followerHost = NetTopology.nodeHost(follower);
        final int gatewayId = ChaosProcesses.gatewayId(random.nextInt(ChaosProcesses.GATEWAYS));
        final String gatewayHost = NetTopology.gatewayHost(gatewayId);
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.partitionMs());
        // The fault's time is when the cut is in force (after nft returned), so recovery is not flattered by
        // orders acknowledged while the rule was being installed.
        final String members;
        switch (kind)
        {
            case ISOLATE_LEADER:
                net.isolate(leaderHost);
                members = "member " + leader + " (leader)";
                break;
            case ISOLATE_FOLLOWER:
                net.isolate(followerHost);
                members = "member " + follower + " (leader " + leader + ")";
                break;
            case SPLIT_LEADER_MINORITY:
                net.split(List.of(leaderHost, NetTopology.gatewayHost(1)),
                    List.of(followerHost, NetTopology.nodeHost(otherFollower), NetTopology.gatewayHost(2)));
                members = "member " + leader + " (leader) + gateway 1 / members " + follower + "," + otherFollower +
                    " + gateway 2";
                break;
            case ONE_WAY_LEADER_TO_FOLLOWER:
                net.cut(leaderHost, followerHost, NetTopology.Direction.ONE_WAY);
                members = "member " + leader + " (leader) -> member " + follower;
                break;
            case ONE_WAY_FOLLOWER_TO_LEADER:
                net.cut(followerHost, leaderHost, NetTopology.Direction.ONE_WAY);
                members = "member " + follower + " -> member " + leader + " (leader)";
                break;
            case CUT_GATEWAY_LEADER:
                net.cut(gatewayHost, leaderHost, NetTopology.Direction.BOTH);
                members = "gateway " + gatewayId + " x member " + leader + " (leader)";
                break;
            case FLAP_LINK:
                net.cut(leaderHost, followerHost, NetTopology.Direction.BOTH);
                members = "member " + leader + " (leader) <-> member " + follower;
                break;
            default:
                throw new IllegalStateException(kind.name());
        }
        record(kind, members);
        if (kind == FaultKind.FLAP_LINK)
        {
            flap(net, leaderHost, followerHost, untilNs);
        }
        // No admin.poll() while cut: with its leader out of reach it would block in a reconnect for up to 10 s and
        // stretch the partition; a few seconds without a keep-alive are well inside the session timeout.
        while (System.nanoTime() - untilNs < 0)
        {
            watchProcesses();
            ChaosTrader.sleep(5);
        }
        net.healAll();
        history.line("faults HEAL " + kind + " after " + config.partitionMs() + " ms");
        if (config.verbose())
        {
            System.out.printf("chaos: %6.1f s heal (%s)%n", (System.nanoTime() - startNs) / 1e9, kind.label());
        }
    }

    /**
     * Cut and heal the link both ways every 200-400 ms until then.
     */
    private void flap(final NetTopology net, final String a, final String b, final long untilNs)
    {
        boolean cut = true; // cut by the caller
        int toggles = 1;
        while (System.nanoTime() - untilNs < 0)
        {
            final long holdNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(201));
            while (System.nanoTime() - holdNs < 0 && System.nanoTime() - untilNs < 0)
            {
                ChaosTrader.sleep(5);
            }
            if (System.nanoTime() - untilNs >= 0)
            {
                break;
            }
            if (cut)
            {
                net.heal(a, b);
            }
            else
            {
                net.cut(a, b, NetTopology.Direction.BOTH);
            }
            cut = !cut;
            toggles++;
        }
        history.line("faults FLAP toggles=" + toggles);
    }

    /**
     * All three members run and record equal state hashes at one log position (they have caught
     * up); returns the leader, or -1 if that did not happen before the run ends.
     */
    private int awaitHealthyLeader()
    {
        final File[] dirs = processes.nodeDirs();
        while (running && System.nanoTime() - endNs < 0)
        {
            boolean allAlive = true;
            for (int i = 0; i < ChaosContext.NODES; i++)
            {
                allAlive &= processes.isNodeAlive(i);
            }
            if (allAlive)
            {
                final AdminSession.Answer answer = admin.stateHash(10_000);
                if (answer != null)
                {
                    final int leader = admin.client().leaderMemberId();
                    final Long[] hashes = AdminSession.awaitHashes(dirs, answer.logPosition(), 10_000, admin::poll);
                    healthChecks++;
                    boolean equal = true;
                    for (final Long hash : hashes)
                    {
                        equal &= hash != null && hash == answer.value();
                    }
                    if (equal)
                    {
                        healthChecksEqual++;
                        return leader;
                    }
                    history.line("faults HEALTH position=" + answer.logPosition() + " hashes=" + java.util.Arrays.toString(hashes));
                }
            }
            waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
        }
        return -1;
    }

    private void record(final FaultKind kind, final String members)
    {
        final long nowNs = System.nanoTime();
        // Gateways and clients serve every segment: only a node fault is one segment's.
        final boolean segmentFault = kind != FaultKind.KILL_GATEWAY && kind != FaultKind.RESTART_GATEWAY &&
            kind != FaultKind.MOVE_CLIENT;
        final String who = (segmentFault ? label : "") + members;
        faults.add(new Fault(kind, nowNs, who));
        history.line("faults FAULT " + kind + " " + who);
        if (config.verbose())
        {
            System.out.printf("chaos: %6.1f s %s %s%n", (nowNs - startNs) / 1e9, kind.label(), who);
        }
    }
}
