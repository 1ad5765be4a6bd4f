package io.keel.demo;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.Cli;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.gateway.CredentialsStore;
import io.keel.gateway.Gateway;
import io.keel.gateway.GatewayContext;
import io.keel.gateway.GatewayLog;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import io.keel.node.StateHashFile;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.Long2LongHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel demo}: an embedded cluster, a TCP gateway and scripted traders — market makers
 * quoting around a drifting mid price and takers crossing the spread — all on loopback. Prints the
 * trades, a latency summary (order sent → first report back, through gateway and cluster), checks
 * that every node reached the same state hash, and stops everything it started.
 * <p>
 * One thread owns every session (the admin's cluster session and the traders' gateway sessions) and
 * polls all of them from each of its loops, from set-up to the state-hash check: a session left alone
 * for the cluster's session timeout is closed, and an admin request offered into it is lost.
 */
@Command(
    name = "keel demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run an embedded cluster, a TCP gateway and scripted traders; print trades, latency and the nodes' state hashes.")
public final class DemoMain implements Callable<Integer>
{
    private static final int INSTRUMENT = 1;
    private static final int BASE_ASSET = 1;
    private static final int QUOTE_ASSET = 2;
    private static final long START_MID = 10_000;
    private static final long TIMEOUT_MS = 30_000;

    @Option(names = "--nodes", description = "Cluster members: 1 or 3 (default ${DEFAULT-VALUE}).")
    int nodes = 3;

    @Option(names = "--seconds", description = "How long the traders trade (default ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--traders", description = "Scripted traders, half makers and half takers, at least 2 (default ${DEFAULT-VALUE}).")
    int traders = 4;

    @Option(names = "--rate", description = "Orders per second, all traders together (default ${DEFAULT-VALUE}).")
    int rate = 200;

    @Option(names = "--idle", description = "Idle profile: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Option(names = "--seed", description = "Random seed of the traders' script (default ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--dir", description = "Working directory, deleted at the end (default: a new temp dir).")
    File dir;

    @Option(names = "--verbose", description = "Print the gateway's lifecycle log lines too.")
    boolean verbose;

    private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private ClusterCommandSession admin;
    private final List<KeelClient> clients = new ArrayList<>();
    private long adminResponses;
    private long hashCorrelationId = -1;
    private long hashPosition = -1;
    private long orders;
    private long trades;
    private long rejects;
    private long printedTrades;
    private long lastPrintSecond = -1;
    private int printedThisSecond;

    public Integer call() throws IOException
    {
        if (nodes != 1 && nodes != 3)
        {
            throw new IllegalArgumentException("--nodes must be 1 or 3: " + nodes);
        }
        if (seconds <= 0 || traders < 2 || rate <= 0)
        {
            throw new IllegalArgumentException("--seconds and --rate must be > 0 and --traders >= 2");
        }
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        GatewayLog.quiet(!verbose);
        final boolean ownDir = dir == null;
        final File workDir = ownDir ? Files.createTempDirectory("keel-demo-").toFile() : dir;
        IoUtil.ensureDirectoryExists(workDir, "demo dir");

        final int basePort = FreePorts.clusterBasePort(nodes);
        System.out.println("demo: starting " + nodes + "-node cluster on 127.0.0.1 ports " + basePort + "+, dir " + workDir);
        EmbeddedCluster cluster = null;
        Gateway gateway = null;
        boolean hashesEqual = false;
        try
        {
            cluster = EmbeddedCluster.launch(nodes, new File(workDir, "cluster"), basePort, idleProfile,
                (config) -> config.lifecycleLog(verbose));
            final KeelNode leader = cluster.awaitLeader(TIMEOUT_MS);
            System.out.println("demo: leader is member " + leader.memberId());

            admin = new ClusterCommandSession(cluster.ingressEndpoints(),
                Principal.adminCredentials("demo", Principal.DEV_SECRET), new File(workDir, "admin-aeron"),
                idleProfile, this::onAdminMessage).connect();
            setUpMarket();

            final Path users = workDir.toPath().resolve("users.txt");
            for (int i = 1; i <= traders; i++)
            {
                CredentialsStore.addUser(users, "trader" + i, i, ("demo-" + i).getBytes(StandardCharsets.UTF_8),
                    CredentialsStore.MIN_ITERATIONS);
            }
            gateway = Gateway.launch(new GatewayContext()
                .port(0)
                .udpPort(0)
                .clusterEndpoints(cluster.ingressEndpoints())
                .credentialsFile(users)
                .aeronDir(new File(workDir, "gateway-aeron"))
                .idleProfile(idleProfile)
                .marketDataPort(0)
                .conclude());
            awaitAvailable(gateway);
            System.out.println("demo: gateway listening on 127.0.0.1:" + gateway.port() + ", " + traders + " traders, " +
                rate + " orders/s for " + seconds + " s");

            final Trader[] script = new Trader[traders];
            for (int i = 0; i < traders; i++)
            {
                script[i] = new Trader(i + 1, i % 2 == 0);
                final KeelClient client = new KeelClient(new KeelClient.Context()
                    .port(gateway.port())
                    .username("trader" + (i + 1))
                    .password("demo-" + (i + 1))
                    .cancelOnDisconnect(true)
                    .listener(script[i]));
                script[i].client = client.connect();
                clients.add(client);
                pollSessions();
            }
            trade(script);
            printLatency();

            hashesEqual = checkHashes(cluster);
        }
        finally
        {
            clients.forEach(CloseHelper::quietClose);
            CloseHelper.quietCloseAll(gateway, admin, cluster);
            if (ownDir)
            {
                IoUtil.delete(workDir, true);
            }
        }
        System.out.println("demo: orders=" + orders + " trades=" + trades + " nodes=" + nodes + " hashes-equal=" +
            hashesEqual);
        return hashesEqual ? 0 : 1;
    }

    /**
     * Poll every session this thread owns: keeps them alive and takes their answers.
     *
     * @return work done.
     */
    private int pollSessions()
    {
        int work = admin == null ? 0 : admin.poll();
        for (int i = 0; i < clients.size(); i++)
        {
            work += clients.get(i).poll();
        }
        return work;
    }

    private void setUpMarket()
    {
        long correlationId = 1;
        admin.addInstrument(correlationId++, INSTRUMENT, BASE_ASSET, QUOTE_ASSET, 1, 1, START_MID, 2_000, 500);
        for (int account = 1; account <= traders; account++)
        {
            admin.createAccount(correlationId++, account);
            admin.deposit(correlationId++, account, QUOTE_ASSET, 1_000_000_000_000L);
            admin.deposit(correlationId++, account, BASE_ASSET, 100_000_000L);
        }
        final long expected = correlationId - 1;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (adminResponses < expected)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the cluster did not set up the market within " + TIMEOUT_MS + " ms");
            }
            if (pollSessions() == 0)
            {
                sleep(1);
            }
        }
    }

    private void onAdminMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            final AdminResponseDecoder response = new AdminResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
            if (response.correlationId() == hashCorrelationId)
            {
                hashPosition = response.logPosition();
            }
            adminResponses++;
        }
    }

    /**
     * The script: every tick one trader acts. Makers quote post-only around the mid and refresh
     * their quotes now and then; takers cross the spread with IOC orders; the mid drifts.
     */
    private void trade(final Trader[] script)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long nextNs = startNs;
        long mid = START_MID;
        long tick = 0;
        while (System.nanoTime() - endNs < 0)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - nextNs >= 0)
            {
                nextNs += intervalNs;
                tick++;
                if (tick % 50 == 0)
                {
                    mid += random.nextInt(-3, 4);
                }
                final Trader trader = script[(int)(tick % script.length)];
                trader.act(random, mid, nowNs, tick);
            }
            if (pollSessions() == 0)
            {
                Thread.onSpinWait();
            }
        }
        for (final Trader trader : script)
        {
            trader.client.massCancel(trader.nextClOrdId++, MassCancelScope.ACCOUNT, 0);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        boolean busy = true;
        while (busy && System.nanoTime() - deadline < 0)
        {
            pollSessions();
            busy = false;
            for (final Trader trader : script)
            {
                busy |= trader.client.inFlight() > 0;
            }
        }
        if (printedTrades < trades)
        {
            System.out.println("  ... " + (trades - printedTrades) + " more trades not printed");
        }
    }

    private void printLatency()
    {
        System.out.printf("demo: latency order->first report over %d orders (us): p50=%.0f p90=%.0f p99=%.0f " +
            "p99.9=%.0f max=%.0f%n      (idle profile %s%s)%n",
            latencyNs.getTotalCount(),
            latencyNs.getValueAtPercentile(50) / 1000.0,
            latencyNs.getValueAtPercentile(90) / 1000.0,
            latencyNs.getValueAtPercentile(99) / 1000.0,
            latencyNs.getValueAtPercentile(99.9) / 1000.0,
            latencyNs.getMaxValue() / 1000.0,
            idle,
            "backoff".equalsIgnoreCase(idle) ? ": every hop may sleep up to 1 ms to spare the CPU; keel perf measures latency" : "");
    }

    /**
     * Every node records its state hash at the position of one request through the log; compare them. The
     * request is sent again should the admin session have been replaced meanwhile (its answer would be lost).
     */
    private boolean checkHashes(final EmbeddedCluster cluster)
    {
        hashCorrelationId = System.nanoTime();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        long sentOnReconnects = -1;
        while (hashPosition < 0 && System.nanoTime() - deadline < 0)
        {
            if (sentOnReconnects != admin.reconnects())
            {
                sentOnReconnects = admin.reconnects();
                admin.requestStateHash(hashCorrelationId);
            }
            if (pollSessions() == 0)
            {
                sleep(1);
            }
        }
        if (verbose)
        {
            System.out.printf("demo: the admin session's longest wait between polls was %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(admin.maxPollGapNs()));
        }
        final long position = hashPosition;
        if (position < 0)
        {
            System.out.println("demo: the cluster did not answer the state-hash request within " + TIMEOUT_MS + " ms");
            return false;
        }
        String first = null;
        boolean allEqual = true;
        for (int i = 0; i < cluster.memberCount(); i++)
        {
            String hash = null;
            while (hash == null && System.nanoTime() - deadline < 0)
            {
                final Long recorded = StateHashFile.hashAt(cluster.node(i).config().nodeDir(), position);
                hash = recorded == null ? null : Long.toHexString(recorded);
                if (hash == null && pollSessions() == 0)
                {
                    sleep(5);
                }
            }
            System.out.println("demo: member " + i + " state hash at log position " + position + " = " + hash);
            first = first == null ? hash : first;
            allEqual &= hash != null && hash.equals(first);
        }
        return allEqual;
    }

    private final class Trader implements KeelClientListener
    {
        private final int account;
        private final boolean maker;
        private final Long2LongHashMap sentAtByClOrdId = new Long2LongHashMap(-1);
        private KeelClient client;
        private long nextClOrdId = 1;

        Trader(final int account, final boolean maker)
        {
            this.account = account;
            this.maker = maker;
        }

        void act(final SplittableRandom random, final long mid, final long nowNs, final long tick)
        {
            final long clOrdId = nextClOrdId++;
            final Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            final long quantity = 1 + random.nextInt(10);
            final boolean sent;
            if (maker)
            {
                if (tick % 97 == 0)
                {
                    sent = client.massCancel(clOrdId, MassCancelScope.ACCOUNT, 0);
                }
                else
                {
                    final long offset = 1 + random.nextInt(5);
                    final long price = side == Side.BUY ? mid - offset : mid + offset;
                    sent = client.newOrder(clOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, true,
                        SelfTradePrevention.NONE, price, quantity, 0);
                }
            }
            else
            {
                final long price = side == Side.BUY ? mid + 3 : mid - 3;
                sent = client.newOrder(clOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.IOC, price, quantity);
            }
            if (sent)
            {
                orders++;
                sentAtByClOrdId.put(clOrdId, nowNs);
            }
        }

        private void answered(final long clOrdId)
        {
            final long sentAt = sentAtByClOrdId.remove(clOrdId);
            if (sentAt != -1)
            {
                latencyNs.recordValue(Math.min(System.nanoTime() - sentAt, latencyNs.getHighestTrackableValue()));
            }
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            answered(report.clOrdId());
            if (report.execType() == ExecType.TRADE && !maker)
            {
                trades++;
                printTrade(report);
            }
            else if (report.execType() == ExecType.REJECTED)
            {
                rejects++;
            }
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            answered(reject.clOrdId());
            rejects++;
        }

        public void onMassCancelReport(final MassCancelReportDecoder report)
        {
            answered(report.clOrdId());
        }

        private void printTrade(final ExecutionReportDecoder report)
        {
            final long second = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
            if (second != lastPrintSecond)
            {
                lastPrintSecond = second;
                printedThisSecond = 0;
            }
            if (printedThisSecond++ < 3)
            {
                printedTrades++;
                System.out.printf("  trade %6d  %s %3d @ %d  (trader%d took liquidity)%n",
                    report.tradeId(), report.side() == Side.BUY ? "buy " : "sell", report.lastQty(), report.lastPrice(),
                    account);
            }
        }
    }

    private void awaitAvailable(final Gateway gateway)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!gateway.isClusterAvailable())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the gateway did not connect to the cluster within " + TIMEOUT_MS + " ms");
            }
            pollSessions();
            sleep(5);
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

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new DemoMain(), "keel demo", args));
    }
}
