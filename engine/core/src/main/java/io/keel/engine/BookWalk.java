package io.keel.engine;

import io.keel.codecs.Side;

/**
 * Walks an engine's books for tools, tests and end-of-run checks: the levels of one side best first, or its resting
 * orders in priority order. Cold path; never while the engine's thread runs.
 */
public final class BookWalk
{
    public interface LevelVisitor
    {
        void onLevel(long price, long quantity, int orderCount);
    }

    public interface OrderVisitor
    {
        void onOrder(long orderId, long clOrdId, long accountId, long sessionId, long price, long quantity, long leavesQty);
    }

    private BookWalk()
    {
    }

    /**
     * Levels of one side, best first.
     */
    public static void forEachLevel(final Engine engine, final int instrumentId, final Side side, final LevelVisitor visitor)
    {
        final Instrument instrument = engine.instruments.get(instrumentId);
        if (instrument != null)
        {
            final BookSide book = instrument.side(side);
            for (int depth = 0; depth < book.levelCount(); depth++)
            {
                final PriceLevel level = book.level(depth);
                visitor.onLevel(level.price, level.quantity, level.orderCount);
            }
        }
    }

    /**
     * Resting orders of one side in priority order.
     */
    public static void forEachOrder(final Engine engine, final int instrumentId, final Side side, final OrderVisitor visitor)
    {
        final Instrument instrument = engine.instruments.get(instrumentId);
        if (instrument != null)
        {
            final BookSide book = instrument.side(side);
            for (int depth = 0; depth < book.levelCount(); depth++)
            {
                for (Order o = book.level(depth).head; o != null; o = o.next)
                {
                    visitor.onOrder(o.orderId, o.clOrdId, o.accountId, o.sessionId, o.price, o.quantity, o.leavesQty);
                }
            }
        }
    }
}
