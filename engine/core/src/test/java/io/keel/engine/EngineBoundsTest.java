package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.keel.engine.TestBed.BTC_USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * What a client can grow in the engine is bounded, with a clear answer at the bound: the GTD horizon, the expiry
 * queue (exactly the resting GTD orders), open orders per account, the whole engine's orders; and the limits are
 * state, set through a command and carried by the snapshot.
 */
class EngineBoundsTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final long CAROL = 3;
    private static final long HORIZON = EngineLimits.GTD_HORIZON_MS_DEFAULT;

    private final TestBed bed = TestBed.create()
        .account(ALICE, 1_000_000, 1_000)
        .account(BOB, 1_000_000, 1_000)
        .account(CAROL, 1_000_000, 1_000);

    @Test
    void shouldRejectGtdBeyondTheHorizonAndAcceptItAtTheHorizon()
    {
        bed.at(1_000);
        assertEquals(0, bed.order(ALICE, 11).buy(95, 1).gtd(1_001 + HORIZON + 1).send(), "one past the horizon");
        assertEquals(RejectReason.INVALID_EXPIRE_TIME, bed.events.onlyReport().rejectReason());
        assertEquals(0, bed.order(ALICE, 12).buy(95, 1).gtd(32_503_680_000_000L).send(), "the year 3000");
        assertEquals(RejectReason.INVALID_EXPIRE_TIME, bed.events.onlyReport().rejectReason());

        bed.at(2_000);
        assertNotEquals(0, bed.order(ALICE, 13).buy(95, 1).gtd(2_001 + HORIZON).send(), "at the horizon");
        assertEquals(1, bed.engine.expiries.size());
    }

    @Test
    void shouldLeaveNoExpiryEntryWhenAGtdOrderEndsAnyOtherWay()
    {
        final long expire = 1_000_000;
        final long cancelled = bed.order(ALICE, 11).buy(95, 1).gtd(expire).send();
        final long filled = bed.order(ALICE, 12).sell(105, 2).gtd(expire).send();
        final long replaced = bed.order(ALICE, 13).buy(96, 3).gtd(expire).send();
        bed.order(ALICE, 14).buy(90, 1).gtd(expire).send();
        bed.order(ALICE, 15).buy(91, 1).gtd(expire).send();
        assertEquals(5, bed.engine.expiries.size());

        bed.cancel(ALICE, 21, cancelled);
        assertEquals(4, bed.engine.expiries.size(), "cancel");
        bed.buy(BOB, 31, 105, 2);
        assertEquals(3, bed.engine.expiries.size(), "fill");
        bed.replace(ALICE, 22, replaced, 97, 3);
        assertEquals(3, bed.engine.expiries.size(), "a replace that rests keeps its one entry");
        bed.replace(ALICE, 23, replaced, 104, 3);
        bed.sell(BOB, 32, 104, 3);
        assertEquals(2, bed.engine.expiries.size(), "replaced, then filled");
        bed.massCancel(TestBed.sessionOf(ALICE), ALICE, 24, MassCancelScope.ACCOUNT, 0);
        assertEquals(0, bed.engine.expiries.size(), "mass cancel");
        assertEquals(Long.MAX_VALUE, bed.engine.nextExpiryTime(), "no timer for orders gone");
    }

    @Test
    void shouldStopOneAccountAtItsOpenOrderLimitWhileAnotherKeepsTrading()
    {
        bed.engine.setLimits(7, 0, 3, 0, 0, 0, bed.tick());
        for (int i = 0; i < 3; i++)
        {
            assertNotEquals(0, bed.sell(ALICE, 100 + i, 200 + i, 1));
        }
        assertEquals(0, bed.sell(ALICE, 103, 210, 1));
        assertEquals(RejectReason.ACCOUNT_ORDER_LIMIT, bed.events.onlyReport().rejectReason());

        assertNotEquals(0, bed.sell(BOB, 200, 150, 1));
        bed.buy(CAROL, 300, 150, 1);
        assertEquals(2, bed.events.reports(ExecType.TRADE).size(), "another account trades: a fill on each side");
        bed.cancel(ALICE, 104, bed.orderIds(BTC_USD, Side.SELL).get(bed.orderIds(BTC_USD, Side.SELL).size() - 1));
        assertNotEquals(0, bed.sell(ALICE, 105, 211, 1), "a slot freed by a cancel is the account's again");
    }

    @Test
    void shouldKeepTheWholeEngineLimitAndRaiseItThroughACommand()
    {
        bed.engine.setLimits(7, 2, 0, 0, 0, 0, bed.tick());
        assertNotEquals(0, bed.sell(ALICE, 1, 200, 1));
        assertNotEquals(0, bed.sell(BOB, 2, 201, 1));
        assertEquals(0, bed.sell(CAROL, 3, 202, 1));
        assertEquals(RejectReason.ORDER_LIMIT_REACHED, bed.events.onlyReport().rejectReason());

        bed.engine.setLimits(8, 100_000, 0, 0, 0, 0, bed.tick());
        assertNotEquals(0, bed.sell(CAROL, 4, 202, 1));
        assertEquals(100_000, bed.engine.limits().maxOrders());
    }

    @Test
    void shouldRefuseALimitOutOfRangeAndChangeNothing()
    {
        final EngineLimits limits = bed.engine.limits();
        bed.engine.setLimits(9, 10, -1, 0, 0, 0, bed.tick());
        assertEquals(EngineContext.MAX_ORDERS_DEFAULT, limits.maxOrders(), "a refused command changes nothing");
        assertEquals(0, limits.changes());
        bed.engine.setLimits(9, EngineLimits.MAX_ORDERS_MAX + 1L, 0, 0, 0, 0, bed.tick());
        assertEquals(0, limits.changes());
    }

    @Test
    void shouldCarryTheLimitsInTheSnapshot()
    {
        bed.engine.setLimits(7, 500, 5, 86_400_000, 30_000, 1_000, bed.tick());
        bed.order(ALICE, 11).buy(95, 1).gtd(bed.tick() + 1_000).send();
        final List<byte[]> snapshot = Snapshots.of(bed.engine);

        final Engine restored = new Engine(new EngineContext(), new RecordingListener());
        Snapshots.load(snapshot, restored);

        final EngineLimits limits = restored.limits();
        assertEquals(500, limits.maxOrders());
        assertEquals(5, limits.maxOpenOrdersPerAccount());
        assertEquals(86_400_000, limits.gtdHorizon());
        assertEquals(30_000, limits.idempotencyHorizon());
        assertEquals(1_000, limits.maxClOrdIds());
        assertEquals(1, limits.changes());
        assertEquals(1, restored.expiries.size(), "the GTD order queued again");
        assertEquals(bed.engine.stateHash(), restored.stateHash());
    }

    /**
     * Whatever a client does with GTD orders, the expiry queue holds exactly the resting GTD orders and each account
     * counts exactly its live orders.
     */
    @Property(tries = 200)
    void expiryQueueAndOpenOrderCountsFollowTheBook(
        @ForAll @Size(min = 1, max = 60) final List<@IntRange(min = 0, max = 99) Integer> steps)
    {
        final TestBed b = TestBed.create().account(ALICE, 10_000_000, 10_000).account(BOB, 10_000_000, 10_000);
        long clOrdId = 1;
        for (final int step : steps)
        {
            final long account = step % 2 == 0 ? ALICE : BOB;
            final List<Long> live = b.orderIds(BTC_USD, step % 3 == 0 ? Side.BUY : Side.SELL);
            if (step < 40)
            {
                b.order(account, clOrdId++).side(step % 3 == 0 ? Side.BUY : Side.SELL)
                    .price(step % 3 == 0 ? 90 + step % 10 : 101 + step % 10).quantity(1 + step % 3)
                    .gtd(b.time + 10 + step * 37L).send();
            }
            else if (step < 55 && !live.isEmpty())
            {
                b.cancel(b.engine.orders.get(live.get(0)).accountId, clOrdId++, live.get(0));
            }
            else if (step < 70 && !live.isEmpty())
            {
                final Order order = b.engine.orders.get(live.get(step % live.size()));
                b.replace(order.accountId, clOrdId++, order.orderId, order.isBuy() ? 99 : 101, order.quantity + 1);
            }
            else if (step < 85)
            {
                b.order(account, clOrdId++).side(step % 2 == 0 ? Side.BUY : Side.SELL).price(step % 2 == 0 ? 110 : 90)
                    .quantity(1 + step % 4).ioc().send();
            }
            else
            {
                b.onTime(b.time + step * 11L);
            }
            int gtd = 0;
            final int[] open = new int[3];
            for (final Side side : Side.values())
            {
                if (side == Side.NULL_VAL)
                {
                    continue;
                }
                for (final long orderId : b.orderIds(BTC_USD, side))
                {
                    final Order order = b.engine.orders.get(orderId);
                    gtd += order.timeInForce == io.keel.codecs.TimeInForce.GTD ? 1 : 0;
                    open[(int)order.accountId]++;
                }
            }
            assertEquals(gtd, b.engine.expiries.size(), "expiry entries = resting GTD orders");
            assertEquals(open[(int)ALICE], b.engine.accounts.get(ALICE).openOrders);
            assertEquals(open[(int)BOB], b.engine.accounts.get(BOB).openOrders);
        }
    }
}
