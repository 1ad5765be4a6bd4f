package io.keel.engine;

import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.engine.Command.Deposit;
import io.keel.engine.Command.Withdraw;
import io.keel.engine.Events.AdminResponse;
import io.keel.node.CommandDecoder;
import io.keel.node.EventEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties over random command streams ({@link CommandStreams}): invariants after every
 * command, snapshot and restore mid-stream, determinism down to the output bytes, and agreement
 * with the reference model. Streams shrink to short, plain ones when a property fails.
 */
class EngineProperties
{
    private static final int MAX_ACCOUNT = CommandStreams.ACCOUNTS + 3;
    private static final int MAX_INSTRUMENT = 5;

    @Provide
    Arbitrary<List<int[]>> streams()
    {
        return Arbitraries.integers().between(0, (1 << 20) - 1)
            .array(int[].class).ofSize(CommandStreams.TAPE_LENGTH)
            .list().ofMinSize(1).ofMaxSize(400);
    }

    @Property(tries = 60)
    void shouldKeepInvariantsAndNonNegativeBalancesAfterEveryCommand(@ForAll("streams") final List<int[]> tapes)
    {
        final List<Command> commands = CommandStreams.decode(tapes);
        final RecordingListener events = new RecordingListener();
        final Engine engine = new Engine(events);
        final Command.Venue venue = Command.venue(engine);
        final long[] expectedTotals = new long[CommandStreams.ASSETS.length];

        for (int i = 0; i < commands.size(); i++)
        {
            final Command command = commands.get(i);
            command.applyTo(venue);
            final String where = "after command " + i + ": " + command;
            try
            {
                engine.verifyInvariants();
            }
            catch (final IllegalStateException ex)
            {
                fail(where + ": " + ex.getMessage());
            }
            countAcceptedFunding(command, events, expectedTotals);
            events.clear();

            for (int instrumentId = 1; instrumentId <= MAX_INSTRUMENT; instrumentId++)
            {
                final long bid = engine.bestPrice(instrumentId, Side.BUY);
                final long ask = engine.bestPrice(instrumentId, Side.SELL);
                assertTrue(bid == Engine.NULL_PRICE || ask == Engine.NULL_PRICE || bid < ask,
                    "book " + instrumentId + " crossed at rest " + bid + " >= " + ask + " " + where);
            }
            final long[] totals = new long[expectedTotals.length];
            for (long account = 1; account <= MAX_ACCOUNT; account++)
            {
                for (final int asset : CommandStreams.ASSETS)
                {
                    final long balance = engine.balance(account, asset);
                    final long reserved = engine.reserved(account, asset);
                    assertTrue(balance >= 0 && reserved >= 0 && reserved <= balance,
                        "account " + account + " asset " + asset + " balance " + balance + " reserved " + reserved + " " + where);
                    totals[asset] += balance;
                }
            }
            for (final int asset : CommandStreams.ASSETS)
            {
                assertEquals(expectedTotals[asset], totals[asset],
                    "asset " + asset + " held in total differs from accepted deposits minus withdrawals " + where);
            }
        }
    }

    /**
     * Deposits and withdrawals the engine accepted: the only way a total may change.
     */
    private static void countAcceptedFunding(final Command command, final RecordingListener events, final long[] totals)
    {
        if (!(command instanceof Deposit) && !(command instanceof Withdraw))
        {
            return;
        }
        final AdminResponse response = events.lastAdmin();
        if (response.result() != RejectReason.NONE)
        {
            return;
        }
        if (command instanceof Deposit d)
        {
            totals[d.assetId()] += d.amount();
        }
        else if (command instanceof Withdraw w)
        {
            totals[w.assetId()] -= w.amount();
        }
    }

    @Property(tries = 40)
    void shouldRestoreFromMidStreamSnapshotWithIdenticalHashAndOutputs(
        @ForAll("streams") final List<int[]> tapes,
        @ForAll @IntRange(min = 0, max = 100) final int splitPercent,
        @ForAll final boolean tightLimits)
    {
        final List<Command> commands = CommandStreams.decode(tapes);
        final int split = commands.size() * splitPercent / 100;
        final LogEncoder log = new LogEncoder();
        final LogEncoder.Recorded liveOutput = new LogEncoder.Recorded();
        final Engine live = new Engine(context(tightLimits), new EventEncoder(liveOutput));
        final CommandDecoder liveDispatcher = new CommandDecoder(live);
        for (int i = 0; i < split; i++)
        {
            LogEncoder.apply(liveDispatcher, live, log.encode(commands.get(i)), commands.get(i));
        }

        final List<byte[]> snapshot = Snapshots.of(live);
        final LogEncoder.Recorded restoredOutput = new LogEncoder.Recorded();
        final Engine restored = new Engine(context(tightLimits), new EventEncoder(restoredOutput));
        assertTrue(Snapshots.load(snapshot, restored), "snapshot loads completely");
        restored.verifyInvariants();
        assertEquals(live.stateHash(), restored.stateHash(), "hash after restore at command " + split);
        assertTrue(LogEncoder.sameBytes(snapshot, Snapshots.of(restored)), "a restored engine writes the same snapshot");
        assertTrue(restoredOutput.outputs.isEmpty(), "loading a snapshot emits nothing");

        final CommandDecoder restoredDispatcher = new CommandDecoder(restored);
        liveOutput.drain();
        for (int i = split; i < commands.size(); i++)
        {
            final Command command = commands.get(i);
            final byte[] message = log.encode(command);
            LogEncoder.apply(liveDispatcher, live, message, command);
            LogEncoder.apply(restoredDispatcher, restored, message, command);
            if (!LogEncoder.sameBytes(liveOutput.drain(), restoredOutput.drain()))
            {
                fail("outputs differ at command " + i + " (snapshot taken before command " + split + "): " + command);
            }
        }
        assertEquals(live.stateHash(), restored.stateHash(), "hash at the end of the stream");
    }

    @Property(tries = 40)
    void shouldGiveByteIdenticalOutputsAndEqualHashesForTheSameStream(@ForAll("streams") final List<int[]> tapes)
    {
        final List<Command> commands = CommandStreams.decode(tapes);
        final LogEncoder log = new LogEncoder();
        final LogEncoder.Recorded firstOutput = new LogEncoder.Recorded();
        final LogEncoder.Recorded secondOutput = new LogEncoder.Recorded();
        final LogEncoder.Recorded directOutput = new LogEncoder.Recorded();
        final Engine first = new Engine(new EventEncoder(firstOutput));
        final Engine second = new Engine(new EventEncoder(secondOutput));
        final Engine direct = new Engine(new EventEncoder(directOutput));
        final CommandDecoder firstDispatcher = new CommandDecoder(first);
        final CommandDecoder secondDispatcher = new CommandDecoder(second);
        final Command.Venue directVenue = Command.venue(direct);

        for (final Command command : commands)
        {
            final byte[] message = log.encode(command);
            LogEncoder.apply(firstDispatcher, first, message, command);
            LogEncoder.apply(secondDispatcher, second, message, command);
            command.applyTo(directVenue);
        }

        assertFalse(firstOutput.outputs.isEmpty());
        assertTrue(LogEncoder.sameBytes(firstOutput.outputs, secondOutput.outputs), "two replays of one log");
        assertTrue(LogEncoder.sameBytes(firstOutput.outputs, directOutput.outputs), "the log through the dispatcher and direct calls");
        assertEquals(first.stateHash(), second.stateHash());
        assertEquals(first.stateHash(), direct.stateHash());
    }

    @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
    void shouldAgreeWithReferenceModel(@ForAll("streams") final List<int[]> tapes, @ForAll final boolean tightLimits)
    {
        final List<Command> commands = CommandStreams.decode(tapes);

        assertNull(ModelCheck.firstDifference(commands, context(tightLimits), context(tightLimits), 10));
    }

    private static EngineContext context(final boolean tight)
    {
        return tight ? new EngineContext().maxOrders(25).maxClOrdIds(6).idempotencyHorizonMs(30).maxAccounts(7).maxInstruments(3) : new EngineContext();
    }
}
