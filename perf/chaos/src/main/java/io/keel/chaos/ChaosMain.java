package io.keel.chaos;

import io.keel.common.Cli;
import io.keel.common.IdleProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel chaos}: three {@code keel node} processes and a {@code keel gateway} on loopback,
 * clients trading at a fixed rate, faults injected on a schedule or at random, then the history
 * check. Exit 0 when nothing was lost or duplicated and every node agrees; 1 on any violation (the
 * history is kept); 2 on bad usage.
 */
@Command(
    name = "keel chaos",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Faults under load against real node and gateway processes, then a history check: " +
        "no acknowledged order lost, none duplicated, every report received in order without gaps, every fill " +
        "delivered, equal state hashes, invariants hold.",
    footer = "%nFaults: kill -9 of the leader or a follower, SIGSTOP of the leader or a follower past the election " +
        "timeout then SIGCONT, restart of a killed node, kill -9 + restart and SIGTERM + restart of a gateway, a " +
        "client moved to the other gateway.%n" +
        "Last line: chaos: acked=N lost=0 duplicates=0 reports=N reports-lost=0 hashes-equal=true faults=N%n" +
        "With --segments N: segment faults one segment at a time, transfer faults (steps abandoned after the debit or " +
        "the credit, a transfer process SIGKILLed, repeats), transfer-recover at the end; last line: chaos: segments=N " +
        "acked=N lost=0 duplicates=0 reports=N reports-lost=0 hashes-equal=true transfers=N recovered=N " +
        "money-conserved=true faults=N")
public final class ChaosMain implements Callable<Integer>
{
    @Option(names = "--seconds", description = "Load duration (default ${DEFAULT-VALUE}).")
    long seconds = 60;

    @Option(names = "--rate", description = "Orders per second over all clients, open loop (default ${DEFAULT-VALUE}).")
    int rate = 200;

    @Option(names = "--clients", description = "Trading clients, one account each (default ${DEFAULT-VALUE}).")
    int clients = 8;

    @Option(names = "--seed", description = "Seed of the order flow and of random faults (default: from the clock, printed).")
    Long seed;

    @Option(names = "--faults", description = "schedule (a fixed cycle), random (seeded) or none (a baseline) (default ${DEFAULT-VALUE}).")
    String faults = "schedule";

    @Option(names = "--fault-interval-s", description = "A fault every this many seconds (default ${DEFAULT-VALUE}).")
    long faultIntervalS = 7;

    @Option(names = "--file-sync-level", description = "Archive fsync: 0 none, 1 data, 2 data and metadata (default ${DEFAULT-VALUE}).")
    int fileSyncLevel = 0;

    @Option(names = "--heartbeat-timeout-ms", description = "Nodes' leader heartbeat timeout, ~ failover time (default ${DEFAULT-VALUE}).")
    long heartbeatTimeoutMs = 1_500;

    @Option(names = "--snapshot-interval-s", description = "The leader snapshots this often; 0 = never (default ${DEFAULT-VALUE}).")
    long snapshotIntervalS = 0;

    @Option(names = "--dir", description = "Run directory, kept (default: a temp dir, deleted unless a check fails).")
    File dir;

    @Option(names = "--keep-history", description = "Keep the run directory and history.log even when every check passes.")
    boolean keepHistory;

    @Option(names = "--idle", description = "Idle profile of nodes and gateway: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Option(names = "--verbose", description = "Print each fault as it is injected.")
    boolean verbose;

    @Option(names = "--gateways", description = "Gateway processes (default ${DEFAULT-VALUE}; two is what the relay and deploy/haproxy.cfg serve).")
    int gateways = 2;

    @Option(names = "--haproxy", description = "Clients connect with TLS through a real HAProxy (deploy/haproxy.cfg: leastconn, "
        + "health checks, PROXY protocol v2 to the gateways) instead of the relay; a client move cuts its connection.")
    boolean haproxy;

    @Option(names = "--net", description = "Each node, each gateway and the clients' side on a simulated host of its own "
        + "(a network namespace on one switch; needs root, ip and nft), with network partitions among the faults.")
    boolean net;

    @Option(names = "--partition-ms", description = "With --net: how long a partition lasts before it heals "
        + "(default: twice the heartbeat timeout, at least 3000).")
    long partitionMs;

    @Option(names = "--segments", description = "Market segments, each three node processes of its own behind the "
        + "gateways' segment map; faults hit one segment at a time, and transfers between segments run all along with "
        + "their coordinator failing between steps; checks per segment and money across segments (default "
        + "${DEFAULT-VALUE}; up to 4).")
    int segments = 1;

    @Option(names = "--transfer-period-ms", description = "With --segments: a transfer between segments every this many " +
        "ms during the load, 0 = none (default ${DEFAULT-VALUE}).")
    long transferPeriodMs = 1_500;

    /** Internal: this JVM is the run inside the clients' namespace of the topology with this name prefix. */
    @Option(names = "--net-inside", hidden = true)
    String netInside;

    @Spec
    CommandSpec spec;

    public Integer call() throws Exception
    {
        if (net && netInside == null)
        {
            return runInsideNamespaces();
        }
        final ChaosContext.FaultMode mode;
        switch (faults)
        {
            case "schedule":
                mode = ChaosContext.FaultMode.SCHEDULE;
                break;
            case "random":
                mode = ChaosContext.FaultMode.RANDOM;
                break;
            case "none":
                mode = ChaosContext.FaultMode.NONE;
                break;
            default:
                throw new IllegalArgumentException("--faults must be schedule, random or none: " + faults);
        }
        final IdleProfile idleProfile;
        try
        {
            idleProfile = IdleProfile.parse(idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--idle: " + ex.getMessage(), ex);
        }
        final ChaosContext config = new ChaosContext()
            .seconds(seconds)
            .rate(rate)
            .clients(clients)
            .faultMode(mode)
            .faultIntervalS(faultIntervalS)
            .fileSyncLevel(fileSyncLevel)
            .heartbeatTimeoutMs(heartbeatTimeoutMs)
            .snapshotIntervalS(snapshotIntervalS)
            .dir(dir)
            .keepHistory(keepHistory)
            .idleProfile(idleProfile)
            .gateways(gateways)
            .haproxy(haproxy)
            .partitionMs(partitionMs)
            .segments(segments)
            .transferPeriodMs(transferPeriodMs)
            .verbose(verbose);
        if (netInside != null)
        {
            config.net(NetTopology.attach(netInside, NetTopology.chaosHosts(ChaosContext.NODES, ChaosProcesses.GATEWAYS)));
        }
        if (seed != null)
        {
            config.seed(seed);
        }
        if (segments > 1)
        {
            if (net || haproxy)
            {
                throw new IllegalArgumentException("--segments runs on loopback with the relay: not with --net or --haproxy");
            }
            final SegmentChaosReport segmentReport = new SegmentChaosRun(config, System.out).run();
            segmentReport.print(System.out);
            return segmentReport.passed() ? 0 : 1;
        }
        final ChaosReport report = new ChaosRun(config, System.out).run();
        report.print(System.out);
        return report.passed() ? 0 : 1;
    }

    /**
     * The guardian of a {@code --net} run: check what it needs (else one line, exit 2), sweep what dead runs left,
     * build the simulated hosts, run the chaos run in a JVM inside the clients' namespace, and tear everything down
     * when it ends, fails, or on Ctrl-C (after giving that JVM time to stop its processes).
     */
    private int runInsideNamespaces() throws InterruptedException
    {
        final String missing = NetCommand.missingPrerequisites();
        if (missing != null)
        {
            throw new IllegalArgumentException("--net needs " + missing);
        }
        if (haproxy)
        {
            throw new IllegalArgumentException("--net and --haproxy cannot be combined yet");
        }
        final List<String> swept = NetNamespaces.sweep();
        if (!swept.isEmpty())
        {
            System.out.println("chaos: --net: removed what dead runs left: " + String.join(" ", swept));
        }
        try (NetTopology topology = NetTopology.create(
            NetTopology.chaosHosts(ChaosContext.NODES, ChaosProcesses.GATEWAYS)))
        {
            final List<String> command = new ArrayList<>();
            command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
            command.addAll(ChaosProcesses.JVM_OPENS);
            command.add("-Xmx" + Math.max(256, Runtime.getRuntime().maxMemory() >> 20) + "m");
            command.add("-cp");
            command.add(ChaosProcesses.classPath());
            command.add(ChaosMain.class.getName());
            command.addAll(spec.commandLine().getParseResult().originalArgs());
            command.add("--net-inside");
            command.add(topology.prefix());
            System.out.printf("chaos: --net: hosts %s on switch %s; the run goes on in %s%n",
                describe(topology), topology.switchNamespace(), topology.namespace(NetTopology.CLIENT_HOST));
            final Process inner;
            try
            {
                inner = new ProcessBuilder(topology.inHost(NetTopology.CLIENT_HOST, command))
                    .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException("cannot start the chaos run in " +
                    topology.namespace(NetTopology.CLIENT_HOST) + ": " + ex.getMessage(), ex);
            }
            // Through this JVM's streams, not the terminal's file descriptors: a test runner reading them sees it too.
            final Thread out = copy(inner.getInputStream(), System.out, "chaos-net-out");
            final Thread err = copy(inner.getErrorStream(), System.err, "chaos-net-err");
            topology.beforeShutdownTeardown(() ->
            {
                try
                {
                    inner.destroy(); // SIGTERM (Ctrl-C sent it SIGINT already): its hook stops its nodes and gateways
                    if (!inner.waitFor(30, TimeUnit.SECONDS))
                    {
                        inner.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    inner.destroyForcibly();
                }
            });
            final int exit = inner.waitFor();
            out.join(5_000);
            err.join(5_000);
            return exit;
        }
    }

    private static Thread copy(final java.io.InputStream from, final java.io.PrintStream to, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[8192];
            try
            {
                int read;
                while ((read = from.read(buffer)) > 0)
                {
                    to.write(buffer, 0, read);
                    to.flush();
                }
            }
            catch (final java.io.IOException ex)
            {
                // The run is gone: nothing more to copy.
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String describe(final NetTopology topology)
    {
        final StringBuilder text = new StringBuilder();
        for (final String host : topology.hosts())
        {
            text.append(text.length() == 0 ? "" : " ").append(host).append('=').append(topology.address(host));
        }
        return text.toString();
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new ChaosMain(), "keel chaos", args));
    }
}
