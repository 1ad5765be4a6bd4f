package io.keel.engine;

/**
 * Test only: what a stopped node's engine holds that its public queries do not show.
 */
public final class EngineProbe
{
    private EngineProbe()
    {
    }

    /**
     * Entries in the GTD expiry queue: exactly the resting GTD orders.
     */
    public static int expiryEntries(final Engine engine)
    {
        return engine.expiries.size();
    }

    public static int openOrders(final Engine engine, final long accountId)
    {
        final Account account = engine.accounts.get(accountId);
        return account == null ? 0 : account.openOrders;
    }
}
