package io.keel.gateway;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * This gateway process's incarnation, and the one before it on this host if that process is dead — the proof that
 * lets a gateway restarted after a crash take over its predecessor's cluster session at once, instead of being
 * refused as a duplicate until the cluster times the dead session out (10 s, more when an election resets the
 * timeout).
 * <p>
 * The file {@code <aeron dir>.incarnation} holds the incarnation (16 hex digits) of the process that holds an
 * exclusive lock on it. The operating system releases the lock when its holder dies, kill -9 included, so a new
 * process that gets the lock knows the incarnation it reads there is dead; a process that cannot get it is a second
 * gateway on the same directory and refuses to start. The incarnation is random: a gateway with the same id on
 * another host, or one started with another directory, cannot name the live holder's and is refused, as before.
 */
final class GatewayIncarnation implements AutoCloseable
{
    private static final int HEX_DIGITS = 16;

    private final File file;
    private final FileChannel channel;
    private final FileLock lock;
    private final long incarnation;
    private final long predecessor;

    private GatewayIncarnation(
        final File file, final FileChannel channel, final FileLock lock, final long incarnation, final long predecessor)
    {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.incarnation = incarnation;
        this.predecessor = predecessor;
    }

    static File fileFor(final File aeronDir)
    {
        return new File(aeronDir.getAbsoluteFile().getParentFile(), aeronDir.getName() + ".incarnation");
    }

    /**
     * Takes the lock, reads the dead predecessor's incarnation (0 when there was none) and writes a new one.
     *
     * @throws IllegalStateException when another live process holds the file (one line, for the CLI).
     */
    static GatewayIncarnation acquire(final File file)
    {
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file.toPath(),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw alreadyRunning(file);
            }
            if (lock == null)
            {
                throw alreadyRunning(file);
            }
            final long predecessor = read(channel);
            final long incarnation = newIncarnation();
            final ByteBuffer text = ByteBuffer.wrap(String.format("%016x%n", incarnation).getBytes(StandardCharsets.US_ASCII));
            channel.truncate(0);
            channel.write(text, 0);
            channel.force(false);
            return new GatewayIncarnation(file, channel, lock, incarnation, predecessor);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("gateway incarnation file " + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    long incarnation()
    {
        return incarnation;
    }

    /**
     * @return the incarnation of the dead process that held the file before this one, 0 when none did.
     */
    long predecessor()
    {
        return predecessor;
    }

    File file()
    {
        return file;
    }

    /**
     * Releases the lock; the file keeps this incarnation for the next process to name as its predecessor.
     */
    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // The channel's close releases it too.
        }
        closeQuietly(channel);
    }

    private static long read(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(HEX_DIGITS);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0)
        {
            // read until 16 bytes or the end
        }
        if (buffer.position() < HEX_DIGITS)
        {
            return 0;
        }
        try
        {
            return Long.parseUnsignedLong(new String(buffer.array(), StandardCharsets.US_ASCII), 16);
        }
        catch (final NumberFormatException ex)
        {
            return 0; // not ours, or torn: no predecessor can be named
        }
    }

    private static long newIncarnation()
    {
        long value = 0;
        final SecureRandom random = new SecureRandom();
        while (value == 0)
        {
            value = random.nextLong();
        }
        return value;
    }

    private static IllegalStateException alreadyRunning(final File file)
    {
        return new IllegalStateException("another gateway process runs with this gateway id and directory (it holds " +
            file + "); stop it first, or give this one another --aeron-dir");
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing
            }
        }
    }
}
