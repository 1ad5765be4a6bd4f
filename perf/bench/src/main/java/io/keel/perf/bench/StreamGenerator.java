package io.keel.perf.bench;

import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes an {@link OrderStream} while matching it in a simple model book of its own (price-time,
 * fills at the maker's price, IOC remainders dropped), so every cancel and replace names an
 * order that is really resting and every aggressive order really crosses. Generation time only:
 * it allocates freely.
 *
 * <p>The steady mix, per command, on an instrument picked uniformly, with an account picked
 * uniformly: resting limits placed a geometric number of ticks (mean 1.5) behind the opposite
 * touch, so most land at or next to the touch (base weight 45 %); aggressive orders priced 0-2
 * ticks through the touch (8 %: 3 in 4 IOC, 1 in 4 marketable GTC whose remainder rests); price
 * moves of 1-2 ticks that never cross (9 %), size reductions (5 %, a move when only one lot is
 * left) and cancels (the rest) of uniformly chosen resting orders. The insert weight leans
 * against the depth target (+-30 %), so the book stays near {@code depth} orders; aggressive
 * flow leans against the price's distance from {@link OrderStream#CENTER_PRICE}, so prices stay
 * near it (with the defaults, all prices lie within 0.03 % of it). With the defaults a pass
 * comes out at about 49 % limits, 6 % IOC, 31 % cancels, 11 % moves, 3 % reductions and 0.24
 * fills per command ({@link OrderStream#describe()} prints it).
 */
final class StreamGenerator
{
    private static final double AGGRESSIVE = 0.08;
    private static final double MOVE = 0.09;
    private static final double REDUCE = 0.05;
    private static final double INSERT = 0.45;
    private static final double INSERT_LEAN = 0.30;
    private static final double IOC_SHARE = 0.75;
    private static final double MEAN_OFFSET_TICKS = 1.5;
    private static final int MAX_OFFSET_TICKS = 40;
    private static final double REVERSION_BAND = 0.003;

    private final OrderStream out;
    private final SplittableRandom random;
    private final Book[] books;
    private int nextOrder;
    private int resting;

    StreamGenerator(final OrderStream out, final long seed)
    {
        this.out = out;
        random = new SplittableRandom(seed);
        books = new Book[out.instruments];
        for (int i = 0; i < books.length; i++)
        {
            books[i] = new Book(i, out.depth);
        }
    }

    void run(final int length)
    {
        for (int k = 0, n = out.depth * books.length; k < n; k++)
        {
            insertPassive(books[k % books.length]);
        }
        while (out.length + resting < length)
        {
            step(books[books.length == 1 ? 0 : random.nextInt(books.length)]);
        }
        for (final Book book : books)
        {
            while (book.liveCount > 0)
            {
                cancel(book.live[book.liveCount - 1]);
            }
        }
        out.newOrders = nextOrder;
    }

    private void step(final Book book)
    {
        final double lean = Math.max(-1.0, Math.min(1.0, (double)(out.depth - book.liveCount) / out.depth));
        final double insert = INSERT + INSERT_LEAN * lean;
        final double u = random.nextDouble();
        if (book.liveCount == 0 || u < insert)
        {
            insertPassive(book);
        }
        else if (u < insert + AGGRESSIVE)
        {
            aggressive(book);
        }
        else if (u < insert + AGGRESSIVE + MOVE)
        {
            move(pickResting(book));
        }
        else if (u < insert + AGGRESSIVE + MOVE + REDUCE)
        {
            reduce(pickResting(book));
        }
        else
        {
            cancel(pickResting(book));
        }
    }

    private Order pickResting(final Book book)
    {
        return book.live[random.nextInt(book.liveCount)];
    }

    private void insertPassive(final Book book)
    {
        final boolean buy = random.nextDouble() < sideLean(book);
        final long offset = Math.min(MAX_OFFSET_TICKS, (long)(-Math.log(1.0 - random.nextDouble()) * MEAN_OFFSET_TICKS));
        final long price;
        if (buy)
        {
            final Level ask = book.best(false);
            final Level bid = book.best(true);
            final long anchor = ask != null ? ask.price : bid != null ? bid.price + 1 : OrderStream.CENTER_PRICE;
            price = Math.max(1, anchor - 1 - offset);
        }
        else
        {
            final Level bid = book.best(true);
            final Level ask = book.best(false);
            final long anchor = bid != null ? bid.price : ask != null ? ask.price - 1 : OrderStream.CENTER_PRICE;
            price = anchor + 1 + offset;
        }
        newOrder(book, OrderStream.NEW_LIMIT, buy, price, lotSize());
    }

    /**
     * Buy more often when the side is short of orders, so both sides hold about depth / 2.
     */
    private double sideLean(final Book book)
    {
        final double imbalance = (double)(book.askCount - book.bidCount) / Math.max(1, out.depth / 2);
        return 0.5 + 0.25 * Math.max(-1.0, Math.min(1.0, imbalance));
    }

    private void aggressive(final Book book)
    {
        final Level bid = book.best(true);
        final Level ask = book.best(false);
        final double mid = bid != null && ask != null ? (bid.price + ask.price) / 2.0 :
            bid != null ? bid.price : ask != null ? ask.price : OrderStream.CENTER_PRICE;
        final double drift = (mid - OrderStream.CENTER_PRICE) / (OrderStream.CENTER_PRICE * REVERSION_BAND);
        boolean buy = random.nextDouble() < 0.5 - 0.3 * Math.max(-1.0, Math.min(1.0, drift));
        if (buy ? ask == null : bid == null)
        {
            buy = !buy;
        }
        final Level touch = buy ? ask : bid;
        if (touch == null)
        {
            insertPassive(book);
            return;
        }
        final long through = random.nextInt(3);
        final long price = buy ? touch.price + through : Math.max(1, touch.price - through);
        final byte type = random.nextDouble() < IOC_SHARE ? OrderStream.NEW_IOC : OrderStream.NEW_LIMIT;
        newOrder(book, type, buy, price, 2 * lotSize());
    }

    /**
     * 1 + a*b*c with a, b, c uniform in 0..5: mostly small, sometimes up to 126 lots.
     */
    private long lotSize()
    {
        return 1 + (long)random.nextInt(6) * random.nextInt(6) * random.nextInt(6);
    }

    private void newOrder(final Book book, final byte type, final boolean buy, final long price, final long qty)
    {
        final Order order = new Order();
        order.seq = nextOrder++;
        order.book = book;
        order.account = 1 + random.nextInt(out.accounts);
        order.buy = buy;
        order.price = price;
        order.quantity = qty;
        order.leaves = qty;
        out.append(type, side(buy), book.index, order.account, order.seq, price, qty, qty);

        match(book, order);
        if (order.leaves > 0 && type == OrderStream.NEW_LIMIT)
        {
            book.rest(order);
            resting++;
            out.maxResting = Math.max(out.maxResting, resting);
        }
    }

    private void match(final Book book, final Order taker)
    {
        final TreeMap<Long, Level> opposite = taker.buy ? book.asks : book.bids;
        while (taker.leaves > 0 && !opposite.isEmpty())
        {
            final Level level = taker.buy ? opposite.firstEntry().getValue() : opposite.lastEntry().getValue();
            if (taker.buy ? level.price > taker.price : level.price < taker.price)
            {
                return;
            }
            while (taker.leaves > 0 && level.head != null)
            {
                final Order maker = level.head;
                final long qty = Math.min(taker.leaves, maker.leaves);
                taker.leaves -= qty;
                maker.leaves -= qty;
                out.tradedQuantity += qty;
                out.fills++;
                if (maker.leaves == 0)
                {
                    book.remove(maker);
                    resting--;
                }
            }
        }
    }

    private void cancel(final Order order)
    {
        out.append(
            OrderStream.CANCEL, side(order.buy), order.book.index, order.account, order.seq, order.price, order.quantity, 0);
        order.book.remove(order);
        resting--;
    }

    /**
     * A requote one or two ticks away, kept on its own side of the opposite touch.
     */
    private void move(final Order order)
    {
        final Book book = order.book;
        long price = order.price + (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
        final Level opposite = book.best(!order.buy);
        if (opposite != null)
        {
            price = order.buy ? Math.min(price, opposite.price - 1) : Math.max(price, opposite.price + 1);
        }
        if (price == order.price)
        {
            price = order.buy ? price - 1 : price + 1;
        }
        if (price <= 0)
        {
            cancel(order);
            return;
        }
        out.append(OrderStream.MOVE, side(order.buy), book.index, order.account, order.seq, price, order.quantity, 0);
        book.remove(order);
        order.price = price;
        book.rest(order);
    }

    private void reduce(final Order order)
    {
        if (order.leaves < 2)
        {
            move(order);
            return;
        }
        final long by = 1 + random.nextInt((int)Math.min(Integer.MAX_VALUE, order.leaves - 1));
        order.quantity -= by;
        order.leaves -= by;
        out.append(
            OrderStream.REDUCE, side(order.buy), order.book.index, order.account, order.seq, order.price, order.quantity, by);
    }

    private static byte side(final boolean buy)
    {
        return buy ? OrderStream.BUY : OrderStream.SELL;
    }

    private static final class Order
    {
        int seq;
        int account;
        Book book;
        boolean buy;
        long price;
        /** Total quantity as Keel counts it: filled plus leaves. */
        long quantity;
        long leaves;
        Level level;
        Order prev;
        Order next;
        int liveIndex;
    }

    private static final class Level
    {
        final long price;
        Order head;
        Order tail;

        Level(final long price)
        {
            this.price = price;
        }
    }

    private static final class Book
    {
        final int index;
        final TreeMap<Long, Level> bids = new TreeMap<>();
        final TreeMap<Long, Level> asks = new TreeMap<>();
        Order[] live;
        int liveCount;
        int bidCount;
        int askCount;

        Book(final int index, final int depth)
        {
            this.index = index;
            live = new Order[2 * depth + 16];
        }

        Level best(final boolean bid)
        {
            final TreeMap<Long, Level> side = bid ? bids : asks;
            if (side.isEmpty())
            {
                return null;
            }
            return bid ? side.lastEntry().getValue() : side.firstEntry().getValue();
        }

        void rest(final Order order)
        {
            final TreeMap<Long, Level> side = order.buy ? bids : asks;
            final Level level = side.computeIfAbsent(order.price, Level::new);
            order.level = level;
            order.prev = level.tail;
            order.next = null;
            if (level.tail == null)
            {
                level.head = order;
            }
            else
            {
                level.tail.next = order;
            }
            level.tail = order;

            if (liveCount == live.length)
            {
                live = java.util.Arrays.copyOf(live, liveCount * 2);
            }
            order.liveIndex = liveCount;
            live[liveCount++] = order;
            if (order.buy)
            {
                bidCount++;
            }
            else
            {
                askCount++;
            }
        }

        void remove(final Order order)
        {
            final Level level = order.level;
            if (order.prev == null)
            {
                level.head = order.next;
            }
            else
            {
                order.prev.next = order.next;
            }
            if (order.next == null)
            {
                level.tail = order.prev;
            }
            else
            {
                order.next.prev = order.prev;
            }
            if (level.head == null)
            {
                (order.buy ? bids : asks).remove(level.price);
            }
            order.level = null;
            order.prev = null;
            order.next = null;

            final Order last = live[--liveCount];
            live[order.liveIndex] = last;
            last.liveIndex = order.liveIndex;
            live[liveCount] = null;
            if (order.buy)
            {
                bidCount--;
            }
            else
            {
                askCount--;
            }
        }
    }
}
