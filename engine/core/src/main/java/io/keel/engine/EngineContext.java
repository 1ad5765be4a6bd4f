package io.keel.engine;

/**
 * Engine limits, Aeron style: fluent accessors without get/set, and {@link #conclude()} (called by
 * the {@link Engine} constructor) checks them once and names the option at fault. Defaults suit a
 * laptop; production sizes them to its book. Limits that change outcomes must be the same on every
 * node: they come from the node's configuration, which every member shares.
 */
public final class EngineContext
{
    public static final int MAX_ORDERS_DEFAULT = 1_000_000;
    public static final int INITIAL_ORDERS_DEFAULT = 16 * 1024;
    public static final int MAX_ACCOUNTS_DEFAULT = 100_000;
    public static final int MAX_INSTRUMENTS_DEFAULT = 10_000;
    public static final int MAX_ASSETS_DEFAULT = 4096;
    public static final int CLORDID_WINDOW_DEFAULT = 256 * 1024;
    public static final int CLORDID_WINDOW_MAX = 64 * 1024 * 1024;

    private int maxOrders = MAX_ORDERS_DEFAULT;
    private int initialOrders = INITIAL_ORDERS_DEFAULT;
    private int maxAccounts = MAX_ACCOUNTS_DEFAULT;
    private int maxInstruments = MAX_INSTRUMENTS_DEFAULT;
    private int maxAssets = MAX_ASSETS_DEFAULT;
    private int clOrdIdWindow = CLORDID_WINDOW_DEFAULT;
    private boolean concluded;

    public EngineContext conclude()
    {
        if (!concluded)
        {
            requirePositive("maxOrders", maxOrders);
            requirePositive("maxAccounts", maxAccounts);
            requirePositive("maxInstruments", maxInstruments);
            requirePositive("maxAssets", maxAssets);
            requirePositive("clOrdIdWindow", clOrdIdWindow);
            if (clOrdIdWindow > CLORDID_WINDOW_MAX)
            {
                throw new IllegalArgumentException("clOrdIdWindow must be <= " + CLORDID_WINDOW_MAX + ": " + clOrdIdWindow);
            }
            if (initialOrders < 0)
            {
                throw new IllegalArgumentException("initialOrders must be >= 0: " + initialOrders);
            }
            initialOrders = Math.min(initialOrders, maxOrders);
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
     * Most orders live at once (resting plus the one being matched).
     */
    public EngineContext maxOrders(final int maxOrders)
    {
        this.maxOrders = maxOrders;
        return this;
    }

    public int initialOrders()
    {
        return initialOrders;
    }

    /**
     * Orders preallocated at start; the pool grows in chunks up to maxOrders.
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

    public int clOrdIdWindow()
    {
        return clOrdIdWindow;
    }

    /**
     * How many recent order requests (all accounts together) are remembered so a retried
     * clOrdId gets its original outcome; 64 bytes each.
     */
    public EngineContext clOrdIdWindow(final int clOrdIdWindow)
    {
        this.clOrdIdWindow = clOrdIdWindow;
        return this;
    }
}
