package io.keel.replay;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.driver.MediaDriver;
import io.keel.common.ClusterLayout;
import io.keel.common.ClusterUnreachableException;
import io.keel.common.IdleProfile;
import io.keel.node.ClusterEndpoints;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel replay tail}: a drop copy. Follows a running node's log recording through that
 * node's archive (a replay that follows the live recording), decodes and prints or forwards
 * each entry. It reads what the archive already wrote: it is no subscriber of the log itself,
 * so however slow it is, it never back-pressures the consensus or the service.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Follow a running cluster's log through one node's archive and print (or forward to a file) each entry as " +
            "dump does. Read-only and asynchronous: it never slows the cluster.",
        "Entries appear once the node has appended them; an entry not yet committed can, rarely, be rolled back by " +
            "a leader change. Summary on stderr."
    })
final class TailCommand implements Callable<Integer>
{
    private static final int REPLAY_STREAM_ID = 7011;
    /** Per member tried: a member that is down costs this much before the next one is asked. */
    private static final long ARCHIVE_CONNECT_TIMEOUT_S = 5;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--member-id", paramLabel = "ID",
        description = "Which member's archive to read (default: the first member in --hosts order whose archive answers).")
    int memberId = -1;

    @Option(names = "--local-host", paramLabel = "HOST",
        description = "This machine's address as the node sees it, for the archive's replies (default ${DEFAULT-VALUE}).")
    String localHost = "localhost";

    @Option(names = "--from", paramLabel = "WHERE",
        description = "start (the whole log), end (only new entries) or a log position (default ${DEFAULT-VALUE}).")
    String from = "end";

    @Option(names = "--count", paramLabel = "N", description = "Stop after printing N entries (default: never).")
    long count = Long.MAX_VALUE;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (default: never).")
    long seconds = 0;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (JSON Lines) (default ${DEFAULT-VALUE}).")
    OutputFormat format = OutputFormat.text;

    @Option(names = "--out", paramLabel = "FILE", description = "Append entries to this file instead of stdout.")
    File outFile;

    @Option(names = "--idle", paramLabel = "PROFILE", description = "backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    @Mixin
    EntryFilter filter;

    private long printed;
    private long position;
    private boolean interrupted;

    public Integer call() throws IOException
    {
        filter.conclude();
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        if (count <= 0 || seconds < 0)
        {
            throw new IllegalArgumentException("--count must be > 0 and --seconds >= 0");
        }
        final int members = cluster.endpoints.memberCount();
        if (memberId < -1 || memberId >= members)
        {
            throw new IllegalArgumentException("--member-id must be in 0.." + (members - 1) + ": " + memberId);
        }
        final File aeronDir = Files.createTempDirectory("keel-replay-tail-").toFile();
        final long deadlineNs = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : 0; // determinism-ok
        MediaDriver driver = null;
        Aeron aeron = null;
        AeronArchive archive = null;
        final OutputStream sink = outFile != null ? new FileOutputStream(outFile, true) : System.out;
        final PrintStream out = new PrintStream(new BufferedOutputStream(sink, 64 * 1024), false, StandardCharsets.UTF_8);
        try
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(aeronDir.getAbsolutePath())
                .threadingMode(idleProfile.threadingMode())
                .sharedIdleStrategy(idleProfile.newIdleStrategy())
                .termBufferSparseFile(true)
                .publicationTermBufferLength(256 * 1024)
                .ipcTermBufferLength(256 * 1024)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            archive = connectArchive(aeron, idleProfile, members);
            final String archiveEndpoint = cluster.layout(memberId).endpoint(memberId, ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET);
            final long recordingId = findLogRecording(archive, archiveEndpoint);
            final long startPosition = startPosition(archive, recordingId);

            final Subscription subscription = aeron.addSubscription(
                "aeron:udp?endpoint=" + localHost + ":0", REPLAY_STREAM_ID);
            String endpoint;
            while ((endpoint = subscription.tryResolveChannelEndpointPort()) == null)
            {
                idleProfile.newIdleStrategy().idle();
            }
            final long replaySessionId = archive.startReplay(
                recordingId, startPosition, AeronArchive.REPLAY_ALL_AND_FOLLOW, endpoint, REPLAY_STREAM_ID);
            position = startPosition;
            follow(subscription, (int)replaySessionId, archiveEndpoint, recordingId, out, idleProfile, deadlineNs);
            // Stopped by an interrupt: clear it, so that the replay stops and Aeron closes cleanly.
            interrupted = Thread.interrupted();
            try
            {
                archive.stopReplay(replaySessionId);
            }
            catch (final RuntimeException ignore)
            {
                // The replay may have ended on its own.
            }
        }
        finally
        {
            interrupted |= Thread.interrupted();
            out.flush();
            if (outFile != null)
            {
                out.close();
            }
            CloseHelper.quietCloseAll(archive, aeron, driver);
            IoUtil.delete(aeronDir, true);
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        System.err.println("tail: " + printed + " entries printed, member " + memberId + " log read to position " + position);
        return 0;
    }

    /**
     * The archive of the member asked for, or of the first member that answers; sets {@link #memberId}.
     *
     * @throws ClusterUnreachableException naming every archive endpoint tried.
     */
    private AeronArchive connectArchive(final Aeron aeron, final IdleProfile idleProfile, final int members)
    {
        final int first = memberId < 0 ? 0 : memberId;
        final int last = memberId < 0 ? members - 1 : memberId;
        final StringBuilder tried = new StringBuilder();
        for (int member = first; member <= last; member++)
        {
            final String endpoint = cluster.layout(member).endpoint(member, ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET);
            try
            {
                final AeronArchive archive = AeronArchive.connect(new AeronArchive.Context()
                    .aeron(aeron)
                    .controlRequestChannel("aeron:udp?endpoint=" + endpoint)
                    .controlResponseChannel("aeron:udp?endpoint=" + localHost + ":0")
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(ARCHIVE_CONNECT_TIMEOUT_S))
                    .idleStrategy(idleProfile.newIdleStrategy()));
                memberId = member;
                return archive;
            }
            catch (final RuntimeException ex)
            {
                tried.append(tried.length() == 0 ? "" : ", ").append(member).append('=').append(endpoint)
                    .append(" (").append(ReplayException.gist(ex)).append(')');
            }
        }
        throw new ClusterUnreachableException(
            "no member's archive answered within " + ARCHIVE_CONNECT_TIMEOUT_S + " s: " + tried);
    }

    private void follow(
        final Subscription subscription,
        final int sessionId,
        final String archiveEndpoint,
        final long recordingId,
        final PrintStream out,
        final IdleProfile idleProfile,
        final long deadlineNs)
    {
        final File source = new File(archiveEndpoint, "recording-" + recordingId);
        final boolean[] stop = {false};
        final ClusterLogDecoder decoder = new ClusterLogDecoder(() -> source, (entry) ->
        {
            if (stop[0])
            {
                return true; // the rest of this poll's batch
            }
            position = entry.position;
            if (filter.isPastEnd(entry))
            {
                stop[0] = true;
                return false;
            }
            final DumpEntry view = DumpEntry.of(entry);
            if (filter.matches(entry, view))
            {
                out.println(format == OutputFormat.json ? view.toJson() : view.toText());
                printed++;
                stop[0] = printed >= count;
            }
            return true;
        });
        final FragmentAssembler assembler = new FragmentAssembler(
            (buffer, offset, length, header) -> decoder.onMessage(buffer, offset, length, header.position()));
        final IdleStrategy idleStrategy = idleProfile.newIdleStrategy();
        Image image = null;
        while (!stop[0] && !Thread.currentThread().isInterrupted() &&
            (deadlineNs == 0 || System.nanoTime() - deadlineNs < 0)) // determinism-ok: ops tool
        {
            if (image == null)
            {
                image = subscription.imageBySessionId(sessionId);
                idleStrategy.idle();
                continue;
            }
            final int fragments = image.poll(assembler, 64);
            if (fragments == 0)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    break;
                }
                out.flush();
            }
            idleStrategy.idle(fragments);
        }
    }

    private long startPosition(final AeronArchive archive, final long recordingId)
    {
        final long[] startStop = new long[2];
        archive.listRecording(recordingId, (controlSessionId, correlationId, id, startTimestamp, stopTimestamp,
            start, stop, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
            strippedChannel, originalChannel, sourceIdentity) ->
        {
            startStop[0] = start;
            startStop[1] = stop;
        });
        switch (from)
        {
            case "start":
                return startStop[0];
            case "end":
                final long live = archive.getRecordingPosition(recordingId);
                return live != AeronArchive.NULL_POSITION ? live : startStop[1];
            default:
                if (!from.matches("\\d+"))
                {
                    throw new IllegalArgumentException("--from must be start, end or a log position: " + from);
                }
                final long position = Long.parseLong(from);
                if (position < startStop[0])
                {
                    // Purged history (keel admin purge): one line instead of the archive's replay error.
                    throw new ReplayException("--from " + position + " was purged: member " + memberId +
                        "'s log is held from position " + startStop[0] + " (--from start begins there)");
                }
                return position;
        }
    }

    private static long findLogRecording(final AeronArchive archive, final String archiveEndpoint)
    {
        final long[] found = {-1};
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", ConsensusModule.Configuration.LOG_STREAM_ID_DEFAULT,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) -> found[0] = Math.max(found[0], recordingId));
        if (found[0] < 0)
        {
            throw new ReplayException("the archive at " + archiveEndpoint + " holds no cluster log recording");
        }
        return found[0];
    }
}
