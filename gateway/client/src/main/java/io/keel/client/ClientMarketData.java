package io.keel.client;

import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.MarketDataRequestEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.TradeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client's market-data subscriptions: each instrument starts with a BookSnapshot, then takes
 * increments in mdSeqNo order. A gap (or a reconnect) asks the gateway for a new snapshot and
 * drops increments until it arrives, so the listener never sees a book with a hole in it.
 */
final class ClientMarketData
{
    /**
     * Sends one encoded message on the session.
     */
    interface Sender
    {
        /**
         * @return false when not logged on or the connection is lost (nothing was sent).
         */
        boolean sendIfLoggedOn(DirectBuffer buffer, int offset, int length);
    }

    private static final long AWAITING_SNAPSHOT = -1;
    private static final long NOT_SUBSCRIBED = Long.MIN_VALUE;

    private final KeelClientListener listener;
    private final Sender sender;
    private final IntArrayList subscribed = new IntArrayList();
    private final Long2LongHashMap lastMdSeqNo = new Long2LongHashMap(NOT_SUBSCRIBED);
    private final BookUpdateDecoder bookUpdateDecoder = new BookUpdateDecoder();
    private final TradeDecoder tradeDecoder = new TradeDecoder();
    private final BookSnapshotDecoder bookSnapshotDecoder = new BookSnapshotDecoder();
    // Its own buffer: a gap found while an order is being offered asks for a snapshot without touching that order.
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MarketDataRequestEncoder marketDataRequestEncoder = new MarketDataRequestEncoder();

    ClientMarketData(final KeelClientListener listener, final Sender sender)
    {
        this.listener = listener;
        this.sender = sender;
    }

    /**
     * Start or stop an instrument, remembered across reconnects, and tell the gateway if logged on.
     */
    boolean request(final int instrumentId, final boolean subscribe)
    {
        if (subscribe)
        {
            subscribe(instrumentId);
        }
        else
        {
            unsubscribe(instrumentId);
        }
        return send(instrumentId, subscribe);
    }

    private void subscribe(final int instrumentId)
    {
        if (!subscribed.containsInt(instrumentId))
        {
            subscribed.addInt(instrumentId);
            lastMdSeqNo.put(instrumentId, AWAITING_SNAPSHOT);
        }
    }

    private void unsubscribe(final int instrumentId)
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
            send(instrumentId, true);
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
            send(instrumentId, true);
            return false;
        }
        lastMdSeqNo.put(instrumentId, mdSeqNo);
        return true;
    }

    private boolean send(final int instrumentId, final boolean subscribe)
    {
        marketDataRequestEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .instrumentId(instrumentId)
            .subscribe(subscribe ? BooleanType.TRUE : BooleanType.FALSE);
        return sender.sendIfLoggedOn(
            message, 0, MessageHeaderEncoder.ENCODED_LENGTH + marketDataRequestEncoder.encodedLength());
    }
}
