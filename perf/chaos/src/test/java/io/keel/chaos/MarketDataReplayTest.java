package io.keel.chaos;

import io.keel.codecs.BookUpdateEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Engine;
import io.keel.node.EventEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The market-data check of a chaos run: books rebuilt from an engine's BookUpdates equal its
 * books, and a lost, extra or reordered update is caught.
 */
class MarketDataReplayTest
{
    @Test
    void shouldMatchTheEngineBooksAndCatchAWrongUpdate()
    {
        final MarketDataReplay replay = new MarketDataReplay();
        final Engine engine = new Engine(new EventEncoder(replay));
        engine.addInstrument(1, 1, 1, 2, 1, 1, 1_000, 5_000, 1_000, 1);
        for (long account = 1; account <= 4; account++)
        {
            engine.createAccount(10 + account, account, 1);
            engine.deposit(20 + account, account, 1, 1_000_000, 1);
            engine.deposit(30 + account, account, 2, 1_000_000_000, 1);
        }
        final Random random = new Random(1);
        for (int i = 1; i <= 2_000; i++)
        {
            final Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            final long price = 1_000 + (side == Side.BUY ? -1 : 1) * (random.nextInt(7) - 1);
            engine.newOrder(1, 1 + random.nextInt(4), i, 1, side, OrdType.LIMIT,
                random.nextInt(4) == 0 ? TimeInForce.IOC : TimeInForce.GTC, false, SelfTradePrevention.NONE, price,
                1 + random.nextInt(5), 0, 2 + i);
        }
        assertTrue(replay.fromStart());
        assertTrue(replay.messages() > 2_000, "messages " + replay.messages());
        assertEquals(List.of(), replay.compare(engine, 1));

        // One more update than the engine made: a level that does not exist, and a sequence gap.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final BookUpdateEncoder update = new BookUpdateEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .instrumentId(1).mdSeqNo(replay.messages() + 5).side(Side.BUY).price(1).quantity(3).orderCount(1).transactTime(0);
        replay.onMarketData(1, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + update.encodedLength());
        final List<String> differences = replay.compare(engine, 1);
        assertEquals(2, differences.size(), differences.toString());
        assertTrue(differences.get(0).contains("mdSeqNo"), differences.toString());
        assertFalse(differences.get(1).isEmpty());
    }
}
