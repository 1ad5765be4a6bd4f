package io.keel.engine;

import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.HaltInstrumentDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ResumeInstrumentDecoder;
import io.keel.codecs.Side;
import io.keel.engine.Events.AdminResponse;
import io.keel.engine.Events.CancelReject;
import io.keel.engine.Events.MassCancelReport;
import org.junit.jupiter.api.Test;

import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.ETH;
import static io.keel.engine.TestBed.USD;
import static io.keel.engine.TestBed.sessionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Instruments, halt and resume, and the price band.
 */
class AdminTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 1_000_000, 1_000)
        .account(BOB, 1_000_000, 1_000);

    @Test
    void shouldAddInstrumentAndAnswerWithCorrelationAndTemplate()
    {
        bed.events.clear();
        bed.engine.addInstrument(55, 2, ETH, USD, 5, 10, 1_000, 500, 300, 7_000);

        assertEquals(new AdminResponse(55, AddInstrumentDecoder.TEMPLATE_ID, RejectReason.NONE, 7_000), bed.events.lastAdmin());
        assertTrue(bed.engine.hasInstrument(2));
        assertEquals(2, bed.engine.instrumentCount());
        assertEquals(1_000, bed.engine.referencePrice(2));
        assertEquals(Engine.NULL_PRICE, bed.engine.referencePrice(3));
    }

    @Test
    void shouldRejectExistingInstrument()
    {
        assertEquals(RejectReason.INSTRUMENT_EXISTS, bed.addInstrument(BTC_USD, ETH, USD, 1, 1, 10, 0, 0));
    }

    @Test
    void shouldRejectInvalidInstrumentDefinitions()
    {
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(0, ETH, USD, 1, 1, 10, 0, 0), "id");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(-2, ETH, USD, 1, 1, 10, 0, 0), "id");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, USD, USD, 1, 1, 10, 0, 0), "base == quote");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 0, 1, 10, 0, 0), "tick");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 0, 10, 0, 0), "lot");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, 0, 0, 0), "reference");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 3, 1, 10, 0, 0), "reference off tick");
        assertEquals(
            RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, Engine.MAX_PRICE + 1, 0, 0), "reference");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, 10, -1, 0), "band");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, 10, Engine.MAX_BPS + 1, 0), "band");
        assertEquals(RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, 10, 0, -1), "protection");
        assertEquals(
            RejectReason.INVALID_INSTRUMENT, bed.addInstrument(2, ETH, USD, 1, 1, 10, 0, Engine.MAX_BPS + 1), "protection");
        assertFalse(bed.engine.hasInstrument(2));
    }

    @Test
    void shouldRejectInstrumentWithInvalidAsset()
    {
        final TestBed small = TestBed.empty(new EngineContext().maxAssets(4));

        assertEquals(RejectReason.INVALID_ASSET, small.addInstrument(1, 4, 0, 1, 1, 10, 0, 0));
        assertEquals(RejectReason.INVALID_ASSET, small.addInstrument(1, 1, -1, 1, 1, 10, 0, 0));
        assertEquals(RejectReason.NONE, small.addInstrument(1, 3, 0, 1, 1, 10, 0, 0));
    }

    @Test
    void shouldRejectInstrumentsBeyondMaxInstruments()
    {
        final TestBed small = TestBed.create(new EngineContext().maxInstruments(1));

        assertEquals(RejectReason.INSTRUMENT_LIMIT_REACHED, small.addInstrument(2, ETH, USD, 1, 1, 10, 0, 0));
        assertFalse(small.engine.hasInstrument(2));
    }

    @Test
    void shouldRejectHaltOrResumeOfUnknownInstrument()
    {
        bed.events.clear();
        bed.engine.halt(31, 9, bed.tick());
        assertEquals(new AdminResponse(31, HaltInstrumentDecoder.TEMPLATE_ID, RejectReason.UNKNOWN_INSTRUMENT, bed.time), bed.events.lastAdmin());
        bed.events.clear();
        bed.engine.resume(32, 9, bed.tick());
        assertEquals(
            new AdminResponse(32, ResumeInstrumentDecoder.TEMPLATE_ID, RejectReason.UNKNOWN_INSTRUMENT, bed.time), bed.events.lastAdmin());
    }

    @Test
    void shouldRejectNewOrdersAndReplacesWhileHaltedButAllowCancels()
    {
        final long bid = bed.buy(ALICE, 11, 95, 10);
        final long other = bed.buy(ALICE, 12, 94, 10);
        bed.sell(BOB, 21, 105, 10);

        assertEquals(RejectReason.NONE, bed.halt(BTC_USD));
        assertTrue(bed.engine.isHalted(BTC_USD));

        bed.sell(BOB, 22, 95, 10);
        assertEquals(RejectReason.INSTRUMENT_HALTED, bed.events.onlyReport().rejectReason());
        bed.order(BOB, 23).marketSell(1).send();
        assertEquals(RejectReason.INSTRUMENT_HALTED, bed.events.onlyReport().rejectReason());
        bed.replace(ALICE, 13, bid, 96, 10);
        assertEquals(RejectReason.INSTRUMENT_HALTED, bed.events.only(CancelReject.class).reason());

        bed.cancel(ALICE, 14, bid);
        assertEquals(ExecType.CANCELED, bed.events.onlyReport().execType());
        bed.massCancel(sessionOf(BOB), BOB, 24, MassCancelScope.ACCOUNT, 0);
        assertEquals(1, bed.events.only(MassCancelReport.class).canceledCount());

        assertEquals(RejectReason.NONE, bed.resume(BTC_USD));
        assertFalse(bed.engine.isHalted(BTC_USD));
        bed.sell(BOB, 25, 94, 10);
        assertEquals(other, bed.events.reports(ExecType.TRADE).get(1).orderId());
    }

    @Test
    void shouldRejectLimitOrderOutsidePriceBand()
    {
        // ETH/USD: reference 1000, band 10 %: [900, 1100].
        bed.instrument(2, ETH, USD, 5, 1, 1_000, 1_000, 0).deposit(BOB, ETH, 100);

        bed.order(ALICE, 11).buy(1_105, 1).instrument(2).send();
        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, bed.events.onlyReport().rejectReason());
        bed.order(BOB, 21).sell(895, 1).instrument(2).send();
        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, bed.events.onlyReport().rejectReason());

        bed.order(ALICE, 12).buy(1_100, 1).instrument(2).send();
        assertEquals(ExecType.NEW, bed.events.onlyReport().execType(), "the band's edges are inside");
        bed.order(BOB, 22).sell(900, 1).instrument(2).send();
        assertEquals(ExecType.NEW, bed.events.reports().get(0).execType());
    }

    @Test
    void shouldCenterPriceBandOnLastTradePrice()
    {
        bed.instrument(2, ETH, USD, 5, 1, 1_000, 1_000, 0).deposit(BOB, ETH, 100);
        bed.order(BOB, 21).sell(1_100, 1).instrument(2).send();
        bed.order(ALICE, 11).buy(1_100, 1).instrument(2).send();
        assertEquals(1_100, bed.engine.referencePrice(2));

        // Now [990, 1210].
        bed.order(ALICE, 12).buy(1_210, 1).instrument(2).send();
        assertEquals(ExecType.NEW, bed.events.onlyReport().execType());
        bed.order(BOB, 22).sell(985, 1).instrument(2).send();
        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, bed.events.onlyReport().rejectReason());
    }

    @Test
    void shouldRejectReplaceOutsidePriceBand()
    {
        bed.instrument(2, ETH, USD, 5, 1, 1_000, 1_000, 0);
        final long orderId = bed.order(ALICE, 11).buy(1_000, 1).instrument(2).send();

        bed.replace(ALICE, 12, orderId, 1_105, 1);

        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, bed.events.only(CancelReject.class).reason());
        assertEquals(1_000, bed.engine.bestPrice(2, Side.BUY));
    }

    @Test
    void shouldNotApplyPriceBandToMarketOrders()
    {
        // Band 1 %, protection 20 %: a market order may trade outside the limit-order band.
        bed.instrument(2, ETH, USD, 1, 1, 1_000, 100, 2_000).deposit(BOB, ETH, 100);
        bed.order(BOB, 21).sell(1_010, 1).instrument(2).send();
        bed.order(ALICE, 11).buy(1_200, 1).instrument(2).send();
        assertEquals(RejectReason.PRICE_OUTSIDE_BAND, bed.events.onlyReport().rejectReason());

        bed.order(ALICE, 12).marketBuy(1).instrument(2).send();

        assertEquals(ExecType.NEW, bed.events.reports().get(0).execType());
        assertEquals(1_010, bed.events.reports(ExecType.TRADE).get(0).lastPrice());
    }
}
