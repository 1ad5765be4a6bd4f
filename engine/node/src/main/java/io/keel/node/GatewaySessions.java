package io.keel.node;

import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.keel.common.Principal;

import java.util.ArrayList;
import java.util.Comparator;

/**
 * The cluster sessions of gateways and admin tools as the service sees them open: a gateway's gets a route for its
 * reports; a second gateway presenting a live gateway's id is refused — the first keeps its route and its clients —
 * and closed, unless it names the holder's incarnation as the dead predecessor it replaces (a gateway restarted
 * after a crash): then the holder's route goes and the holder is closed instead. Decided from the log (session opens, and the snapshot's sessions in id order), the same on every node.
 */
final class GatewaySessions
{
    private final NodeContext config;
    private final LogApplier applier;
    private final ClusterOutput output;
    private final ArrayList<ClientSession> refused = new ArrayList<>();

    GatewaySessions(final NodeContext config, final LogApplier applier, final ClusterOutput output)
    {
        this.config = config;
        this.applier = applier;
        this.output = output;
    }

    /**
     * Sessions restored from a snapshot get no {@code onSessionOpen}: register them oldest first, so the session
     * that held a gateway id holds it again whatever order Aeron keeps them in.
     */
    void restore(final Cluster cluster)
    {
        final ArrayList<ClientSession> restored = new ArrayList<>();
        cluster.forEachClientSession(restored::add);
        restored.sort(Comparator.comparingLong(ClientSession::id));
        for (final ClientSession session : restored)
        {
            register(cluster, session, applier.sessionRestored(session.id(), session.encodedPrincipal()));
        }
    }

    void opened(final Cluster cluster, final ClientSession session, final long timestamp)
    {
        register(cluster, session, applier.sessionOpened(session.id(), session.encodedPrincipal(), timestamp));
        closeRefused(cluster);
    }

    boolean hasRefused()
    {
        return !refused.isEmpty();
    }

    /**
     * Closing a session is not allowed from {@code onStart}, where restored sessions register, so a refused session
     * is closed at the next log event. Only the leader's request takes effect: it appends the close to the log.
     */
    void closeRefused(final Cluster cluster)
    {
        while (!refused.isEmpty())
        {
            final ClientSession session = refused.remove(refused.size() - 1);
            if (!session.isClosing())
            {
                cluster.closeClientSession(session.id());
            }
        }
    }

    private void register(final Cluster cluster, final ClientSession session, final int gatewayId)
    {
        final long replaced = applier.replacedSession();
        if (replaced != LogApplier.NO_SESSION)
        {
            // A restarted gateway proved its predecessor dead: the old session goes now, not at its timeout.
            NodeLog.event(config, "gateway-replaced", "gatewayId", gatewayId, "clusterSession", session.id(),
                "replacedClusterSession", replaced);
            final ClientSession old = cluster.getClientSession(replaced);
            if (old != null)
            {
                output.sessionClosed(old);
                refused.add(old);
            }
        }
        if (gatewayId == LogApplier.GATEWAY_ID_IN_USE)
        {
            final int claimed = Principal.gatewayIdOf(session.encodedPrincipal());
            NodeLog.event(config, "gateway-refused", "gatewayId", claimed, "clusterSession", session.id(),
                "reason", "gateway id " + claimed + " is live on cluster session " + applier.sessionOfGateway(claimed));
            refused.add(session);
        }
        else if (gatewayId != Principal.NOT_A_GATEWAY)
        {
            output.gatewayConnected(session);
        }
    }
}
