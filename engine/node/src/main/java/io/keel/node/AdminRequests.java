package io.keel.node;

import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.keel.codecs.AdminResponseEncoder;
import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.PurgeRequestDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SnapshotRequestDecoder;
import io.keel.codecs.StateHashRequestDecoder;
import io.keel.engine.Engine;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The node's answers to operators' requests from the log (snapshot, state hash, purge) and its refusals of what a
 * session may not send: every node answers alike, from the request and the log position only, whatever its role;
 * what differs by node (the snapshot toggle on the leader, each member's own archive purge) happens beside the answer.
 * Cold path, service thread only.
 */
final class AdminRequests
{
    private final NodeContext config;
    private final Engine engine;
    private final ClusterOutput output;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdminResponseEncoder adminResponseEncoder = new AdminResponseEncoder();
    private final BusinessRejectEncoder businessRejectEncoder = new BusinessRejectEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[256]);
    private LogPurger logPurger;
    private volatile long lastHash;
    private volatile long lastHashPosition = -1;

    AdminRequests(final NodeContext config, final Engine engine, final ClusterOutput output)
    {
        this.config = config;
        this.engine = engine;
        this.output = output;
    }

    /**
     * The node's archive side of log retention; null: a purge is answered, nothing is purged.
     */
    void logPurger(final LogPurger logPurger)
    {
        this.logPurger = logPurger;
    }

    LogPurger logPurger()
    {
        return logPurger;
    }

    /**
     * The leader toggles a snapshot through the consensus module; every node answers the same.
     */
    void onSnapshotRequest(final Cluster cluster, final Cluster.Role role, final long correlationId, final long timestamp)
    {
        if (role == Cluster.Role.LEADER)
        {
            final var toggle = ClusterControl.findControlToggle(cluster.aeron().countersReader(), config.clusterId());
            if (toggle != null)
            {
                ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
            }
        }
        // Same answer on every node, whatever the toggle did: outputs must not depend on role.
        adminResponse(cluster, correlationId, SnapshotRequestDecoder.TEMPLATE_ID, RejectReason.NONE, 0, timestamp);
    }

    void onStateHashRequest(final Cluster cluster, final long correlationId, final long timestamp)
    {
        final long hash = recordStateHash(cluster.logPosition());
        adminResponse(cluster, correlationId, StateHashRequestDecoder.TEMPLATE_ID, RejectReason.NONE, hash, timestamp);
    }

    /**
     * Every node answers alike from the request and the log position only (the bound capped at this log position);
     * then each purges its own archive off this thread, to its own newest snapshot within the bounds.
     */
    void onPurgeRequest(
        final Cluster cluster, final CommandDecoder decoder, final long correlationId, final long timestamp)
    {
        final long bound = decoder.purgeBeforePosition();
        if (bound < 0)
        {
            adminResponse(cluster, correlationId, PurgeRequestDecoder.TEMPLATE_ID, RejectReason.INVALID_MESSAGE, 0,
                timestamp);
            return;
        }
        final long beforePosition = Math.min(bound, cluster.logPosition());
        adminResponse(cluster, correlationId, PurgeRequestDecoder.TEMPLATE_ID, RejectReason.NONE, beforePosition,
            timestamp);
        if (logPurger != null)
        {
            logPurger.request(beforePosition, decoder.purgeBeforeTime());
        }
    }

    /**
     * A command the engine did not take from this session, answered to that session alone.
     */
    void businessReject(
        final ClientSession session,
        final long sessionId,
        final int refTemplateId,
        final RejectReason reason,
        final long timestamp)
    {
        businessRejectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .seqNo(0)
            .accountId(0)
            .clOrdId(0)
            .refTemplateId(refTemplateId)
            .reason(reason)
            .transactTime(timestamp);
        output.requester(session);
        output.onAdminOutput(0, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + businessRejectEncoder.encodedLength());
    }

    /**
     * Hash the engine and append "logPosition hash" to the node's hash file (cold: snapshots and
     * explicit requests only), for tests and {@code keel replay verify}.
     */
    long recordStateHash(final long logPosition)
    {
        final long hash = engine.stateHash();
        lastHash = hash;
        lastHashPosition = logPosition;
        StateHashFile.append(config.stateHashFile(), logPosition, hash);
        return hash;
    }

    /**
     * The state hash recorded at the last snapshot or hash request, readable from any thread.
     */
    long lastHash()
    {
        return lastHash;
    }

    long lastHashPosition()
    {
        return lastHashPosition;
    }

    private void adminResponse(
        final Cluster cluster,
        final long correlationId,
        final int refTemplateId,
        final RejectReason result,
        final long value,
        final long timestamp)
    {
        adminResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .refTemplateId(refTemplateId)
            .result(result)
            .transactTime(timestamp)
            .value(value)
            .logPosition(cluster.logPosition());
        output.onAdminOutput(
            correlationId, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + adminResponseEncoder.encodedLength());
    }
}
