package io.keel.node;

import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * {@code state-hashes.txt} ({@link NodeContext#stateHashFile()}): one {@code <log position> <hash in hex>} line per
 * snapshot and state-hash request, appended by the service; read by tools that compare members.
 */
public final class StateHashFile
{
    private StateHashFile()
    {
    }

    public static void append(final File file, final long logPosition, final long hash)
    {
        try (FileWriter writer = new FileWriter(file, true))
        {
            writer.write(logPosition + " " + Long.toHexString(hash) + "\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot record state hash in " + file, ex);
        }
    }

    /**
     * @return the last hash recorded at {@code position} in the node dir's file, or null when there is none yet
     * (no file, no such line, or a line still being written).
     */
    public static Long hashAt(final File nodeDir, final long position)
    {
        final File file = new NodeContext().nodeDir(nodeDir).stateHashFile();
        if (!file.exists())
        {
            return null;
        }
        try
        {
            Long hash = null;
            for (final String line : Files.readAllLines(file.toPath()))
            {
                final String[] parts = line.trim().split(" ");
                if (parts.length == 2 && Long.parseLong(parts[0]) == position)
                {
                    hash = Long.parseUnsignedLong(parts[1], 16);
                }
            }
            return hash;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }
}
