package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code keel replay verify DIR}: replay the node's log offline and check it against what the
 * node itself recorded: every state hash in {@code state-hashes.txt} (written at each snapshot
 * and hash request), every snapshot (loaded on its own, it must equal the replayed state), and
 * the conservation invariant. Exit 0 with {@code verify: ... ok}, or 1 naming the first
 * position where they differ.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Replay the node's log offline and compare with the state hashes the node recorded (each snapshot and " +
            "state-hash request) and with its snapshots; check the invariants (conservation of every asset, " +
            "reservations, books).",
        "Exit 0 and 'verify: ... ok', or exit 1 and 'verify: FAILED at position P: ...' (the first difference)."
    })
final class VerifyCommand implements Callable<Integer>
{
    static final int EXIT_MISMATCH = 1;

    @Parameters(index = "0", paramLabel = "DIR", description = "The node directory (keel node --dir).")
    File dir;

    @Option(names = "--from-snapshot",
        description = "Start from the latest snapshot (faster; checks only what follows it) instead of the log's start.")
    boolean fromSnapshot;

    /** Not options: the engine starts as the node's does, and the log carries its limits. */
    private final EngineOptions engineOptions = new EngineOptions();

    /**
     * The first difference found.
     */
    private static final class Mismatch extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final long position;

        Mismatch(final long position, final String message)
        {
            super(message, null, false, false);
            this.position = position;
        }
    }

    public Integer call()
    {
        final NodeDirectory node = NodeDirectory.open(dir);
        final EngineContext engineContext = engineOptions.context();
        final Long2LongHashMap recorded = new Long2LongHashMap(Long.MIN_VALUE);
        for (final NodeDirectory.StateHashLine line : node.stateHashes())
        {
            final long previous = recorded.put(line.position(), line.hash());
            if (previous != Long.MIN_VALUE && previous != line.hash())
            {
                return fail(line.position(), "the node recorded two different hashes there: " + Long.toHexString(previous) +
                    " and " + Long.toHexString(line.hash()));
            }
        }
        final Rebuilder rebuilder = new Rebuilder(node, engineContext);
        final List<RecordingLog.Entry> snapshots = node.snapshots();
        final RecordingLog.Entry start = chooseStart(node, snapshots);
        final long[] checked = new long[2];
        final long[] lastMatch = {-1};
        final LongHashSet positionsChecked = new LongHashSet();
        final Replay replay;
        try
        {
            if (start != null)
            {
                final Replay loaded = new Replay(engineContext);
                loaded.loadSnapshot(node, start);
                final long expected = recorded.get(start.logPosition);
                if (expected != Long.MIN_VALUE && loaded.engine().stateHash() != expected)
                {
                    throw new Mismatch(start.logPosition, "the snapshot there holds state hash " +
                        Long.toHexString(loaded.engine().stateHash()) + ", the node recorded " + Long.toHexString(expected));
                }
                positionsChecked.add(start.logPosition);
                lastMatch[0] = start.logPosition;
            }
            replay = rebuilder.rebuild(Target.END, start, (entry, r) ->
            {
                final long expected = recorded.get(entry.position);
                if (expected != Long.MIN_VALUE)
                {
                    final long actual = r.engine().stateHash();
                    if (actual != expected)
                    {
                        throw new Mismatch(entry.position, "replayed state hash " + Long.toHexString(actual) + ", the node recorded " +
                            Long.toHexString(expected) + " (" + since(lastMatch[0]) + ")");
                    }
                    checkInvariants(r, entry.position);
                    lastMatch[0] = entry.position;
                    positionsChecked.add(entry.position);
                    checked[0]++;
                }
                for (final RecordingLog.Entry snapshot : snapshots)
                {
                    if (snapshot.logPosition == entry.position && snapshot != start)
                    {
                        checkSnapshot(node, engineContext, snapshot, r, entry.position);
                        checked[1]++;
                    }
                }
            });
            checkInvariants(replay, replay.position());
        }
        catch (final Mismatch ex)
        {
            return fail(ex.position, ex.getMessage());
        }

        final long from = start == null ? node.logRecording().startPosition() : start.logPosition;
        for (final NodeDirectory.StateHashLine line : node.stateHashes())
        {
            if (line.position() > replay.position())
            {
                return fail(line.position(), "the node recorded a state hash there, but its log ends at " +
                    replay.position());
            }
            if (line.position() >= from && !positionsChecked.contains(line.position()))
            {
                return fail(line.position(), "the node recorded a state hash there, but no log entry ends there");
            }
        }
        System.out.println("verify: " + node.dir() + " entries=" + replay.entriesApplied() + " position=" + replay.position() +
            " from=" + (start == null ? "log-start" : "snapshot@" + start.logPosition) +
            " hashes-checked=" + checked[0] + " snapshots-checked=" + checked[1] + " invariants=ok" +
            " hash=" + Long.toHexString(replay.engine().stateHash()) + " ok");
        return 0;
    }

    private RecordingLog.Entry chooseStart(final NodeDirectory node, final List<RecordingLog.Entry> snapshots)
    {
        if (fromSnapshot && !snapshots.isEmpty())
        {
            return snapshots.get(snapshots.size() - 1);
        }
        // From the log's start when the archive still holds it: every recorded hash is checked.
        return node.logRecording().startPosition() == 0 || snapshots.isEmpty() ? null : snapshots.get(0);
    }

    private static String since(final long lastMatch)
    {
        return lastMatch < 0 ? "no earlier recorded hash" : "last agreement at position " + lastMatch;
    }

    private static void checkInvariants(final Replay replay, final long position)
    {
        try
        {
            replay.engine().verifyInvariants();
        }
        catch (final IllegalStateException ex)
        {
            throw new Mismatch(position, "invariant broken: " + ex.getMessage());
        }
    }

    private static void checkSnapshot(
        final NodeDirectory node,
        final EngineContext engineContext,
        final RecordingLog.Entry snapshot,
        final Replay replay,
        final long position)
    {
        final Replay loaded = new Replay(engineContext);
        loaded.loadSnapshot(node, snapshot);
        final long expected = replay.engine().stateHash();
        final long actual = loaded.engine().stateHash();
        if (actual != expected)
        {
            throw new Mismatch(position, "snapshot (recording " + snapshot.recordingId + ") holds state hash " +
                Long.toHexString(actual) + ", the replayed log gives " + Long.toHexString(expected));
        }
    }

    private static int fail(final long position, final String why)
    {
        System.out.println("verify: FAILED at position " + position + ": " + why);
        return EXIT_MISMATCH;
    }
}
