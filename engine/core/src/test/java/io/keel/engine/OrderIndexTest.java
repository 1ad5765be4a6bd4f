package io.keel.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Live orders by (account, clOrdId) against a map, through puts, removes and clOrdId changes that
 * grow the table and shift its entries back on delete.
 */
class OrderIndexTest
{
    @Test
    void shouldFindEveryLiveOrderByAccountAndClOrdIdAsAMapWould()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final OrderIndex index = new OrderIndex(64, 4);
        final Map<String, Order> model = new HashMap<>();
        final List<Order> live = new ArrayList<>();
        long nextOrderId = 1;
        long nextClOrdId = 1;
        for (int step = 0; step < 100_000; step++)
        {
            final int action = random.nextInt(10);
            if (action < 4 || live.isEmpty())
            {
                final Order order = new Order();
                order.orderId = nextOrderId++;
                order.accountId = random.nextInt(20);
                order.clOrdId = nextClOrdId++;
                index.put(order);
                live.add(order);
                model.put(order.accountId + "/" + order.clOrdId, order);
            }
            else if (action < 7)
            {
                final Order order = live.remove(random.nextInt(live.size()));
                index.remove(order);
                model.remove(order.accountId + "/" + order.clOrdId);
            }
            else
            {
                final Order order = live.get(random.nextInt(live.size()));
                model.remove(order.accountId + "/" + order.clOrdId);
                index.changeClOrdId(order, nextClOrdId++);
                model.put(order.accountId + "/" + order.clOrdId, order);
            }
            final long accountId = random.nextInt(20);
            final long clOrdId = 1 + random.nextInt((int)nextClOrdId);
            assertSame(model.get(accountId + "/" + clOrdId), index.get(accountId, clOrdId), "step " + step);
        }
        assertEquals(live.size(), index.size());
        for (final Order order : live)
        {
            assertSame(order, index.get(order.accountId, order.clOrdId));
            assertSame(order, index.get(order.orderId));
        }
    }
}
