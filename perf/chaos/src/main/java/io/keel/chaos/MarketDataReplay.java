package io.keel.chaos;

import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TradeDecoder;
import io.keel.engine.BookWalk;
import io.keel.engine.Engine;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The market data one node's engine emits while it rebuilds its state from its log (attached as
 * the node's market-data tap): an L2 book per instrument built from nothing but the BookUpdate
 * messages, and the per-instrument sequence numbers. At the end the books must equal the engine's
 * final books, level by level, and the sequence must have no gap or repeat. Only meaningful when
 * the replay starts at the beginning of the log (no snapshot was loaded): a replay that starts
 * after a snapshot is reported as such and not compared.
 */
final class MarketDataReplay implements OutputSink
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final BookUpdateDecoder bookUpdate = new BookUpdateDecoder();
    private final TradeDecoder trade = new TradeDecoder();
    /** instrument → side → price → {quantity, orderCount}. */
    private final Map<Integer, Map<Side, TreeMap<Long, long[]>>> books = new TreeMap<>();
    private final Map<Integer, Long> lastSeqNo = new TreeMap<>();
    private final List<String> gaps = new ArrayList<>();
    private boolean fromStart = true;
    private long messages;

    public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        final long seqNo;
        if (header.templateId() == BookUpdateDecoder.TEMPLATE_ID)
        {
            bookUpdate.wrapAndApplyHeader(buffer, offset, header);
            seqNo = bookUpdate.mdSeqNo();
            final TreeMap<Long, long[]> side = books
                .computeIfAbsent(bookUpdate.instrumentId(), (k) -> new TreeMap<>())
                .computeIfAbsent(bookUpdate.side(), (k) -> new TreeMap<>());
            if (bookUpdate.quantity() == 0)
            {
                side.remove(bookUpdate.price());
            }
            else
            {
                side.put(bookUpdate.price(), new long[]{bookUpdate.quantity(), bookUpdate.orderCount()});
            }
        }
        else if (header.templateId() == TradeDecoder.TEMPLATE_ID)
        {
            trade.wrapAndApplyHeader(buffer, offset, header);
            seqNo = trade.mdSeqNo();
        }
        else
        {
            return;
        }
        messages++;
        final Long last = lastSeqNo.put(instrumentId, seqNo);
        if (last == null)
        {
            fromStart &= seqNo == 1;
        }
        else if (seqNo != last + 1 && gaps.size() < 10)
        {
            gaps.add("instrument " + instrumentId + ": mdSeqNo " + seqNo + " after " + last);
        }
    }

    long messages()
    {
        return messages;
    }

    boolean fromStart()
    {
        return fromStart;
    }

    /**
     * @return the differences from the engine's books and sequence gaps; empty when they match.
     */
    List<String> compare(final Engine engine, final int instruments)
    {
        final int[] ids = new int[instruments];
        for (int i = 0; i < instruments; i++)
        {
            ids[i] = i + 1;
        }
        return compare(engine, ids);
    }

    List<String> compare(final Engine engine, final int[] instrumentIds)
    {
        final List<String> differences = new ArrayList<>(gaps);
        for (final int instrument : instrumentIds)
        {
            for (final Side side : new Side[]{Side.BUY, Side.SELL})
            {
                final TreeMap<Long, long[]> fromEngine = new TreeMap<>();
                BookWalk.forEachLevel(engine, instrument, side, (price, quantity, orderCount) ->
                    fromEngine.put(price, new long[]{quantity, orderCount}));
                final TreeMap<Long, long[]> fromMarketData = books
                    .getOrDefault(instrument, Map.of())
                    .getOrDefault(side, new TreeMap<>());
                if (!same(fromEngine, fromMarketData) && differences.size() < 20)
                {
                    differences.add("instrument " + instrument + " " + side + ": engine " + describe(fromEngine) +
                        " market data " + describe(fromMarketData));
                }
            }
        }
        return differences;
    }

    private static boolean same(final TreeMap<Long, long[]> a, final TreeMap<Long, long[]> b)
    {
        if (!a.keySet().equals(b.keySet()))
        {
            return false;
        }
        for (final Map.Entry<Long, long[]> e : a.entrySet())
        {
            final long[] other = b.get(e.getKey());
            if (other[0] != e.getValue()[0] || other[1] != e.getValue()[1])
            {
                return false;
            }
        }
        return true;
    }

    private static String describe(final TreeMap<Long, long[]> levels)
    {
        final StringBuilder out = new StringBuilder("[");
        int n = 0;
        for (final Map.Entry<Long, long[]> e : levels.entrySet())
        {
            if (n++ == 6)
            {
                out.append(" ...");
                break;
            }
            out.append(' ').append(e.getValue()[0]).append('@').append(e.getKey()).append('/').append(e.getValue()[1]);
        }
        return out.append(" ] (").append(levels.size()).append(" levels)").toString();
    }
}
