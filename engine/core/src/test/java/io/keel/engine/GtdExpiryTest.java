package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.Exec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Good-till-date orders expire when any command or timer carries a time at or past expireTime.
 */
class GtdExpiryTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 100_000, 1_000)
        .account(BOB, 100_000, 1_000);

    @Test
    void shouldRestGtdOrderUntilItsExpireTime()
    {
        final long orderId = bed.order(ALICE, 11).buy(95, 10).gtd(5_000).send();
        assertEquals(TimeInForce.GTD, bed.events.onlyReport().timeInForce());
        assertEquals(5_000, bed.engine.nextExpiryTime());

        bed.onTime(4_999);
        assertEquals(0, bed.events.events().size());
        assertEquals(List.of(orderId), bed.orderIds(BTC_USD, Side.BUY));

        bed.onTime(5_000);
        assertEquals("BOOK EXPIRED", bed.events.shape());
        final Exec expired = bed.events.onlyReport();
        assertEquals(orderId, expired.orderId());
        assertEquals(OrdStatus.EXPIRED, expired.ordStatus());
        assertEquals(5_000, expired.time());
        assertEquals(0, bed.engine.openOrderCount());
        assertEquals(0, bed.reserved(ALICE, USD));
    }

    @Test
    void shouldExpireBeforeApplyingCommandThatCarriesLaterTime()
    {
        bed.order(ALICE, 11).sell(100, 10).gtd(5_000).send();

        bed.at(5_999);
        bed.buy(BOB, 21, 100, 10);

        assertEquals("BOOK EXPIRED NEW BOOK", bed.events.shape());
        assertEquals(0, bed.events.reports(ExecType.TRADE).size());
        assertEquals(List.of(new TestBed.Level(100, 10, 1)), bed.levels(BTC_USD, Side.BUY));
    }

    @Test
    void shouldExpireOnAdminCommandsToo()
    {
        bed.order(ALICE, 11).sell(100, 10).gtd(5_000).send();

        bed.at(6_000);
        bed.createAccount(3);

        assertEquals("BOOK EXPIRED ADMIN", bed.events.shape());
    }

    @Test
    void shouldExpireInExpireTimeThenOrderIdOrder()
    {
        final long late = bed.order(ALICE, 11).buy(95, 1).gtd(5_100).send();
        final long first = bed.order(ALICE, 12).buy(94, 1).gtd(5_000).send();
        final long second = bed.order(BOB, 21).sell(105, 1).gtd(5_000).send();

        bed.onTime(6_000);

        final List<Exec> expired = bed.events.reports(ExecType.EXPIRED);
        assertEquals(List.of(first, second, late), List.of(expired.get(0).orderId(), expired.get(1).orderId(), expired.get(2).orderId()));
    }

    @Test
    void shouldExpireRemainderOfPartlyFilledGtdOrder()
    {
        final long orderId = bed.order(ALICE, 11).sell(100, 10).gtd(5_000).send();
        bed.buy(BOB, 21, 100, 3);

        bed.onTime(5_000);

        final Exec expired = bed.events.onlyReport();
        assertEquals(orderId, expired.orderId());
        assertEquals(3, expired.cumQty());
        assertEquals(OrdStatus.EXPIRED, expired.ordStatus());
        assertEquals(0, bed.reserved(ALICE, TestBed.BTC));
        assertEquals(997, bed.balance(ALICE, TestBed.BTC));
    }

    @Test
    void shouldNotExpireCanceledOrReplacedAwayOrders()
    {
        final long canceled = bed.order(ALICE, 11).buy(95, 1).gtd(5_000).send();
        bed.cancel(ALICE, 12, canceled);
        final long replaced = bed.order(ALICE, 13).buy(95, 1).gtd(5_000).send();
        bed.replace(ALICE, 14, replaced, 96, 1);
        bed.replace(ALICE, 15, replaced, 97, 1);

        bed.onTime(5_000);

        assertEquals(1, bed.events.reports(ExecType.EXPIRED).size(), bed.events.toString());
        assertEquals(replaced, bed.events.onlyReport().orderId());
        assertEquals(15, bed.events.onlyReport().clOrdId());
    }

    @Test
    void shouldKeepExpireTimeWhenReplaced()
    {
        final long orderId = bed.order(ALICE, 11).buy(95, 2).gtd(5_000).send();
        bed.replace(ALICE, 12, orderId, 95, 1);

        bed.onTime(5_000);

        assertEquals(ExecType.EXPIRED, bed.events.onlyReport().execType());
    }

    @Test
    void shouldRejectGtdWithPastExpireTime()
    {
        bed.at(5_000);
        bed.order(ALICE, 11).buy(95, 1).gtd(5_001).send();

        assertEquals(RejectReason.INVALID_EXPIRE_TIME, bed.events.onlyReport().rejectReason());
    }

    @Test
    void shouldIgnoreExpireTimeOfNonGtdOrders()
    {
        final long orderId = bed.order(ALICE, 11).buy(95, 1).expireTime(2_000).send();

        bed.onTime(10_000);

        assertEquals(List.of(orderId), bed.orderIds(BTC_USD, Side.BUY));
    }
}
