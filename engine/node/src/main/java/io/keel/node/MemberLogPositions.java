package io.keel.node;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.keel.common.ClusterLayout;
import io.keel.common.ClusterUnreachableException;
import org.agrona.CloseHelper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How far every member's log reaches, asked of each member's archive over its control channel (admin side, cold):
 * the bound {@code keel admin purge} puts on a purge, so that it never strands a member. A member that is behind
 * catches up from the leader's log, from its own position (Aeron's leader serves it with an archive replay from
 * there), so no member may purge past the lowest position of any member. A member whose archive does not answer may
 * be far behind: the purge is then refused, never guessed.
 */
public final class MemberLogPositions
{
    /** How long one member's archive has to answer. */
    public static final long ARCHIVE_TIMEOUT_S = 3;

    /**
     * One member's log recording: where it starts (earlier history purged) and how far it reaches.
     */
    public record Position(int memberId, String endpoint, long recordingId, long startPosition, long position)
    {
    }

    private MemberLogPositions()
    {
    }

    /**
     * @param layout    the cluster's members ({@link ClusterEndpoints#layout}).
     * @param aeron     a client of a driver that can reach the members.
     * @param localHost where the members reach this tool (the archives' answers come back there).
     * @throws ClusterUnreachableException naming each member that did not answer.
     */
    public static List<Position> probe(final NodeContext layout, final Aeron aeron, final String localHost)
    {
        final List<Position> positions = new ArrayList<>();
        final StringBuilder missing = new StringBuilder();
        for (int member = 0; member < layout.hosts().size(); member++)
        {
            final String endpoint = layout.endpoint(member, ClusterLayout.ARCHIVE_CONTROL_PORT_OFFSET);
            AeronArchive archive = null;
            try
            {
                archive = AeronArchive.connect(new AeronArchive.Context()
                    .aeron(aeron)
                    .ownsAeronClient(false)
                    .controlRequestChannel("aeron:udp?endpoint=" + endpoint)
                    .controlResponseChannel("aeron:udp?endpoint=" + localHost + ":0")
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(ARCHIVE_TIMEOUT_S)));
                final Position position = logPosition(archive, member, endpoint);
                if (position == null)
                {
                    missing.append(missing.length() == 0 ? "" : "; ").append("member ").append(member).append(" (")
                        .append(endpoint).append(") holds no cluster log");
                }
                else
                {
                    positions.add(position);
                }
            }
            catch (final RuntimeException ex)
            {
                missing.append(missing.length() == 0 ? "" : "; ").append("member ").append(member).append(" (")
                    .append(endpoint).append(") did not answer: ").append(gist(ex));
            }
            finally
            {
                CloseHelper.quietClose(archive);
            }
        }
        if (missing.length() > 0)
        {
            throw new ClusterUnreachableException("purge refused: " + missing + ". A purge needs every member's log " +
                "position (a member that is behind catches up from the leader's log, which must still hold it): " +
                "retry when every member runs");
        }
        return positions;
    }

    /**
     * The lowest position any member's log reaches: the highest bound a purge may have.
     */
    public static Position lowest(final List<Position> positions)
    {
        Position lowest = null;
        for (final Position position : positions)
        {
            if (lowest == null || position.position() < lowest.position())
            {
                lowest = position;
            }
        }
        return lowest;
    }

    private static Position logPosition(final AeronArchive archive, final int member, final String endpoint)
    {
        final long[] found = {-1, 0, 0};
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", ConsensusModule.Configuration.LOG_STREAM_ID_DEFAULT,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
            initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
            originalChannel, sourceIdentity) ->
            {
                if (recordingId > found[0])
                {
                    found[0] = recordingId;
                    found[1] = startPosition;
                    found[2] = stopPosition;
                }
            });
        if (found[0] < 0)
        {
            return null;
        }
        final long live = archive.getRecordingPosition(found[0]);
        return new Position(member, endpoint, found[0], found[1], live != AeronArchive.NULL_POSITION ? live : found[2]);
    }

    private static String gist(final Throwable ex)
    {
        String message = String.valueOf(ex.getMessage());
        if (message.startsWith("ERROR - "))
        {
            message = message.substring("ERROR - ".length());
        }
        final int colon = message.indexOf(':');
        return colon > 0 ? message.substring(0, colon) : message;
    }
}
