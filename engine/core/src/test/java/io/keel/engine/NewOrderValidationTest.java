package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.Exec;
import org.junit.jupiter.api.Test;

import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.ETH;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every way a new order is refused: a single REJECTED report, nothing reserved, no order id used.
 */
class NewOrderValidationTest
{
    private static final long TRADER = 1;
    /** ETH/USD: tick 5, lot 10. */
    private static final int ETH_USD = 2;

    private final TestBed bed = TestBed.create()
        .instrument(ETH_USD, ETH, USD, 5, 10, 1_000, 0, 0)
        .account(TRADER, 1_000_000, 1_000);

    private RejectReason rejectionOf(final TestBed.OrderRequest request)
    {
        final long orderId = request.send();
        final Exec report = bed.events.onlyReport();
        assertEquals(1, bed.events.events().size(), "a rejection is one report and nothing else: " + bed.events);
        assertEquals(ExecType.REJECTED, report.execType(), report.toString());
        assertEquals(OrdStatus.REJECTED, report.ordStatus());
        assertEquals(0, orderId);
        assertEquals(0, report.leavesQty());
        assertEquals(0, bed.engine.openOrderCount());
        assertEquals(0, bed.reserved(TRADER, USD));
        return report.rejectReason();
    }

    @Test
    void shouldRejectUnknownAccount()
    {
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, rejectionOf(bed.order(42, 11).buy(100, 1)));
    }

    @Test
    void shouldRejectUnknownInstrument()
    {
        assertEquals(RejectReason.UNKNOWN_INSTRUMENT, rejectionOf(bed.order(TRADER, 11).buy(100, 1).instrument(99)));
    }

    @Test
    void shouldRejectInvalidPrice()
    {
        assertEquals(RejectReason.INVALID_PRICE, rejectionOf(bed.order(TRADER, 11).buy(0, 1)));
        assertEquals(RejectReason.INVALID_PRICE, rejectionOf(bed.order(TRADER, 12).buy(-100, 1)));
        assertEquals(RejectReason.INVALID_PRICE, rejectionOf(bed.order(TRADER, 13).buy(1_002, 10).instrument(ETH_USD)));
        assertEquals(RejectReason.INVALID_PRICE, rejectionOf(bed.order(TRADER, 14).sell(Engine.MAX_PRICE + 1, 1)));
    }

    @Test
    void shouldRejectInvalidQuantity()
    {
        assertEquals(RejectReason.INVALID_QUANTITY, rejectionOf(bed.order(TRADER, 11).buy(100, 0)));
        assertEquals(RejectReason.INVALID_QUANTITY, rejectionOf(bed.order(TRADER, 12).buy(100, -1)));
        assertEquals(RejectReason.INVALID_QUANTITY, rejectionOf(bed.order(TRADER, 13).buy(1_000, 15).instrument(ETH_USD)));
        assertEquals(RejectReason.INVALID_QUANTITY, rejectionOf(bed.order(TRADER, 14).marketBuy(0)));
    }

    @Test
    void shouldRejectInvalidSide()
    {
        assertEquals(RejectReason.INVALID_SIDE, rejectionOf(bed.order(TRADER, 11).buy(100, 1).side(Side.NULL_VAL)));
        assertEquals(RejectReason.INVALID_SIDE, rejectionOf(bed.order(TRADER, 12).buy(100, 1).side(null)));
    }

    @Test
    void shouldRejectInvalidOrderType()
    {
        assertEquals(RejectReason.INVALID_ORDER_TYPE, rejectionOf(bed.order(TRADER, 11).buy(100, 1).ordType(OrdType.NULL_VAL)));
        assertEquals(RejectReason.INVALID_ORDER_TYPE, rejectionOf(bed.order(TRADER, 12).buy(100, 1).ordType(null)));
    }

    @Test
    void shouldRejectInvalidTimeInForce()
    {
        assertEquals(
            RejectReason.INVALID_TIME_IN_FORCE, rejectionOf(bed.order(TRADER, 11).buy(100, 1).timeInForce(TimeInForce.NULL_VAL)));
        assertEquals(RejectReason.INVALID_TIME_IN_FORCE, rejectionOf(bed.order(TRADER, 12).buy(100, 1).timeInForce(null)));
    }

    @Test
    void shouldRejectGtdWhoseExpireTimeIsNotInTheFuture()
    {
        assertEquals(RejectReason.INVALID_EXPIRE_TIME, rejectionOf(bed.order(TRADER, 11).buy(100, 1).gtd(bed.time + 1)));
        assertEquals(RejectReason.INVALID_EXPIRE_TIME, rejectionOf(bed.order(TRADER, 12).buy(100, 1).gtd(0)));
    }

    @Test
    void shouldRejectBuyWithoutEnoughQuote()
    {
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, rejectionOf(bed.order(TRADER, 11).buy(100, 10_001)));
    }

    @Test
    void shouldRejectSellWithoutEnoughBase()
    {
        assertEquals(RejectReason.INSUFFICIENT_POSITION, rejectionOf(bed.order(TRADER, 11).sell(100, 1_001)));
    }

    @Test
    void shouldCountOpenOrdersAgainstAvailableFunds()
    {
        bed.buy(TRADER, 11, 100, 6_000);
        bed.sell(TRADER, 12, 200, 600);

        assertEquals(RejectReason.INSUFFICIENT_FUNDS, rejectionOfSecond(bed.order(TRADER, 13).buy(100, 4_001)));
        assertEquals(RejectReason.INSUFFICIENT_POSITION, rejectionOfSecond(bed.order(TRADER, 14).sell(200, 401)));
        assertEquals(ExecType.NEW, sendAndFirst(bed.order(TRADER, 15).buy(100, 4_000)).execType());
    }

    private RejectReason rejectionOfSecond(final TestBed.OrderRequest request)
    {
        request.send();
        return bed.events.onlyReport().rejectReason();
    }

    private Exec sendAndFirst(final TestBed.OrderRequest request)
    {
        request.send();
        return bed.events.reports().get(0);
    }

    @Test
    void shouldRejectBuyWhoseNotionalOverflows()
    {
        assertEquals(RejectReason.NOTIONAL_OVERFLOW, rejectionOf(bed.order(TRADER, 11).buy(1_000_000, Long.MAX_VALUE / 1_000)));
    }

    @Test
    void shouldRejectOrdersBeyondMaxOrders()
    {
        final TestBed small = TestBed.create(new EngineContext().maxOrders(2)).account(TRADER, 1_000_000, 1_000);
        small.buy(TRADER, 11, 90, 1);
        small.buy(TRADER, 12, 91, 1);

        small.sell(TRADER, 13, 200, 1);
        assertEquals(RejectReason.ORDER_LIMIT_REACHED, small.events.onlyReport().rejectReason());

        small.cancel(TRADER, 14, small.book(BTC_USD, Side.BUY).get(0).orderId());
        small.sell(TRADER, 15, 200, 1);
        assertEquals(ExecType.NEW, small.events.onlyReport().execType());
    }

    @Test
    void shouldNotUseAnOrderIdForRejectedOrders()
    {
        final long first = bed.buy(TRADER, 11, 90, 1);
        bed.buy(TRADER, 12, 0, 1);
        final long second = bed.buy(TRADER, 13, 90, 1);

        assertEquals(first + 1, second);
    }

    @Test
    void shouldCarryRequestFieldsOnRejection()
    {
        bed.order(TRADER, 11).sell(-7, 3).session(9).ioc().send();

        final Exec report = bed.events.onlyReport();
        assertEquals(9, report.sessionId());
        assertEquals(TRADER, report.accountId());
        assertEquals(11, report.clOrdId());
        assertEquals(BTC_USD, report.instrumentId());
        assertEquals(Side.SELL, report.side());
        assertEquals(TimeInForce.IOC, report.timeInForce());
        assertEquals(-7, report.price());
        assertEquals(3, report.quantity());
        assertEquals(bed.time, report.time());
    }
}
