package io.keel.chaos;

import io.keel.common.SegmentMap;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A client's fence across market segments: after everything else is answered, the latest acknowledged order of each
 * segment is sent again with its clOrdId (routed by its instrument, answered with ORDER_STATUS, nothing placed), so a
 * report lost at the end of any segment's stream shows as a gap before that answer. The client library keeps each in
 * flight until answered, through reconnects; the fence is answered when every one of them has a report. Driven by
 * the trader's thread.
 */
final class SegmentFence
{
    private final SegmentMap map;
    private final boolean[] sent;
    private final Set<Long> pending = new HashSet<>();
    private boolean answered;

    SegmentFence(final SegmentMap map)
    {
        this.map = map;
        sent = new boolean[map.segmentCount()];
    }

    SegmentMap map()
    {
        return map;
    }

    boolean answered()
    {
        return answered;
    }

    /**
     * Send what is not sent yet (a segment with nothing acknowledged has nothing to ask).
     *
     * @param sender sends an order again; false when it cannot now (tried again at the next call).
     * @return orders sent.
     */
    int send(final List<ChaosOrder> orders, final Predicate<ChaosOrder> sender, final History history, final String tag)
    {
        if (answered)
        {
            return 0;
        }
        int count = 0;
        for (int segment = 0; segment < sent.length; segment++)
        {
            if (sent[segment])
            {
                continue;
            }
            ChaosOrder latest = null;
            for (int i = orders.size() - 1; i >= 0 && latest == null; i--)
            {
                final ChaosOrder order = orders.get(i);
                if (order.isAcked() && map.segmentOf(order.instrumentId) == segment)
                {
                    latest = order;
                }
            }
            if (latest != null)
            {
                if (!sender.test(latest))
                {
                    return count;
                }
                pending.add(latest.clOrdId);
                history.line(tag + " SEND_STATUS clOrdId=" + latest.clOrdId + " segment=" + segment + " (fence)");
                count++;
            }
            sent[segment] = true;
        }
        answered = pending.isEmpty();
        return count;
    }

    /**
     * A report for this clOrdId arrived.
     */
    void onReport(final long clOrdId)
    {
        if (pending.remove(clOrdId) && pending.isEmpty() && allSent())
        {
            answered = true;
        }
    }

    private boolean allSent()
    {
        for (final boolean one : sent)
        {
            if (!one)
            {
                return false;
            }
        }
        return true;
    }
}
