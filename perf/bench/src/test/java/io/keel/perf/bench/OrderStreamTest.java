package io.keel.perf.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's stream is what it claims: deterministic, sustainable pass after pass, and
 * accepted in full by both books with the same trades. No timing here: benchmarks are programs.
 */
class OrderStreamTest
{
    private static final int LENGTH = 100_000;
    private static final int DEPTH = 400;

    private final Blackhole blackhole = new Blackhole(BookBenchmarkMain.BLACKHOLE_CHALLENGE);

    @Test
    void shouldGenerateTheSameStreamFromTheSameSeed()
    {
        final OrderStream a = OrderStream.generate(4, DEPTH, 50, LENGTH, 7);
        final OrderStream b = OrderStream.generate(4, DEPTH, 50, LENGTH, 7);
        final OrderStream c = OrderStream.generate(4, DEPTH, 50, LENGTH, 8);

        assertEquals(a.length(), b.length());
        assertEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.fingerprint(), c.fingerprint());
    }

    @Test
    void shouldMixRestingCancelsReplacesAndAggressiveOrders()
    {
        final OrderStream stream = OrderStream.generate(1, DEPTH, 50, LENGTH, 7);
        final long[] count = new long[5];
        for (int i = 0; i < stream.length(); i++)
        {
            count[stream.type(i)]++;
        }
        final double n = stream.length();
        assertTrue(count[OrderStream.NEW_LIMIT] / n > 0.35, stream.describe());
        assertTrue(count[OrderStream.CANCEL] / n > 0.25, stream.describe());
        assertTrue(count[OrderStream.MOVE] / n > 0.05, stream.describe());
        assertTrue(count[OrderStream.REDUCE] / n > 0.02, stream.describe());
        assertTrue(count[OrderStream.NEW_IOC] / n > 0.03, stream.describe());
        assertTrue(stream.tradedQuantity() > 0, stream.describe());
        assertTrue(stream.maxResting() < 3 * DEPTH, "book grows without bound: " + stream.describe());
    }

    @Test
    void shouldReplayPassesThroughKeelWithoutRejects()
    {
        final OrderStream stream = OrderStream.generate(3, DEPTH, 50, LENGTH, 11);
        final KeelBook keel = new KeelBook(stream, blackhole);

        for (int pass = 1; pass <= 2; pass++)
        {
            keel.finishPass();
            assertEquals(0, keel.rejects(), "first reject: " + keel.firstRejectReason());
            keel.engine().verifyInvariants();
            assertEquals(0, keel.engine().openOrderCount(), "a pass must leave the books empty");
            assertEquals(pass * stream.tradedQuantity(), keel.tradedQuantity());
        }

        for (int i = 0; i < stream.length() / 2; i++)
        {
            keel.step();
        }
        keel.engine().verifyInvariants();
        assertEquals(0, keel.rejects(), "first reject: " + keel.firstRejectReason());
        assertTrue(keel.engine().openOrderCount() > 0);
    }

    @Test
    void shouldReplayPassesThroughExchangeCoreWithNoUnexpectedResults()
    {
        final OrderStream stream = OrderStream.generate(3, DEPTH, 50, LENGTH, 11);
        final ExchangeCoreBook exchangeCore = new ExchangeCoreBook(stream, blackhole);

        for (int pass = 1; pass <= 2; pass++)
        {
            exchangeCore.finishPass();
            assertEquals(0, exchangeCore.unexpected(), "first: " + exchangeCore.firstUnexpected());
            exchangeCore.validate();
            assertEquals(0, exchangeCore.restingOrders(), "a pass must leave the books empty");
            assertEquals(pass * stream.tradedQuantity(), exchangeCore.tradedQuantity());
        }
    }

    @Test
    void shouldRejectBadCliOptionsWithExitCodeTwo()
    {
        assertEquals(2, BookBenchmarkMain.run("--no-such-option"));
        assertEquals(2, BookBenchmarkMain.run("--many", "1"));
        assertEquals(2, BookBenchmarkMain.run("--forks", "x"));
        assertEquals(0, BookBenchmarkMain.run("--help"));
    }
}
