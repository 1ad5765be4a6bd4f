package io.keel.gateway;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * The gateway's one duty cycle: cluster egress, then TCP clients, then Aeron UDP clients, then session timers, then (except
 * with the dedicated idle profile) the embedded media driver and Aeron client conductor. Everything the gateway does per
 * message happens on this thread, so nothing in it is locked.
 */
final class GatewayAgent implements Agent
{
    private final SessionLayer sessionLayer;
    private final TcpTransport tcp;
    private final UdpTransport udp;
    private final NanoClock clock;
    private final String roleName;

    /**
     * @param udp null when UDP is disabled.
     */
    GatewayAgent(
        final int gatewayId,
        final SessionLayer sessionLayer,
        final TcpTransport tcp,
        final UdpTransport udp,
        final NanoClock clock)
    {
        this.roleName = "keel-gateway-" + gatewayId;
        this.sessionLayer = sessionLayer;
        this.tcp = tcp;
        this.udp = udp;
        this.clock = clock;
    }

    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = sessionLayer.doWork(nowNs);
        work += tcp.poll(nowNs);
        if (udp != null)
        {
            work += udp.poll(nowNs);
        }
        work += sessionLayer.doTimers(nowNs);
        // Last, so what this cycle offered to the cluster and to UDP clients is sent before the idle strategy runs.
        work += sessionLayer.invokeAeron();
        return work;
    }

    public void onClose()
    {
        sessionLayer.logoutAll();
        CloseHelper.closeAll(tcp, udp, sessionLayer);
    }

    public String roleName()
    {
        return roleName;
    }
}
