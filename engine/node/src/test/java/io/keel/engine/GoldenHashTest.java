package io.keel.engine;

import io.keel.codecs.MessageHeaderEncoder;
import io.keel.node.CommandDecoder;
import io.keel.node.EventEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fixed command streams, applied as the log would carry them, give byte-for-byte the outputs and the
 * state they gave when these values were recorded: the engine's behaviour is pinned while its code is
 * moved and split. A change here is a behaviour change, never a refactoring: record new values only
 * on purpose, and say why in the commit.
 * <p>
 * The values were recorded at schema version 1. Each SBE header carries the schema version, so a new
 * version (a message added at the end of the schema) changes every byte stream without changing any
 * behaviour: the fingerprint reads every header's version as 1, and pins behaviour, not the version.
 */
class GoldenHashTest
{
    private static final long[] SEEDS = {1, 2, 3};
    private static final int LENGTH = 6_000;
    private static final String[] GOLDEN = {
        // Recorded again for issue 21 (bounds), on purpose: each instrument added is announced with an empty book
        // snapshot (one output more per AddInstrument that succeeds: 5 per stream), an unknown instrument's
        // MarketDataRequest is answered UNKNOWN_INSTRUMENT instead of an empty page, and the snapshot carries the
        // engine limits (SnapshotLimits, format 2).
        "outputs=11752 chain=c399fbcfe14d1355 state=de53dfbb89559783",
        "outputs=11381 chain=9483a8db0ba7c880 state=e07a51cda50f3f63",
        "outputs=11634 chain=2afd458794fd5bcc state=e41ed0db044112f5",
    };

    @Test
    void shouldProduceTheRecordedOutputsAndState()
    {
        final String[] actual = new String[SEEDS.length];
        for (int i = 0; i < SEEDS.length; i++)
        {
            actual[i] = fingerprint(CommandStreams.random(SEEDS[i], LENGTH));
        }
        assertEquals(List.of(GOLDEN), List.of(actual), "seeds " + Arrays.toString(SEEDS));
    }

    /**
     * @return "outputs=<count> chain=<hash of every output's bytes, in order> state=<state hash>", hashes in hex.
     */
    static String fingerprint(final List<Command> commands)
    {
        final LogEncoder log = new LogEncoder();
        final LogEncoder.Recorded output = new LogEncoder.Recorded();
        final Engine engine = new Engine(new EngineContext(), new EventEncoder(output));
        final CommandDecoder dispatcher = new CommandDecoder(engine);
        long chain = 0;
        long count = 0;
        for (final Command command : commands)
        {
            LogEncoder.apply(dispatcher, engine, log.encode(command), command);
            for (final byte[] bytes : output.drain())
            {
                final UnsafeBuffer recorded = new UnsafeBuffer(bytes);
                asVersionOne(recorded, LogEncoder.Recorded.PREFIX_LENGTH);
                chain = StateHash.fold(chain, recorded, 0, bytes.length);
                count++;
            }
        }
        final StateHash state = new StateHash();
        for (final byte[] message : Snapshots.of(engine))
        {
            final UnsafeBuffer snapshot = new UnsafeBuffer(message);
            asVersionOne(snapshot, 0);
            state.onSnapshotMessage(snapshot, 0, message.length);
        }
        return "outputs=" + count + " chain=" + Long.toHexString(chain) + " state=" + Long.toHexString(state.value());
    }

    private static void asVersionOne(final UnsafeBuffer message, final int headerOffset)
    {
        new MessageHeaderEncoder().wrap(message, headerOffset).version(1);
    }
}
