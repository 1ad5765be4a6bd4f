package io.keel.node;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the "logPosition hash" lines every node appends to {@code <nodeDir>/state-hashes.txt}
 * at each snapshot and state-hash request. Works the same for in-JVM nodes and processes.
 */
final class StateHashes
{
    record Line(long position, long hash)
    {
    }

    private StateHashes()
    {
    }

    static List<Line> read(final File nodeDir)
    {
        final File file = new File(nodeDir, "state-hashes.txt");
        final List<Line> lines = new ArrayList<>();
        if (!file.exists())
        {
            return lines;
        }
        final List<String> text;
        try
        {
            text = Files.readAllLines(file.toPath());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        for (final String line : text)
        {
            final String[] parts = line.trim().split(" ");
            if (parts.length == 2)
            {
                lines.add(new Line(Long.parseLong(parts[0]), Long.parseUnsignedLong(parts[1], 16)));
            }
            // A line without a newline yet is being written: ignore it until complete.
        }
        return lines;
    }

    /**
     * @return the hash the node recorded at that position, or null if it has not (yet).
     */
    static Long at(final File nodeDir, final long position)
    {
        Long hash = null;
        for (final Line line : read(nodeDir))
        {
            if (line.position() == position)
            {
                hash = line.hash();
            }
        }
        return hash;
    }

    /**
     * The first position greater than {@code after} at which the node recorded a hash, or -1.
     */
    static long firstPositionAfter(final File nodeDir, final long after)
    {
        for (final Line line : read(nodeDir))
        {
            if (line.position() > after)
            {
                return line.position();
            }
        }
        return -1;
    }

    /**
     * Wait until every node recorded a hash at {@code position}, and check they are equal to
     * {@code expected}.
     */
    static void awaitEqualAt(final long position, final long expected, final long timeoutMs, final File... nodeDirs)
    {
        ClusterHarness.await(
            () ->
            {
                for (final File nodeDir : nodeDirs)
                {
                    if (at(nodeDir, position) == null)
                    {
                        return false;
                    }
                }
                return true;
            },
            timeoutMs,
            () -> "every node to record a state hash at log position " + position + ": " + describe(nodeDirs));
        for (final File nodeDir : nodeDirs)
        {
            assertEquals(
                Long.toHexString(expected), Long.toHexString(at(nodeDir, position)),
                "state hash at log position " + position + " of " + nodeDir + ": " + describe(nodeDirs));
        }
    }

    /**
     * Every position recorded more than once (on several nodes, or again after a node replayed its
     * log) must carry the same hash everywhere: the history of the replicas never disagrees.
     */
    static void assertConsistentHistory(final File... nodeDirs)
    {
        final Map<Long, Long> hashByPosition = new HashMap<>();
        for (final File nodeDir : nodeDirs)
        {
            for (final Line line : read(nodeDir))
            {
                final Long previous = hashByPosition.putIfAbsent(line.position(), line.hash());
                if (previous != null && previous != line.hash())
                {
                    fail("state hashes disagree at log position " + line.position() + ": " + describe(nodeDirs));
                }
            }
        }
    }

    static String describe(final File... nodeDirs)
    {
        final StringBuilder sb = new StringBuilder();
        for (final File nodeDir : nodeDirs)
        {
            sb.append("\n  ").append(nodeDir.getName()).append(':');
            for (final Line line : read(nodeDir))
            {
                sb.append(' ').append(line.position()).append('=').append(Long.toHexString(line.hash()));
            }
        }
        return sb.toString();
    }
}
