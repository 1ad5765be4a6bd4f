package io.keel.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The simulated hosts of {@code keel chaos --net}, checked with plain sockets run inside the namespaces
 * ({@link NetProbe}): everyone reaches everyone, a one-way cut drops exactly that direction, heal restores it,
 * isolation and splits cut what they say, and teardown and the sweep leave no namespace behind. Skipped (with the
 * reason) when not root or without {@code ip}/{@code nft}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetTopologyTest
{
    private static final int PROBE_PORT = 7777;

    private NetTopology topology;
    private final List<Probe> probes = new ArrayList<>();
    private int round;

    @BeforeAll
    static void requireRootAndTools()
    {
        final String missing = NetCommand.missingPrerequisites();
        assumeTrue(missing == null, () -> "NetTopologyTest skipped: network namespaces need " + missing);
    }

    @AfterEach
    void tearDown()
    {
        for (final Probe probe : probes)
        {
            probe.close();
        }
        if (topology != null)
        {
            topology.close();
            assertNoNamespaceLeft(topology.prefix());
        }
    }

    @Test
    void shouldReachEveryHostDropExactlyTheCutDirectionHealAndLeaveNothing()
    {
        final String rootTables = NetCommand.run("nft", "list", "tables");
        topology = NetTopology.create(NetTopology.chaosHosts(3, 1));
        assertEquals(Set.of("n0", "n1", "n2", "g1", "cli"), topology.hosts());
        startProbes();

        assertMatrix(Set.of());

        topology.cut("n0", "n1", NetTopology.Direction.ONE_WAY);
        assertEquals(Set.of("n0>n1"), topology.cuts());
        assertMatrix(Set.of("n0>n1"));
        assertTrue(topology.droppedPackets() > 0, "the cut's counter counted the drops");

        topology.heal("n0", "n1");
        assertMatrix(Set.of());

        topology.cut("g1", "n2", NetTopology.Direction.BOTH);
        assertMatrix(Set.of("g1>n2", "n2>g1"));
        topology.healAll();

        topology.isolate("n1");
        assertMatrix(isolation("n1"));
        topology.healAll();

        topology.split(List.of("n0"), List.of("n1", "n2"));
        assertMatrix(Set.of("n0>n1", "n1>n0", "n0>n2", "n2>n0"));
        topology.healAll();
        assertMatrix(Set.of());

        for (final Probe probe : probes)
        {
            probe.close();
        }
        probes.clear();
        final String prefix = topology.prefix();
        topology.close();
        topology = null;
        assertNoNamespaceLeft(prefix);
        assertEquals(rootTables, NetCommand.run("nft", "list", "tables"), "the root namespace's nftables are untouched");
    }

    /**
     * The check above can fail: a cut whose rule sits on a chain bridged packets never traverse (the bridge's input
     * hook, not forward), or a cut of the wrong direction, is caught.
     */
    @Test
    void shouldCatchACutOnTheWrongChainOrInTheWrongDirection()
    {
        topology = NetTopology.create(NetTopology.chaosHosts(2, 0));
        startProbes();
        final String n0 = topology.address("n0");
        final String n1 = topology.address("n1");

        // Planted bug 1: the drop rule on the bridge's input chain; bridged traffic between ports never goes there.
        topology.nft(String.join("\n",
            "add chain bridge " + NetTopology.TABLE + " wronghook { type filter hook input priority 0; policy accept; }",
            "add rule bridge " + NetTopology.TABLE + " wronghook ip saddr " + n0 + " ip daddr " + n1 + " drop",
            ""));
        final AssertionFailedError wrongChain = assertThrows(AssertionFailedError.class, () -> assertMatrix(Set.of("n0>n1")));
        assertTrue(wrongChain.getMessage().contains("n0>n1 udp expected dropped but passed"), wrongChain.getMessage());
        topology.nft("delete chain bridge " + NetTopology.TABLE + " wronghook\n");

        // Planted bug 2: the element with source and destination swapped.
        topology.nft("add element bridge " + NetTopology.TABLE + " cuts { " + n1 + " . " + n0 + " }\n");
        final AssertionFailedError reversed = assertThrows(AssertionFailedError.class, () -> assertMatrix(Set.of("n0>n1")));
        assertTrue(reversed.getMessage().contains("n1>n0 udp expected passing but dropped"), reversed.getMessage());
    }

    @Test
    void shouldSweepTheNamespacesAndProcessesOfADeadRun() throws Exception
    {
        long deadPid = 4_000_000;
        while (ProcessHandle.of(deadPid).isPresent())
        {
            deadPid++;
        }
        final String leftover = NetTopology.PREFIX + deadPid + "-0-n0";
        NetCommand.run("ip", "netns", "add", leftover);
        final Process sleeper = new ProcessBuilder("ip", "netns", "exec", leftover, "sleep", "600").start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (NetCommand.run("ip", "netns", "pids", leftover).isBlank() && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            final List<String> removed = NetNamespaces.sweep();
            assertTrue(removed.contains(leftover), "swept " + removed);
            assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "the dead run's process was killed");
            assertFalse(NetNamespaces.list().contains(leftover));
        }
        finally
        {
            sleeper.destroyForcibly();
            if (NetNamespaces.list().contains(leftover))
            {
                NetCommand.run("ip", "netns", "del", leftover);
            }
        }
    }

    private static Set<String> isolation(final String host)
    {
        final Set<String> cuts = new LinkedHashSet<>();
        for (final String other : List.of("n0", "n1", "n2", "g1", "cli"))
        {
            if (!other.equals(host))
            {
                cuts.add(host + ">" + other);
                cuts.add(other + ">" + host);
            }
        }
        return cuts;
    }

    private void startProbes()
    {
        for (final String host : topology.hosts())
        {
            probes.add(new Probe(topology, host));
        }
        for (final Probe probe : probes)
        {
            probe.awaitReady();
        }
    }

    /**
     * Every ordered pair of hosts: UDP datagrams pass unless that direction is cut; a TCP round trip works unless
     * either direction is cut. All mismatches in one failure message.
     */
    private void assertMatrix(final Set<String> cut)
    {
        round++;
        final Map<String, Probe> byHost = new LinkedHashMap<>();
        for (final Probe probe : probes)
        {
            byHost.put(probe.host, probe);
        }
        for (final Probe from : probes)
        {
            for (final Probe to : probes)
            {
                if (from != to)
                {
                    assertEquals("ok", from.ask("send " + topology.address(to.host) + " " + PROBE_PORT + " " +
                        token(from.host, to.host)));
                }
            }
        }
        sleepMs(300);
        final List<String> mismatches = new ArrayList<>();
        for (final Probe from : probes)
        {
            for (final Probe to : probes)
            {
                if (from == to)
                {
                    continue;
                }
                final String pair = from.host + ">" + to.host;
                final boolean udpPassed = "yes".equals(byHost.get(to.host).ask("seen " + token(from.host, to.host)));
                final boolean udpExpected = !cut.contains(pair);
                if (udpPassed != udpExpected)
                {
                    mismatches.add(pair + " udp expected " + (udpExpected ? "passing but dropped" : "dropped but passed"));
                }
                final boolean tcpPassed = "ok".equals(from.ask("tcp " + topology.address(to.host) + " " + PROBE_PORT));
                final boolean tcpExpected = udpExpected && !cut.contains(to.host + ">" + from.host);
                if (tcpPassed != tcpExpected)
                {
                    mismatches.add(pair + " tcp expected " + (tcpExpected ? "passing but failed" : "failing but passed"));
                }
            }
        }
        if (!mismatches.isEmpty())
        {
            throw new AssertionFailedError("cuts " + cut + ": " + String.join("; ", mismatches));
        }
    }

    private String token(final String from, final String to)
    {
        return "r" + round + "-" + from + "-" + to;
    }

    private static void assertNoNamespaceLeft(final String prefix)
    {
        for (final String name : NetNamespaces.list())
        {
            assertFalse(name.startsWith(prefix), "namespace left behind: " + name);
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A {@link NetProbe} JVM inside one host's namespace, driven through its stdin and stdout.
     */
    private static final class Probe implements AutoCloseable
    {
        final String host;
        final Process process;
        final PrintWriter commands;
        final BufferedReader answers;

        Probe(final NetTopology topology, final String host)
        {
            this.host = host;
            final List<String> java = List.of(
                new File(System.getProperty("java.home"), "bin/java").getAbsolutePath(),
                "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", ChaosProcesses.classPath(), NetProbe.class.getName(),
                topology.address(host), Integer.toString(PROBE_PORT));
            try
            {
                process = new ProcessBuilder(topology.inHost(host, java))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot start the probe on " + host, ex);
            }
            commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        void awaitReady()
        {
            assertEquals("ready", readLine(), "probe on " + host);
        }

        String ask(final String command)
        {
            commands.println(command);
            return readLine();
        }

        private String readLine()
        {
            try
            {
                final String line = answers.readLine();
                if (line == null)
                {
                    throw new IllegalStateException("probe on " + host + " exited: " + process.waitFor());
                }
                return line;
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("probe on " + host, ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }

        public void close()
        {
            commands.close();
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
