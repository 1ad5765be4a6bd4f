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
    private final DutyCycleGuard guard;

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
        guard = sessionLayer.guard();
    }

    /**
     * Each named poll on its own: whatever one throws is counted and logged by the {@link DutyCycleGuard}, which
     * closes the connection it was serving, and the polls after it run as always.
     */
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = 0;
        try
        {
            work += sessionLayer.doWork(nowNs);
        }
        catch (final Exception ex)
        {
            guard.onError("cluster", null, ex, nowNs);
        }
        try
        {
            work += tcp.poll(nowNs);
        }
        catch (final Exception ex)
        {
            guard.onError("tcp", tcp.current(), ex, nowNs);
        }
        if (udp != null)
        {
            try
            {
                work += udp.poll(nowNs);
            }
            catch (final Exception ex)
            {
                guard.onError("udp", udp.current(), ex, nowNs);
            }
        }
        try
        {
            work += sessionLayer.doTimers(nowNs);
        }
        catch (final Exception ex)
        {
            guard.onError("timers", null, ex, nowNs);
        }
        try
        {
            // Last, so what this cycle offered to the cluster and to UDP clients is sent before the idle strategy runs.
            work += sessionLayer.invokeAeron();
        }
        catch (final Exception ex)
        {
            guard.onError("aeron", null, ex, nowNs);
        }
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
