package io.keel.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine against {@link ReferenceEngine}, a naive model of the same semantics, on long seeded
 * random streams: the same events for every command, the same books (levels and orders in
 * priority order), balances and reservations.
 */
class ReferenceBookDifferentialTest
{
    private static final int LENGTH = 6_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldMatchReferenceModelEventForEventWithDefaultLimits(final long seed)
    {
        final List<Command> commands = CommandStreams.random(seed, LENGTH);

        assertNull(ModelCheck.firstDifference(commands, new EngineContext(), new EngineContext(), 50), "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104})
    void shouldMatchReferenceModelWithTightOrderAndClOrdIdLimits(final long seed)
    {
        final List<Command> commands = CommandStreams.random(seed, LENGTH);

        assertNull(
            ModelCheck.firstDifference(commands, tight(), tight(), 50),
            "seed " + seed + " (maxOrders 25, maxClOrdIds 6, idempotencyHorizonMs 30, maxAccounts 7, maxInstruments 3)");
    }

    @Test
    void shouldExerciseWhatItClaimsToExercise()
    {
        // Guards the generator: a stream that never crossed, expired or prevented a self-trade
        // would make the comparison above vacuous.
        final RecordingListener events = new RecordingListener();
        final Engine engine = new Engine(tight(), events);
        final Command.Venue venue = Command.venue(engine);
        for (final Command command : CommandStreams.random(9, LENGTH))
        {
            command.applyTo(venue);
        }
        final String all = events.events().toString();
        for (final String expected : new String[] {
            "TRADE/FILLED", "TRADE/PARTIALLY_FILLED", "EXPIRED/EXPIRED", "FOK_NOT_FILLABLE", "NO_LIQUIDITY", "RESTATED",
            "SELF_TRADE_PREVENTED", "REPLACED", "ORDER_STATUS", "POST_ONLY_WOULD_TAKE", "PRICE_OUTSIDE_BAND",
            "INSTRUMENT_HALTED", "INSUFFICIENT_FUNDS", "INSUFFICIENT_POSITION", "NOTIONAL_OVERFLOW", "ORDER_LIMIT_REACHED",
            "UNKNOWN_ORDER", "UNKNOWN_ACCOUNT", "INVALID_EXPIRE_TIME", "MassCancelReport", "INSTRUMENT_EXISTS",
            "INVALID_MASS_CANCEL_SCOPE", "ACCOUNT_EXISTS", "INVALID_ASSET", "INVALID_AMOUNT", "THROTTLED"})
        {
            assertTrue(all.contains(expected), "the stream never produced " + expected);
        }
    }

    private static EngineContext tight()
    {
        return new EngineContext().maxOrders(25).maxClOrdIds(6).idempotencyHorizonMs(30).maxAccounts(7).maxInstruments(3);
    }
}
