package io.keel.chaos;

import io.keel.common.ClusterLayout;
import io.keel.gateway.GatewayMain;
import io.keel.node.NodeMain;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes of a chaos run: three {@code keel node}s ({@link NodeMain}) and two
 * {@code keel gateway}s ({@link GatewayMain}, ids 1 and 2), started on this JVM's class path with the JVM flags
 * bin/keel uses, and the signals the faults send them. Everything started here is stopped by
 * {@link #close()}, and by a shutdown hook should this JVM be stopped first.
 */
final class ChaosProcesses implements AutoCloseable
{
    static final List<String> JVM_OPENS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
    static final int GATEWAYS = 2;

    private final ChaosContext config;
    private final File dir;
    private final int basePort;
    private final int[] gatewayPorts;
    private final int[] healthPorts;
    private final File usersFile;
    private final Process[] nodes = new Process[ChaosContext.NODES];
    private final boolean[] paused = new boolean[ChaosContext.NODES];
    private final List<Process> all = Collections.synchronizedList(new ArrayList<>());
    private final Process[] gateways = new Process[GATEWAYS];
    private int starts;
    /** With market segments: this cluster's segment (its dir and log names), and the map the gateways run with. */
    private String clusterDirName = "cluster";
    private String nodeNamePrefix = "";
    private File segmentMap;
    private final Thread destroyOnExit = new Thread(this::destroyAllForcibly, "chaos-destroy-processes");

    /**
     * @param healthPorts each gateway's /health port when HAProxy checks them (kept across restarts), else null.
     */
    ChaosProcesses(
        final ChaosContext config,
        final File dir,
        final int basePort,
        final int[] gatewayPorts,
        final int[] healthPorts,
        final File usersFile)
    {
        this.config = config;
        this.dir = dir;
        this.basePort = basePort;
        this.gatewayPorts = gatewayPorts;
        this.healthPorts = healthPorts;
        this.usersFile = usersFile;
        Runtime.getRuntime().addShutdownHook(destroyOnExit);
    }

    static File clusterDir(final File runDir)
    {
        return new File(runDir, "cluster");
    }

    /**
     * These processes are market segment {@code segment}'s: its members live in {@code segment-<k>/node-<i>} and log
     * to {@code s<k>-node-<i>-*.log}; gateways started here get the segment map instead of this cluster's hosts.
     */
    ChaosProcesses segment(final int segment, final File segmentMap)
    {
        clusterDirName = "segment-" + segment;
        nodeNamePrefix = "s" + segment + "-";
        this.segmentMap = segmentMap;
        return this;
    }

    File nodeDir(final int member)
    {
        return new File(new File(dir, clusterDirName), "node-" + member);
    }

    File[] nodeDirs()
    {
        final File[] dirs = new File[ChaosContext.NODES];
        for (int i = 0; i < dirs.length; i++)
        {
            dirs[i] = nodeDir(i);
        }
        return dirs;
    }

    File logDir()
    {
        return new File(dir, "logs");
    }

    /**
     * @return every member's host in member order: loopback, or with --net each node's namespace address.
     */
    List<String> hostList()
    {
        final NetTopology net = config.net();
        if (net == null)
        {
            return Collections.nCopies(ChaosContext.NODES, "localhost");
        }
        final List<String> hosts = new ArrayList<>();
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            hosts.add(net.address(NetTopology.nodeHost(i)));
        }
        return hosts;
    }

    String hosts()
    {
        return String.join(",", hostList());
    }

    String ingressEndpoints()
    {
        return ClusterLayout.ingressEndpoints(hostList(), basePort);
    }

    /**
     * @return where gateway {@code index} listens for clients and is reached by the cluster's egress.
     */
    String gatewayHost(final int index)
    {
        final NetTopology net = config.net();
        return net == null ? "127.0.0.1" : net.address(NetTopology.gatewayHost(gatewayId(index)));
    }

    String[] gatewayHosts()
    {
        final String[] hosts = new String[GATEWAYS];
        for (int i = 0; i < GATEWAYS; i++)
        {
            hosts[i] = gatewayHost(i);
        }
        return hosts;
    }

    /**
     * @return where this JVM (the clients, the admin session) is reached: loopback, or the clients' namespace.
     */
    String clientHost()
    {
        final NetTopology net = config.net();
        return net == null ? "localhost" : net.address(NetTopology.CLIENT_HOST);
    }

    int basePort()
    {
        return basePort;
    }

    static String classPath()
    {
        // Surefire runs tests from a manifest-only booter jar; it exposes the real path here.
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private List<String> java(final String mainClass)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(JVM_OPENS);
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        return command;
    }

    /**
     * @param host with --net, the simulated host to run it on ({@code ip netns exec}, which execs: the process's pid
     *             is the JVM's, so signals reach it directly).
     */
    private Process launch(final List<String> javaCommand, final String name, final String host)
    {
        final List<String> command = config.net() == null ? javaCommand : config.net().inHost(host, javaCommand);
        final File logs = logDir();
        logs.mkdirs();
        final File out = new File(logs, name + "-" + (starts++) + ".log");
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
            all.add(process);
            return process;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    synchronized void startNode(final int member)
    {
        if (nodes[member] != null && nodes[member].isAlive())
        {
            throw new IllegalStateException("member " + member + " is running");
        }
        final List<String> command = java(NodeMain.class.getName());
        command.addAll(List.of(
            "--member-id", Integer.toString(member),
            "--dev",
            "--hosts", hosts(),
            "--base-port", Integer.toString(basePort),
            "--dir", nodeDir(member).getAbsolutePath(),
            "--idle", config.idleProfile().name().toLowerCase(),
            "--heartbeat-timeout-ms", Long.toString(config.heartbeatTimeoutMs()),
            "--state-check-interval-ms", "500",
            "--snapshot-interval-s", Long.toString(config.snapshotIntervalS()),
            "--file-sync-level", Integer.toString(config.fileSyncLevel()),
            "--metrics-port", "0"));
        if (config.testEngineListener() != null)
        {
            command.addAll(List.of("--test-engine-listener", config.testEngineListener()));
        }
        paused[member] = false;
        nodes[member] = launch(command, nodeNamePrefix + "node-" + member, NetTopology.nodeHost(member));
    }

    /**
     * @param index 0 or 1: gateway id index + 1.
     */
    synchronized void startGateway(final int index)
    {
        if (gateways[index] != null && gateways[index].isAlive())
        {
            throw new IllegalStateException("gateway " + gatewayId(index) + " is running");
        }
        final List<String> command = java(GatewayMain.class.getName());
        command.addAll(List.of(
            "--gateway-id", Integer.toString(gatewayId(index)),
            "--port", Integer.toString(gatewayPorts[index]),
            "--users", usersFile.getAbsolutePath(),
            "--bind", gatewayHost(index),
            "--egress-host", config.net() == null ? "localhost" : gatewayHost(index),
            "--aeron-dir", gatewayAeronDir(dir, index).getAbsolutePath(),
            "--idle", config.idleProfile().name().toLowerCase(),
            "--min-heartbeat-ms", "50",
            "--cluster-timeout-ms", "2000",
            // Only what chaos uses: no fixed ports that another run on this machine could hold.
            "--udp-port", "0",
            "--md-port", "0",
            "--metrics-port", healthPorts != null ? Integer.toString(healthPorts[index]) : "0"));
        if (segmentMap != null)
        {
            command.addAll(List.of("--segment-map", segmentMap.getAbsolutePath()));
        }
        else
        {
            command.addAll(List.of("--hosts", hosts(), "--base-port", Integer.toString(basePort)));
        }
        if (healthPorts != null)
        {
            // Behind HAProxy: the client's address comes in a PROXY v2 header, accepted from HAProxy only.
            command.addAll(List.of("--proxy-protocol", "127.0.0.1"));
        }
        gateways[index] = launch(command, "gateway-" + gatewayId(index), NetTopology.gatewayHost(gatewayId(index)));
    }

    static int gatewayId(final int index)
    {
        return index + 1;
    }

    static File gatewayAeronDir(final File runDir, final int index)
    {
        return new File(runDir, "gateway-" + gatewayId(index) + "-aeron");
    }

    synchronized boolean isNodeAlive(final int member)
    {
        return nodes[member] != null && nodes[member].isAlive();
    }

    synchronized boolean isPaused(final int member)
    {
        return paused[member];
    }

    synchronized boolean isGatewayAlive(final int index)
    {
        return gateways[index] != null && gateways[index].isAlive();
    }

    synchronized Process node(final int member)
    {
        return nodes[member];
    }

    synchronized Process gateway(final int index)
    {
        return gateways[index];
    }

    /**
     * SIGKILL: no shutdown hook runs, the mark files stay "active" for Aeron's liveness timeout.
     */
    void kill9Node(final int member) throws InterruptedException
    {
        kill9(node(member), "member " + member);
    }

    void kill9Gateway(final int index) throws InterruptedException
    {
        kill9(gateway(index), "gateway " + gatewayId(index));
    }

    private static void kill9(final Process process, final String what) throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new IllegalStateException(what + " survived SIGKILL");
        }
    }

    /**
     * SIGTERM and wait: the clean stop.
     *
     * @return the exit code, or null if it did not stop in time.
     */
    static Integer terminate(final Process process, final long timeoutMs) throws InterruptedException
    {
        if (process == null)
        {
            return null;
        }
        process.destroy();
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    void pauseNode(final int member)
    {
        signal(node(member), "STOP");
        synchronized (this)
        {
            paused[member] = true;
        }
    }

    void resumeNode(final int member)
    {
        signal(node(member), "CONT");
        synchronized (this)
        {
            paused[member] = false;
        }
    }

    private static void signal(final Process process, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " +
                    new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * The tail of a process's latest log, for error messages.
     */
    String tail(final String processName)
    {
        final String name = processName.startsWith("node-") ? nodeNamePrefix + processName : processName;
        final File[] logs = logDir().listFiles((d, n) -> n.startsWith(name + "-"));
        if (logs == null || logs.length == 0)
        {
            return "(no log)";
        }
        File latest = logs[0];
        for (final File f : logs)
        {
            if (f.lastModified() > latest.lastModified())
            {
                latest = f;
            }
        }
        try
        {
            final String text = Files.readString(latest.toPath());
            return latest.getName() + ": " + text.substring(Math.max(0, text.length() - 2_000));
        }
        catch (final IOException ex)
        {
            return "(unreadable " + latest + ")";
        }
    }

    private void destroyAllForcibly()
    {
        synchronized (all)
        {
            for (final Process process : all)
            {
                if (process.isAlive())
                {
                    // A stopped process dies on SIGKILL too; SIGCONT first lets a SIGTERM work.
                    process.destroyForcibly();
                }
            }
        }
    }

    /**
     * Stop whatever still runs: SIGCONT for paused members, SIGTERM, then SIGKILL after a grace.
     */
    public void close()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(destroyOnExit);
        }
        catch (final IllegalStateException ex)
        {
            // Already shutting down: the hook does the job.
        }
        for (int i = 0; i < nodes.length; i++)
        {
            if (isPaused(i) && isNodeAlive(i))
            {
                try
                {
                    resumeNode(i);
                }
                catch (final RuntimeException ex)
                {
                    // SIGKILL below still works on a stopped process.
                }
            }
        }
        final List<Process> snapshot;
        synchronized (all)
        {
            snapshot = new ArrayList<>(all);
        }
        for (final Process process : snapshot)
        {
            if (process.isAlive())
            {
                process.destroy();
            }
        }
        for (final Process process : snapshot)
        {
            try
            {
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
