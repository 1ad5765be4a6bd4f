package io.keel.node;

import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Per-test resources of a cluster system test: its own directory under
 * {@code target/cluster-tests/}, its own free base port, the clusters, clients and processes it
 * started, and the error-log gate. Register it with {@code @RegisterExtension}; after each test
 * it captures every error log, stops everything it started, fails the test on unexpected
 * error-log entries or on a node that halted unexpectedly, and deletes the directory.
 */
final class ClusterHarness implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback
{
    static final int BASE = 1;
    static final int QUOTE = 2;
    static final long INITIAL_QUOTE = 10_000_000;
    static final long INITIAL_BASE = 100_000;
    static final long HEARTBEAT_TIMEOUT_MS = 1_500;
    static final long STATE_CHECK_INTERVAL_MS = 250;
    static final String SECRET = Principal.DEV_SECRET;

    /**
     * Ports below Linux's ephemeral range (32768-60999 here), so that no ephemeral port Aeron
     * takes for egress or replication ({@code host:0}) can land on a member's fixed port.
     */
    private static final int LOWEST_BASE_PORT = 20_000;
    private static final int HIGHEST_PORT = 32_767;
    private static final Set<Integer> BASES_USED = new HashSet<>();

    private final ErrorLogGate gate = new ErrorLogGate();
    private final List<EmbeddedCluster> clusters = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();
    private final List<NodeProcesses> processGroups = new ArrayList<>();
    private final Set<String> expectedHalts = new HashSet<>();
    private File dir;
    private int basePort;
    private String testName;
    private boolean failed;

    /**
     * What the consensus module of a member that is being stopped may log (KeelNode.close closes
     * the service container before the consensus module; now and then the consensus module sees
     * its service's Aeron client vanish before its own close begins). Aeron 1.51 has no quiet way
     * to stop a single member; its own test watcher ignores every WARN and ClusterTermination
     * entry. Here they are allowed only on that member's consensus module, and only when first
     * seen after it stopped. A member still stopping when the leader has already gone logs the
     * leader's heartbeat timeout (seen once on a loaded 2-core machine: a process member, after
     * kill -9 and a restart). Likewise a leader whose followers stopped first logs that its follower quorum
     * went inactive (seen once at load average 20+: a whole-cluster SIGTERM, in the restarted leader's saved log).
     */
    static final Set<String> CLEAN_STOP_NOISE = Set.of(
        "io.aeron.cluster.client.ClusterEvent: WARN - Aeron client in service closed unexpectedly: serviceId=0",
        "io.aeron.cluster.client.ClusterEvent: WARN - failed to send service termination position: result=NOT_CONNECTED",
        "io.aeron.cluster.service.ClusterTerminationException: unexpected termination",
        "io.aeron.cluster.client.ClusterEvent: WARN - log recording stopped: eos=true",
        "io.aeron.cluster.client.ClusterEvent: WARN - leader heartbeat timeout",
        "io.aeron.cluster.client.ClusterEvent: WARN - inactive follower quorum");

    ClusterHarness()
    {
        gate.allow(
            "consensus module of a member being stopped sees its service go first (Aeron 1.51 stop noise)",
            (e) -> e.afterCleanStop() && e.source().endsWith("/consensus") && CLEAN_STOP_NOISE.contains(e.firstLine()));
        gate.allow(
            "a second election when the first leader was slow to be heard (a loaded 2-core machine): Raft at work",
            (e) -> e.source().endsWith("/consensus") && ELECTION_CHURN.stream().anyMatch((w) -> e.firstLine().startsWith(w)));
    }

    /**
     * Warnings Aeron's consensus module logs when an election is superseded by another, as happens
     * when a starved machine makes members time out on a leader that was in fact alive.
     */
    static final Set<String> ELECTION_CHURN = Set.of(
        "io.aeron.cluster.client.ClusterEvent: WARN - new leader detected due to commit position",
        "io.aeron.cluster.client.ClusterEvent: WARN - unexpected commit position from new leader",
        "io.aeron.cluster.client.ClusterEvent: WARN - followerLogAwait - joinPosition",
        "io.aeron.exceptions.TimeoutException: WARN - failed to join live log as follower");

    public void beforeEach(final ExtensionContext context)
    {
        testName = context.getRequiredTestMethod().getName();
        dir = new File("target/cluster-tests/" + testName + "-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(dir, "test dir");
        basePort = freeBasePort(3);
        System.out.println("[" + testName + "] dir=" + dir + " basePort=" + basePort);
    }

    public void afterTestExecution(final ExtensionContext context)
    {
        failed = context.getExecutionException().isPresent();
        if (failed)
        {
            System.out.println("[" + testName + "] FAILED: process output and error logs follow");
        }
    }

    public void afterEach(final ExtensionContext context)
    {
        final List<String> problems = new ArrayList<>();
        try
        {
            for (final TestClient client : clients)
            {
                gate.captureClient(client.name(), client.aeronDir());
            }
            for (final EmbeddedCluster cluster : clusters)
            {
                for (int i = 0; i < cluster.memberCount(); i++)
                {
                    final KeelNode node = cluster.node(i);
                    if (node != null)
                    {
                        if (node.service().hasDiverged() && !expectedHalts.contains("node-" + i))
                        {
                            problems.add("member " + i + " halted on divergence unexpectedly");
                        }
                        captureNode(node);
                    }
                }
            }
            for (final NodeProcesses processes : processGroups)
            {
                processes.captureErrorLogs(gate);
            }
        }
        finally
        {
            clients.forEach(CloseHelper::quietClose);
            clusters.forEach(CloseHelper::quietClose);
            processGroups.forEach(CloseHelper::quietClose);
        }
        try
        {
            // Errors logged while shutting down reach the mark files, which outlive the nodes.
            for (final EmbeddedCluster cluster : clusters)
            {
                for (int i = 0; i < cluster.memberCount(); i++)
                {
                    if (cluster.node(i) != null)
                    {
                        captureNode(cluster.node(i));
                    }
                }
            }
            for (final NodeProcesses processes : processGroups)
            {
                processes.captureErrorLogs(gate);
                if (failed)
                {
                    processes.dumpOutput(System.out);
                }
            }
            final String unexpected = gate.unexpected();
            if (!gate.entries().isEmpty() || failed)
            {
                System.out.println("[" + testName + "] error-log entries:\n" + gate.summary());
            }
            if (unexpected != null)
            {
                problems.add(unexpected);
            }
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
        if (!problems.isEmpty())
        {
            fail(String.join("\n", problems));
        }
    }

    File dir()
    {
        return dir;
    }

    int basePort()
    {
        return basePort;
    }

    String testName()
    {
        return testName;
    }

    ErrorLogGate gate()
    {
        return gate;
    }

    /**
     * Tell the harness this member is meant to halt on divergence in this test.
     */
    void expectHalt(final int memberId)
    {
        expectedHalts.add("node-" + memberId);
    }

    /**
     * Allow error-log entries matching {@code matches}, with the reason they are expected.
     */
    void allowErrors(final String reason, final java.util.function.Predicate<ErrorLogGate.Entry> matches)
    {
        gate.allow(reason, matches);
    }

    /**
     * After a leader is killed the followers' consensus modules log the heartbeat timeout that
     * starts the election, as a ClusterEvent WARN. Expected on the other members only.
     */
    void allowLeaderHeartbeatTimeout(final int killedMemberId)
    {
        allowErrors(
            "followers notice the killed leader " + killedMemberId + " (ClusterEvent WARN)",
            (e) -> e.source().endsWith("/consensus") && !e.source().startsWith("node-" + killedMemberId + "/") &&
                !e.source().startsWith("process-node-" + killedMemberId + "/") &&
                e.text().equals("io.aeron.cluster.client.ClusterEvent: WARN - leader heartbeat timeout"));
        // Or the survivors see the leader's log end first (a leader closed in the JVM sends its end of stream; its
        // image can also end before the heartbeat timeout) and elect on that instead: seen in CI under load.
        allowErrors("followers see the log of the killed leader " + killedMemberId + " end",
            (e) -> e.source().endsWith("/consensus") && !e.source().startsWith("node-" + killedMemberId + "/") &&
                !e.source().startsWith("process-node-" + killedMemberId + "/") &&
                e.firstLine().equals("io.aeron.cluster.client.ClusterEvent: WARN - log recording stopped: eos=true"));
        // A survivor's archive served the killed leader (log replication, catch-up): its answer to a client that
        // died finds no one (seen once in CI, a 3-process leader kill -9 under load).
        allowErrors("a survivor's archive answers the killed leader " + killedMemberId + " in vain",
            (e) -> e.source().endsWith("/archive") && !e.source().startsWith("node-" + killedMemberId + "/") &&
                !e.source().startsWith("process-node-" + killedMemberId + "/") &&
                e.firstLine().startsWith("io.aeron.archive.client.ArchiveEvent: WARN - control response publication " +
                "is not connected: ControlSession{"));
    }

    /**
     * Stopping every member one by one: a member still up when the leader has stopped sees the log
     * recording end before its own stop begins (seen once in CI at a load average above 20).
     */
    void allowWholeClusterStop()
    {
        allowErrors("a member still up during a whole-cluster stop sees the leader's log end",
            (e) -> e.source().endsWith("/consensus") &&
            e.firstLine().equals("io.aeron.cluster.client.ClusterEvent: WARN - log recording stopped: eos=true"));
        // Seen once on a loaded machine: the leader, stopping last, reads its followers' positions as 0.
        allowErrors("the last member of a whole-cluster stop sees its followers' positions gone",
            (e) -> e.source().endsWith("/consensus") && e.firstLine().startsWith(
            "io.aeron.cluster.client.ClusterEvent: WARN - quorum position went backwards: leaderCommitPosition=") &&
            e.firstLine().endsWith("quorumPosition=0"));
    }

    /**
     * A member restarted with its old directory logs ClusterEvent WARNs in the election that
     * brings it back; both are expected for restarted members only:
     * <ul>
     * <li>"followerLogAwait - joinPosition=… greater than logPosition=…": it missed entries (it
     * was down, or after a whole-cluster stop the members stopped at slightly different log
     * positions) and catches up;</li>
     * <li>"Truncating Cluster Log - memberId=…": it had appended entries that no majority ever
     * acknowledged (a leader killed mid-flow, or the last leader of a whole-cluster stop), and
     * Raft drops them before it follows the new leader.</li>
     * </ul>
     * And the error log Aeron saves ({@code /saved}) when the member restarts over its old mark
     * file holds what its consensus module logged while it stopped: {@link #CLEAN_STOP_NOISE}.
     */
    void allowRestartedMemberRejoin(final int... memberIds)
    {
        for (final int memberId : memberIds)
        {
            allowErrors(
                "restarted member " + memberId + ": the saved error log of its stop",
                (e) -> (e.source().equals("node-" + memberId + "/saved") ||
                e.source().equals("process-node-" + memberId + "/saved")) && CLEAN_STOP_NOISE.contains(e.firstLine()));
            final java.util.function.Predicate<ErrorLogGate.Entry> fromMember =
                (e) -> e.source().equals("node-" + memberId + "/consensus") ||
                e.source().equals("process-node-" + memberId + "/consensus");
            allowErrors(
                "restarted member " + memberId + " was behind the join position, then caught up",
                fromMember.and((e) -> e.text().matches(
                    "io\\.aeron\\.cluster\\.client\\.ClusterEvent: WARN - followerLogAwait - " +
                    "joinPosition=\\d+ greater than logPosition=\\d+")));
            allowErrors(
                "restarted member " + memberId + " dropped log entries no majority had acknowledged",
                fromMember.and((e) -> e.text().startsWith(
                    "io.aeron.cluster.client.ClusterEvent: WARN - Truncating Cluster Log - memberId=" + memberId + " ") &&
                    !e.text().contains("\n")));
        }
    }

    /**
     * Test defaults: short heartbeat timeout (fast failover), frequent state checks.
     */
    static Consumer<NodeContext> testDefaults()
    {
        return (config) -> config
            .heartbeatTimeoutMs(HEARTBEAT_TIMEOUT_MS)
            .stateCheckIntervalMs(STATE_CHECK_INTERVAL_MS);
    }

    EmbeddedCluster launchCluster(final int members, final Consumer<NodeContext> customiser)
    {
        final EmbeddedCluster cluster = EmbeddedCluster.launch(
            members, new File(dir, "cluster"), basePort, IdleProfile.BACKOFF, testDefaults().andThen(customiser));
        clusters.add(cluster);
        return cluster;
    }

    /**
     * Another cluster in this test (a second market segment, say): its own directory under the test's and its own base
     * port, stopped and checked with the others.
     */
    EmbeddedCluster launchCluster(final int members, final String name, final int basePort)
    {
        final EmbeddedCluster cluster = EmbeddedCluster.launch(
            members, new File(dir, name), basePort, IdleProfile.BACKOFF, testDefaults());
        clusters.add(cluster);
        return cluster;
    }

    EmbeddedCluster launchCluster(final int members)
    {
        return launchCluster(members, (config) -> {});
    }

    /**
     * Capture a node's error logs, then close it (the driver deletes its aeron dir on close).
     */
    void stopNode(final EmbeddedCluster cluster, final int memberId)
    {
        captureNode(cluster.node(memberId));
        cluster.stopNode(memberId);
        captureNode(cluster.node(memberId));
    }

    void captureNode(final KeelNode node)
    {
        gate.captureNode("node-" + node.memberId(), node.config().nodeDir(), node.config().aeronDir(), node.isClosed());
    }

    TestClient admin(final String ingressEndpoints)
    {
        return client("admin", ingressEndpoints, Principal.adminCredentials("ops", SECRET)).connect();
    }

    TestClient gateway(final String ingressEndpoints, final int gatewayId)
    {
        return client("gateway-" + gatewayId, ingressEndpoints, Principal.gatewayCredentials(gatewayId, SECRET)).connect();
    }

    /**
     * A client that is not yet connected (to test refused connections).
     */
    TestClient client(final String name, final String ingressEndpoints, final byte[] credentials)
    {
        final TestClient client = new TestClient(
            name, ingressEndpoints, credentials, new File(dir, "client-" + name + "-" + clients.size()));
        clients.add(client);
        return client;
    }

    /**
     * Capture a client's error log, then close it (its driver deletes its aeron dir).
     */
    void closeClient(final TestClient client)
    {
        gate.captureClient(client.name(), client.aeronDir());
        client.close();
    }

    NodeProcesses processes(final int members)
    {
        final NodeProcesses processes = new NodeProcesses(new File(dir, "processes"), basePort, members);
        processGroups.add(processes);
        return processes;
    }

    // ------------------------------------------------------------------ static helpers

    static void await(final BooleanSupplier condition, final long timeoutMs, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + timeoutMs + " ms waiting for " + what.get());
            }
            sleep(5);
        }
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted (test timeout?)", ex);
        }
    }

    /**
     * A base port whose member ports (base + 10*i + 1..5) are all free on loopback, UDP and TCP,
     * never handed out twice in this JVM.
     */
    static synchronized int freeBasePort(final int members)
    {
        final int slots = (HIGHEST_PORT - LOWEST_BASE_PORT - members * ClusterLayout.PORTS_PER_MEMBER) /
            ClusterLayout.PORTS_PER_MEMBER;
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int base = LOWEST_BASE_PORT + ThreadLocalRandom.current().nextInt(slots) * ClusterLayout.PORTS_PER_MEMBER;
            if (!BASES_USED.contains(base) && portsFree(base, members))
            {
                BASES_USED.add(base);
                return base;
            }
        }
        throw new IllegalStateException("no free base port found");
    }

    private static boolean portsFree(final int base, final int members)
    {
        for (int member = 0; member < members; member++)
        {
            for (int offset = ClusterLayout.INGRESS_PORT_OFFSET; offset <= ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET; offset++)
            {
                final int port = base + member * ClusterLayout.PORTS_PER_MEMBER + offset;
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
                {
                    udp.getLocalPort();
                    tcp.getLocalPort();
                }
                catch (final IOException ex)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
