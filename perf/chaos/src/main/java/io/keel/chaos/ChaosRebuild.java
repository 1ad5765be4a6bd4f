package io.keel.chaos;

import io.keel.common.IdleProfile;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import io.keel.node.KeelNode;
import io.keel.node.NodeContext;
import io.keel.node.NodeMain;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The end of a chaos run, after every process has stopped: each node's engine rebuilt in this JVM from its own disk,
 * and each checked against the clients' history.
 */
final class ChaosRebuild
{
    private ChaosRebuild()
    {
    }

    /**
     * Start the three members again in this JVM on the run's directories: each recovers from its
     * latest snapshot and its own log; once all recorded a state hash at one position, stop them
     * and check each engine against the history.
     */
    static void rebuildAndCheck(
        final ChaosContext config,
        final ChaosReport report,
        final File dir,
        final int basePort,
        final ChaosProcesses processes,
        final List<ChaosTrader> traders)
    {
        final List<SessionHistory> sessions = new ArrayList<>();
        for (final ChaosTrader trader : traders)
        {
            sessions.add(trader.session());
        }
        final int[] instruments = new int[ChaosRun.INSTRUMENTS];
        for (int i = 0; i < instruments.length; i++)
        {
            instruments[i] = i + 1;
        }
        rebuildAndCheck(config, report, dir, basePort, processes, sessions, instruments, "rebuild-admin-aeron", true,
            (member, engine) -> { });
    }

    /**
     * As above for any cluster of the run (one market segment of several): its instruments, the sessions' views of
     * it, whether the balances are checked here or across segments, and what else to take from each rebuilt engine.
     */
    static void rebuildAndCheck(
        final ChaosContext config,
        final ChaosReport report,
        final File dir,
        final int basePort,
        final ChaosProcesses processes,
        final List<SessionHistory> sessions,
        final int[] instruments,
        final String adminDirName,
        final boolean checkMoney,
        final java.util.function.ObjIntConsumer<Engine> inspector)
    {
        final long startNs = System.nanoTime();
        final KeelNode[] nodes = new KeelNode[ChaosContext.NODES];
        final MarketDataReplay[] marketData = new MarketDataReplay[ChaosContext.NODES];
        try
        {
            for (int i = 0; i < nodes.length; i++)
            {
                final NodeContext nodeConfig = new NodeContext()
                    .memberId(i)
                    .hosts(Collections.nCopies(ChaosContext.NODES, "localhost"))
                    .basePort(basePort)
                    .nodeDir(processes.nodeDir(i))
                    .development(true) // chaos runs its nodes with --dev
                    .idleProfile(IdleProfile.BACKOFF)
                    .heartbeatTimeoutMs(config.heartbeatTimeoutMs())
                    .fileSyncLevel(config.fileSyncLevel())
                    .marketDataTap(marketData[i] = new MarketDataReplay())
                    .testEngineListener(config.testEngineListener() != null ?
                        NodeMain.testEngineListenerOf(config.testEngineListener()) : null)
                    .conclude();
                nodes[i] = launchWhenDirFree(nodeConfig);
            }
            try (AdminSession admin = new AdminSession(
                // The rebuild runs on this JVM's loopback (with --net: inside the clients' namespace).
                io.keel.common.ClusterLayout.ingressEndpoints(Collections.nCopies(ChaosContext.NODES, "localhost"), basePort),
                new File(dir, adminDirName)))
            {
                admin.connect(60_000);
                final AdminSession.Answer hash = admin.stateHash(30_000);
                if (hash == null)
                {
                    report.problems.add("the rebuilt cluster gave no state hash");
                    return;
                }
                report.rebuiltHashes = AdminSession.awaitHashes(processes.nodeDirs(), hash.logPosition(), 30_000, admin::poll);
            }
        }
        finally
        {
            for (int i = nodes.length - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(nodes[i]);
            }
        }
        report.rebuildSeconds = (System.nanoTime() - startNs) / 1e9;
        report.engineHashes = new long[nodes.length];
        final List<Integer> accounts = new ArrayList<>();
        for (final SessionHistory session : sessions)
        {
            accounts.add(session.account);
        }
        for (int i = 0; i < nodes.length; i++)
        {
            final Engine engine = nodes[i].service().engine();
            report.engineHashes[i] = engine.stateHash();
            inspector.accept(engine, i);
            final EngineEndState end = EngineEndState.of(
                "member " + i, engine, instruments, accounts, ChaosRun.BASE, ChaosRun.QUOTE);
            final CheckResult result = HistoryChecker.check(
                end, sessions, ChaosRun.INITIAL_BASE, ChaosRun.INITIAL_QUOTE, checkMoney);
            if (marketData[i].fromStart())
            {
                for (final String difference : marketData[i].compare(engine, instruments))
                {
                    report.marketDataMismatches++;
                    result.violation(Anomaly.MARKET_DATA, "member " + i + " " + difference);
                }
                report.marketDataChecked++;
                report.marketDataMessages = marketData[i].messages();
            }
            report.checks.add(result);
            report.openOrders = engine.openOrderCount();
        }
    }

    private static KeelNode launchWhenDirFree(final NodeContext config)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            try
            {
                return KeelNode.launch(config, new EngineContext(), () -> {});
            }
            catch (final IllegalStateException ex)
            {
                if (!String.valueOf(ex.getMessage()).contains("active mark file detected") ||
                    System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                ChaosTrader.sleep(500);
            }
        }
    }

}
