package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.engine.Engine;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import io.keel.node.NodeContext;
import io.keel.node.StateHashFile;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real cluster (1 or 3 members in this JVM), a real gateway in front of it and real TCP
 * clients, all under {@code target/gateway-tests/<name>} on free loopback ports. Accounts
 * 1..{@link #ACCOUNTS} are funded in both assets of instrument {@link #INSTRUMENT}; user
 * {@code trader<N>} (password {@code pw<N>}) trades account N.
 */
final class GatewayTestEnv implements AutoCloseable
{
    static final int INSTRUMENT = 1;
    /** Instruments 1..INSTRUMENTS, all BASE/QUOTE: tests sharing a cluster each trade their own. */
    static final int INSTRUMENTS = 8;
    static final int BASE = 1;
    static final int QUOTE = 2;
    static final int ACCOUNTS = 8;
    static final long INITIAL_QUOTE = 100_000_000;
    static final long INITIAL_BASE = 1_000_000;
    static final long REFERENCE_PRICE = 1_000;

    private final File dir;
    private final EmbeddedCluster cluster;
    private final ClusterCommandSession admin;
    private final List<KeelClient> clients = new ArrayList<>();
    private final Path users;
    private final int basePort;
    private Gateway gateway;
    private final List<Gateway> extraGateways = new ArrayList<>();
    private long adminResponses;
    private long lastStateHash;
    private long lastStateHashPosition = -1;
    private RejectReason lastAdminResult;
    private int reservedAsset;
    private long lastReserved = -1;
    private String lastLimits;

    private GatewayTestEnv(final String name, final int nodes, final Consumer<NodeContext> nodeCustomiser)
    {
        dir = new File("target/gateway-tests/" + name + "-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(dir, "test dir");
        basePort = FreePorts.clusterBasePort(nodes);
        cluster = EmbeddedCluster.launch(nodes, new File(dir, "cluster"), basePort, IdleProfile.BACKOFF,
            (config) ->
            {
                config.heartbeatTimeoutMs(1_500).stateCheckIntervalMs(250);
                nodeCustomiser.accept(config);
            });
        try
        {
            cluster.awaitLeader(20_000);
            admin = new ClusterCommandSession(cluster.ingressEndpoints(),
                Principal.adminCredentials("test", Principal.DEV_SECRET), new File(dir, "admin-aeron"),
                IdleProfile.BACKOFF, this::onAdminMessage).connect();
            users = dir.toPath().resolve("users.txt");
            for (int account = 1; account <= ACCOUNTS; account++)
            {
                CredentialsStore.addUser(users, "trader" + account, account,
                    ("pw" + account).getBytes(StandardCharsets.UTF_8), CredentialsStore.MIN_ITERATIONS);
            }
            setUpMarket();
        }
        catch (final IOException ex)
        {
            close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    static GatewayTestEnv start(final String name, final int nodes)
    {
        return new GatewayTestEnv(name, nodes, (config) -> {});
    }

    static GatewayTestEnv start(final String name, final int nodes, final Consumer<NodeContext> nodeCustomiser)
    {
        return new GatewayTestEnv(name, nodes, nodeCustomiser);
    }

    File dir()
    {
        return dir;
    }

    /**
     * @return the cluster's base port, as {@code keel node --base-port} takes it (a segment map names it).
     */
    int basePort()
    {
        return basePort;
    }

    private void setUpMarket()
    {
        long correlationId = 1;
        for (int instrument = 1; instrument <= INSTRUMENTS; instrument++)
        {
            admin.addInstrument(correlationId++, instrument, BASE, QUOTE, 1, 1, REFERENCE_PRICE, 5_000, 1_000);
        }
        for (int account = 1; account <= ACCOUNTS; account++)
        {
            admin.createAccount(correlationId++, account);
            admin.deposit(correlationId++, account, QUOTE, INITIAL_QUOTE);
            admin.deposit(correlationId++, account, BASE, INITIAL_BASE);
        }
        final long expected = correlationId - 1;
        await(() -> adminResponses >= expected, 20_000, "market set up");
    }

    /**
     * Engine limits through the log, as {@code keel admin limits} (0 keeps a value); returns the limits in force.
     */
    String setLimits(final int maxOrders, final int maxOpenOrdersPerAccount, final long gtdHorizonMs)
    {
        lastLimits = null;
        admin.setLimits(System.nanoTime(), maxOrders, maxOpenOrdersPerAccount, gtdHorizonMs, 0, 0);
        await(() -> lastLimits != null, 20_000, "limits answered");
        return lastLimits;
    }

    /**
     * What an account's open orders reserve of an asset, as the leader answers an admin's account query.
     */
    long reservedOf(final int account, final int asset)
    {
        reservedAsset = asset;
        lastReserved = -1;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (lastReserved < 0)
        {
            // Asked again each second: an admin session not polled for a while may have been replaced.
            assertTrue(System.nanoTime() - deadline < 0, "no account status of " + account + " within 20 s");
            admin.accountStatus(System.nanoTime(), account);
            final long retryAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (lastReserved < 0 && System.nanoTime() - retryAt < 0)
            {
                admin.poll();
                sleep(5);
            }
        }
        return lastReserved;
    }

    private void onAdminMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.templateId() == io.keel.codecs.AccountStatusDecoder.TEMPLATE_ID)
        {
            final io.keel.codecs.AccountStatusDecoder status =
                new io.keel.codecs.AccountStatusDecoder().wrapAndApplyHeader(buffer, offset, header);
            long reserved = 0;
            for (final io.keel.codecs.AccountStatusDecoder.BalancesDecoder balance : status.balances())
            {
                if (balance.assetId() == reservedAsset)
                {
                    reserved = balance.reserved();
                }
            }
            lastReserved = reserved;
            return;
        }
        if (header.templateId() == io.keel.codecs.LimitsDecoder.TEMPLATE_ID)
        {
            final io.keel.codecs.LimitsDecoder limits =
                new io.keel.codecs.LimitsDecoder().wrapAndApplyHeader(buffer, offset, header);
            lastLimits = limits.result() + " maxOrders=" + limits.maxOrders() + " perAccount=" +
                limits.maxOpenOrdersPerAccount() + " gtdHorizon=" + limits.gtdHorizon() + " changes=" + limits.changes();
            return;
        }
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            final AdminResponseDecoder response = new AdminResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
            adminResponses++;
            lastAdminResult = response.result();
            lastStateHash = response.value();
            lastStateHashPosition = response.logPosition();
        }
    }

    /**
     * Start (or restart) the gateway.
     */
    Gateway startGateway(final Consumer<GatewayContext> customiser)
    {
        final GatewayContext config = new GatewayContext()
            .gatewayId(7)
            .port(0)
            .udpPort(0)
            .clusterEndpoints(cluster.ingressEndpoints())
            .credentialsFile(users)
            .aeronDir(new File(dir, "gateway-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .minHeartbeatMs(50)
            .marketDataPort(0)
            .clusterConnectTimeoutMs(2_000);
        customiser.accept(config);
        gateway = Gateway.launch(config.conclude());
        await(gateway::isClusterAvailable, 20_000, "gateway connected to the cluster");
        return gateway;
    }

    /**
     * A second gateway with its own id, closed with the environment.
     */
    Gateway launchExtraGateway(final int gatewayId, final Consumer<GatewayContext> customiser)
    {
        final GatewayContext config = new GatewayContext()
            .gatewayId(gatewayId)
            .port(0)
            .udpPort(0)
            .clusterEndpoints(cluster.ingressEndpoints())
            .credentialsFile(users)
            .aeronDir(new File(dir, "gateway-" + gatewayId + "-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .minHeartbeatMs(50)
            .marketDataPort(0)
            .clusterConnectTimeoutMs(2_000);
        customiser.accept(config);
        final Gateway extra = Gateway.launch(config.conclude());
        extraGateways.add(extra);
        await(extra::isClusterAvailable, 20_000, "gateway " + gatewayId + " connected to the cluster");
        return extra;
    }

    Gateway gateway()
    {
        return gateway;
    }

    void stopGateway()
    {
        CloseHelper.close(gateway);
        gateway = null;
    }

    Path usersFile()
    {
        return users;
    }

    EmbeddedCluster cluster()
    {
        return cluster;
    }

    KeelClient.Context clientContext(final int account, final KeelClientListener listener)
    {
        return clientContext(gateway, account, listener);
    }

    KeelClient.Context clientContext(final Gateway via, final int account, final KeelClientListener listener)
    {
        return new KeelClient.Context()
            .host("127.0.0.1")
            .port(via.port())
            .username("trader" + account)
            .password("pw" + account)
            .heartbeatIntervalMs(500)
            .listener(listener);
    }

    KeelClient client(final KeelClient.Context context)
    {
        final KeelClient client = new KeelClient(context);
        clients.add(client);
        return client.connect();
    }

    /**
     * Poll the clients until the condition holds.
     */
    void pollUntil(final BooleanSupplier condition, final long timeoutMs, final String what, final KeelClient... polled)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            int work = 0;
            for (final KeelClient client : polled)
            {
                work += client.poll();
            }
            if (work == 0)
            {
                sleep(1);
            }
        }
    }

    /**
     * Bytes the gateway's duty-cycle thread allocates while the client sends 2000 IOC orders and
     * gets their reports, measured after a first burst has warmed up the JIT and lazily sized
     * collections. Run it against a gateway of its own, so nothing else runs on that thread.
     */
    long gatewayThreadAllocation(final Gateway gateway, final KeelClient client, final int instrument)
    {
        final String threadName = "keel-gateway-" + gateway.config().gatewayId();
        final Thread gatewayThread = Thread.getAllStackTraces().keySet().stream()
            .filter((t) -> t.getName().equals(threadName)).findFirst().orElseThrow();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long[] clOrdId = {100_000};
        final Runnable burst = () ->
        {
            for (int i = 0; i < 2_000; i++)
            {
                client.newOrder(clOrdId[0]++, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1);
                if (i % 50 == 49)
                {
                    pollUntil(() -> client.inFlight() == 0, 10_000, "burst answered", client);
                }
            }
        };
        burst.run();
        // The least of three measured bursts: an allocation per message shows in every burst, while something the
        // gateway thread does now and then whatever the traffic (its invoked driver's timers, a health line) may land
        // in one of them (51 KB did once under CI load, on a thread otherwise measured at 0).
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && least > 0; attempt++)
        {
            final long before = threads.getThreadAllocatedBytes(gatewayThread.getId());
            burst.run();
            least = Math.min(least, threads.getThreadAllocatedBytes(gatewayThread.getId()) - before);
        }
        return least;
    }

    void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            admin.poll();
            sleep(5);
        }
    }

    /**
     * Ask every node to record its state hash at one log position; wait for the live ones; return
     * the hashes by member (null for a member that is down).
     */
    Long[] stateHashes()
    {
        final long before = adminResponses;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (adminResponses == before)
        {
            // An admin session idle through a failover may still point at the old leader: ask again.
            assertTrue(System.nanoTime() - deadline < 0, "no state hash response within 30 s");
            admin.requestStateHash(System.nanoTime());
            final long retryAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (adminResponses == before && System.nanoTime() - retryAt < 0)
            {
                admin.poll();
                sleep(5);
            }
        }
        final long position = lastStateHashPosition;
        final Long[] hashes = new Long[cluster.memberCount()];
        for (int i = 0; i < hashes.length; i++)
        {
            final KeelNode node = cluster.node(i);
            if (node != null && !node.isClosed())
            {
                final int member = i;
                await(() -> hashAt(member, position) != null, 20_000, "member " + i + " hash at " + position);
                hashes[i] = hashAt(i, position);
            }
        }
        return hashes;
    }

    private Long hashAt(final int member, final long position)
    {
        return StateHashFile.hashAt(cluster.node(member).config().nodeDir(), position);
    }

    /**
     * Stop the cluster and return each member's engine to inspect (safe: the service threads have ended).
     */
    Engine[] stopClusterAndInspect()
    {
        closeClientsAndGateway();
        cluster.close();
        final Engine[] engines = new Engine[cluster.memberCount()];
        for (int i = 0; i < engines.length; i++)
        {
            engines[i] = cluster.node(i) == null ? null : cluster.node(i).service().engine();
        }
        return engines;
    }

    private void closeClientsAndGateway()
    {
        clients.forEach(CloseHelper::quietClose);
        clients.clear();
        extraGateways.forEach(CloseHelper::quietClose);
        extraGateways.clear();
        CloseHelper.quietClose(gateway);
        gateway = null;
        CloseHelper.quietClose(admin);
    }

    public void close()
    {
        closeClientsAndGateway();
        CloseHelper.quietClose(cluster);
        IoUtil.delete(dir, true);
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
            throw new IllegalStateException(ex);
        }
    }
}
