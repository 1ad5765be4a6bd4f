package io.keel.engine;

import io.keel.codecs.RejectReason;

/**
 * The limits that change outcomes, as the engine applies them now. They are state: an admin changes them with a
 * command in the log ({@link Engine#setLimits}) and the snapshot carries them, so every node — and a replay — applies
 * the same ones whatever its own options. {@link EngineContext} only gives the values an engine starts with when its
 * log starts empty; those are compiled defaults unless a test or tool sets them, never a per-node flag.
 *
 * <p>The clOrdId window's two limits (idempotency horizon, most requests remembered) live in the window itself and
 * travel with it; {@link Engine#setLimits} changes them too.
 */
public final class EngineLimits
{
    /** Largest order limit an admin may set: 16M live orders (the index then takes about 400 MiB). */
    public static final int MAX_ORDERS_MAX = 1 << 24;
    /** Open orders one account may hold by default: a tenth of the default whole-engine limit. */
    public static final int MAX_OPEN_ORDERS_PER_ACCOUNT_DEFAULT = 100_000;
    /** A GTD order may expire at most 366 days of cluster time (milliseconds) after it is entered. */
    public static final long GTD_HORIZON_MS_DEFAULT = 366L * 24 * 60 * 60 * 1000;
    /** Largest GTD horizon an admin may set: 100 years of milliseconds, far from overflowing time arithmetic. */
    public static final long GTD_HORIZON_MAX = 100L * 366 * 24 * 60 * 60 * 1000;
    /** A field of {@link Engine#setLimits} that keeps its value. */
    public static final long KEEP = 0;

    private final ClOrdIdWindow window;
    int maxOrders;
    int maxOpenOrdersPerAccount;
    long gtdHorizon;
    /** SetLimits applied since the log began: tells a snapshot's limits from the first defaults. */
    int changes;

    EngineLimits(final EngineContext ctx, final ClOrdIdWindow window)
    {
        this.window = window;
        maxOrders = ctx.maxOrders();
        maxOpenOrdersPerAccount = ctx.maxOpenOrdersPerAccount();
        gtdHorizon = ctx.gtdHorizonMs();
    }

    public int maxOrders()
    {
        return maxOrders;
    }

    public int maxOpenOrdersPerAccount()
    {
        return maxOpenOrdersPerAccount;
    }

    public long gtdHorizon()
    {
        return gtdHorizon;
    }

    /**
     * How long, in cluster time, a request is remembered for idempotency (the clOrdId window's).
     */
    public long idempotencyHorizon()
    {
        return window.horizon();
    }

    /**
     * Most requests remembered at once (the clOrdId window's).
     */
    public int maxClOrdIds()
    {
        return window.capacity();
    }

    public int changes()
    {
        return changes;
    }

    /**
     * Apply an admin's SetLimits: every requested value ({@link #KEEP} = unchanged) is checked before anything
     * changes, so a refused one changes nothing. Raising the order limit grows the preallocated order structures now
     * (cold: an admin command), so the matching thread never does.
     */
    RejectReason set(
        final long maxOrders,
        final long maxOpenOrdersPerAccount,
        final long gtdHorizon,
        final long idempotencyHorizon,
        final long maxClOrdIds,
        final OrderIndex orders,
        final ExpiryQueue expiries)
    {
        final boolean valid =
            inRange(maxOrders, MAX_ORDERS_MAX) &&
            inRange(maxOpenOrdersPerAccount, MAX_ORDERS_MAX) &&
            inRange(gtdHorizon, GTD_HORIZON_MAX) &&
            inRange(idempotencyHorizon, GTD_HORIZON_MAX) &&
            inRange(maxClOrdIds, EngineContext.MAX_CLORDIDS_MAX) &&
            (maxClOrdIds == KEEP || maxClOrdIds >= window.size());
        if (!valid)
        {
            return RejectReason.INVALID_AMOUNT;
        }
        this.maxOrders = maxOrders == KEEP ? this.maxOrders : (int)maxOrders;
        this.maxOpenOrdersPerAccount =
            maxOpenOrdersPerAccount == KEEP ? this.maxOpenOrdersPerAccount : (int)maxOpenOrdersPerAccount;
        this.gtdHorizon = gtdHorizon == KEEP ? this.gtdHorizon : gtdHorizon;
        window.changeLimits(
            idempotencyHorizon == KEEP ? window.horizon() : idempotencyHorizon,
            maxClOrdIds == KEEP ? window.capacity() : (int)maxClOrdIds);
        changes++;
        orders.ensureCapacity(this.maxOrders);
        expiries.ensureCapacity(this.maxOrders);
        return RejectReason.NONE;
    }

    private static boolean inRange(final long value, final long max)
    {
        return value == KEEP || value > 0 && value <= max;
    }

    public String toString()
    {
        return "maxOrders=" + maxOrders + " maxOpenOrdersPerAccount=" + maxOpenOrdersPerAccount +
            " gtdHorizon=" + gtdHorizon + " idempotencyHorizon=" + idempotencyHorizon() + " maxClOrdIds=" + maxClOrdIds() +
            " changes=" + changes;
    }
}
