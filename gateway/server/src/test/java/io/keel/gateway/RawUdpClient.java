package io.keel.gateway;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.BooleanType;
import io.keel.codecs.LogonEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bare Aeron publication to the gateway's UDP endpoint and a subscription of our own, to send any bytes and see
 * exactly what the gateway answers.
 */
final class RawUdpClient implements AutoCloseable
{
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final String responseEndpoint;
    private final List<RawClient.Message> received = new ArrayList<>();
    private boolean imageSeen;

    RawUdpClient(final Aeron aeron, final int gatewayUdpPort)
    {
        this(aeron, gatewayUdpPort, null);
    }

    /**
     * @param localAddress the address to send from ({@code interface=} of the publication), or null for any.
     */
    RawUdpClient(final Aeron aeron, final int gatewayUdpPort, final String localAddress)
    {
        subscription = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", AeronUdp.RESPONSE_STREAM_ID);
        String resolved;
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while ((resolved = subscription.resolvedEndpoint()) == null)
        {
            assertTrue(System.nanoTime() - deadline < 0, "subscription bound");
            Thread.yield();
        }
        responseEndpoint = resolved;
        final String channel = AeronUdp.channel("127.0.0.1:" + gatewayUdpPort);
        publication = aeron.addExclusivePublication(
            localAddress == null ? channel : channel + "|interface=" + localAddress, AeronUdp.REQUEST_STREAM_ID);
        while (!publication.isConnected())
        {
            assertTrue(System.nanoTime() - deadline < 0, "publication connected to the gateway");
            Thread.yield();
        }
    }

    String responseEndpoint()
    {
        return responseEndpoint;
    }

    void send(final UnsafeBuffer buffer, final int length)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        long result;
        while ((result = publication.offer(buffer, 0, length)) < 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "offer failed: " + result);
            Thread.yield();
        }
    }

    void send(final byte[] message)
    {
        send(new UnsafeBuffer(message), message.length);
    }

    static byte[] logon(final String username, final String password, final int heartbeatMs, final String endpoint)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final LogonEncoder logon = new LogonEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .heartbeatIntervalMs(heartbeatMs)
            .cancelOnDisconnect(BooleanType.FALSE)
            .nextExpectedSeqNo(0)
            .username(username)
            .password(password)
            .responseChannel(endpoint);
        final byte[] bytes = new byte[MessageHeaderEncoder.ENCODED_LENGTH + logon.encodedLength()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    byte[] logon(final String username, final String password, final int heartbeatMs)
    {
        return logon(username, password, heartbeatMs, responseEndpoint);
    }

    /**
     * Everything the gateway sends until it closes its publication to us.
     */
    List<RawClient.Message> readUntilClosed(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!(imageSeen && subscription.hasNoImages()))
        {
            assertTrue(System.nanoTime() - deadline < 0, "the gateway neither answered nor closed within " + timeoutMs +
                " ms; received " + RawClient.templates(received));
            if (poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        return received;
    }

    /**
     * Read for a while: what arrived.
     */
    List<RawClient.Message> readFor(final long ms)
    {
        final long deadline = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            if (poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        return received;
    }

    private int poll()
    {
        imageSeen |= !subscription.hasNoImages();
        return subscription.poll((buffer, offset, length, header) ->
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            received.add(new RawClient.Message(new MessageHeaderDecoder().wrap(copy, 0).templateId(), copy));
        }, 16);
    }

    public void close()
    {
        CloseHelper.quietCloseAll(publication, subscription);
    }
}
