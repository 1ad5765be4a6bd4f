package io.keel.chaos;

import io.keel.client.KeelClient;
import io.keel.common.FreePorts;
import io.keel.gateway.CredentialsStore;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One chaos run: three node processes and two gateway processes on loopback, clients trading at a
 * fixed rate through the gateways (each behind its own port of a {@link GatewayRelay}, the load balancer) while
 * faults are injected, then the history check.
 * <ol>
 *   <li>Load: open-loop at {@code --rate} orders/s spread over the clients, for {@code --seconds}.</li>
 *   <li>Heal: every node and both gateways running again.</li>
 *   <li>Drain: every request answered (the clients resend what failovers swallowed).</li>
 *   <li>Reconcile: each client sends again, with the same clOrdId, every order it saw accepted but
 *   not finished; the engine answers with its state (ORDER_STATUS) and places nothing.</li>
 *   <li>Fence: each client asks for one order's status, its session's last report: a report lost
 *   before it shows as a seqNo gap.</li>
 *   <li>Hashes: every live node records its state hash at one log position; all must be equal.</li>
 *   <li>Stop everything with SIGTERM (clean), then rebuild each node's engine from its own disk —
 *   the three nodes started again in this JVM on the same directories recover from their latest
 *   snapshot plus their log — and check the clients' history against each engine.</li>
 * </ol>
 */
final class ChaosRun
{
    static final int INSTRUMENTS = 2;
    static final int BASE = 1;
    static final int QUOTE = 2;
    static final long REFERENCE_PRICE = 1_000;
    static final long INITIAL_BASE = 100_000_000L;
    static final long INITIAL_QUOTE = 100_000_000_000L;

    private final ChaosContext config;
    private final PrintStream out;
    private final ChaosReport report = new ChaosReport();

    ChaosRun(final ChaosContext config, final PrintStream out)
    {
        this.config = config.conclude();
        this.out = out;
    }

    /**
     * @return the report; {@link ChaosReport#passed()} says whether every check held.
     */
    ChaosReport run() throws Exception
    {
        final boolean tempDir = config.dir() == null;
        final File dir = tempDir ? Files.createTempDirectory("keel-chaos-").toFile() :
            config.dir().getAbsoluteFile();
        if (!tempDir && new File(dir, "cluster").exists())
        {
            throw new IllegalArgumentException("--dir " + dir + " holds an earlier run: give a new or empty directory");
        }
        IoUtil.ensureDirectoryExists(dir, "chaos dir");
        report.dir = dir;
        report.net = config.net() != null;
        final int basePort = FreePorts.clusterBasePort(ChaosContext.NODES);
        final int[] gatewayPorts = distinctTcpPorts(ChaosProcesses.GATEWAYS, new int[0]);
        final int[] healthPorts = config.haproxy() ? distinctTcpPorts(ChaosProcesses.GATEWAYS, gatewayPorts) : null;
        final File users = new File(dir, "users.txt");
        for (int account = 1; account <= config.clients(); account++)
        {
            CredentialsStore.addUser(users.toPath(), "trader" + account, account,
                ("pw" + account).getBytes(StandardCharsets.UTF_8), CredentialsStore.MIN_ITERATIONS);
        }
        if (config.net() != null)
        {
            out.printf("chaos: --net: nodes at %s, this JVM (clients, admin) at %s%n",
                String.join(",", hostsOf(config.net())), config.net().address(NetTopology.CLIENT_HOST));
        }
        out.printf("chaos: seed=%d seconds=%d rate=%d/s clients=%d faults=%s every %d s file-sync-level=%d dir=%s%n",
            config.seed(), config.seconds(), config.rate(), config.clients(), config.faultMode().name().toLowerCase(),
            config.faultIntervalS(), config.fileSyncLevel(), dir);

        final long startNs = System.nanoTime();
        final List<ChaosTrader> traders = new ArrayList<>();
        boolean passed = false;
        try (ChaosProcesses processes = new ChaosProcesses(config, dir, basePort, gatewayPorts, healthPorts, users);
            History history = new History(new File(dir, "history.log"), startNs);
            GatewayRelay relay = config.haproxy() ? null : new GatewayRelay(config.clients(), processes.gatewayHosts(), gatewayPorts, history);
            HaproxyFront front = config.haproxy() ? new HaproxyFront(dir, gatewayPorts, healthPorts) : null)
        {
            for (int i = 0; i < ChaosContext.NODES; i++)
            {
                processes.startNode(i);
            }
            final AdminSession admin = new AdminSession(processes.ingressEndpoints(), new File(dir, "admin-aeron"), processes.clientHost());
            try
            {
                admin.connect(60_000);
                setUpMarket(admin);
                for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
                {
                    processes.startGateway(i);
                }
                final Random seeds = new Random(config.seed());
                for (int account = 1; account <= config.clients(); account++)
                {
                    final KeelClient.Context context = front != null ?
                        new KeelClient.Context().host("localhost").port(front.port()).tls(true)
                            .trustCertificate(front.certificate()) :
                        new KeelClient.Context().host("127.0.0.1").port(relay.port(account - 1));
                    final ChaosTrader trader = new ChaosTrader(account, context
                        .username("trader" + account)
                        .password("pw" + account)
                        .heartbeatIntervalMs(500)
                        .resendTimeoutMs(3_000), seeds.nextLong(), history);
                    traders.add(trader);
                    trader.connect(60_000);
                    admin.poll();
                }
                if (front != null)
                {
                    front.traders(traders);
                }
                out.printf("chaos: cluster, 2 gateways%s and %d clients up in %.1f s; load starts%n",
                    front != null ? " behind HAProxy (TLS, port " + front.port() + ")" : "", traders.size(),
                    (System.nanoTime() - startNs) / 1e9);

                final long loadStartNs = System.nanoTime();
                report.loadStartNs = loadStartNs;
                final long loadEndNs = loadStartNs + TimeUnit.SECONDS.toNanos(config.seconds());
                final FaultInjector injector = new FaultInjector(
                    config, processes, admin, front != null ? front : relay, history, loadStartNs, loadEndNs);
                final Thread faultThread = new Thread(injector, "chaos-faults");
                faultThread.start();
                try
                {
                    load(config, report, traders, loadStartNs, loadEndNs);
                }
                finally
                {
                    injector.stop();
                    faultThread.join(60_000);
                }
                report.faults.addAll(injector.faults());
                report.problems.addAll(injector.problems());
                report.healthChecks = injector.healthChecks();
                report.stuckElectionRestarts = injector.stuckElectionRestarts();
                report.healthChecksEqual = injector.healthChecksEqual();
                report.loadSeconds = (System.nanoTime() - loadStartNs) / 1e9;

                heal(processes);
                out.printf("chaos: load done (%d faults); draining%n", report.faults.size());
                drain(config, report, out, traders, admin::poll, "drain");
                int queries = 0;
                for (final ChaosTrader trader : traders)
                {
                    queries += trader.queueStatusQueries();
                }
                report.statusQueries = queries;
                drain(config, report, out, traders, admin::poll, "reconcile");
                drain(config, report, out, traders, admin::poll, "fence");

                // Sessions are in the engine's state: the clients log out and the gateways stop first (their
                // sessions disconnected, through the log), so the state compared with the rebuild is the final one.
                for (final ChaosTrader trader : traders)
                {
                    CloseHelper.quietClose(trader.client()::logout);
                }
                stopGateways(processes);
                final AdminSession.Answer hash = admin.stateHash(30_000);
                if (hash == null)
                {
                    report.problems.add("no state hash answer from the cluster at the end");
                }
                else
                {
                    final Long[] hashes = AdminSession.awaitHashes(processes.nodeDirs(), hash.logPosition(), 30_000, admin::poll);
                    report.liveHashes = hashes;
                    report.liveHashPosition = hash.logPosition();
                }
            }
            finally
            {
                for (final ChaosTrader trader : traders)
                {
                    CloseHelper.quietClose(trader.client()::logout);
                }
                CloseHelper.quietClose(admin);
            }
            stopAll(processes);
            final LeaderAudit leaders = LeaderAudit.of(processes.logDir());
            report.problems.addAll(leaders.problems());
            report.leaders = leaders.summary();
            report.history = history.lines();
            ChaosRebuild.rebuildAndCheck(config, report, dir, basePort, processes, traders);
            report.collect(traders);
            passed = report.passed();
        }
        finally
        {
            report.keptHistory = !passed || config.keepHistory() || !tempDir;
            if (!report.keptHistory)
            {
                IoUtil.delete(dir, true);
            }
            else
            {
                IoUtil.delete(new File(dir, "admin-aeron"), true);
                IoUtil.delete(new File(dir, "rebuild-admin-aeron"), true);
                for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
                {
                    IoUtil.delete(ChaosProcesses.gatewayAeronDir(dir, i), true);
                }
            }
        }
        return report;
    }

    private void setUpMarket(final AdminSession admin)
    {
        final List<java.util.function.Predicate<io.keel.node.ClusterCommandSession>> commands = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        for (int instrument = 1; instrument <= INSTRUMENTS; instrument++)
        {
            final long id = admin.nextCorrelationId();
            final int instrumentId = instrument;
            ids.add(id);
            commands.add((c) -> c.addInstrument(id, instrumentId, BASE, QUOTE, 1, 1, REFERENCE_PRICE, 5_000, 1_000));
        }
        for (int account = 1; account <= config.clients(); account++)
        {
            final int accountId = account;
            final long create = admin.nextCorrelationId();
            final long base = admin.nextCorrelationId();
            final long quote = admin.nextCorrelationId();
            ids.addAll(List.of(create, base, quote));
            commands.add((c) -> c.createAccount(create, accountId));
            commands.add((c) -> c.deposit(base, accountId, BASE, INITIAL_BASE));
            commands.add((c) -> c.deposit(quote, accountId, QUOTE, INITIAL_QUOTE));
        }
        for (int i = 0; i < commands.size(); i++)
        {
            final AdminSession.Answer answer = admin.request(commands.get(i), ids.get(i), 30_000);
            if (answer == null || answer.result() != io.keel.codecs.RejectReason.NONE)
            {
                throw new IllegalStateException("market set-up command " + i + " failed: " + answer);
            }
        }
    }

    /**
     * Open loop: the k-th order is due at start + k / rate, whatever happened to the others; a
     * client that is not logged on at its turn skips it (counted as not sent).
     */
    static void load(
        final ChaosContext config, final ChaosReport report, final List<ChaosTrader> traders, final long startNs,
        final long endNs)
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / config.rate();
        long nextNs = startNs;
        int turn = 0;
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0)
            {
                return;
            }
            int work = 0;
            if (nowNs - nextNs > TimeUnit.SECONDS.toNanos(1))
            {
                report.skippedSlots += (nowNs - nextNs) / intervalNs; // the loop was stalled: do not burst
                nextNs = nowNs;
            }
            while (nowNs - nextNs >= 0)
            {
                traders.get(turn).act(nowNs, REFERENCE_PRICE, INSTRUMENTS);
                turn = (turn + 1) % traders.size();
                nextNs += intervalNs;
                work++;
            }
            for (final ChaosTrader trader : traders)
            {
                work += trader.poll(nowNs);
            }
            if (work == 0)
            {
                ChaosTrader.sleep(1);
            }
        }
    }

    private void heal(final ChaosProcesses processes)
    {
        if (config.net() != null)
        {
            config.net().healAll();
        }
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            if (processes.isPaused(i))
            {
                processes.resumeNode(i);
            }
            if (!processes.isNodeAlive(i))
            {
                processes.startNode(i);
            }
        }
        for (int i = 0; i < ChaosProcesses.GATEWAYS; i++)
        {
            if (!processes.isGatewayAlive(i))
            {
                processes.startGateway(i);
            }
        }
    }

    /**
     * Until every trader's requests are answered; the admin session is polled too, so that it is still there
     * for the final state hash.
     */
    static void drain(
        final ChaosContext config,
        final ChaosReport report,
        final PrintStream out,
        final List<ChaosTrader> traders,
        final Runnable pollAdmin,
        final String phase)
    {
        final long startNs = System.nanoTime();
        final long deadline = startNs + TimeUnit.SECONDS.toNanos(config.drainTimeoutS());
        final boolean fence = "fence".equals(phase);
        while (true)
        {
            final long nowNs = System.nanoTime();
            boolean quiet = true;
            int work = 0;
            pollAdmin.run();
            for (final ChaosTrader trader : traders)
            {
                work += trader.poll(nowNs);
                work += trader.sendStatusQueries(nowNs);
                if (fence)
                {
                    work += trader.sendFence(nowNs);
                    quiet &= trader.fenceAnswered();
                }
                quiet &= trader.isQuiet();
            }
            if (quiet)
            {
                break;
            }
            if (nowNs - deadline > 0)
            {
                long unanswered = 0;
                for (final ChaosTrader trader : traders)
                {
                    unanswered += trader.client().inFlight();
                }
                report.problems.add(phase + ": " + unanswered + " requests still unanswered after " +
                    config.drainTimeoutS() + " s");
                break;
            }
            if (work == 0)
            {
                ChaosTrader.sleep(1);
            }
        }
        out.printf("chaos: %s done in %.1f s%n", phase, (System.nanoTime() - startNs) / 1e9);
    }

    private void stopAll(final ChaosProcesses processes) throws InterruptedException
    {
        stopGateways(processes);
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            processes.node(i).destroy();
        }
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            final Process node = processes.node(i);
            if (!node.waitFor(20, TimeUnit.SECONDS))
            {
                report.problems.add("member " + i + " did not stop within 20 s of SIGTERM");
            }
            else if (node.exitValue() != 0 && node.exitValue() != 143)
            {
                report.problems.add("member " + i + " exited with " + node.exitValue() + ": " + processes.tail("node-" + i));
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
                report.problems.add("gateway " + ChaosProcesses.gatewayId(i) + " did not stop within 15 s of SIGTERM");
            }
        }
    }

    private static List<String> hostsOf(final NetTopology net)
    {
        final List<String> hosts = new ArrayList<>();
        for (int i = 0; i < ChaosContext.NODES; i++)
        {
            hosts.add(net.address(NetTopology.nodeHost(i)));
        }
        return hosts;
    }

    static String hex(final Long[] hashes)
    {
        return hashes == null ? "none" : Arrays.toString(Arrays.stream(hashes)
            .map((h) -> h == null ? "missing" : Long.toHexString(h)).toArray());
    }

    static int[] distinctTcpPorts(final int count, final int[] taken)
    {
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            int port;
            do
            {
                port = FreePorts.tcpPort();
            }
            while (contains(ports, i, port) || contains(taken, taken.length, port));
            ports[i] = port;
        }
        return ports;
    }

    private static boolean contains(final int[] ports, final int length, final int port)
    {
        for (int i = 0; i < length; i++)
        {
            if (ports[i] == port)
            {
                return true;
            }
        }
        return false;
    }
}
