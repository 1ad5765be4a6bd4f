package io.keel.client;

import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

/**
 * A client's market-data subscriptions: each instrument starts with a BookSnapshot, then takes
 * increments in mdSeqNo order. A gap (or a reconnect) asks the gateway for a new snapshot and
 * drops increments until it arrives, so the listener never sees a book with a hole in it.
 */
final class ClientMarketData
{
    /**
     * Sends a subscription request (for the first time or again after a gap).
     */
    interface Requester
    {
        boolean subscribe(int instrumentId);
    }

    private static final long AWAITING_SNAPSHOT = -1;
    private static final long NOT_SUBSCRIBED = Long.MIN_VALUE;

    private final KeelClientListener listener;
    private final Requester requester;
    private final IntArrayList subscribed = new IntArrayList();
    private final Long2LongHashMap lastMdSeqNo = new Long2LongHashMap(NOT_SUBSCRIBED);
    private final BookUpdateDecoder bookUpdateDecoder = new BookUpdateDecoder();
    private final TradeDecoder tradeDecoder = new TradeDecoder();
    private final BookSnapshotDecoder bookSnapshotDecoder = new BookSnapshotDecoder();

    ClientMarketData(final KeelClientListener listener, final Requester requester)
    {
        this.listener = listener;
        this.requester = requester;
    }

    void subscribe(final int instrumentId)
    {
        if (!subscribed.containsInt(instrumentId))
        {
            subscribed.addInt(instrumentId);
            lastMdSeqNo.put(instrumentId, AWAITING_SNAPSHOT);
        }
    }

    void unsubscribe(final int instrumentId)
    {
        subscribed.removeInt(instrumentId);
        lastMdSeqNo.remove(instrumentId);
    }

    /**
     * After a logon: the gateway forgot the subscriptions with the connection; ask again.
     */
    void resubscribeAll()
    {
        for (int i = 0; i < subscribed.size(); i++)
        {
            final int instrumentId = subscribed.getInt(i);
            lastMdSeqNo.put(instrumentId, AWAITING_SNAPSHOT);
            requester.subscribe(instrumentId);
        }
    }

    void onBookSnapshot(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        bookSnapshotDecoder.wrapAndApplyHeader(buffer, offset, header);
        final int instrumentId = bookSnapshotDecoder.instrumentId();
        if (lastMdSeqNo.get(instrumentId) != NOT_SUBSCRIBED)
        {
            lastMdSeqNo.put(instrumentId, bookSnapshotDecoder.mdSeqNo());
            listener.onBookSnapshot(bookSnapshotDecoder);
        }
    }

    void onBookUpdate(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        bookUpdateDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (inSequence(bookUpdateDecoder.instrumentId(), bookUpdateDecoder.mdSeqNo()))
        {
            listener.onBookUpdate(bookUpdateDecoder);
        }
    }

    void onTrade(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        tradeDecoder.wrapAndApplyHeader(buffer, offset, header);
        if (inSequence(tradeDecoder.instrumentId(), tradeDecoder.mdSeqNo()))
        {
            listener.onTrade(tradeDecoder);
        }
    }

    private boolean inSequence(final int instrumentId, final long mdSeqNo)
    {
        final long last = lastMdSeqNo.get(instrumentId);
        if (last == NOT_SUBSCRIBED || last == AWAITING_SNAPSHOT || mdSeqNo <= last)
        {
            return false;
        }
        if (mdSeqNo != last + 1)
        {
            lastMdSeqNo.put(instrumentId, AWAITING_SNAPSHOT);
            requester.subscribe(instrumentId);
            return false;
        }
        lastMdSeqNo.put(instrumentId, mdSeqNo);
        return true;
    }
}
