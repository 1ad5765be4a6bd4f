package io.keel.demo;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.Cli;
import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import io.keel.gateway.CredentialsStore;
import io.keel.gateway.Gateway;
import io.keel.gateway.GatewayContext;
import io.keel.gateway.GatewayLog;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
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
 * <p>
 * With {@code --segments N} (market segments): N such clusters, each on its own ports and directory and owning the
 * instruments {@code 100k+1..100k+99} (segment map {@code segments.properties} in the run directory), one gateway
 * with that map, every account funded in every segment, the traders trading one instrument of each segment through
 * their one session each, one admin transfer between segments half-way through, and each segment's members' state
 * hashes compared within the segment.
 */
@Command(
    name = "keel demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run an embedded cluster, a TCP gateway and scripted traders; print trades, latency and the nodes' state hashes.")
public final class DemoMain implements Callable<Integer>
{
    private static final int MAX_SEGMENTS = 8;
    private static final int BASE_ASSET = 1;
    private static final int QUOTE_ASSET = 2;
    private static final long START_MID = 10_000;
    private static final long TIMEOUT_MS = 30_000;
    private static final long QUOTE_DEPOSIT = 1_000_000_000_000L;
    private static final long BASE_DEPOSIT = 100_000_000L;

    @Option(names = "--nodes", description = "Cluster members (of each segment): 1 or 3 (default ${DEFAULT-VALUE}).")
    int nodes = 3;

    @Option(names = "--segments", description = "Market segments, each a cluster of --nodes members owning its own " +
        "instruments, behind one gateway with a segment map; 1..8 (default ${DEFAULT-VALUE}: one cluster, no map).")
    int segments = 1;

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
    private final List<DemoSegment> segmentList = new ArrayList<>();
    private final List<KeelClient> clients = new ArrayList<>();
    private DemoTransfer transfer;
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
        if (segments < 1 || segments > MAX_SEGMENTS)
        {
            throw new IllegalArgumentException("--segments must be in 1.." + MAX_SEGMENTS + ": " + segments);
        }
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        GatewayLog.quiet(!verbose);
        final boolean ownDir = dir == null;
        final File workDir = ownDir ? Files.createTempDirectory("keel-demo-").toFile() : dir;
        IoUtil.ensureDirectoryExists(workDir, "demo dir");

        Gateway gateway = null;
        boolean hashesEqual = false;
        boolean conserved = true;
        try
        {
            for (int k = 0; k < segments; k++)
            {
                final boolean one = segments == 1;
                final DemoSegment segment = DemoSegment.launch(k, one ? "" : "segment " + k + " ", nodes,
                    new File(workDir, one ? "cluster" : "segment-" + k), segmentList, idleProfile, verbose,
                    this::pollSessions, TIMEOUT_MS);
                segmentList.add(segment);
                segment.connectAdmin(new File(workDir, one ? "admin-aeron" : "admin-aeron-" + k), idleProfile);
                segment.setUpMarket(instrument(k), BASE_ASSET, QUOTE_ASSET, START_MID, traders, QUOTE_DEPOSIT,
                    BASE_DEPOSIT, TIMEOUT_MS);
            }
            final File mapFile = segments == 1 ? null : writeSegmentMap(workDir);

            final Path users = workDir.toPath().resolve("users.txt");
            for (int i = 1; i <= traders; i++)
            {
                CredentialsStore.addUser(users, "trader" + i, i, ("demo-" + i).getBytes(StandardCharsets.UTF_8),
                    CredentialsStore.MIN_ITERATIONS);
            }
            final GatewayContext gatewayContext = new GatewayContext();
            if (mapFile == null)
            {
                gatewayContext.clusterEndpoints(segmentList.get(0).cluster().ingressEndpoints());
            }
            else
            {
                gatewayContext.segmentMap(SegmentMap.load(mapFile.toPath()));
            }
            gateway = Gateway.launch(gatewayContext
                .port(0)
                .udpPort(0)
                .credentialsFile(users)
                .aeronDir(new File(workDir, "gateway-aeron"))
                .idleProfile(idleProfile)
                .marketDataPort(0)
                .conclude());
            awaitAvailable(gateway);
            System.out.println("demo: gateway listening on 127.0.0.1:" + gateway.port() + ", " + traders + " traders, " +
                rate + " orders/s for " + seconds + " s" + (segments == 1 ? "" : " on instruments " + instrumentList()));
            if (mapFile != null)
            {
                transfer = new DemoTransfer(mapFile, new File(workDir, "transfer-aeron"), idleProfile, QUOTE_ASSET,
                    segments);
            }

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

            if (transfer != null)
            {
                transfer.await(TIMEOUT_MS, this::pollSessions);
                final long[] deposited = new long[Math.max(BASE_ASSET, QUOTE_ASSET) + 1];
                deposited[BASE_ASSET] = BASE_DEPOSIT * traders * segments;
                deposited[QUOTE_ASSET] = QUOTE_DEPOSIT * traders * segments;
                conserved = transfer.checkConservation(traders, deposited, TIMEOUT_MS, this::pollSessions);
            }
            hashesEqual = true;
            for (final DemoSegment segment : segmentList)
            {
                hashesEqual &= segment.checkHashes(TIMEOUT_MS, verbose);
            }
        }
        finally
        {
            clients.forEach(CloseHelper::quietClose);
            CloseHelper.quietCloseAll(transfer, gateway);
            for (int k = segmentList.size() - 1; k >= 0; k--)
            {
                CloseHelper.quietClose(segmentList.get(k));
            }
            if (ownDir)
            {
                IoUtil.delete(workDir, true);
            }
        }
        System.out.println("demo: " + (segments == 1 ? "" : "segments=" + segments + " ") + "orders=" + orders +
            " trades=" + trades + " nodes=" + nodes + " hashes-equal=" + hashesEqual);
        // The transfer's outcome and the money check are printed on lines of their own; either failing fails the run.
        return hashesEqual && conserved && (transfer == null || transfer.completed()) ? 0 : 1;
    }

    /**
     * Poll every session this thread owns: keeps them alive and takes their answers.
     *
     * @return work done.
     */
    private int pollSessions()
    {
        int work = 0;
        for (int k = 0; k < segmentList.size(); k++)
        {
            work += segmentList.get(k).poll();
        }
        for (int i = 0; i < clients.size(); i++)
        {
            work += clients.get(i).poll();
        }
        return work;
    }

    static int instrument(final int segment)
    {
        return DemoSegment.instrumentOf(segment);
    }

    private String instrumentList()
    {
        final StringBuilder text = new StringBuilder();
        for (int k = 0; k < segments; k++)
        {
            text.append(k == 0 ? "" : ", ").append(instrument(k)).append(" (segment ").append(k).append(')');
        }
        return text.toString();
    }

    /**
     * The map the gateway (and the transfer) run with: {@code segments.properties} in the run directory.
     */
    private File writeSegmentMap(final File workDir) throws IOException
    {
        final StringBuilder text = new StringBuilder("# written by keel demo\nversion=1\nsegments=" + segments + "\n");
        for (final DemoSegment segment : segmentList)
        {
            text.append(segment.mapLines());
        }
        final File file = new File(workDir, "segments.properties");
        Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
        System.out.println("demo: segment map " + file + " (version 1, " + segments + " segments)");
        return file;
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
        final long transferAtNs = startNs + (endNs - startNs) / 2;
        while (System.nanoTime() - endNs < 0)
        {
            final long nowNs = System.nanoTime();
            if (transfer != null && nowNs - transferAtNs >= 0)
            {
                transfer.startOnce();
            }
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
            if (segments == 1)
            {
                trader.client.massCancel(trader.nextClOrdId++, MassCancelScope.ACCOUNT, 0);
            }
            else
            {
                // Routed by instrument: one per segment.
                for (int k = 0; k < segments; k++)
                {
                    trader.client.massCancel(trader.nextClOrdId++, MassCancelScope.INSTRUMENT, instrument(k));
                }
            }
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
            // With several segments each trader's turns go round them: every session trades in every segment.
            final int instrument = instrument((int)((tick / traders) % segments));
            final Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            final long quantity = 1 + random.nextInt(10);
            final boolean sent;
            if (maker)
            {
                if (tick % 97 == 0)
                {
                    sent = segments == 1 ? client.massCancel(clOrdId, MassCancelScope.ACCOUNT, 0) :
                        client.massCancel(clOrdId, MassCancelScope.INSTRUMENT, instrument);
                }
                else
                {
                    final long offset = 1 + random.nextInt(5);
                    final long price = side == Side.BUY ? mid - offset : mid + offset;
                    sent = client.newOrder(clOrdId, instrument, side, OrdType.LIMIT, TimeInForce.GTC, true,
                        SelfTradePrevention.NONE, price, quantity, 0);
                }
            }
            else
            {
                final long price = side == Side.BUY ? mid + 3 : mid - 3;
                sent = client.newOrder(clOrdId, instrument, side, OrdType.LIMIT, TimeInForce.IOC, price, quantity);
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
                System.out.printf("  trade %6d  %s %3d @ %d  (trader%d took liquidity)%s%n",
                    report.tradeId(), report.side() == Side.BUY ? "buy " : "sell", report.lastQty(), report.lastPrice(),
                    account, segments == 1 ? "" : "  instrument " + report.instrumentId());
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

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new DemoMain(), "keel demo", args));
    }
}
