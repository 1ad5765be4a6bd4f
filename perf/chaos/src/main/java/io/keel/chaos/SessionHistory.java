package io.keel.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one client session received, as its listener saw it — after the client library's own
 * de-duplication of resent reports — and the orders it placed: what the history checker audits. Filled by a
 * {@link ChaosTrader} on the load thread, or by hand in a test.
 */
final class SessionHistory
{
    /**
     * One report the listener was handed: its seqNo (0 = not numbered, a gateway's own reject) and what it was.
     */
    record Received(long seqNo, String what)
    {
    }

    final String name;
    final int account;
    final List<ChaosOrder> orders = new ArrayList<>();
    final List<Received> received = new ArrayList<>();
    /** Reports about an order this client never sent: kept as evidence. */
    final List<String> unknownReports = new ArrayList<>();

    SessionHistory(final String name, final int account)
    {
        this.name = name;
        this.account = account;
    }

    void received(final long seqNo, final String what)
    {
        received.add(new Received(seqNo, what));
    }

    ChaosOrder order(final ChaosOrder order)
    {
        orders.add(order);
        return order;
    }
}
