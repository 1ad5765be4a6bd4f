package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.engine.Events.Exec;
import io.keel.engine.TestBed.Level;
import io.keel.engine.TestBed.Resting;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static io.keel.engine.TestBed.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Self-trade prevention, always in the taker's mode.
 */
class SelfTradePreventionTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 100_000, 1_000)
        .account(BOB, 100_000, 1_000);

    @Test
    void shouldTradeWithOwnOrderWhenPreventionIsNone()
    {
        bed.sell(ALICE, 11, 100, 5);

        bed.order(ALICE, 12).buy(100, 5).send();

        assertEquals(2, bed.events.reports(ExecType.TRADE).size());
        assertEquals(100_000, bed.balance(ALICE, USD));
        assertEquals(1_000, bed.balance(ALICE, BTC));
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(0, bed.reserved(ALICE, BTC));
        assertEquals(100, bed.engine.referencePrice(BTC_USD));
    }

    @Test
    void shouldUseTakersModeNotMakers()
    {
        bed.order(ALICE, 11).sell(100, 5).stp(SelfTradePrevention.CANCEL_TAKER).send();

        bed.order(ALICE, 12).buy(100, 5).stp(SelfTradePrevention.NONE).send();

        assertEquals(2, bed.events.reports(ExecType.TRADE).size());
    }

    @Test
    void shouldCancelTakerAfterFillsAheadOfOwnOrderForCancelTaker()
    {
        bed.sell(BOB, 21, 100, 3);
        final long own = bed.sell(ALICE, 11, 100, 5);
        bed.sell(BOB, 22, 100, 4);

        final long taker = bed.order(ALICE, 12).buy(100, 10).stp(SelfTradePrevention.CANCEL_TAKER).send();

        assertEquals("NEW PRINT TRADE TRADE BOOK CANCELED", bed.events.shape());
        final Exec canceled = bed.events.lastReport();
        assertEquals(taker, canceled.orderId());
        assertEquals(OrdStatus.CANCELED, canceled.ordStatus());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, canceled.rejectReason());
        assertEquals(3, canceled.cumQty());
        assertEquals(List.of(new Level(100, 9, 2)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(own, bed.orderIds(BTC_USD, Side.SELL).get(0));
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(5, bed.reserved(ALICE, BTC));
    }

    @Test
    void shouldCancelOwnMakerAndKeepTradingForCancelMaker()
    {
        final long own = bed.sell(ALICE, 11, 100, 5);
        final long bobs = bed.sell(BOB, 21, 100, 5);

        final long taker = bed.order(ALICE, 12).buy(100, 5).stp(SelfTradePrevention.CANCEL_MAKER).send();

        assertEquals("NEW CANCELED PRINT TRADE TRADE BOOK", bed.events.shape());
        final Exec canceled = bed.events.reports(ExecType.CANCELED).get(0);
        assertEquals(own, canceled.orderId());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, canceled.rejectReason());
        final List<Exec> trades = bed.events.reports(ExecType.TRADE);
        assertEquals(taker, trades.get(0).orderId());
        assertEquals(bobs, trades.get(1).orderId());
        assertEquals(OrdStatus.FILLED, trades.get(0).ordStatus());
        assertEquals(0, bed.levels(BTC_USD, Side.SELL).size());
        assertEquals(0, bed.reserved(ALICE, BTC));
        assertEquals(1_005, bed.balance(ALICE, BTC));
    }

    @Test
    void shouldReportCanceledOrdStatusForMakerCanceledBySelfTradePrevention()
    {
        final long own = bed.sell(ALICE, 11, 100, 5);

        bed.order(ALICE, 12).buy(100, 5).stp(SelfTradePrevention.CANCEL_MAKER).send();

        final Exec canceled = bed.events.reportsForOrder(own).get(0);
        assertEquals(ExecType.CANCELED, canceled.execType());
        assertEquals(OrdStatus.CANCELED, canceled.ordStatus(), "a CANCELED execution must carry OrdStatus CANCELED: " + canceled);
    }

    @Test
    void shouldReportCanceledOrdStatusForPartlyFilledMakerDecrementedToNothing()
    {
        final long own = bed.sell(ALICE, 11, 100, 5);
        bed.buy(BOB, 21, 100, 2);

        bed.order(ALICE, 12).buy(100, 3).stp(SelfTradePrevention.DECREMENT_AND_CANCEL).send();

        final Exec canceled = bed.events.reportsForOrder(own).get(0);
        assertEquals(ExecType.CANCELED, canceled.execType());
        assertEquals(OrdStatus.CANCELED, canceled.ordStatus(), "a CANCELED execution must carry OrdStatus CANCELED: " + canceled);
    }

    @Test
    void shouldCancelBothOwnMakerAndTakerForCancelBoth()
    {
        bed.sell(BOB, 21, 99, 2);
        final long own = bed.sell(ALICE, 11, 100, 5);
        final long bobs = bed.sell(BOB, 22, 100, 5);

        final long taker = bed.order(ALICE, 12).buy(100, 10).stp(SelfTradePrevention.CANCEL_BOTH).send();

        assertEquals("NEW PRINT TRADE TRADE BOOK CANCELED BOOK CANCELED", bed.events.shape());
        final List<Exec> canceled = bed.events.reports(ExecType.CANCELED);
        assertEquals(own, canceled.get(0).orderId());
        assertEquals(taker, canceled.get(1).orderId());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, canceled.get(0).rejectReason());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, canceled.get(1).rejectReason());
        assertEquals(2, canceled.get(1).cumQty());
        assertEquals(List.of(bobs), bed.orderIds(BTC_USD, Side.SELL));
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(0, bed.reserved(ALICE, BTC));
    }

    @Test
    void shouldDecrementBothAndRestTakerSurvivorForDecrementAndCancel()
    {
        final long own = bed.sell(ALICE, 11, 100, 5);

        final long taker = bed.order(ALICE, 12).buy(100, 8).stp(SelfTradePrevention.DECREMENT_AND_CANCEL).send();

        assertEquals("NEW CANCELED RESTATED BOOK BOOK", bed.events.shape());
        final Exec makerCanceled = bed.events.reports(ExecType.CANCELED).get(0);
        assertEquals(own, makerCanceled.orderId());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, makerCanceled.rejectReason());
        final Exec restated = bed.events.reports(ExecType.RESTATED).get(0);
        assertEquals(taker, restated.orderId());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, restated.rejectReason());
        assertEquals(3, restated.quantity());
        assertEquals(3, restated.leavesQty());
        assertEquals(0, bed.events.reports(ExecType.TRADE).size());
        assertEquals(List.of(new Resting(taker, 12, ALICE, sessionOf(ALICE), 100, 3, 3)), bed.book(BTC_USD, Side.BUY));
        assertEquals(300, bed.reserved(ALICE, USD));
        assertEquals(0, bed.reserved(ALICE, BTC));
        assertEquals(100_000, bed.balance(ALICE, USD));
        assertEquals(1_000, bed.balance(ALICE, BTC));
    }

    @Test
    void shouldRestateDecrementedMakerAndCancelExhaustedTakerForDecrementAndCancel()
    {
        final long own = bed.sell(ALICE, 11, 100, 8);

        final long taker = bed.order(ALICE, 12).buy(100, 5).stp(SelfTradePrevention.DECREMENT_AND_CANCEL).send();

        assertEquals("NEW RESTATED BOOK CANCELED", bed.events.shape());
        final Exec restated = bed.events.reports(ExecType.RESTATED).get(0);
        assertEquals(own, restated.orderId());
        assertEquals(3, restated.quantity());
        assertEquals(3, restated.leavesQty());
        final Exec canceled = bed.events.lastReport();
        assertEquals(taker, canceled.orderId());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, canceled.rejectReason());
        assertEquals(List.of(new Level(100, 3, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(3, bed.reserved(ALICE, BTC));
        assertEquals(0, bed.reserved(ALICE, USD));
    }

    @Test
    void shouldExpireFokWhenOwnOrderStandsInTheWay()
    {
        bed.sell(ALICE, 11, 100, 5);
        bed.sell(BOB, 21, 100, 5);

        bed.order(ALICE, 12).buy(100, 5).fok().stp(SelfTradePrevention.CANCEL_TAKER).send();

        assertEquals(RejectReason.FOK_NOT_FILLABLE, bed.events.onlyReport().rejectReason());
        assertEquals(List.of(new Level(100, 10, 2)), bed.levels(BTC_USD, Side.SELL));
    }

    @Test
    void shouldFillFokPastOwnOrdersForCancelMakerWhenOthersSuffice()
    {
        final long own = bed.sell(ALICE, 11, 100, 5);
        bed.sell(BOB, 21, 100, 5);

        final long taker = bed.order(ALICE, 12).buy(100, 5).fok().stp(SelfTradePrevention.CANCEL_MAKER).send();

        assertEquals(own, bed.events.reports(ExecType.CANCELED).get(0).orderId());
        final List<Exec> mine = bed.events.reportsForOrder(taker);
        assertEquals(OrdStatus.FILLED, mine.get(mine.size() - 1).ordStatus());
        assertEquals(0, bed.levels(BTC_USD, Side.SELL).size());
    }

    @Test
    void shouldExpireFokForCancelMakerWhenOthersDoNotSuffice()
    {
        bed.sell(ALICE, 11, 100, 5);
        bed.sell(BOB, 21, 100, 3);

        bed.order(ALICE, 12).buy(100, 5).fok().stp(SelfTradePrevention.CANCEL_MAKER).send();

        assertEquals(RejectReason.FOK_NOT_FILLABLE, bed.events.onlyReport().rejectReason());
        assertEquals(List.of(new Level(100, 8, 2)), bed.levels(BTC_USD, Side.SELL), "nothing cancelled by an expired FOK");
    }

    @Test
    void shouldCancelMarketTakerWithSelfTradePreventedReason()
    {
        bed.sell(ALICE, 11, 100, 5);

        bed.order(ALICE, 12).marketBuy(5).stp(SelfTradePrevention.CANCEL_TAKER).send();

        assertEquals("NEW CANCELED", bed.events.shape());
        assertEquals(RejectReason.SELF_TRADE_PREVENTED, bed.events.lastReport().rejectReason());
    }

    @Test
    void shouldRejectUnknownSelfTradePreventionMode()
    {
        bed.order(ALICE, 12).buy(100, 5).stp(SelfTradePrevention.NULL_VAL).send();

        assertEquals(RejectReason.INVALID_SELF_TRADE_PREVENTION, bed.events.onlyReport().rejectReason());
        assertEquals(ExecType.REJECTED, bed.events.onlyReport().execType());
    }
}
