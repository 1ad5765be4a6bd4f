package io.keel.node;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Log retention on one member: what a {@code PurgeRequest} from the log asks of this node's archive, done off the
 * service thread (archive calls block) and never touching engine state or outputs.
 * <p>
 * <b>The rule.</b> The request carries a bound on the log position (the admin tool caps it at every member's log
 * position, so no member is stranded: a member that is behind needs the leader's log from its own position, and
 * Aeron's leader answers a catch-up with an archive replay from there) and one on cluster time. This node picks its
 * own newest service snapshot within both bounds, S, and then:
 * <ul>
 * <li>purges the log recording's whole archive segments before S ({@code AeronArchive.purgeSegments} to the segment
 * base of S: recovery replays from the latest snapshot, at or after S, so nothing it reads goes);</li>
 * <li>purges the recordings of snapshots (consensus module and service) taken before the log's new start: a snapshot
 * is only of use with the log after it. S and every later snapshot stay;</li>
 * <li>hands the new log start to the service thread, which purges the output journal's whole segments before it.</li>
 * </ul>
 * Aeron's recording log is the consensus module's file and stays as it is: its entries for purged snapshots keep
 * naming recordings that are gone, which only {@code ClusterTool invalidate-latest-snapshot} down to them would reach
 * (a fallback that the purged log could not serve anyway). The archive itself refuses to purge segments a replay is
 * reading (a catch-up in progress): the node then logs {@code log-purge-refused} and changes nothing.
 * <p>
 * Idempotent: the request is applied again when the node replays its log after a restart, and finds nothing to do.
 */
final class LogPurger implements AutoCloseable
{
    /** The Keel service's id in Aeron's recording log; the consensus module's snapshots have -1. */
    private static final int SERVICE_ID = 0;

    private final NodeContext config;
    private final AtomicLong journalPurgePosition = new AtomicLong();
    private final AtomicLong purgesDone = new AtomicLong();
    private volatile long logStartPosition = -1;
    private ExecutorService executor;
    private volatile boolean closed;

    LogPurger(final NodeContext config)
    {
        this.config = config;
    }

    /**
     * Cold path, on the service thread: queue the purge this node makes of a request applied from the log.
     *
     * @param beforePosition the request's bound on the snapshot's log position (already capped at the log position).
     * @param beforeTime     the request's bound on the snapshot's cluster time.
     */
    synchronized void request(final long beforePosition, final long beforeTime)
    {
        if (closed)
        {
            return;
        }
        if (executor == null)
        {
            executor = Executors.newSingleThreadExecutor((r) ->
            {
                final Thread thread = new Thread(r, "keel-purge-" + config.memberId());
                thread.setDaemon(true);
                return thread;
            });
        }
        executor.execute(() -> purge(beforePosition, beforeTime));
    }

    /**
     * On the service thread: the position before which the journal may now go, once; 0 when none is pending.
     */
    long takeJournalPurgePosition()
    {
        return journalPurgePosition.get() == 0 ? 0 : journalPurgePosition.getAndSet(0);
    }

    /**
     * Purges finished (done, skipped or refused) since start, readable from any thread.
     */
    long purgesDone()
    {
        return purgesDone.get();
    }

    /**
     * The log recording's start position after the last purge, or -1 before any.
     */
    long logStartPosition()
    {
        return logStartPosition;
    }

    public synchronized void close()
    {
        closed = true;
        if (executor != null)
        {
            executor.shutdownNow();
        }
    }

    private void purge(final long beforePosition, final long beforeTime)
    {
        AeronArchive archive = null;
        try
        {
            final List<RecordingLog.Entry> entries = RecordingLogCopy.entries(config.clusterDir());
            final RecordingLog.Entry snapshot = newestSnapshot(entries, beforePosition, beforeTime);
            final long logRecordingId = logRecordingId(entries);
            if (snapshot == null || logRecordingId == Aeron.NULL_VALUE)
            {
                NodeLog.event(config, "log-purge-skipped", "beforePosition", beforePosition, "beforeTime", beforeTime,
                    "reason", snapshot == null ? "no snapshot of this node within the bounds" : "no log recording");
                return;
            }
            archive = AeronArchive.connect(new AeronArchive.Context()
                .aeronDirectoryName(config.aeronDir().getAbsolutePath())
                .controlRequestChannel("aeron:ipc?term-length=64k")
                .controlResponseChannel("aeron:ipc?term-length=64k")
                .idleStrategy(config.idleProfile().newIdleStrategy()));
            final long bytesBefore = directoryBytes(config.archiveDir());
            final Extent log = extent(archive, logRecordingId);
            final long newStart = AeronArchive.segmentFileBasePosition(
                log.start, snapshot.logPosition, log.termLength, log.segmentLength);
            final long lowerBound = AeronArchive.segmentFileBasePosition(
                log.start, log.start, log.termLength, log.segmentLength) + log.segmentLength;
            long segments = 0;
            long start = log.start;
            if (newStart >= lowerBound && newStart > log.start)
            {
                segments = archive.purgeSegments(logRecordingId, newStart);
                start = newStart;
            }
            logStartPosition = start;
            int snapshotRecordings = 0;
            for (final RecordingLog.Entry entry : entries)
            {
                if (entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.logPosition < start &&
                    purgeRecording(archive, entry.recordingId))
                {
                    snapshotRecordings++;
                }
            }
            journalPurgePosition.set(start);
            NodeLog.event(config, "log-purged", "snapshotPosition", snapshot.logPosition,
                "logStartBefore", log.start, "logStart", start, "segmentsDeleted", segments,
                "snapshotRecordingsDeleted", snapshotRecordings, "archiveBytesBefore", bytesBefore,
                "archiveBytesAfter", directoryBytes(config.archiveDir()));
        }
        catch (final ArchiveException ex)
        {
            // E.g. "invalid detach: replay in progress": a catch-up is reading what would go. Nothing changed.
            NodeLog.event(config, "log-purge-refused", "beforePosition", beforePosition, "error", ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            // The purge is not state: a failure is this node's, logged, never thrown into the cluster.
            NodeLog.event(config, "log-purge-failed", "beforePosition", beforePosition, "error", String.valueOf(ex));
        }
        finally
        {
            CloseHelper.quietClose(archive);
            purgesDone.incrementAndGet();
        }
    }

    /**
     * The newest valid service snapshot at or before both bounds, or null.
     */
    static RecordingLog.Entry newestSnapshot(
        final List<RecordingLog.Entry> entries, final long beforePosition, final long beforeTime)
    {
        RecordingLog.Entry newest = null;
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_SNAPSHOT && entry.serviceId == SERVICE_ID &&
                entry.logPosition <= beforePosition && entry.timestamp <= beforeTime &&
                (newest == null || entry.logPosition > newest.logPosition))
            {
                newest = entry;
            }
        }
        return newest;
    }

    private static long logRecordingId(final List<RecordingLog.Entry> entries)
    {
        long recordingId = Aeron.NULL_VALUE;
        long termId = Long.MIN_VALUE;
        for (final RecordingLog.Entry entry : entries)
        {
            if (entry.isValid && entry.type == RecordingLog.ENTRY_TYPE_TERM && entry.leadershipTermId > termId)
            {
                termId = entry.leadershipTermId;
                recordingId = entry.recordingId;
            }
        }
        return recordingId;
    }

    private record Extent(long start, int termLength, int segmentLength)
    {
    }

    private static Extent extent(final AeronArchive archive, final long recordingId)
    {
        final Extent[] extent = new Extent[1];
        archive.listRecording(recordingId, (controlSessionId, correlationId, id, startTimestamp, stopTimestamp,
            startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId,
            streamId, strippedChannel, originalChannel, sourceIdentity) ->
            extent[0] = new Extent(startPosition, termBufferLength, segmentFileLength));
        if (extent[0] == null)
        {
            throw new IllegalStateException("the archive has no log recording " + recordingId);
        }
        return extent[0];
    }

    /**
     * @return true when the recording was there and is now gone.
     */
    private static boolean purgeRecording(final AeronArchive archive, final long recordingId)
    {
        final boolean[] exists = {false};
        archive.listRecording(recordingId, (controlSessionId, correlationId, id, startTimestamp, stopTimestamp,
            startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId,
            streamId, strippedChannel, originalChannel, sourceIdentity) -> exists[0] = true);
        if (!exists[0])
        {
            return false;
        }
        archive.purgeRecording(recordingId);
        return true;
    }

    /**
     * Bytes of the regular files under {@code dir} (what a purge frees shows here).
     */
    static long directoryBytes(final File dir)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            if (!dir.isDirectory())
            {
                return 0;
            }
            try (Stream<java.nio.file.Path> files = Files.walk(dir.toPath()))
            {
                return files.filter(Files::isRegularFile).mapToLong((path) -> path.toFile().length()).sum();
            }
            catch (final IOException | UncheckedIOException ex)
            {
                // A file deleted while walking (the archive deletes purged segments asynchronously): walk again.
            }
        }
        throw new IllegalStateException("cannot measure " + dir + ": files keep changing");
    }
}
