package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SegmentSeqNo;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.common.SegmentMap;
import io.keel.engine.Engine;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two market segments behind one gateway: segment 0 a 3-node cluster owning instruments 1-99 (the
 * {@link GatewayTestEnv}'s), segment 1 a 1-node cluster owning 100-199. One client session trades both; the leader of
 * segment 0 is killed and segment 1 trades on meanwhile; every report of both segments arrives once, in order per
 * segment, none missing, as each segment's engine numbered them. A client that resumes after a reconnect gets what it
 * missed in both segments.
 */
@Timeout(150)
class MarketSegmentsTest
{
    private static final int SEGMENT_1_INSTRUMENT = 101;
    private static final long PRICE = 900;

    private GatewayTestEnv env;
    private File segment1Dir;
    private EmbeddedCluster segment1;
    private ClusterCommandSession admin1;
    private long admin1Responses;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(env);
        CloseHelper.quietCloseAll(admin1, segment1);
        if (segment1Dir != null)
        {
            IoUtil.delete(segment1Dir, true);
        }
    }

    /**
     * Every numbered report the client delivered, by segment, in delivery order; and when segment 1's arrived.
     */
    static final class Recorder implements KeelClientListener
    {
        final Map<Integer, List<Long>> delivered = new HashMap<>();
        final List<Long> segment1ArrivalsNs = new ArrayList<>();
        final Map<Long, Long> segment1SentNs = new HashMap<>();
        final List<Long> segment1AnswerNs = new ArrayList<>();
        final Set<Integer> accountSegments = new HashSet<>();
        final Set<Integer> snapshots = new HashSet<>();
        final Map<Integer, Integer> bookUpdates = new HashMap<>();
        final List<Long> fills = new ArrayList<>();
        long firstSegment0AnswerAfterNs;
        long segment0ClOrdIdFrom = Long.MAX_VALUE;

        void record(final long seqNo)
        {
            if (seqNo != 0)
            {
                delivered.computeIfAbsent(SegmentSeqNo.segment(seqNo), (s) -> new ArrayList<>()).add(seqNo);
            }
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            record(report.seqNo());
            final long nowNs = System.nanoTime();
            if (SegmentSeqNo.segment(report.seqNo()) == 1)
            {
                segment1ArrivalsNs.add(nowNs);
                final Long sentNs = segment1SentNs.remove(report.clOrdId());
                if (sentNs != null)
                {
                    segment1AnswerNs.add(nowNs - sentNs);
                }
            }
            else if (report.clOrdId() >= segment0ClOrdIdFrom && firstSegment0AnswerAfterNs == 0)
            {
                firstSegment0AnswerAfterNs = nowNs;
            }
            if (report.execType() == ExecType.TRADE)
            {
                fills.add(report.seqNo());
            }
        }

        public void onBookSnapshot(final io.keel.codecs.BookSnapshotDecoder snapshot)
        {
            snapshots.add(snapshot.instrumentId());
        }

        public void onBookUpdate(final io.keel.codecs.BookUpdateDecoder update)
        {
            bookUpdates.merge(update.instrumentId(), 1, Integer::sum);
        }

        public void onCancelReject(final CancelRejectDecoder reject)
        {
            record(reject.seqNo());
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            record(reject.seqNo());
        }

        public void onAccountStatus(final AccountStatusDecoder status)
        {
            record(status.seqNo());
            if (status.pageNo() >= status.pageCount())
            {
                accountSegments.add(SegmentSeqNo.segment(status.seqNo()));
            }
        }
    }

    /**
     * The checker: a segment's reports as delivered must be its engine's 1..count, each once, in order.
     *
     * @return what is wrong, or null.
     */
    static String checkSegment(final int segment, final List<Long> delivered, final long engineCount)
    {
        if (delivered.size() != engineCount)
        {
            return "segment " + segment + ": " + delivered.size() + " reports delivered, the engine numbered " +
                engineCount;
        }
        for (int i = 0; i < delivered.size(); i++)
        {
            final long expected = SegmentSeqNo.compose(segment, i + 1);
            if (delivered.get(i) != expected)
            {
                return "segment " + segment + ": report " + (i + 1) + " delivered as seqNo " + delivered.get(i) +
                    ", expected " + expected;
            }
        }
        return null;
    }

    @Test
    void shouldTradeOnInOneSegmentWhileTheOtherHasNoLeaderAndDeliverEveryReportOnceInOrder()
    {
        env = GatewayTestEnv.start("segments", 3);
        startSegment1();
        final SegmentMap map = SegmentMap.parse(
            "version=3\nsegments=2\n" +
            "segment.0.hosts=localhost,localhost,localhost\nsegment.0.base-port=" + env.basePort() + "\n" +
            "segment.0.instruments=1-99\n" +
            "segment.1.hosts=localhost\nsegment.1.base-port=" + segment1BasePort + "\n" +
            "segment.1.instruments=100-199\n");
        final Gateway gateway = env.startGateway((config) -> config.clusterEndpoints(null).segmentMap(map)
            .metricsPort(FreePorts.tcpPort()));
        assertTrue(gateway.isSegmentAvailable(0) && gateway.isSegmentAvailable(1));
        env.await(gateway::isReady, 10_000, "gateway ready with both segments");
        final String metrics = scrape(gateway.metricsPort());
        assertTrue(metrics.contains("keel_gateway_segment_available{segment=\"0\"} 1") &&
            metrics.contains("keel_gateway_segment_available{segment=\"1\"} 1") &&
            metrics.contains("keel_gateway_segment_map_version 3"), metrics);

        final Recorder recorder = new Recorder();
        // A heartbeat the test's pauses (a node starting, a loaded machine) cannot miss: the session stays one connection.
        final KeelClient client = env.client(env.clientContext(1, recorder).maxUnavailableRetries(1_000)
            .heartbeatIntervalMs(5_000));
        assertEquals(2, client.segments());
        final long[] clOrdId = {1};
        // One market-data feed merged from both segments' egress.
        client.subscribe(GatewayTestEnv.INSTRUMENT, true);
        client.subscribe(SEGMENT_1_INSTRUMENT, true);
        env.pollUntil(() -> recorder.snapshots.size() == 2, 20_000, "a book snapshot from each segment", client);

        // Both segments, before the fault.
        for (int i = 0; i < 10; i++)
        {
            assertTrue(client.newOrder(clOrdId[0]++, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT,
                TimeInForce.GTC, PRICE, 1));
            sendSegment1(client, recorder, clOrdId[0]++);
        }
        env.pollUntil(() -> client.inFlight() == 0, 20_000, "first orders answered", client);
        env.pollUntil(() -> recorder.bookUpdates.getOrDefault(GatewayTestEnv.INSTRUMENT, 0) > 0 &&
            recorder.bookUpdates.getOrDefault(SEGMENT_1_INSTRUMENT, 0) > 0, 20_000, "book updates of both", client);

        // Segment 0 loses its leader, and a follower with it: no quorum, so certainly no leader until the follower is
        // back. Segment 1 goes on meanwhile.
        final KeelNode leader = env.cluster().awaitLeader(10_000);
        final int follower = (leader.memberId() + 1) % 3;
        final int survivor = (leader.memberId() + 2) % 3;
        env.cluster().stopNode(leader.memberId());
        env.cluster().stopNode(follower);
        final long killNs = System.nanoTime();
        final long restartAtNs = killNs + TimeUnit.MILLISECONDS.toNanos(2_500);
        long windowEndNs = 0;
        Thread restart = null;
        recorder.segment0ClOrdIdFrom = clOrdId[0];
        int segment0Sent = 0;
        boolean sawNotReady = false;
        long nextSendNs = System.nanoTime();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (windowEndNs == 0 || recorder.firstSegment0AnswerAfterNs == 0 || client.inFlight() > 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "segment 0 did not recover: in flight " + client.inFlight());
            if (windowEndNs == 0 && System.nanoTime() - restartAtNs >= 0)
            {
                windowEndNs = System.nanoTime();
                // On a thread of its own: the client goes on polling and trading while the node starts.
                restart = new Thread(() -> env.cluster().startNode(follower, false), "restart-follower");
                restart.start();
            }
            if (System.nanoTime() - nextSendNs >= 0)
            {
                nextSendNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                sendSegment1(client, recorder, clOrdId[0]++);
                if (segment0Sent < 5)
                {
                    // Unanswered or refused UNAVAILABLE while segment 0 has no leader; the client sends it again until
                    // it is taken.
                    client.newOrder(clOrdId[0]++, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT,
                        TimeInForce.GTC, PRICE, 1);
                    segment0Sent++;
                }
            }
            sawNotReady |= !gateway.isReady();
            if (client.poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        joinQuietly(restart);
        final long outageEndNs = recorder.firstSegment0AnswerAfterNs;
        long duringOutage = 0;
        for (final long arrivalNs : recorder.segment1ArrivalsNs)
        {
            duringOutage += arrivalNs > killNs && arrivalNs < windowEndNs ? 1 : 0;
        }
        long slowest = 0;
        for (final long answerNs : recorder.segment1AnswerNs)
        {
            slowest = Math.max(slowest, answerNs);
        }
        System.out.println("segments: segment 0 without a quorum for " +
            TimeUnit.NANOSECONDS.toMillis(windowEndNs - killNs) + " ms, without an answer for " +
            TimeUnit.NANOSECONDS.toMillis(outageEndNs - killNs) + " ms; segment 1 answered " + duringOutage +
            " orders meanwhile, slowest in " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms; gateway unavailable=" +
            gateway.unavailableRejects());
        assertTrue(outageEndNs - windowEndNs > 0, "segment 0 answered while it had no quorum");
        assertTrue(duringOutage >= 20, "segment 1 answered only " + duringOutage + " orders while segment 0 had none");
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(2), "a segment 1 order took " + slowest / 1_000_000 + " ms");
        assertTrue(sawNotReady, "/health said not ready while segment 0 had no leader (degraded)");

        // Both segments again, and an account query answered by each.
        for (int i = 0; i < 10; i++)
        {
            assertTrue(client.newOrder(clOrdId[0]++, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT,
                TimeInForce.GTC, PRICE, 1));
            sendSegment1(client, recorder, clOrdId[0]++);
        }
        env.pollUntil(() -> client.inFlight() == 0, 20_000, "last orders answered", client);
        client.accountStatus(77);
        env.pollUntil(() -> recorder.accountSegments.size() == 2, 20_000, "an account answer per segment", client);

        resumeAcrossSegments();

        // The hot path of a segment other than 0 (routing by instrument, the seqNo composed in the connection's
        // buffer) allocates nothing per message either.
        final KeelClient quiet = env.client(env.clientContext(4, new Recorder()).heartbeatIntervalMs(10_000));
        final long allocated = env.gatewayThreadAllocation(gateway, quiet, SEGMENT_1_INSTRUMENT + 1);
        System.out.println("segments: gateway thread allocated " + allocated + " bytes over 2000 segment 1 orders");
        // One allocation per message would be at least 16 B x 4000 messages = 64 KB; two cluster sessions' and the
        // driver's timers allocate a few KB now and then, not per message (2-6 KB measured).
        assertTrue(allocated < 32_000, "allocated " + allocated + " bytes for 2000 orders and their reports");
        quiet.logout();

        // Every report once, in order, none missing: as each segment's engine numbered the session's reports.
        final Map<Integer, List<Long>> delivered = recorder.delivered;
        final long sessionId = Session.sessionIdOf("trader1");
        final Engine[] engines = env.stopClusterAndInspect();
        final long segment0Count = engines[survivor].sessionNextSeqNo(sessionId) - 1;
        segment1.close();
        final long segment1Count = segment1.node(0).service().engine().sessionNextSeqNo(sessionId) - 1;
        assertNull(checkSegment(0, delivered.get(0), segment0Count));
        assertNull(checkSegment(1, delivered.get(1), segment1Count));
        assertTrue(segment0Count >= 26 && segment1Count >= 30, segment0Count + " / " + segment1Count);

        // The checker catches a report lost on the way, one delivered twice, and one out of order.
        final List<Long> dropped = new ArrayList<>(delivered.get(1));
        dropped.remove(dropped.size() / 2);
        assertNotNull(checkSegment(1, dropped, segment1Count));
        final List<Long> doubled = new ArrayList<>(delivered.get(1));
        doubled.set(3, doubled.get(2));
        assertNotNull(checkSegment(1, doubled, segment1Count));
        final List<Long> swapped = new ArrayList<>(delivered.get(0));
        swapped.set(0, delivered.get(0).get(1));
        swapped.set(1, delivered.get(0).get(0));
        assertNotNull(checkSegment(0, swapped, segment0Count));
    }

    /**
     * trader2 rests an order in each segment and goes away; trader3 fills both; trader2 resumes on a new client from
     * the numbers it stored and gets both fills, each segment's from where it stopped.
     */
    private void resumeAcrossSegments()
    {
        final Recorder maker = new Recorder();
        final KeelClient first = env.client(env.clientContext(2, maker));
        first.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, PRICE + 50, 1);
        first.newOrder(2, SEGMENT_1_INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, PRICE + 50, 1);
        env.pollUntil(() -> first.inFlight() == 0, 20_000, "maker's orders answered", first);
        final long[] stored = first.nextExpectedSeqNos();
        assertEquals(2, stored.length, "a number per segment");
        first.logout();
        first.close();

        final KeelClient taker = env.client(env.clientContext(3, new Recorder()));
        taker.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.IOC, PRICE + 50, 1);
        taker.newOrder(2, SEGMENT_1_INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.IOC, PRICE + 50, 1);
        env.pollUntil(() -> taker.inFlight() == 0, 20_000, "taker's orders answered", taker);

        final Recorder resumed = new Recorder();
        final KeelClient second = env.client(env.clientContext(2, resumed).nextExpectedSeqNos(stored));
        env.pollUntil(() -> resumed.fills.size() == 2, 20_000, "both fills missed while away", second);
        final Set<Long> expected = new HashSet<>();
        for (final long seqNo : stored)
        {
            expected.add(seqNo);
        }
        assertEquals(expected, new HashSet<>(resumed.fills), "each segment's fill, from where the client stopped");
        second.logout();
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(30_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String scrape(final int port)
    {
        try
        {
            return java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("scrape failed", ex);
        }
    }

    private void sendSegment1(final KeelClient client, final Recorder recorder, final long clOrdId)
    {
        recorder.segment1SentNs.put(clOrdId, System.nanoTime());
        assertTrue(client.newOrder(clOrdId, SEGMENT_1_INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, PRICE, 1));
    }

    private int segment1BasePort;

    private void startSegment1()
    {
        segment1Dir = new File("target/gateway-tests/segment-1-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(segment1Dir, "segment 1 dir");
        segment1BasePort = FreePorts.clusterBasePort(1);
        segment1 = EmbeddedCluster.launch(1, new File(segment1Dir, "cluster"), segment1BasePort, IdleProfile.BACKOFF,
            (config) -> config.heartbeatTimeoutMs(1_500).stateCheckIntervalMs(250));
        segment1.awaitLeader(20_000);
        admin1 = new ClusterCommandSession(segment1.ingressEndpoints(),
            Principal.adminCredentials("test", Principal.DEV_SECRET), new File(segment1Dir, "admin-aeron"),
            IdleProfile.BACKOFF, (buffer, offset, length) -> admin1Responses++).connect();
        long correlationId = 1;
        for (int instrument = SEGMENT_1_INSTRUMENT; instrument <= SEGMENT_1_INSTRUMENT + 1; instrument++)
        {
            admin1.addInstrument(correlationId++, instrument, GatewayTestEnv.BASE, GatewayTestEnv.QUOTE, 1, 1,
                GatewayTestEnv.REFERENCE_PRICE, 5_000, 1_000);
        }
        for (int account = 1; account <= 4; account++)
        {
            admin1.createAccount(correlationId++, account);
            admin1.deposit(correlationId++, account, GatewayTestEnv.QUOTE, GatewayTestEnv.INITIAL_QUOTE);
            admin1.deposit(correlationId++, account, GatewayTestEnv.BASE, GatewayTestEnv.INITIAL_BASE);
        }
        final long expected = correlationId - 1;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (admin1Responses < expected)
        {
            assertTrue(System.nanoTime() - deadline < 0, "segment 1 set up: " + admin1Responses + " of " + expected);
            admin1.poll();
            GatewayTestEnv.sleep(5);
        }
    }
}
