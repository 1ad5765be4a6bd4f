package io.keel.chaos;

import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * The history of a chaos run, one line per request sent, report received and fault injected,
 * each stamped with milliseconds since the start: {@code <ms> <thread> <EVENT> key=value ...}.
 * Written to {@code <dir>/history.log}; kept when a check fails or with {@code --keep-history}.
 */
final class History implements AutoCloseable
{
    private final BufferedWriter writer;
    private final long startNs;
    private long lines;

    History(final File file, final long startNs)
    {
        this.startNs = startNs;
        try
        {
            writer = Files.newBufferedWriter(file.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    long elapsedMs(final long nowNs)
    {
        return (nowNs - startNs) / 1_000_000;
    }

    synchronized void line(final String event)
    {
        try
        {
            writer.write(Long.toString(elapsedMs(System.nanoTime())));
            writer.write(' ');
            writer.write(event);
            writer.write('\n');
            lines++;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    synchronized long lines()
    {
        return lines;
    }

    public synchronized void close()
    {
        try
        {
            writer.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
