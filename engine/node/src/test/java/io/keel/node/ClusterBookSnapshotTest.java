package io.keel.node;

import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.ExecType;
import io.keel.codecs.L2Book;
import io.keel.codecs.MarketDataRequestEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import io.keel.engine.Engine;
import io.keel.engine.StateHash;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A book far deeper than the egress's largest message, snapshot through the log on a real three-member cluster: every
 * node emits the same pages, the leader sends them all without a throw, no node halts or diverges, the state
 * hashes agree, and the gateway's pages reassemble to the whole book. Before snapshots were paged, a book of 30,000
 * levels (630 KB in one message; a gateway's egress takes 512 KB, this test client's 128 KB) made the leader alone
 * throw while offering it, and one of 100,000 levels could not even be encoded (an SBE group counts to 65,535):
 * every node threw.
 */
class ClusterBookSnapshotTest
{
    private static final int INSTRUMENT = 9;
    private static final long ACCOUNT = 1;
    private static final int GATEWAY = 1;
    private static final long LOWEST_BID = 400_000;
    private static final long HIGHEST_ASK = 600_000;
    /**
     * Orders sent ahead of the slowest member at most (about 260 KB of log, half the log term's window): a follower
     * starved of CPU for longer than the leader takes to fill the window falls out of the live log and catches up
     * through an election (Raft at work, but not this test's subject).
     */
    private static final int ORDERS_AHEAD = 2_000;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    /**
     * What one node's engine emitted as market data: the last BookUpdate's mdSeqNo (how far it has applied the
     * orders), and the book snapshot pages, how many and a hash of their bytes in order.
     */
    private static final class NodeTap implements OutputSink
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final BookUpdateDecoder update = new BookUpdateDecoder();
        private volatile long mdSeqNo;
        private volatile int pages;
        private volatile long hash;

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
            header.wrap(buffer, offset);
            if (header.templateId() == BookUpdateDecoder.TEMPLATE_ID)
            {
                mdSeqNo = update.wrapAndApplyHeader(buffer, offset, header).mdSeqNo();
            }
            else if (header.templateId() == BookSnapshotDecoder.TEMPLATE_ID)
            {
                hash = StateHash.fold(hash, buffer, offset, length);
                pages++;
            }
        }

        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
        }
    }

    @ParameterizedTest(name = "{0} levels")
    @ValueSource(ints = {30_000, 100_000})
    @Timeout(300)
    void shouldSendADeepBookInPagesWithoutHaltingAnyNode(final int levels)
    {
        final int levelsPerSide = levels / 2;
        final int pages = levels / Engine.BOOK_SNAPSHOT_PAGE_LEVELS;
        final NodeTap[] taps = {new NodeTap(), new NodeTap(), new NodeTap()};
        final EmbeddedCluster cluster = harness.launchCluster(3, (config) -> config.marketDataTap(taps[config.memberId()]));
        final KeelNode leader = cluster.awaitLeader(10_000);
        final TestClient admin = harness.admin(cluster.ingressEndpoints());
        admin.adminOk((c) -> admin.client().addInstrument(
            c, INSTRUMENT, ClusterHarness.BASE, ClusterHarness.QUOTE, 1, 1, (LOWEST_BID + HIGHEST_ASK) / 2, 0, 500));
        admin.adminOk((c) -> admin.client().createAccount(c, ACCOUNT));
        admin.adminOk((c) -> admin.client().deposit(c, ACCOUNT, ClusterHarness.QUOTE, 1L << 50));
        admin.adminOk((c) -> admin.client().deposit(c, ACCOUNT, ClusterHarness.BASE, 1L << 40));

        final TestClient gateway = harness.gateway(cluster.ingressEndpoints(), GATEWAY);
        final long startNs = System.nanoTime();
        placeLevels(gateway, admin, taps, levelsPerSide);
        final long placedNs = System.nanoTime();
        System.out.printf("[%s] %,d orders through the log in %,d ms%n", harness.testName(), levels,
            TimeUnit.NANOSECONDS.toMillis(placedNs - startNs));

        final L2Book book = new L2Book(INSTRUMENT);
        final List<L2Book.PageOutcome> outcomes = new ArrayList<>();
        final int[] longest = {0};
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final BookSnapshotDecoder page = new BookSnapshotDecoder();
        gateway.onMarketData((buffer, offset, length) ->
        {
            if (header.wrap(buffer, offset).templateId() == BookSnapshotDecoder.TEMPLATE_ID)
            {
                outcomes.add(book.apply(page.wrapAndApplyHeader(buffer, offset, header)));
                longest[0] = Math.max(longest[0], length);
            }
        });
        requestSnapshot(gateway);
        gateway.pollUntil(() -> outcomes.contains(L2Book.PageOutcome.WHOLE), 60_000, "the whole paged snapshot");
        System.out.printf("[%s] %d pages, the longest %,d bytes, reassembled in %,d ms%n", harness.testName(),
            outcomes.size(), longest[0], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - placedNs));

        assertEquals(pages, outcomes.size(), levels + " levels in pages of 1,000: " + outcomes);
        assertEquals(L2Book.PageOutcome.WHOLE, outcomes.get(pages - 1));
        assertFalse(outcomes.contains(L2Book.PageOutcome.PAGE_MISSING));
        assertEquals(EventEncoder.MAX_BOOK_SNAPSHOT_PAGE_LENGTH, longest[0]);
        assertTrue(longest[0] <= EventEncoder.MAX_OUTPUT_LENGTH);
        assertEquals(levelsPerSide, book.depth(Side.BUY));
        assertEquals(levelsPerSide, book.depth(Side.SELL));
        assertEquals(levels, book.mdSeqNo(), "one BookUpdate per level before the snapshot");
        assertEquals(LOWEST_BID + levelsPerSide - 1, book.price(Side.BUY, 0));
        assertEquals(LOWEST_BID, book.price(Side.BUY, levelsPerSide - 1));
        assertEquals(HIGHEST_ASK - levelsPerSide + 1, book.price(Side.SELL, 0));
        assertEquals(HIGHEST_ASK, book.price(Side.SELL, levelsPerSide - 1));
        for (int i = 0; i < levelsPerSide; i++)
        {
            assertEquals(quantity(levelsPerSide - 1 - i), book.quantity(Side.BUY, i), "bid " + i);
            assertEquals(quantity(levelsPerSide - 1 - i), book.quantity(Side.SELL, i), "ask " + i);
        }

        // Every node applied the request and the commands after it: same hash at one log position, same pages.
        final TestClient.AdminResult hash = admin.requestStateHash();
        StateHashes.awaitEqualAt(hash.logPosition(), hash.value(), 30_000, ClusterReplicationTest.nodeDirs(cluster));
        for (int i = 0; i < 3; i++)
        {
            // One more: the empty page that announced the instrument when it was added.
            assertEquals(pages + 1, taps[i].pages, "member " + i + " emitted every page");
            assertEquals(taps[0].hash, taps[i].hash, "member " + i + " emitted the same pages");
        }

        // Several StateChecks later: the output hash chains still agree, and the leader stayed the leader.
        admin.pollFor(4 * ClusterHarness.STATE_CHECK_INTERVAL_MS);
        final TestClient.AdminResult after = admin.requestStateHash();
        StateHashes.awaitEqualAt(after.logPosition(), after.value(), 30_000, ClusterReplicationTest.nodeDirs(cluster));
        for (int i = 0; i < 3; i++)
        {
            final KeelClusteredService service = cluster.node(i).service();
            assertFalse(service.hasDiverged(), "member " + i + " halted");
            assertEquals(0, service.outputsReplaced(), "member " + i + " replaced an output");
            assertEquals(0, service.outputsOversized(), "member " + i + " held back an output");
        }
        StateHashes.assertConsistentHistory(ClusterReplicationTest.nodeDirs(cluster));
        assertEquals(leader.memberId(), cluster.awaitLeader(1_000).memberId(), "no leader change");
    }

    private static long quantity(final int level)
    {
        return 1 + level % 7;
    }

    /**
     * One resting order per level, each the new best of its side (a cheap insert), sent as a gateway would with
     * many in flight (at most {@link #ORDERS_AHEAD} ahead of the slowest member); returns when every one has its
     * NEW report.
     */
    private static void placeLevels(final TestClient gateway, final TestClient admin, final NodeTap[] taps, final int perSide)
    {
        final long session = SessionIds.clientSessionId(GATEWAY, 1);
        long clOrdId = 1;
        for (int level = 0; level < perSide; level++)
        {
            assertTrue(gateway.limit(session, ACCOUNT, clOrdId++, INSTRUMENT, Side.BUY, LOWEST_BID + level, quantity(level)));
            assertTrue(gateway.limit(session, ACCOUNT, clOrdId++, INSTRUMENT, Side.SELL, HIGHEST_ASK - level, quantity(level)));
            if ((level & 127) == 0)
            {
                final long sent = clOrdId - 1;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true)
                {
                    // Take the egress as it comes (the leader need not queue it); keep the admin session alive.
                    final int work = gateway.poll() + admin.poll();
                    if (work == 0 && slowest(taps) >= sent - ORDERS_AHEAD)
                    {
                        break;
                    }
                    assertTrue(System.nanoTime() - deadline < 0, "a member stopped applying orders");
                    if (work == 0)
                    {
                        ClusterHarness.sleep(1);
                    }
                }
            }
        }
        final long last = clOrdId - 1;
        gateway.pollUntil(() -> gateway.reports().size() >= 2 * perSide, 240_000, "a NEW report for every order");
        assertEquals(ExecType.NEW, gateway.reports().get(gateway.reports().size() - 1).execType());
        assertEquals(last, gateway.reports().get(gateway.reports().size() - 1).clOrdId());
        assertTrue(gateway.reports().stream().allMatch((r) -> r.execType() == ExecType.NEW), "all rest");
    }

    private static long slowest(final NodeTap[] taps)
    {
        long slowest = Long.MAX_VALUE;
        for (final NodeTap tap : taps)
        {
            slowest = Math.min(slowest, tap.mdSeqNo);
        }
        return slowest;
    }

    private static void requestSnapshot(final TestClient gateway)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final MarketDataRequestEncoder request = new MarketDataRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .instrumentId(INSTRUMENT)
            .subscribe(BooleanType.TRUE);
        assertTrue(gateway.client().offer(
            buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + request.encodedLength(), TimeUnit.SECONDS.toNanos(10)));
    }
}
