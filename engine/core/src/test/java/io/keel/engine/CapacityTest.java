package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.engine.Events.Exec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.BTC_USD;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Books, pools, queues and balances grown past their initial sizes behave as small ones do.
 */
class CapacityTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    @Test
    void shouldKeepManyLevelsInPriceOrderAndSweepThemBestFirst()
    {
        final TestBed bed = TestBed.create().account(ALICE, 10_000_000, 0).account(BOB, 0, 10_000);
        final List<Long> prices = new ArrayList<>();
        for (long price = 1; price <= 300; price++)
        {
            prices.add(price * 2);
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = prices.size() - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            prices.set(i, prices.set(j, prices.get(i)));
        }
        long clOrdId = 1;
        for (final long price : prices)
        {
            bed.buy(ALICE, clOrdId++, price, 1);
        }
        bed.buy(ALICE, clOrdId++, 300, 1);

        final List<TestBed.Level> levels = bed.levels(BTC_USD, Side.BUY);
        assertEquals(300, levels.size());
        final List<TestBed.Level> sorted = new ArrayList<>(levels);
        sorted.sort(Comparator.comparingLong(TestBed.Level::price).reversed());
        assertEquals(sorted, levels);
        assertEquals(new TestBed.Level(300, 2, 2), levels.get(150));

        bed.order(BOB, 1).sell(101, 1_000).ioc().send();

        final List<Exec> trades = bed.events.reports(ExecType.TRADE);
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < trades.size(); i += 2)
        {
            final long price = trades.get(i).lastPrice();
            assertTrue(price <= previous, "best price first");
            previous = price;
        }
        assertEquals(251, trades.size() / 2, "levels 102..600 (250 of them, one with two orders)");
        assertEquals(50, bed.levels(BTC_USD, Side.BUY).size());
        assertEquals(100, bed.engine.bestPrice(BTC_USD, Side.BUY));
    }

    @Test
    void shouldGrowOrderPoolUpToMaxOrders()
    {
        final TestBed bed = TestBed.create(new EngineContext().initialOrders(2).maxOrders(40)).account(ALICE, 1_000_000, 0);
        for (int i = 1; i <= 40; i++)
        {
            bed.buy(ALICE, i, 50 + i, 1);
            assertEquals(ExecType.NEW, bed.events.onlyReport().execType());
        }

        bed.buy(ALICE, 41, 10, 1);

        assertEquals(RejectReason.ORDER_LIMIT_REACHED, bed.events.onlyReport().rejectReason());
        assertEquals(40, bed.engine.openOrderCount());
    }

    @Test
    void shouldExpireManyGtdOrdersInExpireTimeThenOrderIdOrder()
    {
        final TestBed bed = TestBed.create().account(ALICE, 10_000_000, 0);
        final SplittableRandom random = new SplittableRandom(7);
        final List<long[]> expected = new ArrayList<>();
        for (int i = 1; i <= 700; i++)
        {
            final long expireTime = 100_000 + random.nextInt(300);
            final long orderId = bed.order(ALICE, i).buy(1 + random.nextInt(90), 1).gtd(expireTime).send();
            expected.add(new long[] {expireTime, orderId});
        }
        expected.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));

        bed.onTime(200_000);

        final List<Exec> expired = bed.events.reports(ExecType.EXPIRED);
        assertEquals(700, expired.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i)[1], expired.get(i).orderId(), "expiry " + i);
        }
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(Long.MAX_VALUE, bed.engine.nextExpiryTime());
    }

    @Test
    void shouldHandleAssetsAndAccountsAddedAfterGrowth()
    {
        final TestBed bed = TestBed.create().account(ALICE, 1_000, 0);
        assertEquals(RejectReason.NONE, bed.deposit(ALICE, 40, 5_000));
        bed.account(BOB, 0, 0);
        bed.instrument(9, 300, 40, 1, 1, 10, 0, 0);
        assertEquals(RejectReason.NONE, bed.deposit(BOB, 300, 70));

        bed.order(BOB, 21).sell(10, 50).instrument(9).send();
        bed.order(ALICE, 11).buy(12, 30).instrument(9).send();

        assertEquals(5_000 - 300, bed.balance(ALICE, 40));
        assertEquals(30, bed.balance(ALICE, 300));
        assertEquals(300, bed.balance(BOB, 40));
        assertEquals(20, bed.reserved(BOB, 300));
        assertEquals(1_000, bed.balance(ALICE, USD));
        assertEquals(0, bed.balance(BOB, BTC));

        final Engine restored = new Engine(new RecordingListener());
        Snapshots.load(Snapshots.of(bed.engine), restored);
        assertEquals(bed.engine.stateHash(), restored.stateHash());
        restored.verifyInvariants();
    }
}
