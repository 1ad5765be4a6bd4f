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

    /**
     * What this session saw of one market segment, as the history checker audits it against that segment's engine:
     * the orders for its instruments, and its reports (their seqNos carry the segment in their top bits, taken out
     * here: each segment numbers the session's reports 1, 2, 3... on its own). Unnumbered reports (a gateway's own
     * refusals) and reports about unknown orders go to segment 0's view.
     */
    SessionHistory segmentView(final io.keel.common.SegmentMap map, final int segment)
    {
        final SessionHistory view = new SessionHistory(name + "/s" + segment, account);
        for (final ChaosOrder order : orders)
        {
            if (map.segmentOf(order.instrumentId) == segment)
            {
                view.orders.add(order);
            }
        }
        for (final Received report : received)
        {
            final long seqNo = report.seqNo();
            if (seqNo == 0 ? segment == 0 : io.keel.codecs.SegmentSeqNo.segment(seqNo) == segment)
            {
                view.received.add(new Received(io.keel.codecs.SegmentSeqNo.sequence(seqNo), report.what()));
            }
        }
        if (segment == 0)
        {
            view.unknownReports.addAll(unknownReports);
        }
        return view;
    }

    ChaosOrder order(final ChaosOrder order)
    {
        orders.add(order);
        return order;
    }
}
