package io.keel.gateway;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.keel.common.IdleProfile;
import io.keel.common.InvokedAeron;
import io.keel.common.Principal;
import org.agrona.CloseHelper;

import java.util.concurrent.TimeUnit;

/**
 * The gateway's one embedded media driver and Aeron client, and the identity it shows every cluster: one driver and
 * client serve the cluster session of every market segment ({@link GatewayClusterSession}), the UDP transport and the
 * public market-data stream. The incarnation is taken before the driver starts, so a second process on the same
 * Aeron directory stops here.
 */
final class GatewayAeron implements AutoCloseable
{
    /** How long a closing gateway keeps its invoked driver working, to send the last messages. */
    private static final long CLOSE_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final MediaDriver driver;
    private final Aeron aeron;
    /** The driver's and the Aeron client conductor's duty cycles, when they run on the gateway's thread. */
    private final InvokedAeron invoked;
    private final GatewayIncarnation incarnation;
    /** The gateway's credentials, the same for every segment: each cluster tracks its gateways on its own. */
    private final byte[] credentials;

    GatewayAeron(final GatewayContext config)
    {
        final IdleProfile idle = config.idleProfile();
        // Before the driver, which deletes its directory at start: a second process on the same directory stops here.
        incarnation = GatewayIncarnation.acquire(GatewayIncarnation.fileFor(config.aeronDir()));
        credentials = Principal.gatewayCredentials(
            config.gatewayId(), config.clusterSecret(), incarnation.incarnation(), incarnation.predecessor());
        GatewayLog.event("incarnation", "file", incarnation.file().getPath(),
            "replaces", incarnation.predecessor() == 0 ? "none" : Long.toHexString(incarnation.predecessor()));
        MediaDriver launched = null;
        Aeron client = null;
        try
        {
            launched = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(config.aeronDir().getAbsolutePath())
                .threadingMode(idle.embeddedDriverThreadingMode())
                .sharedIdleStrategy(idle.newIdleStrategy())
                .conductorIdleStrategy(idle.newIdleStrategy())
                .senderIdleStrategy(idle.newIdleStrategy())
                .receiverIdleStrategy(idle.newIdleStrategy())
                .termBufferSparseFile(true)
                .publicationTermBufferLength(1024 * 1024)
                .ipcTermBufferLength(256 * 1024)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            client = Aeron.connect(InvokedAeron.clientContext(launched).idleStrategy(idle.newIdleStrategy()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(launched, incarnation);
            throw ex;
        }
        driver = launched;
        aeron = client;
        invoked = new InvokedAeron(aeron);
    }

    /**
     * @return work done by the embedded driver and the client conductor, when they have no threads of their own.
     */
    int invoke()
    {
        return invoked.invoke();
    }

    Aeron aeron()
    {
        return aeron;
    }

    InvokedAeron invoked()
    {
        return invoked;
    }

    byte[] credentials()
    {
        return credentials;
    }

    /**
     * After every cluster session was closed: lets the invoked driver send what they offered last, then stops.
     */
    public void close()
    {
        invoked.linger(CLOSE_LINGER_NS); // no driver thread sends what the shutdown offered (logouts, session close)
        CloseHelper.quietCloseAll(aeron, driver, incarnation);
    }
}
