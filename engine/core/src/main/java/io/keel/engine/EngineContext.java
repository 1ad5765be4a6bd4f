package io.keel.engine;

/**
 * Engine limits, Aeron style: fluent accessors without get/set, and {@link #conclude()} (called by
 * the {@link Engine} constructor) checks them once and names the option at fault. Defaults suit a
 * laptop; production sizes them to its book.
 * <p>
 * The limits that change outcomes (orders, open orders per account, GTD horizon, the clOrdId window) are only the
 * values an engine starts with when its log starts empty: from then on they are {@link EngineLimits}, state changed
 * through the log and carried by the snapshot. A node sets none of them from its own flags (two nodes with different
 * flags would diverge); tests and tools set them here for an engine of their own. The other values size memory and
 * never change an outcome, or are compiled defaults every node shares.
 */
public final class EngineContext
{
    public static final int MAX_ORDERS_DEFAULT = 1_000_000;
    public static final int INITIAL_ORDERS_DEFAULT = 16 * 1024;
    public static final int MAX_ACCOUNTS_DEFAULT = 100_000;
    public static final int MAX_INSTRUMENTS_DEFAULT = 10_000;
    public static final int MAX_ASSETS_DEFAULT = 4096;
    /** One minute of cluster time (milliseconds, Aeron Cluster's default unit, which Keel keeps). */
    public static final long IDEMPOTENCY_HORIZON_MS_DEFAULT = 60_000;
    /** Sixty seconds at 69,905 requests per second; about 350 MiB when full (88 bytes a request). */
    public static final int MAX_CLORDIDS_DEFAULT = 4 * 1024 * 1024;
    public static final int MAX_CLORDIDS_MAX = 64 * 1024 * 1024;
    /** Order requests the idempotency window holds before it first grows: 1024 (about 88 KiB). */
    public static final int INITIAL_CLORDIDS_DEFAULT = 1024;

    private int maxOrders = MAX_ORDERS_DEFAULT;
    private int maxOpenOrdersPerAccount = EngineLimits.MAX_OPEN_ORDERS_PER_ACCOUNT_DEFAULT;
    private long gtdHorizonMs = EngineLimits.GTD_HORIZON_MS_DEFAULT;
    private int initialOrders = INITIAL_ORDERS_DEFAULT;
    private int maxAccounts = MAX_ACCOUNTS_DEFAULT;
    private int maxInstruments = MAX_INSTRUMENTS_DEFAULT;
    private int maxAssets = MAX_ASSETS_DEFAULT;
    private long idempotencyHorizonMs = IDEMPOTENCY_HORIZON_MS_DEFAULT;
    private int maxClOrdIds = MAX_CLORDIDS_DEFAULT;
    private int initialClOrdIds = INITIAL_CLORDIDS_DEFAULT;
    private int maxPendingTransfers = Transfers.MAX_PENDING_DEFAULT;
    private int maxRememberedTransfers = Transfers.MAX_REMEMBERED_DEFAULT;
    private boolean concluded;

    public EngineContext conclude()
    {
        if (!concluded)
        {
            requirePositive("maxOrders", maxOrders);
            if (maxOrders > EngineLimits.MAX_ORDERS_MAX)
            {
                throw new IllegalArgumentException("maxOrders must be <= " + EngineLimits.MAX_ORDERS_MAX + ": " + maxOrders);
            }
            requirePositive("maxOpenOrdersPerAccount", maxOpenOrdersPerAccount);
            if (gtdHorizonMs <= 0 || gtdHorizonMs > EngineLimits.GTD_HORIZON_MAX)
            {
                throw new IllegalArgumentException(
                    "gtdHorizonMs must be in 1.." + EngineLimits.GTD_HORIZON_MAX + ": " + gtdHorizonMs);
            }
            requirePositive("maxAccounts", maxAccounts);
            requirePositive("maxInstruments", maxInstruments);
            requirePositive("maxAssets", maxAssets);
            requirePositive("maxClOrdIds", maxClOrdIds);
            if (maxClOrdIds > MAX_CLORDIDS_MAX)
            {
                throw new IllegalArgumentException("maxClOrdIds must be <= " + MAX_CLORDIDS_MAX + ": " + maxClOrdIds);
            }
            if (idempotencyHorizonMs <= 0)
            {
                throw new IllegalArgumentException("idempotencyHorizonMs must be > 0: " + idempotencyHorizonMs);
            }
            if (initialOrders < 0)
            {
                throw new IllegalArgumentException("initialOrders must be >= 0: " + initialOrders);
            }
            initialOrders = Math.min(initialOrders, maxOrders);
            requirePositive("initialClOrdIds", initialClOrdIds);
            initialClOrdIds = Math.min(initialClOrdIds, maxClOrdIds);
            requirePositive("maxPendingTransfers", maxPendingTransfers);
            requirePositive("maxRememberedTransfers", maxRememberedTransfers);
            concluded = true;
        }
        return this;
    }

    private static void requirePositive(final String name, final int value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    public int maxOrders()
    {
        return maxOrders;
    }

    /**
     * Most orders live at once (resting plus the one being matched), all accounts together (initial value, see the
     * class comment); beyond it a new order is rejected ORDER_LIMIT_REACHED. The order index is preallocated for it.
     */
    public EngineContext maxOrders(final int maxOrders)
    {
        this.maxOrders = maxOrders;
        return this;
    }

    public int maxOpenOrdersPerAccount()
    {
        return maxOpenOrdersPerAccount;
    }

    /**
     * Most live orders one account may hold at once (initial value, see the class comment); beyond it a new order is
     * rejected ACCOUNT_ORDER_LIMIT, so one account cannot take the whole engine's order limit from the others.
     */
    public EngineContext maxOpenOrdersPerAccount(final int maxOpenOrdersPerAccount)
    {
        this.maxOpenOrdersPerAccount = maxOpenOrdersPerAccount;
        return this;
    }

    public long gtdHorizonMs()
    {
        return gtdHorizonMs;
    }

    /**
     * Furthest in cluster time a GTD order may expire after it is entered (initial value, see the class comment);
     * beyond it the order is rejected INVALID_EXPIRE_TIME. Default 366 days.
     */
    public EngineContext gtdHorizonMs(final long gtdHorizonMs)
    {
        this.gtdHorizonMs = gtdHorizonMs;
        return this;
    }

    public int initialOrders()
    {
        return initialOrders;
    }

    /**
     * Orders preallocated at start; the pool grows in chunks up to the order limit in force. Memory only: outcomes do
     * not depend on it.
     */
    public EngineContext initialOrders(final int initialOrders)
    {
        this.initialOrders = initialOrders;
        return this;
    }

    public int maxAccounts()
    {
        return maxAccounts;
    }

    public EngineContext maxAccounts(final int maxAccounts)
    {
        this.maxAccounts = maxAccounts;
        return this;
    }

    public int maxInstruments()
    {
        return maxInstruments;
    }

    public EngineContext maxInstruments(final int maxInstruments)
    {
        this.maxInstruments = maxInstruments;
        return this;
    }

    public int maxAssets()
    {
        return maxAssets;
    }

    /**
     * Asset ids run from 0 to maxAssets - 1.
     */
    public EngineContext maxAssets(final int maxAssets)
    {
        this.maxAssets = maxAssets;
        return this;
    }

    public long idempotencyHorizonMs()
    {
        return idempotencyHorizonMs;
    }

    /**
     * How long, in cluster time, the engine remembers an order request (new order or replace) so that
     * a resend with the same clOrdId gets the original outcome and never a second order. A record is
     * kept at least this long whatever other accounts send; a live order's current clOrdId is known
     * for as long as the order lives, beyond the horizon.
     * <p>
     * Sized from the client's resend timeout. {@code KeelClient} sends a request again when it has
     * gone unanswered for its resend timeout (3 s by default) and, after a reconnect, sends every
     * request still unanswered. So the last copy of a request reaches the log at most one resend
     * timeout plus one reconnect after the first: the reconnect to another gateway (through HAProxy)
     * and a leader election take seconds, the resend three. Sixty seconds covers that with a wide
     * margin (twenty resend timeouts). The bound the client must keep: a request resent more than the
     * horizon after it first reached the log may execute again — a client that has been away longer
     * should reconcile first (an AccountRequest lists its open orders) rather than resend blindly.
     * <p>
     * Changes outcomes, so every node must use the same value; a snapshot carries it and its value
     * wins over this one when the engine is loaded from it.
     *
     * @param idempotencyHorizonMs cluster time (milliseconds, Aeron Cluster's default unit).
     */
    public EngineContext idempotencyHorizonMs(final long idempotencyHorizonMs)
    {
        this.idempotencyHorizonMs = idempotencyHorizonMs;
        return this;
    }

    public int initialClOrdIds()
    {
        return initialClOrdIds;
    }

    /**
     * Order requests the idempotency window holds before it first grows (rounded up to a power of two, at most
     * {@link #maxClOrdIds()}). The window grows by doubling at each new high-water mark until one horizon of
     * requests fits: a cold path, but at thousands of requests a second its later doublings copy tens of MB into
     * new arrays in the first horizon after start, which can cost a garbage collection. A node that must make no
     * garbage from its first order on preallocates its peak request rate times the horizon here. Memory only:
     * outcomes do not depend on it.
     */
    public EngineContext initialClOrdIds(final int initialClOrdIds)
    {
        this.initialClOrdIds = initialClOrdIds;
        return this;
    }

    public int maxClOrdIds()
    {
        return maxClOrdIds;
    }

    /**
     * Most order requests remembered at once, all accounts together: the hard bound on the memory of
     * idempotency (88 bytes each, a 72-byte row and two index slots, grown by doubling so an engine pays
     * for what it uses). A request younger than the horizon is never forgotten to make room: when all
     * of them are, a new
     * order is rejected and a replace refused with THROTTLED (nothing done: the client may send the
     * same clOrdId again later), the same on every node. Size it to at least the peak sustained
     * request rate times the horizon: the default holds one minute at about 70,000 requests a second.
     * <p>
     * Not yet fair between accounts: one account sending at its throttle's limit can use the whole
     * bound and refuse the others; a per-account share is future work.
     * <p>
     * Changes outcomes, so every node must use the same value; a snapshot carries it and its value
     * wins over this one when the engine is loaded from it.
     */
    public EngineContext maxClOrdIds(final int maxClOrdIds)
    {
        this.maxClOrdIds = maxClOrdIds;
        return this;
    }

    /**
     * Transfers debited in this engine and not yet confirmed, at most (see {@link Transfers}): a compiled default
     * every node shares (a snapshot carries the value in force); tests set it small for an engine of their own.
     */
    public int maxPendingTransfers()
    {
        return maxPendingTransfers;
    }

    public EngineContext maxPendingTransfers(final int maxPendingTransfers)
    {
        this.maxPendingTransfers = maxPendingTransfers;
        return this;
    }

    /**
     * Completed or credited transfer ids remembered for repeats, at most (see {@link Transfers}).
     */
    public int maxRememberedTransfers()
    {
        return maxRememberedTransfers;
    }

    public EngineContext maxRememberedTransfers(final int maxRememberedTransfers)
    {
        this.maxRememberedTransfers = maxRememberedTransfers;
        return this;
    }
}
