package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.engine.Events.Exec;
import org.junit.jupiter.api.Test;

import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A repeated clOrdId gets the original outcome again and never a second order.
 */
class IdempotencyTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 100_000, 1_000)
        .account(BOB, 100_000, 1_000);

    @Test
    void shouldReportOriginalRejectionAgainForRepeatedClOrdId()
    {
        bed.buy(ALICE, 11, 0, 5);
        final Exec original = bed.events.onlyReport();

        bed.order(ALICE, 11).buy(100, 5).session(777).send();

        final Exec again = bed.events.onlyReport();
        assertEquals(ExecType.REJECTED, again.execType());
        assertEquals(RejectReason.INVALID_PRICE, again.rejectReason());
        assertEquals(777, again.sessionId(), "answered to the session that asked");
        assertEquals(original.price(), again.price());
        assertEquals(0, bed.engine.openOrderCount());
    }

    @Test
    void shouldReportLiveStateForRepeatedClOrdIdOfRestingOrder()
    {
        final long orderId = bed.sell(ALICE, 11, 100, 10);
        bed.buy(BOB, 21, 100, 4);

        bed.order(ALICE, 11).sell(100, 10).session(777).send();

        final Exec status = bed.events.onlyReport();
        assertEquals(1, bed.events.events().size());
        assertEquals(ExecType.ORDER_STATUS, status.execType());
        assertEquals(OrdStatus.PARTIALLY_FILLED, status.ordStatus());
        assertEquals(orderId, status.orderId());
        assertEquals(11, status.clOrdId());
        assertEquals(777, status.sessionId());
        assertEquals(4, status.cumQty());
        assertEquals(6, status.leavesQty());
        assertEquals(1, bed.engine.openOrderCount());
        assertEquals(6, bed.reserved(ALICE, TestBed.BTC));
        assertEquals(TestBed.sessionOf(ALICE), bed.book(BTC_USD, Side.SELL).get(0).sessionId(), "the order keeps its session");
    }

    @Test
    void shouldReportFilledForRepeatedClOrdIdOfFilledOrder()
    {
        final long orderId = bed.buy(ALICE, 11, 100, 5);
        bed.sell(BOB, 21, 100, 5);

        bed.buy(ALICE, 11, 100, 5);

        final Exec status = bed.events.onlyReport();
        assertEquals(ExecType.ORDER_STATUS, status.execType());
        assertEquals(OrdStatus.FILLED, status.ordStatus());
        assertEquals(orderId, status.orderId());
        assertEquals(5, status.cumQty());
        assertEquals(0, bed.engine.openOrderCount());
        assertEquals(0, bed.reserved(ALICE, USD));
    }

    @Test
    void shouldReportCanceledForRepeatedClOrdIdOfCanceledOrder()
    {
        final long orderId = bed.buy(ALICE, 11, 100, 5);
        bed.cancel(ALICE, 12, orderId);

        bed.buy(ALICE, 11, 100, 5);

        assertEquals(OrdStatus.CANCELED, bed.events.onlyReport().ordStatus());
        assertEquals(0, bed.engine.openOrderCount());
    }

    @Test
    void shouldReportExpiredForRepeatedClOrdIdOfUnfillableFok()
    {
        bed.order(ALICE, 11).buy(100, 5).fok().send();

        bed.order(ALICE, 11).buy(100, 5).fok().send();

        assertEquals(OrdStatus.EXPIRED, bed.events.onlyReport().ordStatus());
        assertEquals(ExecType.ORDER_STATUS, bed.events.onlyReport().execType());
    }

    @Test
    void shouldKeepClOrdIdsPerAccount()
    {
        bed.buy(ALICE, 11, 100, 5);

        final long bobs = bed.buy(BOB, 11, 100, 5);

        assertEquals(ExecType.NEW, bed.events.onlyReport().execType());
        assertEquals(2, bed.engine.openOrderCount());
        assertEquals(bobs, bed.events.onlyReport().orderId());
    }

    @Test
    void shouldAcceptClOrdIdOfFinishedOrderAgainOnceItIsAHorizonOld()
    {
        final TestBed small = TestBed.create(new EngineContext().idempotencyHorizonMs(100)).account(ALICE, 100_000, 0);
        small.order(ALICE, 11).buy(90, 1).ioc().send();
        final long sentAt = small.time;

        small.at(sentAt + 98).order(ALICE, 11).buy(90, 1).send();
        assertEquals(ExecType.ORDER_STATUS, small.events.onlyReport().execType(), "99 ms later: a repeat");
        assertEquals(OrdStatus.CANCELED, small.events.onlyReport().ordStatus());

        small.order(ALICE, 11).buy(90, 1).send();
        assertEquals(ExecType.NEW, small.events.onlyReport().execType(), "100 ms later: forgotten, a new order");
        assertEquals(1, small.engine.openOrderCount());
    }

    @Test
    void shouldKnowLiveOrdersClOrdIdBeyondTheHorizon()
    {
        final TestBed small = TestBed.create(new EngineContext().idempotencyHorizonMs(100)).account(ALICE, 100_000, 0);
        final long orderId = small.buy(ALICE, 11, 90, 1);
        small.onTime(small.time + 10_000);

        small.buy(ALICE, 11, 90, 1);
        assertEquals(ExecType.ORDER_STATUS, small.events.onlyReport().execType());
        assertEquals(orderId, small.events.onlyReport().orderId());
        assertEquals(1, small.engine.openOrderCount());

        small.cancelByClOrdId(ALICE, 12, 11);
        assertEquals(ExecType.CANCELED, small.events.onlyReport().execType());
    }

    @Test
    void shouldLocateReplacedOrderByEarlierClOrdIdOnlyWithinTheHorizon()
    {
        final TestBed within = TestBed.create(new EngineContext().idempotencyHorizonMs(100)).account(ALICE, 100_000, 0);
        final long orderId = within.buy(ALICE, 11, 90, 1);
        within.replace(ALICE, 12, orderId, 91, 1);
        within.cancelByClOrdId(ALICE, 13, 11);
        assertEquals(ExecType.CANCELED, within.events.onlyReport().execType(), "the earlier clOrdId, within the horizon");

        final TestBed beyond = TestBed.create(new EngineContext().idempotencyHorizonMs(100)).account(ALICE, 100_000, 0);
        final long sameOrder = beyond.buy(ALICE, 11, 90, 1);
        beyond.replace(ALICE, 12, sameOrder, 91, 1);
        beyond.onTime(beyond.time + 100);
        beyond.cancelByClOrdId(ALICE, 13, 11);
        assertEquals(RejectReason.UNKNOWN_ORDER, beyond.events.only(Events.CancelReject.class).reason());
        beyond.cancelByClOrdId(ALICE, 14, 12);
        assertEquals(ExecType.CANCELED, beyond.events.onlyReport().execType(), "the current clOrdId, however old");
    }

    @Test
    void shouldNotReplaceTwiceForRepeatedReplaceClOrdId()
    {
        final long orderId = bed.buy(ALICE, 11, 90, 10);
        bed.replace(ALICE, 12, orderId, 91, 10);

        bed.replace(ALICE, 12, orderId, 92, 10);

        assertEquals(ExecType.ORDER_STATUS, bed.events.onlyReport().execType());
        assertEquals(91, bed.engine.bestPrice(BTC_USD, Side.BUY));
    }

    @Test
    void shouldReportFinalStatusForOriginalClOrdIdAfterReplacedOrderIsCanceled()
    {
        final long orderId = bed.buy(ALICE, 11, 90, 10);
        bed.replace(ALICE, 12, orderId, 91, 10);
        bed.cancel(ALICE, 13, orderId);

        bed.buy(ALICE, 11, 90, 10);

        final Exec status = bed.events.onlyReport();
        assertEquals(ExecType.ORDER_STATUS, status.execType());
        assertEquals(orderId, status.orderId());
        assertEquals(OrdStatus.CANCELED, status.ordStatus(), "the order's state is CANCELED, whichever of its clOrdIds is retried: " + status);
    }

    @Test
    void shouldReportFinalStatusForOriginalClOrdIdAfterReplacedOrderIsFilled()
    {
        final long orderId = bed.buy(ALICE, 11, 90, 10);
        bed.replace(ALICE, 12, orderId, 91, 10);
        bed.sell(BOB, 21, 91, 10);

        bed.buy(ALICE, 11, 90, 10);

        final Exec status = bed.events.onlyReport();
        assertEquals(OrdStatus.FILLED, status.ordStatus(), "the order's state is FILLED, whichever of its clOrdIds is retried: " + status);
        assertEquals(10, status.cumQty());
    }
}
