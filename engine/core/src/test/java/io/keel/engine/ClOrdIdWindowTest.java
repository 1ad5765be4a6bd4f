package io.keel.engine;

import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window against a naive one (a queue and a map) on long random runs that grow it, expire it
 * and fill it to its bound: the same records found, the same room, in the same order.
 */
class ClOrdIdWindowTest
{
    private static final class Record
    {
        final long seq;
        final long accountId;
        final long clOrdId;
        final long time;

        Record(final long seq, final long accountId, final long clOrdId, final long time)
        {
            this.seq = seq;
            this.accountId = accountId;
            this.clOrdId = clOrdId;
            this.time = time;
        }
    }

    @Test
    void shouldFindExactlyTheRecordsYoungerThanTheHorizonThroughGrowthExpiryAndTheBound()
    {
        // Rows that grow from one, from the default, and preallocated beyond the bound (EngineContext.initialClOrdIds).
        for (final int initialRows : new int[] {1, 1024, 8192})
        {
            shouldFindExactlyTheRecordsYoungerThanTheHorizon(initialRows);
        }
    }

    private static void shouldFindExactlyTheRecordsYoungerThanTheHorizon(final int initialRows)
    {
        for (final long seed : new long[] {1, 2, 3})
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final long horizon = 200;
            final int capacity = 5_000;
            final ClOrdIdWindow window = new ClOrdIdWindow(horizon, capacity, initialRows);
            final ArrayDeque<Record> model = new ArrayDeque<>();
            final Map<Long, Record> byKey = new HashMap<>();
            long time = 0;
            long seq = 0;
            int refused = 0;
            int expired = 0;
            for (int step = 0; step < 100_000; step++)
            {
                // Bursts fill the window to its bound; quiet spells let it expire.
                time += step % 40_000 < 20_000 ? (random.nextInt(64) == 0 ? 1 : 0) : random.nextInt(3);
                final long accountId = random.nextInt(50);
                final long clOrdId = random.nextInt(400);
                final long key = accountId * 1_000 + clOrdId;

                final Record known = byKey.get(key);
                final boolean young = known != null && time - known.time < horizon;
                final int row = window.find(accountId, clOrdId, time);
                assertEquals(young, row != ClOrdIdWindow.NOT_FOUND, "seed " + seed + " step " + step + " " + key);
                if (young)
                {
                    assertEquals(known.seq, window.orderId(row));
                    continue;
                }

                while (!model.isEmpty() && time - model.peekFirst().time >= horizon)
                {
                    final Record gone = model.removeFirst();
                    expired++;
                    byKey.remove(gone.accountId * 1_000 + gone.clOrdId, gone);
                }
                final boolean room = model.size() < capacity;
                refused += room ? 0 : 1;
                assertEquals(room, window.hasRoom(time), "seed " + seed + " step " + step);
                assertEquals(model.size(), window.size());
                if (room)
                {
                    final Record added = new Record(seq++, accountId, clOrdId, time);
                    model.addLast(added);
                    byKey.put(key, added);
                    window.add(
                        accountId, clOrdId, added.seq, 1, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, OrdStatus.NEW,
                        RejectReason.NONE, 1, 1, 0, time, ClOrdIdWindow.NO_SEQ);
                }
            }
            assertEquals(model.size(), window.size());
            assertTrue(refused > 0 && expired > 0, "seed " + seed + ": refused " + refused + ", expired " + expired);
        }
    }

    @Test
    void shouldWriteFinalStateIntoEveryKeptRecordOfTheOrder()
    {
        final ClOrdIdWindow window = new ClOrdIdWindow(1_000, 100);
        final long first = add(window, 11, 7, 0, ClOrdIdWindow.NO_SEQ);
        add(window, 99, 0, 1, ClOrdIdWindow.NO_SEQ);
        final long second = add(window, 12, 7, 2, first);
        final long third = add(window, 13, 7, 3, second);

        window.finish(third, OrdStatus.FILLED, 5, 6, 6);

        for (final long clOrdId : new long[] {11, 12, 13})
        {
            final int row = window.find(1, clOrdId, 4);
            assertEquals(OrdStatus.FILLED, window.ordStatus(row));
            assertEquals(6, window.cumQty(row));
        }
        assertEquals(OrdStatus.NEW, window.ordStatus(window.find(1, 99, 4)), "another order's record is left alone");
    }

    @Test
    void shouldStopFinishingAtRecordsAlreadyExpired()
    {
        final ClOrdIdWindow window = new ClOrdIdWindow(10, 100);
        final long first = add(window, 11, 7, 0, ClOrdIdWindow.NO_SEQ);
        assertTrue(window.hasRoom(20));
        final long second = add(window, 12, 7, 20, first);
        add(window, 13, 8, 20, ClOrdIdWindow.NO_SEQ);

        window.finish(second, OrdStatus.CANCELED, 1, 1, 0);

        assertEquals(OrdStatus.CANCELED, window.ordStatus(window.find(1, 12, 21)));
        assertEquals(OrdStatus.NEW, window.ordStatus(window.find(1, 13, 21)));
        assertEquals(ClOrdIdWindow.NOT_FOUND, window.find(1, 11, 21));
    }

    @Test
    void shouldRefuseToAddBeyondTheBound()
    {
        final ClOrdIdWindow window = new ClOrdIdWindow(10, 2);
        add(window, 1, 0, 0, ClOrdIdWindow.NO_SEQ);
        add(window, 2, 0, 0, ClOrdIdWindow.NO_SEQ);

        assertFalse(window.hasRoom(9));
        assertThrows(IllegalStateException.class, () -> add(window, 3, 0, 9, ClOrdIdWindow.NO_SEQ));
        assertTrue(window.hasRoom(10));
    }

    private static long add(
        final ClOrdIdWindow window, final long clOrdId, final long orderId, final long time, final long previousSeq)
    {
        return window.add(
            1, clOrdId, orderId, 1, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, OrdStatus.NEW, RejectReason.NONE, 1, 1, 0, time,
            previousSeq);
    }
}
