package io.keel.perf.load;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.net.SocketException;

/**
 * The physical floor: a raw Aeron echo (no cluster, no Keel) over IPC or UDP on this machine, one
 * media driver, an echo thread sending every message straight back.
 */
final class FloorEcho implements Scenario
{
    private static final int REQUEST_STREAM = 1001;
    private static final int RESPONSE_STREAM = 1002;

    private final boolean udp;
    private final int messageLength;
    private final IdleProfile idleProfile;
    private final File aeronDir;
    private final UnsafeBuffer message;
    private MediaDriver driver;
    private Aeron aeron;
    private Publication requests;
    private Subscription responses;
    private Thread echo;
    private volatile boolean running = true;
    private ResponseHandler handler;
    private final FragmentHandler onResponse = (buffer, offset, length, header) -> handler.onResponse(buffer.getLong(offset));

    FloorEcho(final boolean udp, final int messageLength, final IdleProfile idleProfile, final File workDir)
    {
        this.udp = udp;
        this.messageLength = Math.max(Long.BYTES, messageLength);
        this.idleProfile = idleProfile;
        aeronDir = new File(workDir, (udp ? "floor-udp" : "floor-ipc") + "-aeron");
        message = new UnsafeBuffer(new byte[this.messageLength]);
    }

    public String name()
    {
        return udp ? "floor-udp" : "floor-ipc";
    }

    public int nodes()
    {
        return 0;
    }

    public void start(final ThreadCensus census) throws SocketException
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.getAbsolutePath())
            .threadingMode(idleProfile.threadingMode())
            .sharedIdleStrategy(idleProfile.newIdleStrategy())
            .conductorIdleStrategy(idleProfile.newIdleStrategy())
            .senderIdleStrategy(idleProfile.newIdleStrategy())
            .receiverIdleStrategy(idleProfile.newIdleStrategy())
            .termBufferSparseFile(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final String requestChannel = udp ? "aeron:udp?endpoint=localhost:" + FreePorts.udpPort() : "aeron:ipc";
        final String responseChannel = udp ? "aeron:udp?endpoint=localhost:" + FreePorts.udpPort() : "aeron:ipc";
        final Subscription echoIn = aeron.addSubscription(requestChannel, REQUEST_STREAM);
        final Publication echoOut = aeron.addPublication(responseChannel, RESPONSE_STREAM);
        requests = aeron.addPublication(requestChannel, REQUEST_STREAM);
        responses = aeron.addSubscription(responseChannel, RESPONSE_STREAM);
        echo = new Thread(() ->
        {
            final IdleStrategy idle = idleProfile.newIdleStrategy();
            final FragmentHandler back = (buffer, offset, length, header) ->
            {
                while (echoOut.offer(buffer, offset, length) < 0 && running)
                {
                    Thread.onSpinWait();
                }
            };
            while (running)
            {
                idle.idle(echoIn.poll(back, 16));
            }
        }, "floor-echo");
        echo.setDaemon(true);
        echo.start();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(requests.isConnected() && echoOut.isConnected()))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(name() + ": echo did not connect within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    public boolean send(final long id)
    {
        message.putLong(0, id);
        return requests.offer(message, 0, messageLength) > 0;
    }

    public int poll(final ResponseHandler handler)
    {
        this.handler = handler;
        return responses.poll(onResponse, 16);
    }

    public void close()
    {
        running = false;
        if (echo != null)
        {
            try
            {
                echo.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietCloseAll(aeron, driver);
    }
}
