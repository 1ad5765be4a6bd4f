package io.keel.replay;

import io.keel.codecs.Side;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import io.keel.node.NodeContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.keel.replay.TradingDesk.BUYER;
import static io.keel.replay.TradingDesk.SELLER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23's promise, end to end in one JVM: a 3-node cluster under load with a backup node ({@code keel backup}'s
 * {@link BackupNode}); the leader is killed while the backup follows (it must follow the new leader); then two nodes'
 * directories are deleted and the third node killed; three new directories are restored from the backup
 * ({@code keel restore}) and started on new ports: every restored node's state at its first term equals
 * {@code keel replay rebuild BACKUP --at end}, the acknowledged orders and balances are there, and a client trades on.
 * A restore at an earlier point (through the archive's truncation) starts a node with the state the old cluster
 * reported at that point. Rate and duration of the load: {@code -Dkeel.backup.rate} (orders/s, default 1000) and
 * {@code -Dkeel.backup.seconds} (per phase, default 1.5); it prints the backup's lag under load and the times to
 * restore and start.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class BackupRestoreTest
{
    private static final int RATE = Integer.getInteger("keel.backup.rate", 1_000);
    private static final double SECONDS = Double.parseDouble(System.getProperty("keel.backup.seconds", "1.5"));
    private static final Pattern REBUILD = Pattern.compile("rebuild: position=(\\d+) .* hash=([0-9a-f]+)");
    private static final Consumer<NodeContext> NODE = (config) -> config
        .stateCheckIntervalMs(500)
        .heartbeatTimeoutMs(1_500)
        .heartbeatIntervalMs(100);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private File dir;

    @AfterEach
    void tearDown()
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(toClose.get(i));
        }
        if (dir != null)
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    void shouldFollowALeaderChangeThenRestoreTheClusterAfterLosingAllThreeNodes()
    {
        dir = new File("target/backup-tests/restore-" + System.nanoTime()).getAbsoluteFile();
        final int basePort = FreePorts.clusterBasePort(4); // the backup's port is the 4th member's consensus port
        final EmbeddedCluster cluster = track(
            EmbeddedCluster.launch(3, new File(dir, "cluster"), basePort, IdleProfile.BACKOFF, NODE));
        cluster.awaitLeader(20_000);
        final File backupDir = new File(dir, "backup");
        final BackupNode backup = track(BackupNode.launch(new BackupContext()
            .hosts(List.of("localhost", "localhost", "localhost"))
            .basePort(basePort)
            .dir(backupDir)
            .credentials(Principal.backupCredentials("test", Principal.DEV_SECRET))
            .queryIntervalMs(1_000)
            .coolDownMs(500)
            .responseTimeoutMs(1_000)
            .healthMaxStallMs(2_000)
            .pollIntervalMs(100)
            .metricsPort(-1)));
        final TradingDesk desk = track(new TradingDesk(cluster.ingressEndpoints(), new File(dir, "clients"), 1, 0));
        desk.setUpMarket();
        desk.logOn(BUYER);
        desk.logOn(SELLER);
        awaitTrue("the backup follows: " + backup.describe(), backup::isReady, 30_000);
        desk.snapshot();
        awaitTrue("the snapshot copied: " + backup.describe(), () -> backup.snapshots() >= 1, 20_000);

        // Under load; then the leader dies while the backup follows.
        final LagSampler lag = new LagSampler(backup);
        final LagSampler lagAfterFailover = new LagSampler(backup);
        long sent = desk.orderFlow(RATE, SECONDS, lag);
        desk.awaitAcks(sent);
        final TradingDesk.Hash beforeFailover = desk.stateHash();
        awaitTrue("the backup at " + beforeFailover, () -> backup.livePosition() >= beforeFailover.position(), 20_000);
        final int leader = cluster.awaitLeader(5_000).memberId();
        final long leaderChanges = backup.leaderChanges();
        final long failoverStartNs = System.nanoTime();
        cluster.stopNode(leader);
        final int newLeader = cluster.awaitLeader(20_000).memberId();
        awaitTrue("the backup follows the new leader: " + backup.describe(), backup::isReady, 30_000);
        final long followingAgainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failoverStartNs);
        // The clients log on again through another gateway, as after a gateway lost in a failover, and trade on.
        desk.close();
        final TradingDesk after = track(new TradingDesk(cluster.ingressEndpoints(), new File(dir, "clients"), 2, 100_000));
        after.logOn(BUYER);
        after.logOn(SELLER);
        final long sentAfter = after.orderFlow(RATE, SECONDS, lagAfterFailover);
        after.awaitAcks(sentAfter);
        sent += sentAfter;
        assertEquals(0, desk.rejects() + after.rejects(), "orders refused");
        final String buyer = after.account(BUYER);
        final String seller = after.account(SELLER);
        final TradingDesk.Hash last = after.stateHash();
        awaitTrue("the backup caught up after the leader change: " + backup.describe(),
            () -> backup.livePosition() >= last.position() && backup.lagBytes() == 0 && backup.isReady(), 30_000);
        awaitTrue("the backup saw the new leader: " + backup.describe(), () -> backup.leaderChanges() > leaderChanges,
            10_000);
        assertEquals(200, httpStatus(backup.metricsPort(), "/health"), backup.describe());
        // The cluster's own timers go on adding entries: the lag scraped now is small, not necessarily 0.
        final java.util.regex.Matcher scrapedLag = java.util.regex.Pattern.compile("(?m)^keel_backup_lag_bytes (\\S+)$")
            .matcher(httpBody(backup.metricsPort(), "/metrics"));
        assertTrue(scrapedLag.find(), "keel_backup_lag_bytes served");
        final double lagBytes = Double.parseDouble(scrapedLag.group(1));
        assertTrue(lagBytes >= 0 && lagBytes < 64 * 1024, "lag scraped after the catch-up: " + lagBytes);

        // Lose the cluster: the dead leader's directory and another's deleted, the third node killed (its clients
        // only after: a client closing its session is a log entry, which would change the state after `last`).
        cluster.close();
        after.close();
        final int other = (leader + 1) % 3;
        IoUtil.delete(cluster.node(leader).config().nodeDir(), false);
        IoUtil.delete(cluster.node(other).config().nodeDir(), false);
        awaitTrue("/health says 503 without a cluster", () -> httpStatus(backup.metricsPort(), "/health") == 503, 15_000);
        backup.close();

        final ReplayCli.Result rebuild = ReplayCli.replay("rebuild", backupDir.getPath(), "--at", "end");
        assertEquals(0, rebuild.exit(), rebuild.toString());
        final Matcher end = REBUILD.matcher(rebuild.lastLine());
        assertTrue(end.matches(), rebuild.lastLine());
        final long position = Long.parseLong(end.group(1));
        final String hash = end.group(2);
        assertTrue(position >= last.position(), position + " < " + last.position());
        // Only state checks (which change no state) follow the last request: the cluster's last hash is the backup's.
        assertEquals(Long.toHexString(last.value()), hash, "state hash at the backup's end");

        // Restore three members, start them on new ports.
        final File restoredBase = new File(dir, "restored");
        final long restoreStartNs = System.nanoTime();
        for (int i = 0; i < 3; i++)
        {
            final ReplayCli.Result restore = restore(backupDir, "end", new File(restoredBase, "node-" + i));
            assertEquals(0, restore.exit(), restore.toString());
            assertTrue(restore.lastLine().contains(" position=" + position + " ") &&
                restore.lastLine().endsWith(" hash=" + hash), restore.lastLine());
        }
        final long restoreMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoreStartNs);
        final long startNs = System.nanoTime();
        final EmbeddedCluster restored = track(EmbeddedCluster.launchOnExisting(
            3, restoredBase, FreePorts.clusterBasePort(3), IdleProfile.BACKOFF, NODE));
        restored.awaitLeader(30_000);
        awaitTrue("every restored node's first term starts at " + position, () -> termsStartAt(restored, position),
            30_000);
        final long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(hash, Long.toHexString(restored.node(i).service().termStartHash()), "member " + i);
        }

        // Clients resume (at another gateway): acknowledged orders and balances are there, and trading goes on.
        final TradingDesk resumed = track(
            new TradingDesk(restored.ingressEndpoints(), new File(dir, "clients-restored"), 3, 1_000_000));
        assertEquals(buyer, resumed.account(BUYER));
        assertEquals(seller, resumed.account(SELLER));
        resumed.logOn(BUYER);
        resumed.logOn(SELLER);
        final long tradesBefore = resumed.trades();
        resumed.order(BUYER, Side.BUY, 110, 1);
        resumed.await("a trade on the restored cluster", () -> resumed.trades() > tradesBefore, 10_000);

        // An earlier point: the log cut there by the archive, one node started on it, the state the cluster reported.
        final File earlier = new File(dir, "earlier/node-0");
        final ReplayCli.Result atPoint = restore(backupDir, Long.toString(beforeFailover.position()), earlier);
        assertEquals(0, atPoint.exit(), atPoint.toString());
        assertTrue(atPoint.lastLine().contains(" position=" + beforeFailover.position() + " ") &&
            atPoint.lastLine().endsWith(" hash=" + Long.toHexString(beforeFailover.value())), atPoint.lastLine());
        final EmbeddedCluster single = track(EmbeddedCluster.launchOnExisting(
            1, earlier.getParentFile(), FreePorts.clusterBasePort(1), IdleProfile.BACKOFF, NODE));
        single.awaitLeader(30_000);
        awaitTrue("the node restored at " + beforeFailover.position() + " starts its term there",
            () -> termsStartAt(single, beforeFailover.position()), 30_000);
        assertEquals(Long.toHexString(beforeFailover.value()), Long.toHexString(single.node(0).service().termStartHash()));

        // Misuse: one line, exit code 2, nothing written.
        final File spare = new File(dir, "spare");
        assertUsage(restore(backupDir, "end", earlier), "not empty");
        assertUsage(restore(new File(dir, "clients"), "end", spare), "not a backup");
        assertUsage(restore(backupDir, Long.toString(position + 1_000_000), spare), "past the end");
        assertUsage(restore(backupDir, "yesterday", spare), "--at");
        assertFalse(spare.exists(), "a refused restore leaves nothing");

        System.out.println("backup-restore: rate=" + RATE + "/s seconds=" + SECONDS + " orders=" + sent +
            " lag-bytes " + lag + " lag-bytes-after-failover " + lagAfterFailover + " leader-kill-to-backup-following-ms=" + followingAgainMs + " leader " + leader + "->" + newLeader +
            " log=" + position + " restore-3-members-ms=" + restoreMs + " start-to-first-term-ms=" + startMs);
    }

    private static ReplayCli.Result restore(final File from, final String at, final File to)
    {
        return ReplayCli.run(new RestoreMain(), "keel restore", "--from", from.getPath(), "--at", at, "--dir", to.getPath());
    }

    private static void assertUsage(final ReplayCli.Result result, final String expected)
    {
        assertEquals(2, result.exit(), result.toString());
        assertEquals(1, result.err().strip().split("\n").length, result.toString());
        assertTrue(result.err().contains(expected), result.toString());
    }

    private static boolean termsStartAt(final EmbeddedCluster cluster, final long position)
    {
        for (int i = 0; i < cluster.memberCount(); i++)
        {
            final KeelNode node = cluster.node(i);
            if (node.service().termStartPosition() != position)
            {
                return false;
            }
        }
        return true;
    }

    private <T extends AutoCloseable> T track(final T closeable)
    {
        toClose.add(closeable);
        return closeable;
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out: " + what);
            }
            TradingDesk.sleepMs(10);
        }
    }

    private static int httpStatus(final int port, final String path)
    {
        try
        {
            final HttpURLConnection http = (HttpURLConnection)new URL("http://127.0.0.1:" + port + path).openConnection();
            http.setConnectTimeout(1_000);
            http.setReadTimeout(2_000);
            return http.getResponseCode();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String httpBody(final int port, final String path)
    {
        try (InputStream in = new URL("http://127.0.0.1:" + port + path).openStream())
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    /**
     * The backup's lag, sampled every millisecond of the load.
     */
    private static final class LagSampler implements Runnable
    {
        private final BackupNode backup;
        private long[] samples = new long[1024];
        private int count;

        LagSampler(final BackupNode backup)
        {
            this.backup = backup;
        }

        public void run()
        {
            final long lag = backup.lagBytes();
            if (lag >= 0)
            {
                if (count == samples.length)
                {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = lag;
            }
        }

        @Override
        public String toString()
        {
            final long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            return count == 0 ? "none" : "p50=" + sorted[count / 2] + " p99=" + sorted[(int)(count * 0.99)] +
                " max=" + sorted[count - 1] + " samples=" + count;
        }
    }
}
