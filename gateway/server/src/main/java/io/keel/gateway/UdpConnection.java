package io.keel.gateway;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.exceptions.RegistrationException;
import io.keel.codecs.AeronUdp;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A client over Aeron UDP: the {@link Image} of the client's publication carries its messages in; a publication to the
 * response endpoint its Logon named carries the gateway's messages out. Until that publication is connected, and
 * whenever it is back-pressured, messages wait in a bounded queue drained every duty cycle; a client that lets the
 * queue fill is dropped as a slow consumer, as on TCP.
 */
final class UdpConnection extends ClientConnection
{
    private static final long NONE = Aeron.NULL_VALUE;
    private static final int RECORD_HEADER_LENGTH = Integer.BYTES;

    final Image image;
    private final long admittedNs;
    private final Aeron aeron;
    private final GatewayCounters counters;
    private final UnsafeBuffer queue;
    private int head;
    private int tail;
    private String responseEndpoint;
    private long publicationRegistrationId = NONE;
    private ExclusivePublication publication;
    private boolean closeRequested;
    boolean closeNotified;
    long lingerDeadlineNs;
    long drainedAtNs = NONE;

    UdpConnection(
        final long connectionId,
        final Image image,
        final Aeron aeron,
        final GatewayContext config,
        final GatewayCounters counters,
        final long admittedNs)
    {
        super(connectionId, image.sourceIdentity() + " udp session " + image.sessionId());
        this.image = image;
        this.admittedNs = admittedNs;
        this.aeron = aeron;
        this.counters = counters;
        queue = new UnsafeBuffer(ByteBuffer.allocateDirect(config.outboundBufferBytes()));
    }

    boolean hasResponseEndpoint()
    {
        return responseEndpoint != null;
    }

    /**
     * Start adding the publication to the client's response endpoint (asynchronously: the duty cycle never waits on
     * the driver). Cold path: once per connection.
     */
    void openResponse(final String endpoint)
    {
        responseEndpoint = endpoint;
        publicationRegistrationId = aeron.asyncAddExclusivePublication(
            AeronUdp.responseChannel(endpoint), AeronUdp.RESPONSE_STREAM_ID);
    }

    String responseEndpoint()
    {
        return responseEndpoint;
    }

    /**
     * @return true once the publication to the client is connected.
     */
    boolean isResponseConnected()
    {
        return publication != null && publication.isConnected();
    }

    /**
     * Resolve the publication being added, then offer what is queued.
     *
     * @return work done.
     */
    int drain()
    {
        int work = 0;
        if (publication == null)
        {
            if (publicationRegistrationId == NONE)
            {
                return 0;
            }
            try
            {
                publication = aeron.getExclusivePublication(publicationRegistrationId);
            }
            catch (final RegistrationException ex)
            {
                publicationRegistrationId = NONE;
                head = tail = 0;
                disconnect("response endpoint " + responseEndpoint + " refused: " + ex.getMessage());
                return 1;
            }
            if (publication == null)
            {
                return 0;
            }
            work++;
        }
        while (head < tail)
        {
            final int length = queue.getInt(head);
            final long result = publication.offer(queue, head + RECORD_HEADER_LENGTH, length);
            if (result > 0)
            {
                head += RECORD_HEADER_LENGTH + length;
                work++;
            }
            else
            {
                onOfferFailed(result);
                break;
            }
        }
        if (head == tail)
        {
            head = tail = 0;
        }
        return work;
    }

    boolean hasQueued()
    {
        return head < tail;
    }

    /**
     * Nothing queued can ever be sent: no response endpoint was named.
     */
    boolean canNeverSend()
    {
        return publication == null && publicationRegistrationId == NONE;
    }

    boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (head == tail && publication != null)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (!onOfferFailed(result))
            {
                return false;
            }
        }
        final int recordLength = RECORD_HEADER_LENGTH + length;
        if (queue.capacity() - tail < recordLength && head > 0)
        {
            queue.putBytes(0, queue, head, tail - head);
            tail -= head;
            head = 0;
        }
        if (queue.capacity() - tail < recordLength)
        {
            counters.increment(GatewayCounters.SLOW_CONSUMERS);
            disconnect("SLOW_CONSUMER: outbound buffer of " + queue.capacity() + " bytes full");
            return false;
        }
        queue.putInt(tail, length);
        queue.putBytes(tail + RECORD_HEADER_LENGTH, buffer, offset, length);
        tail += recordLength;
        return true;
    }

    /**
     * @return true when worth trying again later (not connected yet, back-pressured); false when the publication is
     * gone for good, and the connection is being dropped.
     */
    private boolean onOfferFailed(final long result)
    {
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            head = tail = 0;
            disconnect("response publication " + (result == Publication.CLOSED ? "closed" : "at its maximum position"));
            return false;
        }
        return true;
    }

    void disconnect(final String reason)
    {
        if (!closeRequested)
        {
            closeRequested = true;
            closeReason = reason;
            state = State.CLOSING;
        }
    }

    long admittedNs()
    {
        return admittedNs;
    }

    boolean isCloseRequested()
    {
        return closeRequested;
    }

    /**
     * Close the publication (the driver still delivers what was offered) and refuse the client's image, so its
     * publication stops sending. Cold path.
     */
    void closeResources()
    {
        if (publication != null)
        {
            CloseHelper.quietClose(publication);
        }
        else if (publicationRegistrationId != NONE)
        {
            aeron.asyncRemovePublication(publicationRegistrationId);
        }
        publication = null;
        publicationRegistrationId = NONE;
        if (!image.isClosed())
        {
            try
            {
                final String reason = closeReason == null ? "closed" : closeReason;
                image.reject(reason.length() > 200 ? reason.substring(0, 200) : reason);
            }
            catch (final RuntimeException ignore)
            {
                // The image went meanwhile: nothing left to refuse.
            }
        }
    }
}
