package io.keel.node;

import io.aeron.cluster.service.ClusteredService;
import io.keel.common.ClusterLayout;
import io.keel.common.IdleProfile;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * 1 or 3 (or any number of) members in one JVM on loopback: the demo's and the tests' cluster.
 * Each member gets its own directories under {@code baseDir} and its own ports from
 * {@code basePort}. Members can be stopped and restarted to exercise failover and recovery.
 */
public final class EmbeddedCluster implements AutoCloseable
{
    private final File baseDir;
    private final int basePort;
    private final int memberCount;
    private final IdleProfile idleProfile;
    private final Consumer<NodeContext> customiser;
    private final EngineContext engineContext;
    /** Null: Keel's service; else what supplies the service each member runs instead. */
    private final Supplier<ClusteredService> service;
    private final KeelNode[] nodes;

    private EmbeddedCluster(
        final int memberCount,
        final File baseDir,
        final int basePort,
        final IdleProfile idleProfile,
        final EngineContext engineContext,
        final Consumer<NodeContext> customiser,
        final Supplier<ClusteredService> service)
    {
        this.service = service;
        this.memberCount = memberCount;
        this.baseDir = baseDir;
        this.basePort = basePort;
        this.idleProfile = idleProfile;
        this.engineContext = engineContext;
        this.customiser = customiser;
        nodes = new KeelNode[memberCount];
    }

    /**
     * Start every member from clean directories.
     *
     * @param customiser adjusts each member's config (e.g. timeouts) before launch.
     */
    public static EmbeddedCluster launch(
        final int memberCount,
        final File baseDir,
        final int basePort,
        final IdleProfile idleProfile,
        final Consumer<NodeContext> customiser)
    {
        return launch(memberCount, baseDir, basePort, idleProfile, customiser, null);
    }

    /**
     * Start every member from clean directories, each running the service {@code service} supplies instead of
     * Keel's (null: Keel's).
     */
    public static EmbeddedCluster launch(
        final int memberCount,
        final File baseDir,
        final int basePort,
        final IdleProfile idleProfile,
        final Consumer<NodeContext> customiser,
        final Supplier<ClusteredService> service)
    {
        return launch(memberCount, baseDir, basePort, idleProfile, new EngineContext(), customiser, service);
    }

    /**
     * Start every member from clean directories with these engine limits (the same on every member).
     */
    public static EmbeddedCluster launch(
        final int memberCount,
        final File baseDir,
        final int basePort,
        final IdleProfile idleProfile,
        final EngineContext engineContext,
        final Consumer<NodeContext> customiser,
        final Supplier<ClusteredService> service)
    {
        final EmbeddedCluster cluster = new EmbeddedCluster(
            memberCount, baseDir, basePort, idleProfile, engineContext, customiser, service);
        try
        {
            for (int i = 0; i < memberCount; i++)
            {
                cluster.startNode(i, true);
            }
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    /**
     * Start every member on the directories already under {@code baseDir} ({@code node-<id>}), e.g. seeded by
     * {@code keel restore}: nothing is deleted, each member recovers from what its directory holds.
     */
    public static EmbeddedCluster launchOnExisting(
        final int memberCount,
        final File baseDir,
        final int basePort,
        final IdleProfile idleProfile,
        final Consumer<NodeContext> customiser)
    {
        final EmbeddedCluster cluster = new EmbeddedCluster(
            memberCount, baseDir, basePort, idleProfile, new EngineContext(), customiser, null);
        try
        {
            for (int i = 0; i < memberCount; i++)
            {
                cluster.startNode(i, false);
            }
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    public static EmbeddedCluster launch(final int memberCount, final File baseDir, final int basePort)
    {
        return launch(memberCount, baseDir, basePort, IdleProfile.BACKOFF, (config) -> {});
    }

    public NodeContext nodeConfig(final int memberId, final boolean cleanStart)
    {
        final List<String> hosts = new ArrayList<>(Collections.nCopies(memberCount, "localhost"));
        final NodeContext config = new NodeContext()
            .memberId(memberId)
            .hosts(hosts)
            .basePort(basePort)
            .nodeDir(new File(baseDir, "node-" + memberId))
            .idleProfile(idleProfile)
            .cleanStart(cleanStart)
            .development(true); // an embedded cluster is a test, the demo or a laptop: the customiser may give credentials
        customiser.accept(config);
        return config.conclude();
    }

    public KeelNode startNode(final int memberId, final boolean cleanStart)
    {
        if (nodes[memberId] != null && !nodes[memberId].isClosed())
        {
            throw new IllegalStateException("member " + memberId + " is running");
        }
        final NodeContext config = nodeConfig(memberId, cleanStart);
        nodes[memberId] = service == null ? KeelNode.launch(config, engineContext, () -> {}) :
            KeelNode.launch(config, service.get());
        return nodes[memberId];
    }

    public void stopNode(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
    }

    public KeelNode node(final int memberId)
    {
        return nodes[memberId];
    }

    public int memberCount()
    {
        return memberCount;
    }

    public String ingressEndpoints()
    {
        return ClusterLayout.ingressEndpoints(Collections.nCopies(memberCount, "localhost"), basePort);
    }

    /**
     * @return the leader, waiting up to timeoutMs for an election.
     * @throws IllegalStateException when none appears in time.
     */
    public KeelNode awaitLeader(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs); // determinism-ok: client side
        while (System.nanoTime() - deadline < 0) // determinism-ok: client side
        {
            for (final KeelNode node : nodes)
            {
                if (node != null && !node.isClosed() && node.isLeader())
                {
                    return node;
                }
            }
            sleep(10);
        }
        throw new IllegalStateException("no leader elected within " + timeoutMs + " ms");
    }

    /**
     * Remove the cluster's directories (after close).
     */
    public void deleteDirectories()
    {
        IoUtil.delete(baseDir, true);
    }

    public void close()
    {
        for (int i = nodes.length - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(nodes[i]);
        }
    }

    private static void sleep(final long ms)
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
}
