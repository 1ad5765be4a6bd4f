package io.keel.perf.load;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import io.keel.node.NodeContext;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * What Aeron Cluster costs before any Keel code: members set up exactly as Keel's
 * ({@link KeelNode#launch(NodeContext, ClusteredService)}: same driver, archive, consensus module,
 * authenticator, term lengths and idle profile) running a bare echo service, and a cluster client set up as
 * Keel's gateway's (an embedded driver running on the polling thread, except with dedicated), offering
 * {@code size}-byte messages that carry the request id. Every member
 * echoes each committed message to its session; only the leader's reply reaches the client.
 */
final class ClusterEcho implements Scenario
{
    private final int nodes;
    private final int messageLength;
    private final IdleProfile idleProfile;
    private final File workDir;
    private final UnsafeBuffer message;
    private EmbeddedCluster cluster;
    private ClusterCommandSession client;
    private ResponseHandler handler;

    ClusterEcho(final int nodes, final int messageLength, final IdleProfile idleProfile, final File workDir)
    {
        this.nodes = nodes;
        this.messageLength = Math.max(Long.BYTES, messageLength);
        this.idleProfile = idleProfile;
        this.workDir = new File(workDir, "cluster-echo-" + nodes);
        message = new UnsafeBuffer(new byte[this.messageLength]);
    }

    public String name()
    {
        return "cluster-echo";
    }

    public int nodes()
    {
        return nodes;
    }

    public void start(final ThreadCensus census) throws Exception
    {
        cluster = EmbeddedCluster.launch(nodes, workDir, FreePorts.clusterBasePort(nodes), idleProfile,
            (config) -> claimPreviousMember(census, config.memberId()), EchoService::new);
        census.claim(member(nodes - 1));
        cluster.awaitLeader(30_000);
        client = new ClusterCommandSession(cluster.ingressEndpoints(),
            Principal.gatewayCredentials(1, Principal.DEV_SECRET), new File(workDir, "client-aeron"),
            idleProfile, this::onEcho, idleProfile.embeddedDriverThreadingMode() == ThreadingMode.INVOKER).connect();
        census.claim(ThreadCensus.CLIENT);
    }

    /**
     * Called as member {@code memberId} is about to start: the threads started since belong to the member before.
     */
    static void claimPreviousMember(final ThreadCensus census, final int memberId)
    {
        if (memberId > 0)
        {
            census.claim(member(memberId - 1));
        }
    }

    static String member(final int memberId)
    {
        return "node-" + memberId;
    }

    private void onEcho(final DirectBuffer buffer, final int offset, final int length)
    {
        handler.onResponse(buffer.getLong(offset));
    }

    public boolean send(final long id)
    {
        message.putLong(0, id);
        return client.offer(message, 0, messageLength, 0); // one attempt; the generator retries
    }

    public int poll(final ResponseHandler handler)
    {
        this.handler = handler;
        return client.poll();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(client, cluster);
        IoUtil.delete(workDir, true);
    }

    /**
     * The bare echo (as Aeron's samples' EchoService): every committed message straight back to its
     * session, a bounded number of attempts (never spin on a session that went away).
     */
    static final class EchoService implements ClusteredService
    {
        private static final int SEND_ATTEMPTS = 3;
        private IdleStrategy idleStrategy;

        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
            idleStrategy = cluster.idleStrategy();
        }

        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        public void onSessionMessage(
            final ClientSession session,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            if (session == null)
            {
                return;
            }
            idleStrategy.reset();
            for (int attempts = SEND_ATTEMPTS; attempts > 0; attempts--)
            {
                if (session.offer(buffer, offset, length) > 0)
                {
                    return;
                }
                idleStrategy.idle();
            }
        }

        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
        }

        public void onRoleChange(final Cluster.Role newRole)
        {
        }

        public void onTerminate(final Cluster cluster)
        {
        }
    }
}
