package io.keel.gateway;

import io.aeron.Aeron;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * The gateway's cluster sessions, one per market segment ({@link GatewayClusterSession}), on the gateway's one
 * driver and Aeron client ({@link GatewayAeron}). Each connects, follows its leader and reconnects on its own; this
 * class polls them all and sums their states up for {@code /health}: READY when every segment is, else the state of
 * the first segment that is not (a gateway with a segment down is not ready, though it serves the other segments).
 */
final class ClusterSessions implements AutoCloseable
{
    private final GatewayAeron shared;
    private final GatewayClusterSession[] segments;
    private final GatewayHealth health;
    /** Leader changes plus connects per segment, as last seen by {@link #takeEpochChange}. */
    private final long[] lastEpoch;
    /** The state last handed to {@link #health}: a plain field, so an unchanged state costs no volatile access. */
    private GatewayHealth.State publishedState = GatewayHealth.State.STARTING;
    private volatile boolean allAvailable;

    ClusterSessions(final GatewayContext config, final GatewayClusterSession.Listener listener, final GatewayHealth health)
    {
        this.health = health;
        shared = new GatewayAeron(config);
        segments = new GatewayClusterSession[config.segmentCount()];
        for (int i = 0; i < segments.length; i++)
        {
            segments[i] = new GatewayClusterSession(config, i, shared, listener, health);
        }
        lastEpoch = new long[segments.length];
    }

    int count()
    {
        return segments.length;
    }

    GatewayClusterSession segment(final int segment)
    {
        return segments[segment];
    }

    int invokeAeron()
    {
        return shared.invoke();
    }

    Aeron aeron()
    {
        return shared.aeron();
    }

    /**
     * @return work done: every segment's egress and connection steps.
     */
    int poll(final long nowNs)
    {
        int work = 0;
        GatewayHealth.State state = GatewayHealth.State.READY;
        boolean all = true;
        for (final GatewayClusterSession segment : segments)
        {
            work += segment.poll(nowNs);
            final GatewayHealth.State segmentState = segment.state();
            if (state == GatewayHealth.State.READY && segmentState != GatewayHealth.State.READY)
            {
                state = segmentState;
            }
            all &= segment.isAvailable();
        }
        if (all != allAvailable)
        {
            allAvailable = all;
        }
        if (state != publishedState)
        {
            publishedState = state;
            health.state(state, nowNs);
        }
        return work;
    }

    /**
     * @return the first segment, from {@code from} on, whose leader changed or that has a new cluster session since
     * the last call (its books are checked, its sessions re-opened), or -1.
     */
    int takeEpochChange(final int from)
    {
        for (int i = from; i < segments.length; i++)
        {
            final long epoch = segments[i].leaderChanges() + segments[i].connects();
            if (epoch != lastEpoch[i])
            {
                lastEpoch[i] = epoch;
                return i;
            }
        }
        return -1;
    }

    boolean tryClaim(final int segment, final int length, final BufferClaim claim, final long nowNs)
    {
        return segments[segment].tryClaim(length, claim, nowNs);
    }

    boolean offer(final int segment, final DirectBuffer buffer, final int offset, final int length)
    {
        return segments[segment].offer(buffer, offset, length);
    }

    /**
     * @return true while every segment has a cluster session that can take orders.
     */
    boolean isAvailable()
    {
        return allAvailable;
    }

    /**
     * @return whether the segment can take orders, as of the last duty cycle (any thread).
     */
    boolean isAvailable(final int segment)
    {
        return segments[segment].isAvailable();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(segments);
        CloseHelper.quietClose(shared);
    }
}
