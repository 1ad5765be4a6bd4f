package io.keel.perf.bench;

import java.util.Arrays;

/**
 * A pre-generated, deterministic order-entry stream in primitive arrays, so that benchmarks
 * measure the book and not the generator. Both books under test read the same arrays.
 *
 * <p>The stream is one closed "pass" that can be replayed forever: it opens by filling each
 * instrument's book to {@code depth} resting orders, runs a steady mix regulated to keep that
 * depth (resting limits near the touch, cancels, replaces, aggressive orders crossing the
 * spread), and closes by cancelling what still rests, so every pass leaves the books as it found
 * them: empty. A driver replays pass after pass by offsetting order ids and clOrdIds.
 *
 * <p>Orders are named by their stream sequence number {@code order[i]}, 0 for the first new
 * order of a pass, counting every new order (an IOC included), the way Keel numbers accepted
 * orders. So a book under test can derive its order id as {@code base + order[i]}.
 */
public final class OrderStream
{
    /** A GTC limit order; the generator places most of them passively near the touch. */
    public static final byte NEW_LIMIT = 0;
    /** An immediate-or-cancel limit order priced through the opposite touch. */
    public static final byte NEW_IOC = 1;
    /** Cancel a resting order. */
    public static final byte CANCEL = 2;
    /** Replace to a new price, same quantity: loses time priority, never crosses. */
    public static final byte MOVE = 3;
    /** Replace to a smaller quantity, same price: keeps time priority. */
    public static final byte REDUCE = 4;

    static final String[] TYPE_NAMES = { "limit", "ioc", "cancel", "move", "reduce" };

    public static final byte BUY = 0;
    public static final byte SELL = 1;

    /** Price every instrument starts around, in ticks (tick size 1, so one tick is 1 bp). */
    public static final long CENTER_PRICE = 100_000;

    public static final int DEPTH_DEFAULT = 1_000;
    public static final int ACCOUNTS_DEFAULT = 1_000;
    public static final long SEED_DEFAULT = 42;

    final int instruments;
    final int accounts;
    final int depth;
    final long seed;
    int length;
    /** New orders (limit and IOC) per pass: the order id stride between passes. */
    int newOrders;
    /** Quantity traded per pass, as the generator's own book matched it. */
    long tradedQuantity;
    /** Number of maker fills per pass. */
    long fills;
    final long[] countByType = new long[TYPE_NAMES.length];
    /** Largest number of orders resting at once, all instruments together. */
    int maxResting;

    byte[] type;
    byte[] side;
    /** 0-based instrument index; the books under test map it to their own ids. */
    int[] instrument;
    /** 1-based account (owner) id. */
    int[] account;
    /** Stream sequence number of the order created or targeted. */
    int[] order;
    /** Limit price (new), new price (move), unchanged price otherwise. */
    long[] price;
    /** Keel's view: order quantity (new), new total quantity (move, reduce). */
    long[] quantity;
    /** exchange-core's view: order size (new), size to take off (reduce), 0 otherwise. */
    long[] size;

    OrderStream(final int instruments, final int accounts, final int depth, final long seed, final int capacity)
    {
        this.instruments = instruments;
        this.accounts = accounts;
        this.depth = depth;
        this.seed = seed;
        type = new byte[capacity];
        side = new byte[capacity];
        instrument = new int[capacity];
        account = new int[capacity];
        order = new int[capacity];
        price = new long[capacity];
        quantity = new long[capacity];
        size = new long[capacity];
    }

    /**
     * The stream the benchmarks use: {@link #DEPTH_DEFAULT} resting orders per instrument and
     * about 64 commands per resting order, at least 2^20.
     */
    public static OrderStream standard(final int instruments, final int accounts, final long seed)
    {
        final int length = Math.max(1 << 20, 64 * DEPTH_DEFAULT * instruments);
        return generate(instruments, DEPTH_DEFAULT, accounts, length, seed);
    }

    /**
     * @param depth  resting orders per instrument the mix keeps, both sides together.
     * @param length commands per pass, about (the drain at the end may add one).
     */
    public static OrderStream generate(
        final int instruments, final int depth, final int accounts, final int length, final long seed)
    {
        if (instruments <= 0 || depth <= 1 || accounts <= 0 || length < 4L * depth * instruments)
        {
            throw new IllegalArgumentException("need instruments > 0, depth > 1, accounts > 0, length >= 4 * depth * " +
                "instruments: " + instruments + ", " + depth + ", " + accounts + ", " + length);
        }
        final OrderStream stream = new OrderStream(instruments, accounts, depth, seed, length + 2);
        new StreamGenerator(stream, seed).run(length);
        stream.trim();
        return stream;
    }

    public int length()
    {
        return length;
    }

    public int instruments()
    {
        return instruments;
    }

    public int accounts()
    {
        return accounts;
    }

    public int newOrders()
    {
        return newOrders;
    }

    public long tradedQuantity()
    {
        return tradedQuantity;
    }

    public int maxResting()
    {
        return maxResting;
    }

    public byte type(final int i)
    {
        return type[i];
    }

    /**
     * One line: the mix of a pass.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder()
            .append("stream: instruments=").append(instruments)
            .append(" commands=").append(length)
            .append(" depth=").append(depth)
            .append(" accounts=").append(accounts)
            .append(" seed=").append(seed);
        for (int t = 0; t < TYPE_NAMES.length; t++)
        {
            sb.append(' ').append(TYPE_NAMES[t]).append('=')
                .append(String.format("%.1f%%", 100.0 * countByType[t] / length));
        }
        return sb.append(" fills/command=").append(String.format("%.3f", (double)fills / length))
            .append(" max-resting=").append(maxResting)
            .toString();
    }

    /**
     * A digest of every command, to compare streams.
     */
    public long fingerprint()
    {
        long h = 0x9E3779B97F4A7C15L ^ length;
        for (int i = 0; i < length; i++)
        {
            h = mix(h, type[i]);
            h = mix(h, side[i]);
            h = mix(h, instrument[i]);
            h = mix(h, account[i]);
            h = mix(h, order[i]);
            h = mix(h, price[i]);
            h = mix(h, quantity[i]);
            h = mix(h, size[i]);
        }
        return h;
    }

    private static long mix(final long h, final long v)
    {
        long x = (h ^ v) * 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 31);
    }

    int append(
        final byte type, final byte side, final int instrument, final int account, final int order,
        final long price, final long quantity, final long size)
    {
        final int i = length++;
        this.type[i] = type;
        this.side[i] = side;
        this.instrument[i] = instrument;
        this.account[i] = account;
        this.order[i] = order;
        this.price[i] = price;
        this.quantity[i] = quantity;
        this.size[i] = size;
        countByType[type]++;
        return i;
    }

    private void trim()
    {
        type = Arrays.copyOf(type, length);
        side = Arrays.copyOf(side, length);
        instrument = Arrays.copyOf(instrument, length);
        account = Arrays.copyOf(account, length);
        order = Arrays.copyOf(order, length);
        price = Arrays.copyOf(price, length);
        quantity = Arrays.copyOf(quantity, length);
        size = Arrays.copyOf(size, length);
    }
}
