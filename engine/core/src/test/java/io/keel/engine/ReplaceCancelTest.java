package io.keel.engine;

import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.engine.Events.CancelReject;
import io.keel.engine.Events.Exec;
import io.keel.engine.Events.MassCancelReport;
import io.keel.engine.TestBed.Level;
import io.keel.engine.TestBed.Resting;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.ETH;
import static io.keel.engine.TestBed.USD;
import static io.keel.engine.TestBed.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replace (priority kept or lost), cancel, mass cancel and cancel-on-disconnect.
 */
class ReplaceCancelTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final long CAROL = 3;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 100_000, 1_000)
        .account(BOB, 100_000, 1_000)
        .account(CAROL, 100_000, 1_000);

    @Test
    void shouldKeepPriorityWhenReplaceReducesQuantity()
    {
        final long first = bed.sell(ALICE, 11, 100, 10);
        final long second = bed.sell(BOB, 21, 100, 10);

        bed.replace(ALICE, 12, first, 100, 6);

        assertEquals("REPLACED BOOK", bed.events.shape());
        assertEquals(List.of(first, second), bed.orderIds(BTC_USD, Side.SELL));
        assertEquals(List.of(new Level(100, 16, 2)), bed.levels(BTC_USD, Side.SELL));

        bed.buy(CAROL, 31, 100, 6);
        assertEquals(first, bed.events.reports(ExecType.TRADE).get(1).orderId());
        assertEquals(List.of(second), bed.orderIds(BTC_USD, Side.SELL));
    }

    @Test
    void shouldLosePriorityWhenReplaceIncreasesQuantity()
    {
        final long first = bed.sell(ALICE, 11, 100, 10);
        final long second = bed.sell(BOB, 21, 100, 10);

        bed.replace(ALICE, 12, first, 100, 12);

        assertEquals(List.of(second, first), bed.orderIds(BTC_USD, Side.SELL));
        assertEquals(List.of(new Level(100, 22, 2)), bed.levels(BTC_USD, Side.SELL));
        bed.buy(CAROL, 31, 100, 5);
        assertEquals(second, bed.events.reports(ExecType.TRADE).get(1).orderId());
    }

    @Test
    void shouldLosePriorityWhenReplaceChangesPriceEvenIfItComesBack()
    {
        final long first = bed.sell(ALICE, 11, 100, 10);
        final long second = bed.sell(BOB, 21, 100, 10);

        bed.replace(ALICE, 12, first, 101, 10);
        assertEquals(List.of(second, first), bed.orderIds(BTC_USD, Side.SELL));
        bed.replace(ALICE, 13, first, 100, 10);

        assertEquals(List.of(second, first), bed.orderIds(BTC_USD, Side.SELL));
    }

    @Test
    void shouldReportReplacedWithNewClOrdIdAndOriginalAsOrigClOrdId()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.replace(ALICE, 12, orderId, 96, 8);

        final Exec replaced = bed.events.onlyReport();
        assertEquals(ExecType.REPLACED, replaced.execType());
        assertEquals(OrdStatus.NEW, replaced.ordStatus());
        assertEquals(orderId, replaced.orderId());
        assertEquals(12, replaced.clOrdId());
        assertEquals(11, replaced.origClOrdId());
        assertEquals(96, replaced.price());
        assertEquals(8, replaced.quantity());
        assertEquals(8, replaced.leavesQty());
        assertEquals(List.of(new Resting(orderId, 12, ALICE, sessionOf(ALICE), 96, 8, 8)), bed.book(BTC_USD, Side.BUY));
        assertEquals(96 * 8, bed.reserved(ALICE, USD));
    }

    @Test
    void shouldAdjustSellReservationOnReplace()
    {
        final long orderId = bed.sell(ALICE, 11, 105, 10);

        bed.replace(ALICE, 12, orderId, 105, 4);
        assertEquals(4, bed.reserved(ALICE, BTC));

        bed.replace(ALICE, 13, orderId, 106, 30);
        assertEquals(30, bed.reserved(ALICE, BTC));
    }

    @Test
    void shouldTradeWhenReplacedPriceCrosses()
    {
        final long bid = bed.buy(BOB, 21, 99, 5);
        final long ask = bed.sell(ALICE, 11, 101, 8);

        bed.replace(ALICE, 12, ask, 99, 8);

        assertEquals("BOOK REPLACED PRINT TRADE TRADE BOOK BOOK", bed.events.shape());
        final List<Exec> trades = bed.events.reports(ExecType.TRADE);
        assertEquals(ask, trades.get(0).orderId());
        assertEquals(12, trades.get(0).clOrdId());
        assertEquals(bid, trades.get(1).orderId());
        assertEquals(99, trades.get(0).lastPrice());
        assertEquals(List.of(new Level(99, 3, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(3, bed.reserved(ALICE, BTC));
    }

    @Test
    void shouldRestoreFilledQuantityWhenReplacingPartiallyFilledOrder()
    {
        final long ask = bed.sell(ALICE, 11, 100, 10);
        bed.buy(BOB, 21, 100, 4);

        bed.replace(ALICE, 12, ask, 100, 7);

        final Exec replaced = bed.events.onlyReport();
        assertEquals(OrdStatus.PARTIALLY_FILLED, replaced.ordStatus());
        assertEquals(7, replaced.quantity());
        assertEquals(4, replaced.cumQty());
        assertEquals(3, replaced.leavesQty());
        assertEquals(3, bed.reserved(ALICE, BTC));
        assertEquals(List.of(new Level(100, 3, 1)), bed.levels(BTC_USD, Side.SELL));
    }

    @Test
    void shouldRejectReplaceToQuantityNotAboveFilledQuantity()
    {
        final long ask = bed.sell(ALICE, 11, 100, 10);
        bed.buy(BOB, 21, 100, 4);

        bed.replace(ALICE, 12, ask, 100, 4);

        final CancelReject reject = bed.events.only(CancelReject.class);
        assertEquals(RejectReason.INVALID_QUANTITY, reject.reason());
        assertEquals(CancelRejectResponseTo.REPLACE, reject.responseTo());
        assertEquals(List.of(new Resting(ask, 11, ALICE, sessionOf(ALICE), 100, 10, 6)), bed.book(BTC_USD, Side.SELL));
    }

    @Test
    void shouldRejectReplaceOfUnknownOrderWithCancelReject()
    {
        bed.replace(ALICE, 12, 999, 100, 5);

        assertEquals(
            new CancelReject(sessionOf(ALICE), ALICE, 12, 0, 999, 0, CancelRejectResponseTo.REPLACE, RejectReason.UNKNOWN_ORDER, bed.time),
            bed.events.only(CancelReject.class));
    }

    @Test
    void shouldRejectReplaceFromUnknownAccount()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.replace(77, 12, orderId, 100, 5);

        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.events.only(CancelReject.class).reason());
    }

    @Test
    void shouldRejectReplaceOfAnotherAccountsOrder()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.replace(BOB, 21, orderId, 96, 10);

        assertEquals(RejectReason.UNKNOWN_ORDER, bed.events.only(CancelReject.class).reason());
        assertEquals(95, bed.engine.bestPrice(BTC_USD, Side.BUY));
    }

    @Test
    void shouldRejectReplaceWithInvalidPrice()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.replace(ALICE, 12, orderId, 0, 10);
        assertEquals(RejectReason.INVALID_PRICE, bed.events.only(CancelReject.class).reason());
        bed.replace(ALICE, 13, orderId, -5, 10);
        assertEquals(RejectReason.INVALID_PRICE, bed.events.only(CancelReject.class).reason());
        bed.replace(ALICE, 14, orderId, 95, 0);
        assertEquals(RejectReason.INVALID_QUANTITY, bed.events.only(CancelReject.class).reason());
    }

    @Test
    void shouldRejectReplaceThatNeedsMoreThanAvailableFunds()
    {
        bed.account(4, 1_000, 10);
        final long bid = bed.buy(4, 41, 100, 10);
        final long ask = bed.sell(4, 42, 110, 10);

        bed.replace(4, 43, bid, 100, 11);
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.events.only(CancelReject.class).reason());
        bed.replace(4, 44, ask, 110, 11);
        assertEquals(RejectReason.INSUFFICIENT_POSITION, bed.events.only(CancelReject.class).reason());

        // Cheaper is fine: the order's own reservation counts.
        bed.replace(4, 45, bid, 90, 11);
        assertEquals(ExecType.REPLACED, bed.events.onlyReport().execType());
        assertEquals(990, bed.reserved(4, USD));
    }

    @Test
    void shouldRejectReplaceWhoseNotionalOverflows()
    {
        final long bid = bed.buy(ALICE, 11, 95, 10);

        bed.replace(ALICE, 12, bid, 95, Long.MAX_VALUE / 50);

        assertEquals(RejectReason.NOTIONAL_OVERFLOW, bed.events.only(CancelReject.class).reason());
        assertEquals(950, bed.reserved(ALICE, USD));
    }

    @Test
    void shouldRejectReplaceOfPostOnlyOrderThatWouldTake()
    {
        bed.sell(BOB, 21, 101, 5);
        final long orderId = bed.order(ALICE, 11).buy(99, 5).postOnly().send();

        bed.replace(ALICE, 12, orderId, 101, 5);

        assertEquals(RejectReason.POST_ONLY_WOULD_TAKE, bed.events.only(CancelReject.class).reason());
        assertEquals(99, bed.engine.bestPrice(BTC_USD, Side.BUY));
    }

    @Test
    void shouldCancelRestingOrderAndReleaseReservation()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.cancel(ALICE, 12, orderId);

        assertEquals("BOOK CANCELED", bed.events.shape());
        final Exec canceled = bed.events.onlyReport();
        assertEquals(orderId, canceled.orderId());
        assertEquals(OrdStatus.CANCELED, canceled.ordStatus());
        assertEquals(12, canceled.clOrdId());
        assertEquals(11, canceled.origClOrdId());
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(100_000, bed.balance(ALICE, USD));
        assertEquals(0, bed.levels(BTC_USD, Side.BUY).size());
        assertEquals(0, bed.events.ofType(Events.BookUpdate.class).get(0).quantity());
    }

    @Test
    void shouldReportNothingLeftOpenOnCancel()
    {
        final long orderId = bed.sell(ALICE, 11, 100, 10);
        bed.buy(BOB, 21, 100, 4);

        bed.cancel(ALICE, 12, orderId);

        final Exec canceled = bed.events.onlyReport();
        assertEquals(0, canceled.leavesQty());
        assertEquals(4, canceled.cumQty());
    }

    @Test
    void shouldAnswerCancelToTheSessionThatAsked()
    {
        final long orderId = bed.sell(ALICE, 11, 100, 10);
        final long reconnectedSession = sessionOf(ALICE) + 1_000;

        bed.events.clear();
        bed.engine.cancelOrder(reconnectedSession, ALICE, 12, 0, orderId, 0, bed.tick());

        assertEquals(reconnectedSession, bed.events.onlyReport().sessionId());
    }

    @Test
    void shouldAllowReducingQuantityOfOrderOutsideAMovedBand()
    {
        final TestBed banded = TestBed.empty(new EngineContext())
            .instrument(9, BTC, USD, 1, 1, 100, 1_000, 500)
            .account(ALICE, 100_000, 1_000)
            .account(BOB, 100_000, 1_000);
        final long resting = banded.order(ALICE, 11).instrument(9).sell(109, 10).send();
        banded.order(BOB, 21).instrument(9).buy(95, 1).send();
        banded.order(ALICE, 12).instrument(9).sell(95, 1).send(); // trades at 95: band is now 86..104

        banded.replace(ALICE, 13, resting, 109, 5);
        assertEquals(ExecType.REPLACED, banded.events.onlyReport().execType());

        banded.replace(ALICE, 14, resting, 108, 5);
        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, banded.events.only(CancelReject.class).reason());
    }

    @Test
    void shouldCancelByOrigClOrdIdWhenOrderIdIsZero()
    {
        final long orderId = bed.sell(ALICE, 11, 105, 10);

        bed.cancelByClOrdId(ALICE, 12, 11);

        assertEquals(orderId, bed.events.onlyReport().orderId());
        assertEquals(ExecType.CANCELED, bed.events.onlyReport().execType());
        assertEquals(0, bed.reserved(ALICE, BTC));
    }

    @Test
    void shouldCancelPartiallyFilledOrderKeepingWhatTraded()
    {
        final long orderId = bed.sell(ALICE, 11, 100, 10);
        bed.buy(BOB, 21, 100, 4);

        bed.cancel(ALICE, 12, orderId);

        assertEquals(4, bed.events.onlyReport().cumQty());
        assertEquals(996, bed.balance(ALICE, BTC));
        assertEquals(0, bed.reserved(ALICE, BTC));
        assertEquals(100_400, bed.balance(ALICE, USD));
    }

    @Test
    void shouldRejectCancelOfUnknownOrder()
    {
        bed.cancel(ALICE, 12, 999);

        assertEquals(
            new CancelReject(sessionOf(ALICE), ALICE, 12, 0, 999, 0, CancelRejectResponseTo.CANCEL, RejectReason.UNKNOWN_ORDER, bed.time),
            bed.events.only(CancelReject.class));
    }

    @Test
    void shouldRejectCancelOfAnotherAccountsOrder()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.cancel(BOB, 21, orderId);

        assertEquals(RejectReason.UNKNOWN_ORDER, bed.events.only(CancelReject.class).reason());
        assertEquals(1, bed.engine.openOrderCount());
    }

    @Test
    void shouldRejectCancelNamingTheWrongInstrument()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);

        bed.events.clear();
        bed.engine.cancelOrder(sessionOf(ALICE), ALICE, 12, 0, orderId, 2, bed.tick());

        assertEquals(RejectReason.UNKNOWN_ORDER, bed.events.only(CancelReject.class).reason());
        assertEquals(1, bed.engine.openOrderCount());
    }

    @Test
    void shouldRejectCancelFromUnknownAccount()
    {
        bed.cancel(77, 12, 1);

        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.events.only(CancelReject.class).reason());
    }

    @Test
    void shouldRejectSecondCancelOfSameOrder()
    {
        final long orderId = bed.buy(ALICE, 11, 95, 10);
        bed.cancel(ALICE, 12, orderId);

        bed.cancel(ALICE, 13, orderId);

        assertEquals(RejectReason.UNKNOWN_ORDER, bed.events.only(CancelReject.class).reason());
    }

    @Test
    void shouldMassCancelOnlyRequestingSessionsOrdersForSessionScope()
    {
        final long s1 = bed.order(ALICE, 11).buy(95, 1).session(501).send();
        final long s2 = bed.order(ALICE, 12).buy(94, 1).session(502).send();
        final long s1b = bed.order(ALICE, 13).sell(105, 1).session(501).send();

        bed.massCancel(501, ALICE, 14, MassCancelScope.SESSION, 0);

        assertEquals("BOOK CANCELED BOOK CANCELED MASS_CANCEL_REPORT", bed.events.shape());
        final List<Exec> canceled = bed.events.reports(ExecType.CANCELED);
        assertEquals(s1, canceled.get(0).orderId(), "bids before asks");
        assertEquals(s1b, canceled.get(1).orderId());
        assertEquals(
            new MassCancelReport(501, ALICE, 14, MassCancelScope.SESSION, 0, 2, RejectReason.NONE, bed.time),
            bed.events.only(MassCancelReport.class));
        assertEquals(List.of(s2), bed.orderIds(BTC_USD, Side.BUY));
    }

    @Test
    void shouldMassCancelEveryOrderOfAccountForAccountScope()
    {
        bed.instrument(2, ETH, USD, 1, 1, 50, 0, 0).deposit(ALICE, ETH, 100);
        bed.order(ALICE, 11).buy(95, 1).session(501).send();
        bed.order(ALICE, 12).sell(55, 1).session(502).instrument(2).send();
        final long bobs = bed.buy(BOB, 21, 95, 1);

        bed.massCancel(501, ALICE, 14, MassCancelScope.ACCOUNT, 0);

        assertEquals(2, bed.events.only(MassCancelReport.class).canceledCount());
        assertEquals(List.of(bobs), bed.orderIds(BTC_USD, Side.BUY));
        assertEquals(0, bed.levels(2, Side.SELL).size());
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(0, bed.reserved(ALICE, ETH));
    }

    @Test
    void shouldMassCancelAccountsOrdersOnOneInstrumentForInstrumentScope()
    {
        bed.instrument(2, ETH, USD, 1, 1, 50, 0, 0).deposit(ALICE, ETH, 100);
        bed.buy(ALICE, 11, 95, 1);
        bed.buy(ALICE, 12, 96, 1);
        final long other = bed.order(ALICE, 13).sell(55, 1).instrument(2).send();

        bed.massCancel(sessionOf(ALICE), ALICE, 14, MassCancelScope.INSTRUMENT, BTC_USD);

        assertEquals(2, bed.events.only(MassCancelReport.class).canceledCount());
        final List<Exec> canceled = bed.events.reports(ExecType.CANCELED);
        assertEquals(96, canceled.get(0).price(), "best level first");
        assertEquals(List.of(other), bed.orderIds(2, Side.SELL));
    }

    @Test
    void shouldReportZeroWhenMassCancelFindsNothing()
    {
        bed.massCancel(sessionOf(ALICE), ALICE, 14, MassCancelScope.ACCOUNT, 0);

        assertEquals(
            new MassCancelReport(sessionOf(ALICE), ALICE, 14, MassCancelScope.ACCOUNT, 0, 0, RejectReason.NONE, bed.time),
            bed.events.only(MassCancelReport.class));
        assertEquals(1, bed.events.events().size());
    }

    @Test
    void shouldRejectMassCancelWithInvalidScope()
    {
        bed.buy(ALICE, 11, 95, 1);

        bed.massCancel(sessionOf(ALICE), ALICE, 14, MassCancelScope.NULL_VAL, 0);

        assertEquals(RejectReason.INVALID_MASS_CANCEL_SCOPE, bed.events.only(MassCancelReport.class).reason());
        assertEquals(1, bed.engine.openOrderCount());
    }

    @Test
    void shouldRejectMassCancelOfUnknownInstrumentOrAccount()
    {
        bed.massCancel(sessionOf(ALICE), ALICE, 14, MassCancelScope.INSTRUMENT, 42);
        assertEquals(RejectReason.UNKNOWN_INSTRUMENT, bed.events.only(MassCancelReport.class).reason());

        bed.massCancel(1, 77, 15, MassCancelScope.ACCOUNT, 0);
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.events.only(MassCancelReport.class).reason());
    }

    @Test
    void shouldCancelLostSessionsOrdersWithoutMassCancelReport()
    {
        final long lost = bed.order(ALICE, 11).buy(95, 1).session(501).send();
        final long kept = bed.order(ALICE, 12).buy(95, 1).session(502).send();

        bed.sessionLost(501, ALICE);

        assertEquals("BOOK CANCELED", bed.events.shape());
        assertEquals(lost, bed.events.onlyReport().orderId());
        assertEquals(List.of(kept), bed.orderIds(BTC_USD, Side.BUY));
    }

    @Test
    void shouldMoveOrderToReplacingSession()
    {
        final long orderId = bed.order(ALICE, 11).buy(95, 1).session(501).send();

        bed.replace(502, ALICE, 12, orderId, 95, 1);
        bed.sessionLost(501, ALICE);

        assertEquals(0, bed.events.events().size());
        assertEquals(List.of(orderId), bed.orderIds(BTC_USD, Side.BUY));
        assertEquals(502, bed.book(BTC_USD, Side.BUY).get(0).sessionId());
    }
}
