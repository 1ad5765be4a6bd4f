package io.keel.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.keel.codecs.AeronUdp;
import io.keel.codecs.FrameError;
import io.keel.codecs.MessageValidator;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * SBE over Aeron UDP: an exclusive publication to the gateway's UDP endpoint, and a subscription on an endpoint of our
 * own, bound to an ephemeral port that the Logon names. Each connection is a new publication and subscription, so the
 * gateway sees a new image; the Aeron client (and the embedded media driver, when no external one is given) lives as
 * long as the transport. The embedded driver and the Aeron client's conductor have no threads of their own: they do
 * their work inside {@link #poll()} (and while connecting or closing), on the caller's thread, so a client costs the
 * machine no thread beyond the one that polls it.
 */
final class UdpClientTransport implements ClientTransport
{
    private static final int FRAGMENT_LIMIT = 32;
    /**
     * Most duty cycles of the embedded driver one {@link #poll()} runs while datagrams keep arriving: its receiver
     * reads one datagram per cycle, and it runs only inside poll().
     */
    private static final int MAX_RECEIVE_CYCLES = 16;
    private static final long CLOSE_LINGER_MS = 500;

    private final String aeronDir;
    private final String responseHost;
    private final Listener listener;
    private final MessageValidator validator = new MessageValidator();
    // Replies above the MTU (book snapshots) arrive in fragments: reassembled here.
    private final FragmentHandler fragmentHandler = new FragmentAssembler(this::onFragment);
    private final FragmentHandler discard = (buffer, offset, length, header) -> {};
    private MediaDriver driver;
    private Aeron aeron;
    /**
     * The embedded driver's and the client conductor's duty cycles, run on the caller's thread (null: none). The
     * client library depends on codecs only, so it keeps these two invokers itself rather than use common's helper.
     */
    private AgentInvoker driverInvoker;
    private AgentInvoker conductorInvoker;
    private Endpoint endpoint;
    private ExclusivePublication publication;
    private Subscription subscription;
    private String responseEndpoint = "";
    private boolean gatewayConnected;
    private boolean open;

    /**
     * @param aeronDir of an external media driver, or null to launch an embedded one.
     * @param responseHost the address the gateway should answer to, or null for the one that routes to the gateway.
     */
    UdpClientTransport(final String aeronDir, final String responseHost, final Listener listener)
    {
        this.aeronDir = aeronDir;
        this.responseHost = responseHost;
        this.listener = listener;
    }

    public void open(final Endpoint endpoint, final long deadlineNs)
    {
        disconnect();
        this.endpoint = endpoint;
        try
        {
            connectAeron();
            final String localHost = responseHost != null ? responseHost : localAddressTowardsGateway();
            subscription = aeron.addSubscription(
                "aeron:udp?endpoint=" + localHost + ":0", AeronUdp.RESPONSE_STREAM_ID);
            String resolved;
            while ((resolved = subscription.resolvedEndpoint()) == null)
            {
                awaitOrFail(deadlineNs, "no local udp endpoint on " + localHost);
            }
            responseEndpoint = resolved;
            publication = aeron.addExclusivePublication(
                AeronUdp.channel(endpoint.toString()), AeronUdp.REQUEST_STREAM_ID);
            while (!publication.isConnected())
            {
                awaitOrFail(deadlineNs, "no gateway answering");
            }
        }
        catch (final KeelClientException ex)
        {
            disconnect();
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            disconnect();
            throw new KeelClientException("cannot connect to udp " + endpoint + ": " + ex.getMessage(), null);
        }
        gatewayConnected = false;
        open = true;
    }

    private void awaitOrFail(final long deadlineNs, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new KeelClientException("cannot connect to udp " + endpoint + ": " + what, null);
        }
        if (invokeAeron() == 0)
        {
            Thread.yield();
        }
    }

    /**
     * The local address the OS routes to the gateway from: what the gateway can answer to. Nothing is sent.
     */
    private String localAddressTowardsGateway()
    {
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(new InetSocketAddress(endpoint.host(), endpoint.port()));
            final InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress())
            {
                return "127.0.0.1";
            }
            final String address = local.getHostAddress();
            return local instanceof Inet6Address ? "[" + address.replaceAll("%.*$", "") + "]" : address;
        }
        catch (final IOException ex)
        {
            throw new KeelClientException(
                "cannot find a local address towards " + endpoint.host() + ": " + ex.getMessage(), null);
        }
    }

    private void connectAeron()
    {
        if (aeron != null)
        {
            return;
        }
        if (aeronDir == null)
        {
            // One small driver per client, in a temp dir of its own, gone when the client closes.
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.INVOKER)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(AeronUdp.TERM_LENGTH)
                .ipcTermBufferLength(AeronUdp.TERM_LENGTH)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        try
        {
            final Aeron.Context context = new Aeron.Context().useConductorAgentInvoker(true);
            if (driver != null)
            {
                context.aeronDirectoryName(driver.aeronDirectoryName()).driverAgentInvoker(driver.sharedAgentInvoker());
            }
            else
            {
                context.aeronDirectoryName(aeronDir);
            }
            aeron = Aeron.connect(context);
            driverInvoker = context.driverAgentInvoker();
            conductorInvoker = aeron.conductorAgentInvoker();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            driver = null;
            throw ex;
        }
    }

    public String responseEndpoint()
    {
        return responseEndpoint;
    }

    public boolean isOpen()
    {
        return open;
    }

    public int offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!open)
        {
            return -1;
        }
        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            return 1;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            return 0;
        }
        listener.onLost(result == Publication.NOT_CONNECTED ? "gateway not connected" : "publication closed");
        return -1;
    }

    public int flush()
    {
        // Aeron sends what was offered.
        return 0;
    }

    public int poll()
    {
        if (!open)
        {
            return -1;
        }
        // Drain what has arrived rather than one datagram: a caller that sends faster than it polls (a burst after a
        // stall, a pipelined window) would otherwise leave datagrams in the socket buffer, the gateway's queue to us
        // would fill, and the gateway would drop us as a slow consumer. A poll that finds nothing costs one cycle.
        int fragments = 0;
        for (int cycle = 0; cycle < MAX_RECEIVE_CYCLES; cycle++)
        {
            final int work = invokeAeron();
            final int polled = subscription.poll(fragmentHandler, FRAGMENT_LIMIT);
            if (!open)
            {
                return -1;
            }
            fragments += polled;
            if (work == 0 && polled == 0)
            {
                break;
            }
        }
        if (!gatewayConnected)
        {
            gatewayConnected = !subscription.hasNoImages();
        }
        else if (fragments == 0 && subscription.hasNoImages())
        {
            // The gateway closed its publication to us, after everything it sent was read.
            listener.onLost("closed by gateway");
            return -1;
        }
        return fragments;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!open)
        {
            return;
        }
        final FrameError error = validator.validate(buffer, offset, length);
        if (error != FrameError.NONE)
        {
            listener.onLost("bad frame from gateway: " + error.describe(validator.errorDetail()));
            return;
        }
        listener.onMessage(validator.buffer(), 0, length, validator.templateId());
    }

    public void disconnect()
    {
        open = false;
        gatewayConnected = false;
        CloseHelper.quietCloseAll(publication, subscription);
        publication = null;
        subscription = null;
    }

    public void close()
    {
        if (open && driver != null)
        {
            // The embedded driver goes with the client: first let it send what was offered and the end of stream,
            // which the gateway answers by closing its publication to us. Cold path, bounded.
            CloseHelper.quietClose(publication);
            publication = null;
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_LINGER_MS);
            while (!subscription.hasNoImages() && System.nanoTime() - deadlineNs < 0)
            {
                subscription.poll(discard, FRAGMENT_LIMIT);
                if (invokeAeron() == 0)
                {
                    Thread.yield();
                }
            }
        }
        disconnect();
        CloseHelper.quietCloseAll(aeron, driver);
        aeron = null;
        driver = null;
        driverInvoker = null;
        conductorInvoker = null;
    }

    private int invokeAeron()
    {
        int work = 0;
        if (driverInvoker != null)
        {
            work += driverInvoker.invoke();
        }
        if (conductorInvoker != null)
        {
            work += conductorInvoker.invoke();
        }
        return work;
    }
}
