package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.CancelReject;
import io.keel.engine.Events.Exec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotency is per account and bounded by cluster time, not by the other accounts' traffic: a
 * resend within the horizon gets the original outcome however busy the engine is, a live order is
 * found by its clOrdId however old, a repeat costs a probe or two and never a scan, and at the bound
 * on records a request is refused rather than a young record forgotten.
 */
class IdempotencyHorizonTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final long CAROL = 3;
    /** Other accounts: the even ones funded, the odd ones not. */
    private static final long FIRST_OTHER = 1_000;
    private static final int OTHERS = 1_000;

    private long otherRequests;

    /**
     * Other accounts' requests, all of them remembered: IOC buys far below the book from funded
     * accounts (NEW, then CANCELED) and buys from empty ones (INSUFFICIENT_FUNDS). Straight to the
     * engine, with {@code requestsPerMs} to a millisecond of cluster time.
     */
    private void flood(final TestBed bed, final int requests, final int requestsPerMs)
    {
        // The flood's millions of reports are not what these tests look at.
        final RecordingListener ignored = new RecordingListener();
        bed.engine.listener(ignored);
        for (int i = 0; i < requests; i++)
        {
            final long n = otherRequests++;
            final long account = FIRST_OTHER + n % OTHERS;
            if (n % requestsPerMs == 0)
            {
                bed.time++;
            }
            bed.engine.newOrder(
                account, account, n + 1, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, false, SelfTradePrevention.NONE,
                1, 1, 0, bed.time);
            ignored.clear();
        }
        bed.engine.listener(bed.events);
        bed.engine.verifyInvariants();
    }

    private static TestBed withOthers(final TestBed bed)
    {
        for (long account = FIRST_OTHER; account < FIRST_OTHER + OTHERS; account++)
        {
            bed.account(account, account % 2 == 0 ? 1_000_000 : 0, 0);
        }
        return bed;
    }

    @Test
    void shouldAnswerResendWithOriginalOutcomeAfter300kOtherAccountsRequestsWithinTheHorizon()
    {
        final TestBed bed = withOthers(TestBed.create().account(ALICE, 1_000, 0).account(BOB, 0, 100));
        bed.sell(BOB, 1, 100, 10);
        final long filled = bed.buy(ALICE, 7, 100, 10);
        assertEquals(OrdStatus.FILLED, bed.events.lastReport().ordStatus());
        bed.buy(ALICE, 8, 100, 10);
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.events.onlyReport().rejectReason());
        final long sentAt = bed.time;

        flood(bed, 300_000, 10);
        bed.deposit(ALICE, USD, 1_000_000);
        bed.sell(BOB, 2, 100, 10);
        assertTrue(bed.time - sentAt < EngineContext.IDEMPOTENCY_HORIZON_MS_DEFAULT, "within the horizon");
        assertTrue(bed.engine.window.size() > 300_000, "every request of the last minute is kept");

        bed.buy(ALICE, 7, 100, 10);
        final Exec again = bed.events.onlyReport();
        assertEquals(ExecType.ORDER_STATUS, again.execType());
        assertEquals(OrdStatus.FILLED, again.ordStatus());
        assertEquals(filled, again.orderId());
        assertEquals(10, again.cumQty());
        assertEquals(10, bed.balance(ALICE, BTC), "no second order, no second fill");

        bed.buy(ALICE, 8, 100, 10);
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.events.onlyReport().rejectReason(), "the original outcome, not a new one");
        assertEquals(1, bed.engine.openOrderCount(), "only Bob's second sell rests");
    }

    @Test
    void shouldCancelReplaceAndQueryByOrigClOrdIdAnOrderOlderThanAMillionOtherRequests()
    {
        final TestBed bed = withOthers(TestBed.create().account(ALICE, 1_000_000, 0));
        final long first = bed.buy(ALICE, 5, 90, 3);
        final long second = bed.buy(ALICE, 6, 80, 3);
        final long sentAt = bed.time;

        flood(bed, 1_000_000, 10);
        assertTrue(bed.time - sentAt > EngineContext.IDEMPOTENCY_HORIZON_MS_DEFAULT, "older than the horizon");
        assertTrue(bed.engine.window.size() <= EngineContext.IDEMPOTENCY_HORIZON_MS_DEFAULT * 10 + 10,
            "records older than the horizon are gone: " + bed.engine.window.size());

        bed.cancelByClOrdId(ALICE, 9, 5);
        final Exec canceled = bed.events.onlyReport();
        assertEquals(ExecType.CANCELED, canceled.execType());
        assertEquals(first, canceled.orderId());

        bed.events.clear();
        bed.engine.replaceOrder(TestBed.sessionOf(ALICE), ALICE, 10, 6, 0, 0, 81, 3, bed.tick());
        final Exec replaced = bed.events.onlyReport();
        assertEquals(ExecType.REPLACED, replaced.execType());
        assertEquals(second, replaced.orderId());
        assertEquals(81, bed.engine.bestPrice(BTC_USD, Side.BUY));

        bed.events.clear();
        bed.engine.orderStatus(TestBed.sessionOf(ALICE), ALICE, 10, 0, bed.tick());
        assertEquals(OrdStatus.NEW, bed.events.onlyReport().ordStatus());
        assertEquals(second, bed.events.onlyReport().orderId());
    }

    @Test
    void shouldAnswerARepeatWithAFewProbesNotAScan()
    {
        final TestBed bed = withOthers(TestBed.create().account(ALICE, 1_000_000, 0));
        // Alice's record in the middle: a scan from either end would pass 100,000 others.
        flood(bed, 100_000, 10);
        bed.order(ALICE, 40).buy(1, 1).ioc().send();
        flood(bed, 100_000, 10);
        bed.buy(ALICE, 50, 90, 1);
        final int kept = bed.engine.window.size();

        final long before = bed.engine.window.probes();
        bed.order(ALICE, 40).buy(1, 1).ioc().send();
        final long probes = bed.engine.window.probes() - before;

        assertEquals(OrdStatus.CANCELED, bed.events.onlyReport().ordStatus());
        assertTrue(probes <= 8, "a repeat probes the index, whatever it holds: " + probes + " probes over " + kept + " records");

        final long beforeLive = bed.engine.window.probes();
        bed.buy(ALICE, 50, 90, 1);
        assertEquals(ExecType.ORDER_STATUS, bed.events.onlyReport().execType());
        assertEquals(beforeLive, bed.engine.window.probes(), "a live order's clOrdId is answered by the order index alone");
    }

    @Test
    void shouldRefuseRequestsAtTheBoundRatherThanForgetAYoungRecord()
    {
        final List<Events.Event> first = boundScenario();
        final List<Events.Event> second = boundScenario();

        assertEquals(first, second, "the same refusals on every node");
    }

    private static List<Events.Event> boundScenario()
    {
        final TestBed bed = TestBed.create(new EngineContext().maxClOrdIds(3).idempotencyHorizonMs(1_000))
            .account(ALICE, 100_000, 0).account(BOB, 100_000, 0).account(CAROL, 100_000, 0);
        final List<Events.Event> all = new ArrayList<>();
        final long aliceOrder = bed.buy(ALICE, 1, 90, 1);
        final long start = bed.time;
        bed.buy(BOB, 1, 90, 1);
        bed.buy(ALICE, 2, 0, 1);
        assertEquals(3, bed.engine.window.size());

        bed.buy(CAROL, 1, 90, 1);
        final Exec refused = bed.events.onlyReport();
        all.addAll(bed.events.events());
        assertEquals(ExecType.REJECTED, refused.execType());
        assertEquals(RejectReason.THROTTLED, refused.rejectReason());
        assertEquals(2, bed.engine.openOrderCount());
        assertEquals(0, bed.reserved(CAROL, USD));

        bed.buy(ALICE, 2, 0, 1);
        assertEquals(RejectReason.INVALID_PRICE, bed.events.onlyReport().rejectReason(), "a repeat is still answered");
        all.addAll(bed.events.events());

        bed.replace(ALICE, 3, aliceOrder, 91, 1);
        final CancelReject replaceRefused = bed.events.only(CancelReject.class);
        all.addAll(bed.events.events());
        assertEquals(CancelRejectResponseTo.REPLACE, replaceRefused.responseTo());
        assertEquals(RejectReason.THROTTLED, replaceRefused.reason());
        assertEquals(90, bed.engine.bestPrice(BTC_USD, Side.BUY), "the order is unchanged");

        bed.at(start + 998).buy(CAROL, 1, 90, 1);
        assertEquals(RejectReason.THROTTLED, bed.events.onlyReport().rejectReason(), "every record still younger than the horizon");
        all.addAll(bed.events.events());

        bed.buy(CAROL, 1, 90, 1);
        assertEquals(ExecType.NEW, bed.events.onlyReport().execType(), "the oldest record is a horizon old: room again");
        all.addAll(bed.events.events());
        bed.buy(ALICE, 1, 90, 1);
        assertEquals(ExecType.ORDER_STATUS, bed.events.onlyReport().execType(), "a live order's clOrdId is still known");
        assertEquals(3, bed.engine.openOrderCount());
        all.addAll(bed.events.events());
        return all;
    }

    @Test
    void shouldRestoreRecordsLimitsAndLinksFromSnapshot()
    {
        final TestBed live = TestBed.create(new EngineContext().maxClOrdIds(5).idempotencyHorizonMs(500))
            .account(ALICE, 100_000, 0).account(BOB, 0, 100);
        final long order = live.buy(ALICE, 11, 90, 10);
        live.replace(ALICE, 12, order, 91, 10);
        live.replace(ALICE, 13, order, 92, 10);
        live.buy(BOB, 21, 0, 1);
        final long at = live.time;

        final RecordingListener restoredEvents = new RecordingListener();
        final Engine restored = new Engine(restoredEvents);
        Snapshots.load(Snapshots.of(live.engine), restored);

        assertEquals(live.engine.stateHash(), restored.stateHash());
        assertEquals(500, restored.window.horizon(), "the snapshot's limits win over the node's options");
        assertEquals(5, restored.window.capacity());
        final List<java.util.function.Consumer<Engine>> commands = List.of(
            e -> e.newOrder(102, BOB, 22, BTC_USD, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 92, 10, 0, at + 1),
            e -> e.newOrder(101, ALICE, 11, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 90, 10, 0, at + 2),
            e -> e.newOrder(101, ALICE, 12, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 90, 10, 0, at + 3),
            e -> e.newOrder(102, BOB, 23, BTC_USD, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 95, 1, 0, at + 4),
            e -> e.newOrder(101, ALICE, 14, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 90, 1, 0, at + 5),
            e -> e.newOrder(101, ALICE, 14, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 90, 1, 0, at + 600),
            e -> e.newOrder(101, ALICE, 11, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 90, 1, 0, at + 601));
        final List<Events.Event> seen = new ArrayList<>();
        for (final java.util.function.Consumer<Engine> command : commands)
        {
            live.events.clear();
            restoredEvents.clear();
            command.accept(live.engine);
            command.accept(restored);
            assertEquals(live.events.events(), restoredEvents.events());
            assertEquals(live.engine.stateHash(), restored.stateHash());
            seen.addAll(restoredEvents.events());
        }
        final List<Exec> reports = seen.stream().filter(Exec.class::isInstance).map(Exec.class::cast).toList();
        assertTrue(reports.stream().anyMatch((r) -> r.clOrdId() == 11 && r.orderId() == order &&
            r.execType() == ExecType.ORDER_STATUS && r.ordStatus() == OrdStatus.FILLED),
            "an old clOrdId of an order replaced, then filled after the load, says FILLED: " + reports);
        assertTrue(reports.stream().anyMatch((r) -> r.rejectReason() == RejectReason.THROTTLED),
            "the bound is reached after the load too: " + reports);
    }

    @Test
    void shouldLoadASnapshotWrittenBeforeTheHorizonWithTheNodesLimits()
    {
        final TestBed live = TestBed.create().account(ALICE, 100_000, 0);
        live.buy(ALICE, 11, 0, 1);
        live.onTime(live.time + 50);
        final List<byte[]> messages = Snapshots.of(live.engine);
        for (final byte[] message : messages)
        {
            final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(message);
            final io.keel.codecs.MessageHeaderEncoder header = new io.keel.codecs.MessageHeaderEncoder().wrap(buffer, 0);
            if (new io.keel.codecs.MessageHeaderDecoder().wrap(buffer, 0).templateId() ==
                io.keel.codecs.SnapshotClOrdIdsDecoder.TEMPLATE_ID)
            {
                header.version(2);
            }
        }
        final RecordingListener events = new RecordingListener();
        final Engine restored = new Engine(new EngineContext().idempotencyHorizonMs(100), events);

        Snapshots.load(messages, restored);

        assertEquals(100, restored.window.horizon());
        assertEquals(live.engine.lastTime(), restored.window.time(restored.window.rowAt(0)), "kept a horizon from the snapshot");
        restored.newOrder(101, ALICE, 11, BTC_USD, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false, SelfTradePrevention.NONE,
            90, 1, 0, restored.lastTime() + 99);
        assertEquals(RejectReason.INVALID_PRICE, events.onlyReport().rejectReason(), "still a repeat");
    }
}
