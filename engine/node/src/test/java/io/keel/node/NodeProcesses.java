package io.keel.node;

import io.keel.common.ClusterLayout;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cluster members as separate OS processes, started with the same main as {@code keel node}
 * ({@link NodeMain}) on this JVM's class path. Each process writes stdout and stderr to files
 * in its node dir's parent; every start of a member gets new files, so nothing is lost.
 */
final class NodeProcesses implements AutoCloseable
{
    /**
     * Agrona 2.x on Java 17 (the root pom's {@code keel.jvm.opens}, and bin/keel).
     */
    static final List<String> JVM_OPENS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    private final File baseDir;
    private final int basePort;
    private final int members;
    private final Process[] processes;
    private final List<File> outputFiles = new ArrayList<>();
    private int starts;
    private final boolean[] killed;
    /**
     * Should this JVM be stopped before the test cleans up (e.g. Surefire's fork timeout), its
     * node processes must not outlive it.
     */
    private final Thread destroyOnExit = new Thread(this::destroyAllForcibly, "destroy-node-processes");

    NodeProcesses(final File baseDir, final int basePort, final int members)
    {
        this.baseDir = baseDir;
        this.basePort = basePort;
        this.members = members;
        processes = new Process[members];
        killed = new boolean[members];
        Runtime.getRuntime().addShutdownHook(destroyOnExit);
    }

    private void destroyAllForcibly()
    {
        for (final Process process : processes)
        {
            if (process != null)
            {
                process.destroyForcibly();
            }
        }
    }

    File nodeDir(final int member)
    {
        return new File(baseDir, "node-" + member);
    }

    File aeronDir(final int member)
    {
        return new File(nodeDir(member), "aeron");
    }

    File[] nodeDirs()
    {
        final File[] dirs = new File[members];
        for (int i = 0; i < members; i++)
        {
            dirs[i] = nodeDir(i);
        }
        return dirs;
    }

    String ingressEndpoints()
    {
        return ClusterLayout.ingressEndpoints(Collections.nCopies(members, "localhost"), basePort);
    }

    Process process(final int member)
    {
        return processes[member];
    }

    static String classPath()
    {
        // Surefire runs tests from a manifest-only booter jar; it exposes the real path here.
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /**
     * Start member {@code member} with the test defaults plus {@code extraArgs}.
     */
    Process start(final int member, final String... extraArgs)
    {
        if (processes[member] != null && processes[member].isAlive())
        {
            throw new IllegalStateException("member " + member + " is running");
        }
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(JVM_OPENS);
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(classPath());
        command.add(NodeMain.class.getName());
        command.addAll(List.of(
            "--member-id", Integer.toString(member),
            "--dev",
            "--hosts", String.join(",", Collections.nCopies(members, "localhost")),
            "--base-port", Integer.toString(basePort),
            "--dir", nodeDir(member).getAbsolutePath(),
            "--idle", "backoff",
            "--heartbeat-timeout-ms", Long.toString(ClusterHarness.HEARTBEAT_TIMEOUT_MS),
            "--state-check-interval-ms", Long.toString(ClusterHarness.STATE_CHECK_INTERVAL_MS)));
        command.addAll(List.of(extraArgs));

        baseDir.mkdirs();
        final int start = starts++;
        killed[member] = false;
        final File out = new File(baseDir, "node-" + member + "-start-" + start + ".out");
        final File err = new File(baseDir, "node-" + member + "-start-" + start + ".err");
        outputFiles.add(out);
        outputFiles.add(err);
        try
        {
            processes[member] = new ProcessBuilder(command)
                .redirectOutput(out)
                .redirectError(err)
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return processes[member];
    }

    record AdminRun(int exitCode, String output)
    {
    }

    /**
     * Run {@code keel admin} ({@link AdminMain}) as a process against these members.
     */
    AdminRun admin(final long timeoutMs, final String... args) throws InterruptedException
    {
        return admin(timeoutMs, () -> {}, args);
    }

    /**
     * Run {@code keel admin} as a process, running {@code whileWaiting} (e.g. polling the test's own cluster
     * sessions, which the cluster closes when left alone for its session timeout) until it exits.
     */
    AdminRun admin(final long timeoutMs, final Runnable whileWaiting, final String... args) throws InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(JVM_OPENS);
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(classPath());
        command.add(AdminMain.class.getName());
        command.addAll(List.of(
            "--hosts", String.join(",", Collections.nCopies(members, "localhost")),
            "--base-port", Integer.toString(basePort)));
        command.addAll(List.of(args));
        baseDir.mkdirs();
        final File out = new File(baseDir, "admin-" + (starts++) + ".out");
        outputFiles.add(out);
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!process.waitFor(10, TimeUnit.MILLISECONDS))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new AdminRun(-1, read(out));
            }
            whileWaiting.run();
        }
        return new AdminRun(process.exitValue(), read(out));
    }

    void startAll(final String... extraArgs)
    {
        for (int i = 0; i < members; i++)
        {
            start(i, extraArgs);
        }
    }

    /**
     * SIGKILL: no shutdown hook, no clean close; the aeron dir and mark files stay behind.
     */
    void kill9(final int member) throws InterruptedException
    {
        final Process process = processes[member];
        killed[member] = true;
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("member " + member + " survived SIGKILL");
        }
    }

    /**
     * SIGTERM (clean shutdown, as an operator stops a node).
     *
     * @return the exit code, or null when it did not exit within the timeout.
     */
    Integer terminate(final int member, final long timeoutMs) throws InterruptedException
    {
        final Process process = processes[member];
        process.destroy();
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /**
     * Capture the error logs of every member (the aeron dir of a running or SIGKILLed member
     * still holds the driver's log; a cleanly stopped one deleted it).
     */
    void captureErrorLogs(final ErrorLogGate gate)
    {
        for (int i = 0; i < members; i++)
        {
            final Process process = processes[i];
            final boolean stoppedCleanly = process != null && !process.isAlive() && !killed[i];
            gate.captureNode("process-node-" + i, nodeDir(i), aeronDir(i), stoppedCleanly);
        }
    }

    String output(final int member)
    {
        final StringBuilder sb = new StringBuilder();
        for (final File file : outputFiles)
        {
            if (file.getName().startsWith("node-" + member + "-"))
            {
                sb.append(read(file));
            }
        }
        return sb.toString();
    }

    void dumpOutput(final PrintStream out)
    {
        for (final File file : outputFiles)
        {
            out.println("----- " + file.getName() + " -----");
            out.println(read(file));
        }
    }

    private static String read(final File file)
    {
        try
        {
            return file.exists() ? Files.readString(file.toPath()) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /**
     * Destroy every process still running (forcibly after a short grace).
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
        for (final Process process : processes)
        {
            if (process != null && process.isAlive())
            {
                process.destroy();
            }
        }
        for (final Process process : processes)
        {
            if (process != null)
            {
                try
                {
                    if (!process.waitFor(5, TimeUnit.SECONDS))
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
}
