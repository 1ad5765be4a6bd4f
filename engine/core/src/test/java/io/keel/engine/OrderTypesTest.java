package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.BookUpdate;
import io.keel.engine.Events.Exec;
import io.keel.engine.Events.Trade;
import io.keel.engine.TestBed.Level;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limit (GTC, IOC, FOK), market and post-only orders: what each reports, what rests, what it
 * costs.
 */
class OrderTypesTest
{
    private static final long BUYER = 1;
    private static final long SELLER = 2;
    private static final long OTHER_SELLER = 3;

    private final TestBed bed = TestBed.create()
        .account(BUYER, 100_000, 0)
        .account(SELLER, 0, 1_000)
        .account(OTHER_SELLER, 0, 1_000);

    @Test
    void shouldRestGtcLimitOrderAndReserveQuoteForBuy()
    {
        final long orderId = bed.buy(BUYER, 11, 99, 10);

        final Exec report = bed.events.onlyReport();
        assertEquals(ExecType.NEW, report.execType());
        assertEquals(OrdStatus.NEW, report.ordStatus());
        assertEquals(orderId, report.orderId());
        assertEquals(11, report.clOrdId());
        assertEquals(TestBed.sessionOf(BUYER), report.sessionId());
        assertEquals(BTC_USD, report.instrumentId());
        assertEquals(Side.BUY, report.side());
        assertEquals(OrdType.LIMIT, report.ordType());
        assertEquals(TimeInForce.GTC, report.timeInForce());
        assertEquals(RejectReason.NONE, report.rejectReason());
        assertEquals(99, report.price());
        assertEquals(10, report.quantity());
        assertEquals(10, report.leavesQty());
        assertEquals(0, report.cumQty());
        assertEquals(bed.time, report.time());
        assertEquals(List.of(new BookUpdate(BTC_USD, 1, Side.BUY, 99, 10, 1, bed.time)), bed.events.ofType(BookUpdate.class));

        assertEquals(990, bed.reserved(BUYER, USD));
        assertEquals(100_000, bed.balance(BUYER, USD));
        assertEquals(List.of(new Level(99, 10, 1)), bed.levels(BTC_USD, Side.BUY));
        assertEquals(99, bed.engine.bestPrice(BTC_USD, Side.BUY));
        assertEquals(Engine.NULL_PRICE, bed.engine.bestPrice(BTC_USD, Side.SELL));
    }

    @Test
    void shouldReserveBaseForSell()
    {
        bed.sell(SELLER, 21, 101, 7);

        assertEquals(7, bed.reserved(SELLER, BTC));
        assertEquals(0, bed.reserved(SELLER, USD));
        assertEquals(List.of(new Level(101, 7, 1)), bed.levels(BTC_USD, Side.SELL));
    }

    @Test
    void shouldReportNewThenPrintThenTakerThenMakerTradeThenBookUpdate()
    {
        final long makerId = bed.sell(SELLER, 21, 100, 10);
        final long takerId = bed.buy(BUYER, 11, 100, 4);

        assertEquals("NEW PRINT TRADE TRADE BOOK", bed.events.shape());
        final List<Exec> reports = bed.events.reports();
        final Exec taker = reports.get(1);
        final Exec maker = reports.get(2);
        final Trade print = bed.events.only(Trade.class);

        assertEquals(takerId, taker.orderId());
        assertEquals(OrdStatus.FILLED, taker.ordStatus());
        assertEquals(100, taker.lastPrice());
        assertEquals(4, taker.lastQty());
        assertEquals(4, taker.cumQty());
        assertEquals(0, taker.leavesQty());

        assertEquals(makerId, maker.orderId());
        assertEquals(ExecType.TRADE, maker.execType());
        assertEquals(OrdStatus.PARTIALLY_FILLED, maker.ordStatus());
        assertEquals(21, maker.clOrdId());
        assertEquals(4, maker.cumQty());
        assertEquals(6, maker.leavesQty());
        assertEquals(taker.tradeId(), maker.tradeId());
        assertNotEquals(0, taker.tradeId());
        assertTrue(maker.execId() > taker.execId());

        assertEquals(taker.tradeId(), print.tradeId());
        assertEquals(100, print.price());
        assertEquals(4, print.quantity());
        assertEquals(Side.BUY, print.aggressorSide());
        final BookUpdate update = bed.events.only(BookUpdate.class);
        assertEquals(new BookUpdate(BTC_USD, print.mdSeqNo() + 1, Side.SELL, 100, 6, 1, bed.time), update);
    }

    @Test
    void shouldSettleAtMakerPriceAndReleaseBuyersExcessReservation()
    {
        bed.sell(SELLER, 21, 98, 10);
        bed.buy(BUYER, 11, 101, 10);

        final Exec taker = bed.events.reports(ExecType.TRADE).get(0);
        assertEquals(98, taker.lastPrice());
        assertEquals(100_000 - 980, bed.balance(BUYER, USD));
        assertEquals(10, bed.balance(BUYER, BTC));
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(980, bed.balance(SELLER, USD));
        assertEquals(990, bed.balance(SELLER, BTC));
        assertEquals(0, bed.reserved(SELLER, BTC));
        assertEquals(98, bed.engine.referencePrice(BTC_USD));
    }

    @Test
    void shouldKeepReservationAtLimitPriceForRestingRemainderAfterPartialFill()
    {
        bed.sell(SELLER, 21, 98, 4);
        final long takerId = bed.buy(BUYER, 11, 101, 10);

        assertEquals(100_000 - 4 * 98, bed.balance(BUYER, USD));
        assertEquals(6 * 101, bed.reserved(BUYER, USD));
        assertEquals(List.of(new Level(101, 6, 1)), bed.levels(BTC_USD, Side.BUY));
        assertEquals(List.of(takerId), bed.orderIds(BTC_USD, Side.BUY));
        assertEquals(0, bed.levels(BTC_USD, Side.SELL).size());
    }

    @Test
    void shouldMatchBestPriceFirstThenEarliestOrder()
    {
        final long late = bed.sell(SELLER, 21, 100, 5);
        final long early = bed.sell(OTHER_SELLER, 31, 100, 5);
        final long better = bed.sell(OTHER_SELLER, 32, 99, 5);
        assertEquals(List.of(better, late, early), bed.orderIds(BTC_USD, Side.SELL));

        bed.buy(BUYER, 11, 100, 12);

        final List<Exec> trades = bed.events.reports(ExecType.TRADE);
        assertEquals(6, trades.size());
        assertEquals(better, trades.get(1).orderId());
        assertEquals(99, trades.get(1).lastPrice());
        assertEquals(late, trades.get(3).orderId());
        assertEquals(5, trades.get(3).lastQty());
        assertEquals(early, trades.get(5).orderId());
        assertEquals(2, trades.get(5).lastQty());
        assertEquals(OrdStatus.FILLED, trades.get(4).ordStatus());
        assertEquals(List.of(new Level(100, 3, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(
            "NEW PRINT TRADE TRADE BOOK PRINT TRADE TRADE PRINT TRADE TRADE BOOK", bed.events.shape(),
            "one book update per touched level, after its fills");
    }

    @Test
    void shouldCancelIocRemainderWithoutResting()
    {
        bed.sell(SELLER, 21, 100, 4);
        final long takerId = bed.order(BUYER, 11).buy(100, 10).ioc().send();

        assertEquals("NEW PRINT TRADE TRADE BOOK CANCELED", bed.events.shape());
        final Exec canceled = bed.events.lastReport();
        assertEquals(takerId, canceled.orderId());
        assertEquals(OrdStatus.CANCELED, canceled.ordStatus());
        assertEquals(RejectReason.NONE, canceled.rejectReason());
        assertEquals(4, canceled.cumQty());
        assertEquals(0, bed.engine.openOrderCount());
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(100_000 - 400, bed.balance(BUYER, USD));
    }

    @Test
    void shouldCancelIocWithNoFillAndReleaseEverything()
    {
        bed.order(BUYER, 11).buy(100, 10).ioc().send();

        assertEquals("NEW CANCELED", bed.events.shape());
        assertEquals(0, bed.events.lastReport().cumQty());
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(0, bed.engine.openOrderCount());
    }

    @Test
    void shouldExpireFokThatCannotFillCompletelyWithSingleReportAndNoTrade()
    {
        bed.sell(SELLER, 21, 100, 4);
        bed.sell(SELLER, 22, 102, 4);

        bed.order(BUYER, 11).buy(101, 5).fok().send();

        final Exec report = bed.events.onlyReport();
        assertEquals(1, bed.events.events().size(), "a single EXPIRED, no NEW, no market data: " + bed.events);
        assertEquals(ExecType.EXPIRED, report.execType());
        assertEquals(OrdStatus.EXPIRED, report.ordStatus());
        assertEquals(RejectReason.FOK_NOT_FILLABLE, report.rejectReason());
        assertEquals(0, report.cumQty());
        assertEquals(List.of(new Level(100, 4, 1), new Level(102, 4, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(100_000, bed.balance(BUYER, USD));
    }

    @Test
    void shouldFillFokAcrossLevelsWhenEnoughLiquidityWithinLimit()
    {
        bed.sell(SELLER, 21, 100, 4);
        bed.sell(OTHER_SELLER, 31, 101, 4);
        bed.sell(SELLER, 22, 102, 4);

        final long takerId = bed.order(BUYER, 11).buy(101, 8).fok().send();

        final List<Exec> takerReports = bed.events.reportsForOrder(takerId);
        assertEquals(ExecType.NEW, takerReports.get(0).execType());
        assertEquals(OrdStatus.FILLED, takerReports.get(takerReports.size() - 1).ordStatus());
        assertEquals(0, bed.events.reports(ExecType.CANCELED).size());
        assertEquals(0, bed.events.reports(ExecType.EXPIRED).size());
        assertEquals(8, bed.balance(BUYER, BTC));
        assertEquals(100_000 - 400 - 404, bed.balance(BUYER, USD));
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(List.of(new Level(102, 4, 1)), bed.levels(BTC_USD, Side.SELL));
    }

    @Test
    void shouldTradeMarketBuyNoFurtherThanProtectionBandFromReference()
    {
        // Reference 100, protection 5 %: a market buy trades up to 105.
        bed.sell(SELLER, 21, 104, 5);
        bed.sell(OTHER_SELLER, 31, 106, 5);

        final long orderId = bed.order(BUYER, 11).marketBuy(10).send();

        final Exec first = bed.events.reports().get(0);
        assertEquals(ExecType.NEW, first.execType());
        assertEquals(OrdType.MARKET, first.ordType());
        final Exec last = bed.events.lastReport();
        assertEquals(orderId, last.orderId());
        assertEquals(ExecType.CANCELED, last.execType());
        assertEquals(RejectReason.NONE, last.rejectReason(), "a partly filled market order is not NO_LIQUIDITY");
        assertEquals(5, last.cumQty());
        assertEquals(List.of(new Level(106, 5, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(5, bed.balance(BUYER, BTC));
        assertEquals(100_000 - 520, bed.balance(BUYER, USD));
        assertEquals(0, bed.reserved(BUYER, USD));
    }

    @Test
    void shouldTradeMarketSellNoFurtherThanProtectionBandFromReference()
    {
        bed.account(4, 100_000, 0);
        bed.buy(BUYER, 11, 96, 5);
        bed.buy(4, 41, 94, 5);

        bed.order(SELLER, 21).marketSell(10).send();

        assertEquals(5, bed.events.lastReport().cumQty());
        assertEquals(ExecType.CANCELED, bed.events.lastReport().execType());
        assertEquals(List.of(new Level(94, 5, 1)), bed.levels(BTC_USD, Side.BUY));
        assertEquals(480, bed.balance(SELLER, USD));
    }

    @Test
    void shouldCancelMarketOrderWithNoLiquidityWhenBookIsEmpty()
    {
        bed.order(BUYER, 11).marketBuy(10).send();

        assertEquals("NEW CANCELED", bed.events.shape());
        assertEquals(RejectReason.NO_LIQUIDITY, bed.events.lastReport().rejectReason());
        assertEquals(OrdStatus.CANCELED, bed.events.lastReport().ordStatus());
        assertEquals(0, bed.reserved(BUYER, USD));
    }

    @Test
    void shouldCancelMarketOrderWithNoLiquidityWhenAllLiquidityIsBeyondProtection()
    {
        bed.sell(SELLER, 21, 106, 5);

        bed.order(BUYER, 11).marketBuy(1).send();

        assertEquals(RejectReason.NO_LIQUIDITY, bed.events.lastReport().rejectReason());
        assertEquals(List.of(new Level(106, 5, 1)), bed.levels(BTC_USD, Side.SELL));
    }

    @Test
    void shouldMoveMarketProtectionWithLastTradePrice()
    {
        bed.sell(SELLER, 21, 110, 1);
        bed.buy(BUYER, 11, 110, 1);
        assertEquals(110, bed.engine.referencePrice(BTC_USD));
        bed.sell(SELLER, 22, 115, 1);

        // 110 + 5 % = 115.5, so 115 is reachable now but was not from 100.
        bed.order(BUYER, 12).marketBuy(1).send();

        assertEquals(OrdStatus.FILLED, bed.events.reports(ExecType.TRADE).get(0).ordStatus());
        assertEquals(115, bed.engine.referencePrice(BTC_USD));
    }

    @Test
    void shouldFillMarketFokCompletelyOrExpire()
    {
        bed.sell(SELLER, 21, 101, 3);

        bed.order(BUYER, 11).marketBuy(5).fok().send();
        assertEquals(RejectReason.FOK_NOT_FILLABLE, bed.events.onlyReport().rejectReason());

        bed.order(BUYER, 12).marketBuy(3).fok().send();
        assertEquals("NEW PRINT TRADE TRADE BOOK", bed.events.shape());
        assertEquals(OrdStatus.FILLED, bed.events.reports().get(1).ordStatus());
    }

    @Test
    void shouldRejectMarketOrderThatIsNotIocOrFok()
    {
        bed.order(BUYER, 11).marketBuy(1).timeInForce(TimeInForce.GTC).send();
        assertEquals(RejectReason.INVALID_TIME_IN_FORCE, bed.events.onlyReport().rejectReason());

        bed.order(BUYER, 12).marketBuy(1).gtd(bed.time + 100).send();
        assertEquals(RejectReason.INVALID_TIME_IN_FORCE, bed.events.onlyReport().rejectReason());
    }

    @Test
    void shouldReserveMarketBuyAtProtectionPrice()
    {
        bed.account(4, 1_000, 0);
        bed.sell(SELLER, 21, 100, 10);

        // 10 at up to 105 needs 1050 available, although the fill would cost 1000.
        bed.order(4, 41).marketBuy(10).send();

        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.events.onlyReport().rejectReason());
    }

    @Test
    void shouldRestPostOnlyOrderThatDoesNotCross()
    {
        bed.sell(SELLER, 21, 101, 5);

        final long orderId = bed.order(BUYER, 11).buy(100, 5).postOnly().send();

        assertEquals("NEW BOOK", bed.events.shape());
        assertEquals(List.of(orderId), bed.orderIds(BTC_USD, Side.BUY));
    }

    @Test
    void shouldRejectPostOnlyOrderThatWouldTake()
    {
        bed.sell(SELLER, 21, 101, 5);

        final long orderId = bed.order(BUYER, 11).buy(101, 5).postOnly().send();

        final Exec report = bed.events.onlyReport();
        assertEquals(0, orderId);
        assertEquals(ExecType.REJECTED, report.execType());
        assertEquals(OrdStatus.REJECTED, report.ordStatus());
        assertEquals(RejectReason.POST_ONLY_WOULD_TAKE, report.rejectReason());
        assertEquals(0, bed.reserved(BUYER, USD));
        assertEquals(List.of(new Level(101, 5, 1)), bed.levels(BTC_USD, Side.SELL));
        assertEquals(0, bed.levels(BTC_USD, Side.BUY).size());
    }

    @Test
    void shouldRejectPostOnlyUnlessGtcOrGtdLimit()
    {
        bed.order(BUYER, 11).buy(90, 5).postOnly().ioc().send();
        assertEquals(RejectReason.INVALID_TIME_IN_FORCE, bed.events.onlyReport().rejectReason());

        bed.order(BUYER, 12).buy(90, 5).postOnly().fok().send();
        assertEquals(RejectReason.INVALID_TIME_IN_FORCE, bed.events.onlyReport().rejectReason());

        bed.order(BUYER, 13).marketBuy(5).postOnly().send();
        assertEquals(ExecType.REJECTED, bed.events.onlyReport().execType());

        bed.order(BUYER, 14).buy(90, 5).postOnly().gtd(bed.time + 100).send();
        assertEquals(ExecType.NEW, bed.events.onlyReport().execType());
    }

    @Test
    void shouldNotRejectMarketBuyAsInvalidPriceWhenProtectionLimitExceedsMaxPrice()
    {
        // The price of a market order is ignored (Engine#newOrder): its protection limit is the
        // engine's business. Reference 0.6 * MAX_PRICE with 100 % protection puts it above MAX_PRICE.
        final long reference = Engine.MAX_PRICE / 10 * 6;
        final TestBed big = TestBed.empty(new EngineContext())
            .instrument(7, BTC, USD, 1, 1, reference, 0, Engine.MAX_BPS)
            .account(1, Long.MAX_VALUE / 2, 0);

        big.order(1, 11).marketBuy(1).instrument(7).send();

        final Exec first = big.events.reports().get(0);
        assertNotEquals(RejectReason.INVALID_PRICE, first.rejectReason(), big.events.toString());
        assertEquals(RejectReason.NO_LIQUIDITY, big.events.lastReport().rejectReason(), big.events.toString());
    }
}
