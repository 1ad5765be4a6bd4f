package io.keel.gateway;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.FrameError;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageValidator;
import io.keel.codecs.Sofh;
import io.keel.common.InvokedAeron;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Aeron UDP side of the gateway: one subscription on {@code --bind:--udp-port}, stream
 * {@link AeronUdp#REQUEST_STREAM_ID}. Each client publication's {@link Image} is one connection; each of its messages
 * is one unfragmented Aeron message, validated like a TCP frame and handed to the {@link SessionLayer}. The gateway
 * answers on a publication to the endpoint the client's Logon names ({@link UdpConnection}).
 * <p>
 * Images arrive on the Aeron client's conductor thread and are handed over through a queue; everything else runs on
 * the duty cycle, which polls each connection's image itself, so a message is never seen before its connection.
 */
final class UdpTransport implements AutoCloseable
{
    /** Longest a closing connection waits for its queued messages to be taken by its publication. */
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(2);
    /** After the last message was offered: time for the driver to send it before the publication closes. */
    private static final long DRAINED_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int FRAGMENT_LIMIT = 16;

    private final GatewayContext config;
    /** A connection whose response publication is not connected by then is dropped. */
    private final long responseTimeoutNs;
    private final SessionLayer sessionLayer;
    private final GatewayCounters counters;
    private final Aeron aeron;
    private final Subscription subscription;
    private final String endpoint;
    private final ManyToOneConcurrentLinkedQueue<Image> newImages = new ManyToOneConcurrentLinkedQueue<>();
    private final ArrayList<UdpConnection> connections = new ArrayList<>();
    private final MessageValidator validator = new MessageValidator();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogonDecoder logonDecoder = new LogonDecoder();
    private final FragmentHandler fragmentHandler = this::onFragment;
    private final int maxMessageLength;
    private final DutyCycleGuard guard;
    private final ConnectionAdmission admission;
    private final LogLimiter refusalLog = new LogLimiter(TcpTransport.REFUSAL_LOG_INTERVAL_NS);
    private UdpConnection current;
    private long nowNs;
    private long nextConnectionId;

    UdpTransport(
        final GatewayContext config, final SessionLayer sessionLayer, final GatewayCounters counters, final Aeron aeron)
    {
        this.config = config;
        responseTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.logonTimeoutMs());
        this.sessionLayer = sessionLayer;
        this.counters = counters;
        this.aeron = aeron;
        guard = sessionLayer.guard();
        admission = new ConnectionAdmission(config);
        maxMessageLength = config.maxFrameLength() - Sofh.HEADER_LENGTH;
        // UDP connection ids count from 2^62, apart from TCP's, so a log line says which transport.
        nextConnectionId = 1L << 62;
        final String requested = config.bindAddress() + ":" + config.udpPort();
        try
        {
            subscription = aeron.addSubscription(
                AeronUdp.channel(requested), AeronUdp.REQUEST_STREAM_ID, newImages::offer, (image) -> {});
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("cannot listen on udp " + requested + ": " + ex.getMessage(), ex);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final InvokedAeron invoked = new InvokedAeron(aeron); // the gateway's driver may run on this thread only
        String resolved;
        while ((resolved = subscription.resolvedEndpoint()) == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                CloseHelper.quietClose(subscription);
                throw new IllegalStateException("cannot listen on udp " + requested + ": channel not active");
            }
            if (invoked.invoke() == 0)
            {
                Thread.yield();
            }
        }
        endpoint = resolved;
    }

    /**
     * @return {@code host:port} the subscription is bound to.
     */
    String endpoint()
    {
        return endpoint;
    }

    int port()
    {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /**
     * @return the connection being read, or null: what the duty cycle closes when {@link #poll} throws.
     */
    ClientConnection current()
    {
        return current;
    }

    int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = acceptImages();
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final UdpConnection connection = connections.get(i);
            if (!connection.isCloseRequested())
            {
                work += read(connection);
            }
            work += connection.drain();
            if (connection.isCloseRequested())
            {
                work += closing(connection, i);
            }
        }
        return work;
    }

    private int read(final UdpConnection connection)
    {
        if (connection.image.isClosed())
        {
            connection.disconnect("closed by peer");
            return 1;
        }
        if (connection.state != ClientConnection.State.AWAITING_LOGON && !connection.isResponseConnected() &&
            nowNs - connection.connectedNs > responseTimeoutNs)
        {
            connection.disconnect("response endpoint " + connection.responseEndpoint() + " not connected within " +
                config.logonTimeoutMs() + " ms");
            return 1;
        }
        current = connection;
        try
        {
            return connection.image.poll(fragmentHandler, FRAGMENT_LIMIT);
        }
        catch (final Exception ex)
        {
            // The image has moved past the fragment that threw: the connection goes, the others are read as always.
            guard.onError("udp", connection, ex, nowNs);
            return 1;
        }
        finally
        {
            current = null;
        }
    }

    private int acceptImages()
    {
        int work = 0;
        Image image;
        while ((image = newImages.poll()) != null)
        {
            work++;
            if (image.isClosed())
            {
                continue;
            }
            final String source = image.sourceIdentity();
            final long addressKey = AddressKey.ofSourceIdentity(source);
            final ConnectionAdmission.Verdict verdict = admission.admit(addressKey, connections);
            if (verdict != ConnectionAdmission.Verdict.ADMIT)
            {
                refuse(image, source, verdict);
                continue;
            }
            final ClientConnection evicted = admission.evicted();
            if (evicted != null)
            {
                counters.increment(GatewayCounters.PENDING_EVICTED);
                GatewayLog.event("connection-evicted", "connection", Long.toString(evicted.connectionId),
                    "remote", evicted.remoteAddress, "for", source);
                sessionLayer.refuse(evicted, LogoutReason.LOGON_TIMEOUT, "evicted: the gateway's " +
                    config.limits().maxPendingConnections() + " slots for connections logging on are full, and this " +
                    "was the oldest that had sent nothing or been refused");
            }
            final UdpConnection connection =
                new UdpConnection(nextConnectionId++, image, aeron, config, counters, nowNs);
            connection.addressKey = addressKey;
            connections.add(connection);
            counters.increment(GatewayCounters.UDP_CONNECTIONS);
            sessionLayer.onConnected(connection, nowNs);
        }
        return work;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final UdpConnection connection = current;
        if (!connection.isOpen())
        {
            return;
        }
        counters.add(GatewayCounters.BYTES_RECEIVED, length);
        if (counters.hops != null)
        {
            counters.hops.onReceived();
        }
        if ((header.flags() & FrameDescriptor.UNFRAGMENTED) != FrameDescriptor.UNFRAGMENTED)
        {
            sessionLayer.onFrameError(connection, FrameError.FRAGMENTED, length);
            return;
        }
        if (length > maxMessageLength)
        {
            // As the SOFH length would be on TCP, so both transports answer the same.
            sessionLayer.onFrameError(connection, FrameError.FRAME_TOO_LONG, length + Sofh.HEADER_LENGTH);
            return;
        }
        final FrameError error = validator.validate(buffer, offset, length);
        if (error != FrameError.NONE)
        {
            sessionLayer.onFrameError(connection, error, validator.errorDetail());
            return;
        }
        final int templateId = validator.templateId();
        final DirectBuffer message = validator.buffer();
        if (templateId == LogonDecoder.TEMPLATE_ID && !connection.hasResponseEndpoint() &&
            connection.state == ClientConnection.State.AWAITING_LOGON && !openResponse(connection, message))
        {
            return;
        }
        sessionLayer.onMessage(connection, message, 0, length, templateId);
    }

    /**
     * The first Logon names where to answer. Cold path: once per connection.
     *
     * @return false when it names no usable endpoint; the connection is then dropped, unanswered.
     */
    private boolean openResponse(final UdpConnection connection, final DirectBuffer message)
    {
        logonDecoder.wrapAndApplyHeader(message, 0, headerDecoder);
        logonDecoder.skipUsername();
        logonDecoder.skipPassword();
        final String responseEndpoint = logonDecoder.responseChannel();
        if (!AeronUdp.isValidEndpoint(responseEndpoint))
        {
            counters.increment(GatewayCounters.PROTOCOL_ERRORS);
            connection.disconnect("PROTOCOL_ERROR: logon without a valid response endpoint (host:port): '" +
                (responseEndpoint.length() > AeronUdp.MAX_ENDPOINT_LENGTH ?
                responseEndpoint.substring(0, AeronUdp.MAX_ENDPOINT_LENGTH) : responseEndpoint) + "'");
            return false;
        }
        try
        {
            connection.openResponse(responseEndpoint);
            return true;
        }
        catch (final RuntimeException ex)
        {
            connection.disconnect("response endpoint " + responseEndpoint + " refused: " + ex.getMessage());
            return false;
        }
    }

    /**
     * A connection being closed: the session layer hears of it at once; what is queued goes out, and the connection
     * closes shortly after, or after the linger time when its client does not take it.
     */
    private int closing(final UdpConnection connection, final int index)
    {
        if (!connection.closeNotified)
        {
            connection.closeNotified = true;
            connection.lingerDeadlineNs = nowNs + LINGER_NS;
            sessionLayer.onDisconnected(connection);
        }
        if (connection.canNeverSend())
        {
            close(connection, index);
            return 1;
        }
        if (!connection.hasQueued() && connection.drainedAtNs == Aeron.NULL_VALUE)
        {
            connection.drainedAtNs = nowNs;
        }
        if (connection.drainedAtNs != Aeron.NULL_VALUE && nowNs - connection.drainedAtNs >= DRAINED_LINGER_NS ||
            nowNs - connection.lingerDeadlineNs > 0)
        {
            close(connection, index);
            return 1;
        }
        return 0;
    }

    private void close(final UdpConnection connection, final int index)
    {
        connections.remove(index);
        connection.closeResources();
        if (!connection.closeNotified)
        {
            connection.closeNotified = true;
            sessionLayer.onDisconnected(connection);
        }
    }

    /**
     * A client image over a bound: rejected with the reason (the client's publication hears it as an error frame),
     * counted, and logged at most once per {@link TcpTransport#REFUSAL_LOG_INTERVAL_NS} (a flood is one line).
     */
    private void refuse(final Image image, final String source, final ConnectionAdmission.Verdict verdict)
    {
        counters.increment(GatewayCounters.REJECTED_CONNECTIONS);
        if (verdict == ConnectionAdmission.Verdict.ADDRESS_FULL ||
            verdict == ConnectionAdmission.Verdict.ADDRESS_PENDING_FULL)
        {
            counters.increment(GatewayCounters.REFUSED_PER_ADDRESS);
        }
        final int colon = source.lastIndexOf(':');
        final String address = colon > 0 ? source.substring(0, colon) : source;
        final String reason = admission.describe(verdict, address);
        if (refusalLog.tryLog(nowNs))
        {
            GatewayLog.event("connection-refused", "remote", source, "reason", reason,
                "notLogged", refusalLog.takeNotLogged());
        }
        rejectQuietly(image, reason);
    }

    private static void rejectQuietly(final Image image, final String reason)
    {
        try
        {
            image.reject(reason);
        }
        catch (final RuntimeException ignore)
        {
            // Gone meanwhile.
        }
    }

    /**
     * Send what is queued and close every connection (after the session layer logged them out).
     */
    void closeAll()
    {
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final UdpConnection connection = connections.get(i);
            connection.drain();
            if (connection.closeReason == null)
            {
                connection.disconnect("gateway shutting down");
            }
            close(connection, i);
        }
    }

    public void close()
    {
        closeAll();
        CloseHelper.quietClose(subscription);
    }
}
