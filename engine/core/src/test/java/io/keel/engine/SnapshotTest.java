package io.keel.engine;

import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.SnapshotEndEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.ETH;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot, load, state hash.
 */
class SnapshotTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    /**
     * A busy engine: two instruments, resting and partly filled orders of every kind, a halted
     * instrument, clOrdId history, trades that moved the reference price.
     */
    private static TestBed busyBed(final EngineContext context)
    {
        final TestBed bed = TestBed.create(context)
            .instrument(2, ETH, USD, 5, 10, 1_000, 2_000, 300)
            .account(ALICE, 1_000_000, 1_000)
            .account(BOB, 1_000_000, 1_000)
            .account(3, 0, 0);
        bed.deposit(ALICE, ETH, 500);
        bed.sell(ALICE, 11, 101, 10);
        bed.sell(ALICE, 12, 101, 5);
        bed.order(ALICE, 13).sell(103, 7).gtd(9_000).postOnly().send();
        bed.order(BOB, 21).buy(101, 4).stp(SelfTradePrevention.CANCEL_BOTH).send();
        bed.order(BOB, 22).buy(99, 8).gtd(8_000).stp(SelfTradePrevention.DECREMENT_AND_CANCEL).session(999).send();
        bed.buy(BOB, 23, 0, 8);
        bed.order(ALICE, 14).sell(1_050, 20).instrument(2).send();
        bed.order(BOB, 24).buy(950, 30).instrument(2).send();
        bed.replace(BOB, 25, bed.book(2, Side.BUY).get(0).orderId(), 955, 20);
        bed.halt(2);
        return bed;
    }

    @Test
    void shouldRestoreIdenticalStateHashAndBooksFromSnapshot()
    {
        final TestBed live = busyBed(new EngineContext());
        final Engine restored = new Engine(new RecordingListener());

        assertTrue(Snapshots.load(Snapshots.of(live.engine), restored));

        restored.verifyInvariants();
        assertEquals(live.engine.stateHash(), restored.stateHash());
        assertEquals(live.engine.openOrderCount(), restored.openOrderCount());
        assertEquals(live.engine.lastTime(), restored.lastTime());
        assertEquals(live.engine.referencePrice(BTC_USD), restored.referencePrice(BTC_USD));
        assertTrue(restored.isHalted(2));
        assertEquals(live.engine.nextExpiryTime(), restored.nextExpiryTime());
        for (final long account : new long[] {ALICE, BOB, 3})
        {
            for (final int asset : new int[] {USD, TestBed.BTC, ETH})
            {
                assertEquals(live.engine.balance(account, asset), restored.balance(account, asset));
                assertEquals(live.engine.reserved(account, asset), restored.reserved(account, asset));
            }
        }
        assertTrue(restored.hasAccount(3), "an account without balances survives");
        assertEquals(Snapshots.of(live.engine).size(), Snapshots.of(restored).size());
    }

    @Test
    void shouldProduceIdenticalOutputsAfterRestore()
    {
        final TestBed live = busyBed(new EngineContext());
        final RecordingListener restoredEvents = new RecordingListener();
        final Engine restored = new Engine(restoredEvents);
        Snapshots.load(Snapshots.of(live.engine), restored);

        final List<java.util.function.Consumer<Engine>> commands = List.of(
            e -> e.newOrder(101, ALICE, 11, BTC_USD, Side.SELL, io.keel.codecs.OrdType.LIMIT, io.keel.codecs.TimeInForce.GTC,
                false, SelfTradePrevention.NONE, 99, 5, 0, 7_000),
            e -> e.newOrder(102, BOB, 23, BTC_USD, Side.BUY, io.keel.codecs.OrdType.LIMIT, io.keel.codecs.TimeInForce.GTC,
                false, SelfTradePrevention.NONE, 100, 5, 0, 7_001),
            e -> e.newOrder(102, BOB, 26, BTC_USD, Side.SELL, io.keel.codecs.OrdType.MARKET, io.keel.codecs.TimeInForce.IOC,
                false, SelfTradePrevention.CANCEL_MAKER, 0, 30, 0, 7_002),
            e -> e.resume(1, 2, 7_003),
            e -> e.newOrder(101, ALICE, 15, 2, Side.SELL, io.keel.codecs.OrdType.LIMIT, io.keel.codecs.TimeInForce.IOC,
                false, SelfTradePrevention.NONE, 950, 30, 0, 7_004),
            e -> e.onTime(8_500),
            e -> e.massCancel(101, ALICE, 16, io.keel.codecs.MassCancelScope.ACCOUNT, 0, 9_500));
        for (final java.util.function.Consumer<Engine> command : commands)
        {
            live.events.clear();
            restoredEvents.clear();
            command.accept(live.engine);
            command.accept(restored);
            assertEquals(live.events.events(), restoredEvents.events());
            assertEquals(live.engine.stateHash(), restored.stateHash());
        }
    }

    @Test
    void shouldChangeStateHashWithAnyStateChange()
    {
        final TestBed bed = busyBed(new EngineContext());
        final long before = bed.engine.stateHash();
        assertEquals(before, bed.engine.stateHash(), "a pure function of state");

        bed.buy(ALICE, 31, 0, 1);
        final long afterRejection = bed.engine.stateHash();
        assertNotEquals(before, afterRejection, "a rejection is remembered for idempotency");

        bed.resume(2);
        assertNotEquals(afterRejection, bed.engine.stateHash());
    }

    @Test
    void shouldGiveEqualHashesToEnginesThatAppliedTheSameCommands()
    {
        assertEquals(busyBed(new EngineContext()).engine.stateHash(), busyBed(new EngineContext()).engine.stateHash());
    }

    @Test
    void shouldRefuseToLoadIntoNonEmptyEngine()
    {
        final TestBed bed = busyBed(new EngineContext());

        assertThrows(IllegalStateException.class, () -> new SnapshotLoader(bed.engine));
    }

    @Test
    void shouldRejectSnapshotWithWrongMessageCount()
    {
        final List<byte[]> messages = Snapshots.of(busyBed(new EngineContext()).engine);
        final byte[] end = messages.get(messages.size() - 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(end);
        new SnapshotEndEncoder().wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH).messageCount(messages.size() + 3);

        assertThrows(IllegalStateException.class, () -> Snapshots.load(messages, new Engine(new RecordingListener())));
    }

    @Test
    void shouldReportIncompleteSnapshotWithoutEndMarker()
    {
        final List<byte[]> messages = Snapshots.of(busyBed(new EngineContext()).engine);
        messages.remove(messages.size() - 1);

        assertFalse(Snapshots.load(messages, new Engine(new RecordingListener())));
    }

    @Test
    void shouldRejectSnapshotNotStartingWithBegin()
    {
        final List<byte[]> messages = Snapshots.of(busyBed(new EngineContext()).engine);
        messages.remove(0);

        assertThrows(IllegalStateException.class, () -> Snapshots.load(messages, new Engine(new RecordingListener())));
    }

    @Test
    void shouldRestoreDuplicateDetectionAndExpiry()
    {
        final TestBed live = busyBed(new EngineContext());
        final RecordingListener events = new RecordingListener();
        final Engine restored = new Engine(events);
        Snapshots.load(Snapshots.of(live.engine), restored);

        restored.newOrder(1, BOB, 23, BTC_USD, Side.BUY, io.keel.codecs.OrdType.LIMIT, io.keel.codecs.TimeInForce.GTC,
            false, SelfTradePrevention.NONE, 100, 8, 0, 7_500);
        assertEquals(io.keel.codecs.RejectReason.INVALID_PRICE, events.onlyReport().rejectReason());
        events.clear();

        restored.onTime(8_000);
        assertEquals(io.keel.codecs.ExecType.EXPIRED, events.onlyReport().execType());
        restored.verifyInvariants();
    }
}
