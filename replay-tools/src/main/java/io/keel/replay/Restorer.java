package io.keel.replay;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.codecs.mark.MarkFileHeaderDecoder;
import io.aeron.cluster.codecs.MessageHeaderDecoder;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.keel.engine.EngineContext;
import io.keel.node.NodeContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeds a new node directory from a backup (or a stopped node's directory) so that {@code keel node --dir NEW}
 * starts with the engine state at a chosen point of the log: the archive is copied, the log recording is truncated
 * at the restore point with the archive's own {@code truncateRecording} (what a follower does to an uncommitted
 * tail in an election), and a new {@code recording.log} lists the leadership terms up to that point and the
 * snapshots at or before it. The node then recovers as after a crash: the newest snapshot, then the log to its end.
 * <p>
 * The restore point is the end of a log entry: the one {@code keel replay rebuild FROM --at WHEN} stops at, and its
 * state hash is the one every restored node logs when its first new term starts there ({@code term-start}).
 * The output journal is derived output and not restored: a restored node's starts empty.
 */
final class Restorer
{
    /** A mark file updated more recently than this belongs to a live process. */
    static final long MARK_FILE_LIVENESS_MS = 10_000;
    private static final int SPARSE_BLOCK = 1024 * 1024;

    /**
     * What was restored: the point, the snapshot the nodes start from, the state hash they must reach there.
     */
    record Result(long position, long timestamp, long leadershipTermId, long snapshotPosition, long hash,
        long truncatedBytes, int terms, int snapshots)
    {
    }

    private Restorer()
    {
    }

    /**
     * @throws ReplayException (one line) when {@code to} is not empty, {@code from} is not a backup or node
     * directory or is in use, or {@code target} is not a restorable point.
     */
    static Result restore(final File from, final Target target, final File to)
    {
        refuseNonEmpty(to);
        final NodeDirectory source = openSource(from);
        refuseLive(source);
        final EngineContext engineContext = new EngineOptions().context();
        final Rebuilder rebuilder = new Rebuilder(source, engineContext);
        final RecordingLog.Entry snapshot = rebuilder.snapshotFor(target);
        final Replay expected;
        try
        {
            expected = rebuilder.rebuild(target, snapshot, null);
        }
        catch (final ReplayException ex)
        {
            throw new ReplayException(ex.getMessage() + " (" + restorablePoints(source) + ")");
        }
        final long position = expected.position();
        final RecordingDescriptor log = source.logRecording();

        final NodeContext layout = new NodeContext().nodeDir(to);
        boolean done = false;
        try
        {
            copyArchive(source.archiveDir(), layout.archiveDir());
            final long truncated = truncate(layout, log.recordingId(), position);
            final int[] counts = writeRecordingLog(source.recordingLogEntries(), position, layout.clusterDir());
            // What a node will find there, read back as keel replay reads it: the same point and the same state.
            final Rebuilder check = new Rebuilder(NodeDirectory.open(to), engineContext);
            final Replay restored = check.rebuild(Target.END, check.snapshotFor(Target.END), null);
            if (restored.position() != position || restored.engine().stateHash() != expected.engine().stateHash())
            {
                throw new ReplayException(to + ": the restored directory rebuilds to position " + restored.position() +
                    " hash " + Long.toHexString(restored.engine().stateHash()) + ", expected " + position + " hash " +
                    Long.toHexString(expected.engine().stateHash()) + " (restore failed; the directory is removed)");
            }
            done = true;
            return new Result(position, expected.timestamp(), expected.leadershipTermId(),
                snapshot == null ? -1 : snapshot.logPosition, expected.engine().stateHash(), truncated, counts[0],
                counts[1]);
        }
        finally
        {
            if (!done)
            {
                IoUtil.delete(to, true);
            }
        }
    }

    /**
     * The points a restore may target, for the one-line refusal.
     */
    static String restorablePoints(final NodeDirectory source)
    {
        final RecordingDescriptor log = source.logRecording();
        final List<RecordingLog.Entry> snapshots = source.snapshots();
        final long first = log.startPosition() == 0 || snapshots.isEmpty() ? log.startPosition() :
            snapshots.get(0).logPosition;
        return "restorable: log positions " + first + ".." + (log.stopPosition() < 0 ? "end" : log.stopPosition()) +
            " (entry ends), cluster times in that range, or end";
    }

    private static void refuseNonEmpty(final File to)
    {
        if (to.exists())
        {
            final String[] children = to.list();
            if (children == null)
            {
                throw new ReplayException(to + ": not a directory (restore writes a new node directory)");
            }
            if (children.length > 0)
            {
                throw new ReplayException(to + ": not empty (restore writes only into a new or empty directory; " +
                    "a node's old state must not mix with the restored one)");
            }
        }
    }

    private static NodeDirectory openSource(final File from)
    {
        final NodeContext layout = new NodeContext().nodeDir(from);
        if (!from.isDirectory())
        {
            throw new ReplayException(from + ": not a backup (keel backup --dir) or node directory: no such directory");
        }
        if (!new File(layout.clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME).isFile() ||
            !new File(layout.archiveDir(), ArchiveCatalog.FILE_NAME).isFile())
        {
            throw new ReplayException(from + ": not a backup (keel backup --dir) or node directory: no cluster/" +
                RecordingLog.RECORDING_LOG_FILE_NAME + " and archive/" + ArchiveCatalog.FILE_NAME);
        }
        return NodeDirectory.open(from);
    }

    /**
     * A backup or node still running writes its archive while we copy it: refuse, as Aeron refuses a second process
     * on a directory (its cluster mark file shows a recent proof of life).
     */
    private static void refuseLive(final NodeDirectory source)
    {
        final File markFile = new File(source.clusterDir(), ClusterMarkFile.FILENAME);
        if (!markFile.isFile())
        {
            return;
        }
        final long activity;
        try (RandomAccessFile file = new RandomAccessFile(markFile, "r"); FileChannel channel = file.getChannel())
        {
            final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(buffer, MessageHeaderDecoder.ENCODED_LENGTH + MarkFileHeaderDecoder.activityTimestampEncodingOffset());
            activity = buffer.flip().remaining() == Long.BYTES ? buffer.getLong() : -1;
        }
        catch (final IOException ex)
        {
            throw new ReplayException(markFile + ": cannot read: " + ex.getMessage());
        }
        final long ageMs = System.currentTimeMillis() - activity; // determinism-ok: ops tool
        if (activity > 0 && ageMs < MARK_FILE_LIVENESS_MS)
        {
            throw new ReplayException(source.dir() + ": in use by a running backup or node (its mark file showed life " +
                ageMs + " ms ago): stop it first (SIGTERM; after a kill, wait 10 s), then restore from it");
        }
    }

    private static void copyArchive(final File from, final File to)
    {
        IoUtil.ensureDirectoryExists(to, "archive dir");
        final File[] files = from.listFiles();
        if (files == null)
        {
            throw new ReplayException(from + ": cannot list");
        }
        for (final File file : files)
        {
            // The archive's mark file is the source process's own: the offline archive below makes a new one.
            if (file.isFile() && !file.getName().startsWith("archive-mark"))
            {
                try
                {
                    copySparse(file, new File(to, file.getName()));
                }
                catch (final IOException ex)
                {
                    throw new ReplayException(file + ": cannot copy to " + to + ": " + ex.getMessage());
                }
            }
        }
    }

    /**
     * Segment files are created at their full length (128 MiB by default) and filled as the recording grows: the
     * rest is a hole. Copy the data and leave the zeros a hole again, so a restore writes what the backup holds, not
     * 128 MiB per snapshot.
     */
    private static void copySparse(final File from, final File to) throws IOException
    {
        try (FileChannel in = FileChannel.open(from.toPath(), StandardOpenOption.READ);
            FileChannel out = FileChannel.open(to.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final long length = in.size();
            final ByteBuffer block = ByteBuffer.allocateDirect(SPARSE_BLOCK);
            long position = 0;
            while (position < length)
            {
                block.clear();
                final int read = in.read(block, position);
                if (read <= 0)
                {
                    break;
                }
                block.flip();
                if (!isZero(block))
                {
                    while (block.hasRemaining())
                    {
                        out.write(block, position + block.position());
                    }
                }
                position += read;
            }
            if (out.size() < length)
            {
                // Extend to the source's length without writing: the tail stays a hole.
                out.write(ByteBuffer.wrap(new byte[1]), length - 1);
            }
            out.force(true);
        }
        to.setLastModified(from.lastModified());
    }

    private static boolean isZero(final ByteBuffer block)
    {
        for (int i = block.position(), limit = block.limit() - Long.BYTES; i <= limit; i += Long.BYTES)
        {
            if (block.getLong(i) != 0)
            {
                return false;
            }
        }
        for (int i = block.limit() - block.limit() % Long.BYTES; i < block.limit(); i++)
        {
            if (block.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Start an archive on the copy (which also closes a recording the source process left active, by scanning its
     * last segment) and truncate the log recording at the restore point.
     *
     * @return bytes cut off.
     */
    private static long truncate(final NodeContext layout, final long recordingId, final long position)
    {
        final File aeronDir;
        try
        {
            aeronDir = Files.createTempDirectory("keel-restore-").toFile();
        }
        catch (final IOException ex)
        {
            throw new ReplayException("cannot create a temporary directory: " + ex.getMessage());
        }
        MediaDriver driver = null;
        Archive archive = null;
        AeronArchive client = null;
        try
        {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir.getAbsolutePath())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy())
                .termBufferSparseFile(true)
                .ipcTermBufferLength(64 * 1024)
                .publicationTermBufferLength(64 * 1024)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            archive = Archive.launch(new Archive.Context()
                .aeronDirectoryName(aeronDir.getAbsolutePath())
                .archiveDir(layout.archiveDir())
                .controlChannelEnabled(false)
                .localControlChannel("aeron:ipc?term-length=64k")
                .replicationChannel("aeron:udp?endpoint=localhost:0")
                .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=localhost:0"))
                .recordingEventsEnabled(false)
                .threadingMode(ArchiveThreadingMode.SHARED)
                .recordChecksum(Checksums.crc32())
                .deleteArchiveOnStart(false));
            client = AeronArchive.connect(new AeronArchive.Context()
                .aeronDirectoryName(aeronDir.getAbsolutePath())
                .controlRequestChannel("aeron:ipc?term-length=64k")
                .controlRequestStreamId(archive.context().localControlStreamId())
                .controlResponseChannel("aeron:ipc?term-length=64k"));
            final long stop = client.getStopPosition(recordingId);
            if (stop > position)
            {
                client.truncateRecording(recordingId, position);
            }
            return Math.max(0, stop - position);
        }
        catch (final RuntimeException ex)
        {
            throw new ReplayException(layout.archiveDir() + ": the archive refused the copy or the truncation at " +
                position + ": " + ReplayException.gist(ex));
        }
        finally
        {
            CloseHelper.quietCloseAll(client, archive, driver);
            IoUtil.delete(aeronDir, true);
        }
    }

    /**
     * A new recording log: the valid terms that start at or before the restore point, in term order (each closed at
     * the next one's start, the last left open as after a crash: recovery takes the log's end from the archive), and
     * the valid snapshots at or before it (the consensus module's and the service's).
     *
     * @return the number of terms and of Keel service snapshots written.
     */
    private static int[] writeRecordingLog(final List<RecordingLog.Entry> entries, final long position, final File clusterDir)
    {
        final List<RecordingLog.Entry> terms = new ArrayList<>();
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_TERM && entry.termBaseLogPosition <= position)
            {
                terms.add(entry);
            }
            else if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.logPosition <= position)
            {
                snapshots.add(entry);
            }
        }
        terms.sort((a, b) -> Long.compare(a.leadershipTermId, b.leadershipTermId));
        IoUtil.ensureDirectoryExists(clusterDir, "cluster dir");
        int serviceSnapshots = 0;
        try (RecordingLog recordingLog = new RecordingLog(clusterDir, true))
        {
            for (final RecordingLog.Entry term : terms)
            {
                recordingLog.appendTerm(term.recordingId, term.leadershipTermId, term.termBaseLogPosition, term.timestamp);
            }
            for (int i = 0; i + 1 < terms.size(); i++)
            {
                recordingLog.commitLogPosition(terms.get(i).leadershipTermId, terms.get(i + 1).termBaseLogPosition);
            }
            for (final RecordingLog.Entry snapshot : snapshots)
            {
                recordingLog.appendSnapshot(snapshot.recordingId, snapshot.leadershipTermId, snapshot.termBaseLogPosition,
                    snapshot.logPosition, snapshot.timestamp, snapshot.serviceId);
                serviceSnapshots += snapshot.serviceId == NodeDirectory.SERVICE_ID ? 1 : 0;
            }
            recordingLog.force(2);
        }
        if (terms.isEmpty())
        {
            throw new ReplayException(clusterDir + ": no leadership term starts at or before " + position);
        }
        return new int[]{ terms.size(), serviceSnapshots };
    }
}
