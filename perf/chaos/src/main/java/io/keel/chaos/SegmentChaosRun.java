package io.keel.chaos;

import io.keel.client.KeelClient;
import io.keel.codecs.TransferState;
import io.keel.common.ClusterLayout;
import io.keel.common.FreePorts;
import io.keel.common.SegmentMap;
import io.keel.gateway.CredentialsStore;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel chaos --segments N}: N market segments, each three {@code keel node} processes of its own, behind two
 * gateway processes running one segment map; clients trading instruments of every segment through one session each;
 * faults that hit one segment at a time (a {@link FaultInjector} per segment, their faults interleaved, gateway
 * faults and client moves with segment 0's); and transfers between the segments all along with the coordinator
 * failing between steps ({@link TransferFaults}). Then, as {@link ChaosRun}: heal, drain, reconcile, fence (per
 * segment), {@code transfer-recover}, live state hashes per segment, stop, rebuild each segment's members from their
 * disks and check each against the clients' history seen per segment; and across segments, that no money appeared or
 * vanished ({@link MoneyConservation}).
 */
final class SegmentChaosRun
{
    static final int INSTRUMENTS_PER_SEGMENT = 2;
    static final int INSTRUMENT_STRIDE = 100;

    /** Segment 0's cycle also has the gateway faults and client moves (its processes start the gateways). */
    static final List<FaultKind> FIRST_SEGMENT_SCHEDULE = List.of(
        FaultKind.KILL_LEADER, FaultKind.RESTART_NODE, FaultKind.KILL_GATEWAY, FaultKind.PAUSE_LEADER,
        FaultKind.MOVE_CLIENT, FaultKind.KILL_FOLLOWER, FaultKind.RESTART_NODE, FaultKind.PAUSE_FOLLOWER);
    static final List<FaultKind> SEGMENT_SCHEDULE = List.of(
        FaultKind.KILL_LEADER, FaultKind.RESTART_NODE, FaultKind.PAUSE_LEADER, FaultKind.KILL_FOLLOWER,
        FaultKind.RESTART_NODE, FaultKind.PAUSE_FOLLOWER);

    private final ChaosContext config;
    private final PrintStream out;
    private final int segments;
    private final SegmentChaosReport report;

    SegmentChaosRun(final ChaosContext config, final PrintStream out)
    {
        this.config = config.conclude();
        this.out = out;
        this.segments = config.segments();
        report = new SegmentChaosReport(segments);
        report.pauseNs = TimeUnit.MILLISECONDS.toNanos(config.pauseMs());
    }

    static int instrument(final int segment, final int index)
    {
        return segment * INSTRUMENT_STRIDE + 1 + index;
    }

    static int[] instruments(final int segment)
    {
        final int[] ids = new int[INSTRUMENTS_PER_SEGMENT];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = instrument(segment, i);
        }
        return ids;
    }

    SegmentChaosReport run() throws Exception
    {
        final boolean tempDir = config.dir() == null;
        final File dir = tempDir ? Files.createTempDirectory("keel-chaos-").toFile() : config.dir().getAbsoluteFile();
        if (!tempDir && new File(dir, "segment-0").exists())
        {
            throw new IllegalArgumentException("--dir " + dir + " holds an earlier run: give a new or empty directory");
        }
        IoUtil.ensureDirectoryExists(dir, "chaos dir");
        report.all.dir = dir;
        final int[] basePorts = basePorts();
        final int[] gatewayPorts = ChaosRun.distinctTcpPorts(ChaosProcesses.GATEWAYS, new int[0]);
        final File users = new File(dir, "users.txt");
        for (int account = 1; account <= config.clients(); account++)
        {
            CredentialsStore.addUser(users.toPath(), "trader" + account, account,
                ("pw" + account).getBytes(StandardCharsets.UTF_8), CredentialsStore.MIN_ITERATIONS);
        }
        final File mapFile = writeMap(dir, basePorts);
        final SegmentMap map = SegmentMap.load(mapFile.toPath());
        out.printf("chaos: seed=%d seconds=%d rate=%d/s clients=%d segments=%d faults=%s every %d s dir=%s%n",
            config.seed(), config.seconds(), config.rate(), config.clients(), segments,
            config.faultMode().name().toLowerCase(), config.faultIntervalS(), dir);

        final long startNs = System.nanoTime();
        final List<ChaosTrader> traders = new ArrayList<>();
        final ChaosProcesses[] processes = new ChaosProcesses[segments];
        final AdminSession[] admins = new AdminSession[segments];
        TransferFaults transfers = null;
        boolean passed = false;
        try (History history = new History(new File(dir, "history.log"), startNs))
        {
            GatewayRelay relay = null;
            try
            {
                for (int k = 0; k < segments; k++)
                {
                    processes[k] = new ChaosProcesses(config, dir, basePorts[k], gatewayPorts, null, users)
                        .segment(k, mapFile);
                    for (int i = 0; i < ChaosContext.NODES; i++)
                    {
                        processes[k].startNode(i);
                    }
                }
                for (int k = 0; k < segments; k++)
                {
                    admins[k] = new AdminSession(processes[k].ingressEndpoints(), new File(dir, "admin-aeron-" + k));
                    admins[k].connect(60_000);
                    setUpMarket(k, admins[k]);
                }
                for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
                {
                    processes[0].startGateway(i);
                }
                relay = new GatewayRelay(config.clients(), processes[0].gatewayHosts(), gatewayPorts, history);
                final int[] allInstruments = new int[segments * INSTRUMENTS_PER_SEGMENT];
                for (int k = 0; k < segments; k++)
                {
                    System.arraycopy(instruments(k), 0, allInstruments, k * INSTRUMENTS_PER_SEGMENT,
                        INSTRUMENTS_PER_SEGMENT);
                }
                final Random seeds = new Random(config.seed());
                for (int account = 1; account <= config.clients(); account++)
                {
                    final ChaosTrader trader = new ChaosTrader(account, new KeelClient.Context()
                        .host("127.0.0.1").port(relay.port(account - 1))
                        .username("trader" + account)
                        .password("pw" + account)
                        .heartbeatIntervalMs(500)
                        .resendTimeoutMs(3_000), seeds.nextLong(), history).segments(map, allInstruments);
                    traders.add(trader);
                    trader.connect(60_000);
                    pollAll(admins);
                }
                out.printf("chaos: %d segments of 3 nodes, 2 gateways and %d clients up in %.1f s; load starts%n",
                    segments, traders.size(), (System.nanoTime() - startNs) / 1e9);

                final long loadStartNs = System.nanoTime();
                report.all.loadStartNs = loadStartNs;
                final long loadEndNs = loadStartNs + TimeUnit.SECONDS.toNanos(config.seconds());
                final AdminSession[] transferAdmins = new AdminSession[segments];
                for (int k = 0; k < segments; k++)
                {
                    transferAdmins[k] = new AdminSession(processes[k].ingressEndpoints(),
                        new File(dir, "transfer-aeron-" + k)).connect(60_000);
                }
                transfers = new TransferFaults(config, dir, mapFile, transferAdmins, history, config.clients(),
                    ChaosRun.BASE, ChaosRun.QUOTE, config.transferPeriodMs(), loadEndNs);
                final List<FaultInjector> injectors = new ArrayList<>();
                final List<Thread> threads = new ArrayList<>();
                final long intervalNs = TimeUnit.SECONDS.toNanos(config.faultIntervalS());
                for (int k = 0; k < segments; k++)
                {
                    // Each segment's faults come every `segments` intervals, the segments' interleaved: one at a time.
                    final FaultInjector injector = new FaultInjector(config, processes[k], admins[k], relay, history,
                        loadStartNs, loadEndNs).segment("segment " + k + " ", k == 0 ? FIRST_SEGMENT_SCHEDULE :
                        SEGMENT_SCHEDULE, intervalNs * segments, loadStartNs + intervalNs * (k + 1), config.seed() + k);
                    injectors.add(injector);
                    threads.add(new Thread(injector, "chaos-faults-" + k));
                }
                if (config.transferPeriodMs() > 0)
                {
                    threads.add(new Thread(transfers, "chaos-transfers"));
                }
                threads.forEach(Thread::start);
                try
                {
                    ChaosRun.load(config, report.all, traders, loadStartNs, loadEndNs);
                }
                finally
                {
                    injectors.forEach(FaultInjector::stop);
                    transfers.stop();
                    for (final Thread thread : threads)
                    {
                        thread.join(60_000);
                    }
                }
                for (final FaultInjector injector : injectors)
                {
                    report.all.faults.addAll(injector.faults());
                    report.all.problems.addAll(injector.problems());
                    report.all.healthChecks += injector.healthChecks();
                    report.all.healthChecksEqual += injector.healthChecksEqual();
                    report.all.stuckElectionRestarts += injector.stuckElectionRestarts();
                }
                report.all.faults.sort((a, b) -> Long.compare(a.atNs, b.atNs));
                report.all.problems.addAll(transfers.problems());
                report.all.loadSeconds = (System.nanoTime() - loadStartNs) / 1e9;

                heal(processes);
                out.printf("chaos: load done (%d faults, %d transfers); draining%n", report.all.faults.size(),
                    transfers.attempts().size());
                final Runnable poll = () -> pollAll(admins);
                ChaosRun.drain(config, report.all, out, traders, poll, "drain");
                int queries = 0;
                for (final ChaosTrader trader : traders)
                {
                    queries += trader.queueStatusQueries();
                }
                report.all.statusQueries = queries;
                ChaosRun.drain(config, report.all, out, traders, poll, "reconcile");
                ChaosRun.drain(config, report.all, out, traders, poll, "fence");

                report.recoverLines = config.transferPeriodMs() > 0 ? transfers.recover() : List.of("recovered=0");
                out.println("chaos: transfer-recover: " + (report.recoverLines.isEmpty() ? "(no output)" :
                    report.recoverLines.get(report.recoverLines.size() - 1)));

                for (final ChaosTrader trader : traders)
                {
                    CloseHelper.quietClose(trader.client()::logout);
                }
                stopGateways(processes[0]);
                for (int k = 0; k < segments; k++)
                {
                    final AdminSession.Answer hash = admins[k].stateHash(30_000);
                    if (hash == null)
                    {
                        report.segment(k).problems.add("segment " + k + ": no state hash answer at the end");
                        continue;
                    }
                    report.segment(k).liveHashes = AdminSession.awaitHashes(processes[k].nodeDirs(),
                        hash.logPosition(), 30_000, poll);
                    report.segment(k).liveHashPosition = hash.logPosition();
                }
            }
            finally
            {
                for (final ChaosTrader trader : traders)
                {
                    CloseHelper.quietClose(trader.client()::logout);
                }
                if (transfers != null)
                {
                    transfers.close();
                }
                for (final AdminSession admin : admins)
                {
                    CloseHelper.quietClose(admin);
                }
                CloseHelper.quietClose(relay);
                for (final ChaosProcesses segmentProcesses : processes)
                {
                    if (segmentProcesses != null)
                    {
                        stopNodes(segmentProcesses);
                        segmentProcesses.close();
                    }
                }
            }
            report.all.history = history.lines();
            rebuildAndCheck(dir, basePorts, processes, traders, map, transfers);
            report.all.collect(traders);
            report.collectOthersTradedOn(traders, map);
            passed = report.passed();
        }
        finally
        {
            report.all.keptHistory = !passed || config.keepHistory() || !tempDir;
            if (!report.all.keptHistory)
            {
                IoUtil.delete(dir, true);
            }
            else
            {
                for (final File child : dir.listFiles((d, n) -> n.endsWith("-aeron") || n.contains("-aeron-") ||
                    n.equals("transfer-tmp")))
                {
                    IoUtil.delete(child, true);
                }
            }
        }
        return report;
    }

    private int[] basePorts()
    {
        final int span = ChaosContext.NODES * ClusterLayout.PORTS_PER_MEMBER;
        final int[] ports = new int[segments];
        for (int k = 0; k < segments; k++)
        {
            boolean clear;
            do
            {
                ports[k] = FreePorts.clusterBasePort(ChaosContext.NODES);
                clear = true;
                for (int j = 0; j < k; j++)
                {
                    clear &= ports[k] + span <= ports[j] || ports[j] + span <= ports[k];
                }
            }
            while (!clear);
        }
        return ports;
    }

    private File writeMap(final File dir, final int[] basePorts) throws java.io.IOException
    {
        final StringBuilder text = new StringBuilder("# keel chaos --segments\nversion=1\nsegments=" + segments + "\n");
        for (int k = 0; k < segments; k++)
        {
            text.append("segment.").append(k).append(".hosts=localhost,localhost,localhost\n")
                .append("segment.").append(k).append(".base-port=").append(basePorts[k]).append('\n')
                .append("segment.").append(k).append(".instruments=").append(k * INSTRUMENT_STRIDE + 1).append('-')
                .append((k + 1) * INSTRUMENT_STRIDE - 1).append('\n');
        }
        final File file = new File(dir, "segments.properties");
        Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The segment's instruments, and every account funded in it (balances are per segment).
     */
    private void setUpMarket(final int segment, final AdminSession admin)
    {
        final List<java.util.function.Predicate<io.keel.node.ClusterCommandSession>> commands = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        for (final int instrumentId : instruments(segment))
        {
            final long id = admin.nextCorrelationId();
            ids.add(id);
            commands.add((c) -> c.addInstrument(id, instrumentId, ChaosRun.BASE, ChaosRun.QUOTE, 1, 1,
                ChaosRun.REFERENCE_PRICE, 5_000, 1_000));
        }
        for (int account = 1; account <= config.clients(); account++)
        {
            final int accountId = account;
            final long create = admin.nextCorrelationId();
            final long base = admin.nextCorrelationId();
            final long quote = admin.nextCorrelationId();
            ids.addAll(List.of(create, base, quote));
            commands.add((c) -> c.createAccount(create, accountId));
            commands.add((c) -> c.deposit(base, accountId, ChaosRun.BASE, ChaosRun.INITIAL_BASE));
            commands.add((c) -> c.deposit(quote, accountId, ChaosRun.QUOTE, ChaosRun.INITIAL_QUOTE));
            report.money.deposit(segment, accountId, ChaosRun.BASE, ChaosRun.INITIAL_BASE)
                .deposit(segment, accountId, ChaosRun.QUOTE, ChaosRun.INITIAL_QUOTE);
        }
        for (int i = 0; i < commands.size(); i++)
        {
            final AdminSession.Answer answer = admin.request(commands.get(i), ids.get(i), 30_000);
            if (answer == null || answer.result() != io.keel.codecs.RejectReason.NONE)
            {
                throw new IllegalStateException("segment " + segment + " market set-up command " + i + " failed: " +
                    answer);
            }
        }
    }

    private static void pollAll(final AdminSession[] admins)
    {
        for (final AdminSession admin : admins)
        {
            if (admin != null)
            {
                admin.poll();
            }
        }
    }

    private void heal(final ChaosProcesses[] processes)
    {
        for (final ChaosProcesses segment : processes)
        {
            for (int i = 0; i < ChaosContext.NODES; i++)
            {
                if (segment.isPaused(i))
                {
                    segment.resumeNode(i);
                }
                if (!segment.isNodeAlive(i))
                {
                    segment.startNode(i);
                }
            }
        }
        for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
        {
            if (!processes[0].isGatewayAlive(i))
            {
                processes[0].startGateway(i);
            }
        }
    }

    private void stopGateways(final ChaosProcesses processes) throws InterruptedException
    {
        for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
        {
            final Process gateway = processes.gateway(i);
            if (gateway != null && gateway.isAlive() && ChaosProcesses.terminate(gateway, 15_000) == null)
            {
                report.all.problems.add("gateway " + ChaosProcesses.gatewayId(i) + " did not stop within 15 s of SIGTERM");
            }
        }
    }

    private void stopNodes(final ChaosProcesses processes) throws InterruptedException
    {
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            if (processes.node(i) != null && processes.isPaused(i))
            {
                processes.resumeNode(i);
            }
            if (processes.node(i) != null)
            {
                processes.node(i).destroy();
            }
        }
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            final Process node = processes.node(i);
            if (node != null && !node.waitFor(20, TimeUnit.SECONDS))
            {
                report.all.problems.add(processes.nodeDir(i) + " did not stop within 20 s of SIGTERM");
            }
        }
    }

    /**
     * Each segment's members rebuilt from their disks and checked against the sessions' views of that segment; the
     * balances and transfer records of each segment's member 0 (all members agree, by the hashes) to the money check.
     */
    private void rebuildAndCheck(
        final File dir,
        final int[] basePorts,
        final ChaosProcesses[] processes,
        final List<ChaosTrader> traders,
        final SegmentMap map,
        final TransferFaults transfers)
    {
        final List<TransferFaults.Attempt> attempts = transfers == null ? List.of() : transfers.attempts();
        final List<Map<Long, TransferState>> states = new ArrayList<>();
        final Map<Long, long[]> moved = new HashMap<>();
        for (int k = 0; k < segments; k++)
        {
            final int segment = k;
            final ChaosReport segmentReport = report.segment(k);
            final LeaderAudit leaders = LeaderAudit.of(new File(dir, "logs"), "s" + k + "-");
            segmentReport.problems.addAll(leaders.problems());
            segmentReport.leaders = leaders.summary();
            final List<SessionHistory> views = new ArrayList<>();
            for (final ChaosTrader trader : traders)
            {
                views.add(trader.session().segmentView(map, k));
            }
            final Map<Long, TransferState> segmentStates = new HashMap<>();
            states.add(segmentStates);
            try
            {
                ChaosRebuild.rebuildAndCheck(config, segmentReport, dir, basePorts[k], processes[k], views,
                    instruments(k), "rebuild-admin-aeron-" + k, false, (engine, member) ->
                    {
                        if (member != 0)
                        {
                            return;
                        }
                        for (final ChaosTrader trader : traders)
                        {
                            report.money.balance(segment, trader.account(), ChaosRun.BASE,
                                engine.balance(trader.account(), ChaosRun.BASE));
                            report.money.balance(segment, trader.account(), ChaosRun.QUOTE,
                                engine.balance(trader.account(), ChaosRun.QUOTE));
                        }
                        for (final TransferFaults.Attempt attempt : attempts)
                        {
                            segmentStates.put(attempt.id(), engine.transferState(attempt.id()));
                        }
                        report.pendingAfterRecovery += engine.pendingTransferCount();
                    });
            }
            catch (final RuntimeException ex)
            {
                segmentReport.problems.add("segment " + k + " rebuild failed: " + ex);
            }
            if (!segmentReport.checks.isEmpty())
            {
                segmentReport.checks.get(0).moved.forEach((account, amounts) ->
                {
                    final long[] sum = moved.computeIfAbsent(account, (a) -> new long[2]);
                    sum[0] += amounts[0];
                    sum[1] += amounts[1];
                });
            }
        }
        moved.forEach((account, amounts) -> report.money.moved(account, ChaosRun.BASE, amounts[0])
            .moved(account, ChaosRun.QUOTE, amounts[1]));
        final Map<Long, TransferFaults.Attempt> byId = new HashMap<>();
        for (final TransferFaults.Attempt attempt : attempts)
        {
            byId.putIfAbsent(attempt.id(), attempt);
        }
        for (final TransferFaults.Attempt attempt : byId.values())
        {
            final TransferState source = states.get(attempt.from()).get(attempt.id());
            final TransferState destination = states.get(attempt.to()).get(attempt.id());
            final boolean debited = source == TransferState.PENDING || source == TransferState.COMPLETED;
            final boolean credited = destination == TransferState.CREDITED;
            report.money.transfer(new MoneyConservation.Transfer(attempt.id(), attempt.account(), attempt.asset(),
                attempt.amount(), attempt.from(), attempt.to(), debited, credited));
            if (source == TransferState.COMPLETED && credited)
            {
                report.transfersCompleted++;
            }
            else if ((source == null || source == TransferState.NONE) && !credited)
            {
                report.transfersNeverDebited++; // a coordinator killed before its debit: nothing moved
            }
            else
            {
                report.transfersUnsettled.add("transfer " + attempt.id() + ": source " + source + ", destination " +
                    destination);
            }
        }
        report.transfers = byId.size();
        report.transferAttempts = attempts;
        report.processKills = transfers == null ? 0 : transfers.processKills();
        report.moneyCheck = report.money.check();
    }
}
