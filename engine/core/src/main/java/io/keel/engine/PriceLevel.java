package io.keel.engine;

/**
 * All resting orders at one price on one side, in time priority (head first).
 */
final class PriceLevel
{
    long price;
    long quantity;
    int orderCount;
    Order head;
    Order tail;

    void append(final Order order)
    {
        order.level = this;
        order.prev = tail;
        order.next = null;
        if (tail == null)
        {
            head = order;
        }
        else
        {
            tail.next = order;
        }
        tail = order;
        quantity += order.leavesQty;
        orderCount++;
    }

    void remove(final Order order)
    {
        if (order.prev == null)
        {
            head = order.next;
        }
        else
        {
            order.prev.next = order.next;
        }
        if (order.next == null)
        {
            tail = order.prev;
        }
        else
        {
            order.next.prev = order.prev;
        }
        quantity -= order.leavesQty;
        orderCount--;
        order.level = null;
        order.prev = null;
        order.next = null;
    }

    boolean isEmpty()
    {
        return orderCount == 0;
    }

    void reset(final long price)
    {
        this.price = price;
        quantity = 0;
        orderCount = 0;
        head = null;
        tail = null;
    }
}
