package io.keel.perf.bench;

import exchange.core2.collections.objpool.ObjectsPool;
import exchange.core2.core.common.CoreSymbolSpecification;
import exchange.core2.core.common.MatcherEventType;
import exchange.core2.core.common.MatcherTradeEvent;
import exchange.core2.core.common.OrderAction;
import exchange.core2.core.common.OrderType;
import exchange.core2.core.common.SymbolType;
import exchange.core2.core.common.cmd.CommandResultCode;
import exchange.core2.core.common.cmd.OrderCommand;
import exchange.core2.core.common.cmd.OrderCommandType;
import exchange.core2.core.common.config.LoggingConfiguration;
import exchange.core2.core.orderbook.IOrderBook;
import exchange.core2.core.orderbook.OrderBookDirectImpl;
import exchange.core2.core.orderbook.OrderBookEventsHelper;
import exchange.core2.core.processors.SharedPool;
import org.openjdk.jmh.infra.Blackhole;

import java.util.HashMap;
import java.util.Map;

/**
 * Replays the same {@link OrderStream} through exchange-core 0.5.3's {@link OrderBookDirectImpl},
 * one book per instrument sharing one objects pool, driven the way its matching engine router
 * drives it: {@link IOrderBook#processCommand} on a reused {@link OrderCommand}, then a walk of
 * the command's matcher events. MOVE maps to MOVE_ORDER, REDUCE to REDUCE_ORDER (size to take off).
 *
 * <p>The events helper is the pooled one the router builds ({@link SharedPool#getChain}); note that
 * 0.5.3 compiles {@code ExchangeCore.EVENTS_POOLING = false} into it, so every matcher event is a
 * new object whichever helper is passed. Risk checks and settlement live in exchange-core's risk
 * engine, not in the book, so they are not part of this figure (Keel's includes its accounts).
 *
 * <p>Anything but SUCCESS, and a REJECT event on anything but an IOC remainder, counts in
 * {@link #unexpected()}.
 */
public final class ExchangeCoreBook
{
    private static final OrderAction[] ACTIONS = { OrderAction.BID, OrderAction.ASK };
    private static final long RESERVE_BID_PRICE = 1_000 * OrderStream.CENTER_PRICE;

    private final OrderStream stream;
    private final Blackhole blackhole;
    private final IOrderBook[] books;
    private final OrderCommand cmd = new OrderCommand();
    private int position;
    private int passes;
    private long orderIdBase = 1;
    private long time = 1;
    private long unexpected;
    private long unexpectedTaken;
    private long tradedQuantity;
    private String firstUnexpected;

    public ExchangeCoreBook(final OrderStream stream, final Blackhole blackhole)
    {
        this.stream = stream;
        this.blackhole = blackhole;
        final ObjectsPool objectsPool = new ObjectsPool(poolConfig());
        final OrderBookEventsHelper eventsHelper = new OrderBookEventsHelper(new SharedPool(64, 16, 1024)::getChain);
        books = new IOrderBook[stream.instruments];
        for (int i = 0; i < books.length; i++)
        {
            final CoreSymbolSpecification spec = CoreSymbolSpecification.builder()
                .symbolId(i + 1)
                .type(SymbolType.CURRENCY_EXCHANGE_PAIR)
                .baseCurrency(i + 1)
                .quoteCurrency(KeelBook.QUOTE_ASSET)
                .baseScaleK(1)
                .quoteScaleK(1)
                .build();
            books[i] = new OrderBookDirectImpl(spec, objectsPool, eventsHelper, LoggingConfiguration.DEFAULT);
        }
    }

    /**
     * The pool sizes exchange-core's MatchingEngineRouter uses.
     */
    private static Map<Integer, Integer> poolConfig()
    {
        final Map<Integer, Integer> config = new HashMap<>();
        config.put(ObjectsPool.DIRECT_ORDER, 1024 * 1024);
        config.put(ObjectsPool.DIRECT_BUCKET, 1024 * 64);
        config.put(ObjectsPool.ART_NODE_4, 1024 * 32);
        config.put(ObjectsPool.ART_NODE_16, 1024 * 16);
        config.put(ObjectsPool.ART_NODE_48, 1024 * 8);
        config.put(ObjectsPool.ART_NODE_256, 1024 * 4);
        return config;
    }

    /**
     * Apply the next command of the stream.
     */
    public void step()
    {
        final OrderStream s = stream;
        final int i = position;
        final OrderCommand c = cmd;
        final byte type = s.type[i];
        c.orderId = orderIdBase + s.order[i];
        c.uid = s.account[i];
        c.symbol = s.instrument[i] + 1;
        c.timestamp = time++;
        c.matcherEvent = null;
        switch (type)
        {
            case OrderStream.NEW_LIMIT:
            case OrderStream.NEW_IOC:
                c.command = OrderCommandType.PLACE_ORDER;
                c.orderType = type == OrderStream.NEW_IOC ? OrderType.IOC : OrderType.GTC;
                c.action = ACTIONS[s.side[i]];
                c.price = s.price[i];
                c.size = s.size[i];
                c.reserveBidPrice = c.action == OrderAction.BID ? RESERVE_BID_PRICE : 0;
                c.resultCode = CommandResultCode.VALID_FOR_MATCHING_ENGINE;
                break;

            case OrderStream.CANCEL:
                c.command = OrderCommandType.CANCEL_ORDER;
                break;

            case OrderStream.MOVE:
                c.command = OrderCommandType.MOVE_ORDER;
                c.price = s.price[i];
                break;

            default:
                c.command = OrderCommandType.REDUCE_ORDER;
                c.size = s.size[i];
                break;
        }

        final CommandResultCode result = IOrderBook.processCommand(books[s.instrument[i]], c);
        if (result != CommandResultCode.SUCCESS)
        {
            unexpected(result.name());
        }
        for (MatcherTradeEvent e = c.matcherEvent; e != null; e = e.nextEvent)
        {
            if (e.eventType == MatcherEventType.TRADE)
            {
                tradedQuantity += e.size;
            }
            else if (e.eventType == MatcherEventType.REJECT && type != OrderStream.NEW_IOC)
            {
                unexpected("REJECT event for a GTC order");
            }
            blackhole.consume(e.size);
        }
        c.matcherEvent = null;

        if (++position == s.length)
        {
            position = 0;
            passes++;
            orderIdBase += s.newOrders;
        }
    }

    private void unexpected(final String what)
    {
        if (firstUnexpected == null)
        {
            firstUnexpected = what + " at command " + position;
        }
        unexpected++;
    }

    /**
     * Run to the end of the current pass.
     */
    public void finishPass()
    {
        final int pass = passes;
        while (passes == pass)
        {
            step();
        }
    }

    public int passes()
    {
        return passes;
    }

    public long unexpected()
    {
        return unexpected;
    }

    /**
     * Unexpected outcomes since the last call.
     */
    public long takeUnexpected()
    {
        final long count = unexpected - unexpectedTaken;
        unexpectedTaken = unexpected;
        return count;
    }

    public String firstUnexpected()
    {
        return firstUnexpected;
    }

    public long tradedQuantity()
    {
        return tradedQuantity;
    }

    /**
     * Resting orders over all books.
     */
    public int restingOrders()
    {
        int count = 0;
        for (final IOrderBook book : books)
        {
            count += book.getOrdersNum(OrderAction.BID) + book.getOrdersNum(OrderAction.ASK);
        }
        return count;
    }

    /**
     * exchange-core's own consistency check of every book.
     */
    public void validate()
    {
        for (final IOrderBook book : books)
        {
            book.validateInternalState();
        }
    }
}
