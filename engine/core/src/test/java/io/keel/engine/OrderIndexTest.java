package io.keel.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Live orders by id and by (account, clOrdId) against maps, through puts, removes and clOrdId changes that fill the
 * preallocated tables to their bound and shift entries back on delete, with old orders outliving many newer ones.
 */
class OrderIndexTest
{
    private static final int ACCOUNTS = 20;

    @Test
    void shouldFindEveryLiveOrderByIdAndByAccountAndClOrdIdAsAMapWould()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final Account[] accounts = new Account[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++)
        {
            accounts[i] = new Account(i, 1);
        }
        int capacity = 64;
        final OrderIndex index = new OrderIndex(capacity);
        final Map<String, Order> byClOrdId = new HashMap<>();
        final Map<Long, Order> byId = new HashMap<>();
        final List<Order> live = new ArrayList<>();
        long nextOrderId = 1;
        long nextClOrdId = 1;
        for (int step = 0; step < 200_000; step++)
        {
            if (step == 100_000)
            {
                capacity = 1_000;
                index.ensureCapacity(capacity); // an admin raised the order limit: every live order still found
            }
            final int action = random.nextInt(10);
            if ((action < 4 || live.isEmpty()) && live.size() < capacity)
            {
                final Order order = new Order();
                order.orderId = nextOrderId++;
                order.account = accounts[random.nextInt(ACCOUNTS)];
                order.accountId = order.account.accountId;
                order.clOrdId = nextClOrdId++;
                index.put(order);
                live.add(order);
                byClOrdId.put(order.accountId + "/" + order.clOrdId, order);
                byId.put(order.orderId, order);
            }
            else if (action < 7 && !live.isEmpty())
            {
                // Mostly the newest: the oldest orders live on while ids wrap the by-id table many times.
                final int victim = random.nextInt(4) == 0 ? random.nextInt(live.size()) :
                    live.size() - 1 - random.nextInt(Math.min(live.size(), 8));
                final Order order = live.remove(victim);
                index.remove(order);
                byClOrdId.remove(order.accountId + "/" + order.clOrdId);
                byId.remove(order.orderId);
            }
            else if (!live.isEmpty())
            {
                final Order order = live.get(random.nextInt(live.size()));
                byClOrdId.remove(order.accountId + "/" + order.clOrdId);
                index.changeClOrdId(order, nextClOrdId++);
                byClOrdId.put(order.accountId + "/" + order.clOrdId, order);
            }
            final long accountId = random.nextInt(ACCOUNTS);
            final long clOrdId = 1 + random.nextInt((int)nextClOrdId);
            assertSame(byClOrdId.get(accountId + "/" + clOrdId), index.get(accountId, clOrdId), "step " + step);
            final long orderId = 1 + random.nextInt((int)nextOrderId);
            assertSame(byId.get(orderId), index.get(orderId), "step " + step);
        }
        assertEquals(live.size(), index.size());
        final int[] open = new int[ACCOUNTS];
        for (final Order order : live)
        {
            assertSame(order, index.get(order.accountId, order.clOrdId));
            assertSame(order, index.get(order.orderId));
            open[(int)order.accountId]++;
        }
        for (int i = 0; i < ACCOUNTS; i++)
        {
            assertEquals(open[i], accounts[i].openOrders, "open orders of account " + i);
        }
        assertNull(index.get(nextOrderId));
    }
}
