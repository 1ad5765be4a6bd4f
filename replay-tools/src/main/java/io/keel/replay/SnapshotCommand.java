package io.keel.replay;

import io.aeron.cluster.RecordingLog;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.common.AdminCredentialsOptions;
import io.keel.common.IdleProfile;
import io.keel.node.ClusterCommandSession;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel replay snapshot}: ask a running cluster for a snapshot, through the log as an
 * admin, and optionally wait until a node's recording log shows it.
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Ask a running cluster to take a snapshot (an admin SnapshotRequest through the log; the leader takes it, " +
            "every node writes its own).",
        "Prints 'snapshot: requested at position P ok', then with --dir 'snapshot: taken at position S ok'. " +
            "Exit 1 when refused or not answered in time."
    })
final class SnapshotCommand implements Callable<Integer>
{
    @Mixin
    ClusterOptions cluster;

    @Mixin
    AdminCredentialsOptions admin = new AdminCredentialsOptions();

    @Option(names = "--dir", paramLabel = "DIR",
        description = "A local node directory: wait until its recording log holds the new snapshot.")
    File dir;

    @Option(names = "--timeout-s", paramLabel = "S", description = "How long to wait, in seconds (default ${DEFAULT-VALUE}).")
    long timeoutS = 15;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseDecoder response = new AdminResponseDecoder();
    private final BusinessRejectDecoder reject = new BusinessRejectDecoder();
    private String refused;
    private long requestPosition = -1;

    public Integer call() throws Exception
    {
        if (dir != null)
        {
            NodeDirectory.open(dir);
        }
        cluster.endpoints.conclude();
        final long correlationId = System.nanoTime(); // determinism-ok: client side
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS); // determinism-ok: client side
        final File aeronDir = Files.createTempDirectory("keel-replay-snapshot-").toFile();
        try (ClusterCommandSession client = new ClusterCommandSession(
            cluster.endpoints.ingressEndpoints(),
            admin.credentials(),
            aeronDir,
            IdleProfile.BACKOFF,
            (buffer, offset, length) -> onMessage(correlationId, buffer, offset)))
        {
            cluster.endpoints.connect(client);
            if (!client.requestSnapshot(correlationId))
            {
                System.err.println("keel replay snapshot: the cluster did not take the request in time");
                return 1;
            }
            while (requestPosition < 0 && refused == null && System.nanoTime() - deadline < 0) // determinism-ok
            {
                if (client.poll() == 0)
                {
                    Thread.sleep(1);
                }
            }
        }
        finally
        {
            IoUtil.delete(aeronDir, true);
        }
        if (refused != null)
        {
            System.out.println("snapshot: refused: " + refused);
            return 1;
        }
        if (requestPosition < 0)
        {
            System.err.println("keel replay snapshot: no answer within " + timeoutS + " s");
            return 1;
        }
        System.out.println("snapshot: requested at position " + requestPosition + " ok");
        if (dir == null)
        {
            return 0;
        }
        while (System.nanoTime() - deadline < 0) // determinism-ok: client side
        {
            for (final RecordingLog.Entry snapshot : NodeDirectory.open(dir).snapshots())
            {
                if (snapshot.logPosition >= requestPosition)
                {
                    System.out.println("snapshot: taken at position " + snapshot.logPosition + " ok");
                    return 0;
                }
            }
            Thread.sleep(50);
        }
        System.err.println("keel replay snapshot: " + dir + " shows no snapshot after position " + requestPosition +
            " within " + timeoutS + " s");
        return 1;
    }

    private void onMessage(final long correlationId, final DirectBuffer buffer, final int offset)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            response.wrapAndApplyHeader(buffer, offset, header);
            if (response.correlationId() == correlationId)
            {
                if (response.result() == RejectReason.NONE)
                {
                    requestPosition = response.logPosition();
                }
                else
                {
                    refused = String.valueOf(response.result());
                }
            }
        }
        else if (header.templateId() == BusinessRejectDecoder.TEMPLATE_ID)
        {
            reject.wrapAndApplyHeader(buffer, offset, header);
            refused = String.valueOf(reject.reason());
        }
    }
}
