package io.keel.node;

import io.keel.codecs.SessionIds;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drop copy against a real 3-node cluster in one JVM: a consumer follows live while a gateway trades and the leader
 * is killed, and ends with every report once, in order — the same as a consumer that reads everything from the start
 * afterwards, whose per-session seqNos run 1..N with N the last the gateway saw. The consumer's own checks are
 * proven by faults (a report lost on the way, an overlapping re-request) and by planted bugs (a consumer that ignores
 * feedSeq gaps, one that does not skip duplicates), which the same comparison must catch. Refusals: a gateway
 * principal, a wrong secret.
 */
class DropCopyClusterTest
{
    static final int INSTRUMENT = 7;
    static final long BUYER = 1;
    static final long SELLER = 2;
    static final int GATEWAY = 1;
    static final int ORDERS = 200;
    static final int KILL_AFTER_ACKED = 60;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    private final List<DropCopyConsumer> consumers = new ArrayList<>();

    /** One report as a consumer delivered it. */
    record Got(long logPosition, int index, long clusterTime, long sessionId, long seqNo, byte[] bytes)
    {
        String place()
        {
            return logPosition + ":" + index + " session " + sessionId + " seqNo " + seqNo;
        }
    }

    /**
     * A consumer on a thread of its own, as an application would run it while the gateway trades.
     */
    private static final class Follower implements Runnable
    {
        final DropCopyConsumer consumer;
        final List<Got> got = new ArrayList<>();
        final Thread thread = new Thread(this, "drop-copy-follower");
        volatile boolean stop;
        volatile boolean live;
        volatile long nextPosition;
        volatile Throwable error;

        Follower(final DropCopyConsumer.Context ctx)
        {
            consumer = new DropCopyConsumer(ctx.handler((p, i, t, s, n, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                synchronized (got)
                {
                    got.add(new Got(p, i, t, s, n, bytes));
                }
            }));
        }

        public void run()
        {
            try
            {
                consumer.start();
                while (!stop)
                {
                    final int work = consumer.poll();
                    live = consumer.isLive();
                    nextPosition = consumer.nextLogPosition();
                    if (work == 0)
                    {
                        ClusterHarness.sleep(1);
                    }
                }
            }
            catch (final Throwable t)
            {
                error = t;
            }
        }

        List<Got> stopAndGet() throws InterruptedException
        {
            stop = true;
            thread.join(10_000);
            assertTrue(!thread.isAlive(), "follower stopped");
            if (error != null)
            {
                throw new AssertionError("follower failed", error);
            }
            synchronized (got)
            {
                return new ArrayList<>(got);
            }
        }
    }

    @AfterEach
    void closeConsumers()
    {
        for (int i = 0; i < consumers.size(); i++)
        {
            harness.gate().captureClient("drop-copy-" + i, new File(harness.dir(), "drop-copy-" + i));
            consumers.get(i).close();
        }
    }

    @Test
    @Timeout(120)
    void shouldFollowLiveAcrossALeaderKillWithEveryReportOnceInOrder() throws Exception
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode oldLeader = cluster.awaitLeader(10_000);
        final int oldLeaderId = oldLeader.memberId();
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.setUpMarket(INSTRUMENT, BUYER, SELLER);
        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);

        final Follower follower = new Follower(context(cluster, Principal.dropCopyCredentials("audit", ClusterHarness.SECRET))
            .from(DropCopyConsumer.FROM_END, 0));
        consumers.add(follower.consumer);
        follower.thread.start();
        ClusterHarness.await(() -> follower.live || follower.error != null, 15_000, () -> "the follower live");

        final long buyerSession = SessionIds.clientSessionId(GATEWAY, 1);
        final long sellerSession = SessionIds.clientSessionId(GATEWAY, 2);
        final ResendingOrderFlow flow = new ResendingOrderFlow(
            gateway, INSTRUMENT, BUYER, SELLER, buyerSession, sellerSession, 10_000, ORDERS).alsoPoll(admin);
        flow.runUntilAcked(KILL_AFTER_ACKED, 20_000);
        harness.allowLeaderHeartbeatTimeout(oldLeaderId);
        final Thread killer = new Thread(() ->
        {
            harness.captureNode(oldLeader);
            cluster.stopNode(oldLeaderId);
            harness.captureNode(oldLeader);
        }, "kill-leader");
        killer.start();
        flow.runUntilAcked(ORDERS, 45_000);
        killer.join(10_000);
        assertTrue(oldLeader.isClosed(), "old leader closed");

        gateway.pollFor(1_000); // the last reports of the flow
        // Everything the flow produced lies before this log position.
        final long end = admin.requestStateHash().logPosition();
        ClusterHarness.await(() -> follower.nextPosition >= end && follower.nextPosition != DropCopyConsumer.FROM_END,
            20_000, () -> "the follower past log position " + end + " (at " + follower.nextPosition + ")");
        final List<Got> followed = follower.stopAndGet();
        System.out.printf("[drop-copy] follower: %d reports, %d requests, %d gaps, %d duplicates skipped, " +
            "%d leader changes%n", followed.size(), follower.consumer.requests(), follower.consumer.gaps(),
            follower.consumer.duplicatesSkipped(), follower.consumer.leaderChanges());

        // The oracle: everything the new leader's journal holds, read afterwards from the start.
        final List<Got> all = catchUp(cluster, end, (ctx) -> { });
        assertCompleteSessions(all, Map.of(
            buyerSession, maxSeqNoSeen(gateway, buyerSession), sellerSession, maxSeqNoSeen(gateway, sellerSession)));
        assertSameFeed(all, followed);

        // Faults the consumer must survive: a report lost on the way (a feedSeq gap: it asks again), an overlapping
        // re-request (duplicates: skipped by place). Then the same faults with a check planted off: the comparison
        // must fail, or it could not catch the bug.
        assertSameFeed(all, catchUp(cluster, end, (ctx) -> ctx.testLoseReport = 5));
        final List<Got> gapIgnored = catchUp(cluster, end, (ctx) ->
        {
            ctx.testLoseReport = 5;
            ctx.testIgnoreFeedGaps = true;
        });
        assertThrows(AssertionFailedError.class, () -> assertSameFeed(all, gapIgnored),
            "planted: a consumer that ignores feedSeq gaps loses a report unnoticed");
        assertSameFeed(all, catchUp(cluster, end, (ctx) -> ctx.maxReports(50).testRewindOnRequest = true));
        final List<Got> duplicated = catchUp(cluster, end, (ctx) ->
        {
            ctx.maxReports(50).testRewindOnRequest = true;
            ctx.testDeliverDuplicates = true;
        });
        assertThrows(AssertionFailedError.class, () -> assertSameFeed(all, duplicated),
            "planted: a consumer that does not skip what an overlapping re-request repeats");
    }

    @Test
    @Timeout(60)
    void shouldRefuseAGatewayPrincipalAndAWrongSecret()
    {
        final EmbeddedCluster cluster = harness.launchCluster(1);
        cluster.awaitLeader(10_000);

        final DropCopyConsumer gateway = consumer(context(cluster, Principal.gatewayCredentials(5, ClusterHarness.SECRET)));
        gateway.start();
        pollUntil(gateway, () -> gateway.state() == DropCopyConsumer.State.FAILED, "the gateway refused");
        assertNotNull(gateway.failure());
        assertTrue(gateway.failure().contains("UNSUPPORTED_MESSAGE"), gateway.failure());

        final DropCopyConsumer stranger = consumer(context(cluster, Principal.dropCopyCredentials("audit", "wrong-secret-0123")));
        assertThrows(io.aeron.security.AuthenticationException.class, stranger::start);

        final DropCopyConsumer admin = consumer(context(cluster, Principal.adminCredentials("ops", ClusterHarness.SECRET)));
        admin.start();
        pollUntil(admin, admin::isLive, "an admin live");
    }

    private DropCopyConsumer.Context context(final EmbeddedCluster cluster, final byte[] credentials)
    {
        return new DropCopyConsumer.Context()
            .ingressEndpoints(cluster.ingressEndpoints())
            .credentials(credentials)
            .aeronDir(new File(harness.dir(), "drop-copy-" + consumers.size()))
            .idleProfile(IdleProfile.BACKOFF)
            .refreshIntervalMs(1_000)
            .requestTimeoutMs(2_000)
            .handler((p, i, t, s, n, b, o, l) -> { });
    }

    private DropCopyConsumer consumer(final DropCopyConsumer.Context ctx)
    {
        final DropCopyConsumer consumer = new DropCopyConsumer(ctx);
        consumers.add(consumer);
        return consumer;
    }

    /**
     * A consumer from the start, polled here until it is live and past {@code end}.
     */
    private List<Got> catchUp(
        final EmbeddedCluster cluster, final long end, final Consumer<DropCopyConsumer.Context> customiser)
    {
        final List<Got> got = new ArrayList<>();
        final DropCopyConsumer.Context ctx = context(cluster, Principal.dropCopyCredentials("audit", ClusterHarness.SECRET))
            .from(DropCopyConsumer.FROM_START, 0)
            .handler((p, i, t, s, n, buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                got.add(new Got(p, i, t, s, n, bytes));
            });
        customiser.accept(ctx);
        final DropCopyConsumer consumer = consumer(ctx);
        consumer.start();
        pollUntil(consumer, () -> consumer.isLive() && consumer.nextLogPosition() >= end, "caught up past " + end);
        return got;
    }

    private static void pollUntil(
        final DropCopyConsumer consumer, final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what + " (state " + consumer.state() + ", failure " + consumer.failure() +
                    ", next " + consumer.nextLogPosition() + ":" + consumer.nextIndex() + ")");
            }
            if (consumer.poll() == 0)
            {
                ClusterHarness.sleep(1);
            }
        }
    }

    private static long maxSeqNoSeen(final TestClient gateway, final long sessionId)
    {
        return gateway.reports().stream().filter((r) -> r.sessionId() == sessionId)
            .mapToLong(TestClient.Report::seqNo).max().orElse(0);
    }

    /**
     * Every session's seqNos run 1..N without a gap or a repeat, N the last one the gateway saw (reports the test
     * gateway missed around the kill are not its business here: the journal has them).
     */
    static void assertCompleteSessions(final List<Got> all, final Map<Long, Long> lastSeqNoBySession)
    {
        final Map<Long, Long> last = new HashMap<>();
        for (final Got got : all)
        {
            final long expected = last.getOrDefault(got.sessionId(), 0L) + 1;
            assertEquals(expected, got.seqNo(), "seqNo at " + got.place());
            last.put(got.sessionId(), got.seqNo());
        }
        assertEquals(lastSeqNoBySession, last, "last seqNo of each session");
    }

    /**
     * The same reports in the same order: places, sessions, seqNos, times and bytes; places strictly increasing.
     */
    static void assertSameFeed(final List<Got> expected, final List<Got> actual)
    {
        for (int i = 1; i < actual.size(); i++)
        {
            final Got a = actual.get(i - 1);
            final Got b = actual.get(i);
            assertTrue(b.logPosition() > a.logPosition() || b.logPosition() == a.logPosition() && b.index() > a.index(),
                "in order, no repeat: " + a.place() + " then " + b.place());
        }
        assertEquals(expected.size(), actual.size(), "reports delivered");
        for (int i = 0; i < expected.size(); i++)
        {
            final Got e = expected.get(i);
            final Got a = actual.get(i);
            assertEquals(e.place(), a.place(), "report " + i);
            assertEquals(e.clusterTime(), a.clusterTime(), "time of " + e.place());
            assertArrayEquals(e.bytes(), a.bytes(), "bytes of " + e.place());
        }
    }
}
