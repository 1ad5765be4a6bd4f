package io.keel.gateway;

import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.common.LatencyRecorder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.nio.ByteOrder;

/**
 * Per-hop latency at the gateway, all on the gateway's duty-cycle thread and its
 * {@code System.nanoTime()} clock: nothing is added to the messages or to the cluster's state.
 * <ul>
 * <li>{@code gateway_receive_to_ingress}: bytes read from the client's socket → the request
 *     committed to the cluster's ingress publication;</li>
 * <li>{@code ingress_to_egress}: that commit → the first report for the same (session, clOrdId)
 *     polled from the egress (cluster sequencing, replication, commit, engine, egress);</li>
 * <li>{@code egress_to_client}: that report polled → queued on the client's connection (the socket
 *     write follows in the same duty cycle).</li>
 * </ul>
 * In-flight requests wait in a preallocated open-addressing map keyed by session and clOrdId;
 * when more than {@link #MAX_IN_FLIGHT} are unanswered (e.g. across a failover) it is cleared.
 * No allocation, no lock; the recorders are wait-free for this single writer.
 */
final class HopTimer
{
    static final String RECEIVE_TO_INGRESS = "gateway_receive_to_ingress";
    static final String INGRESS_TO_EGRESS = "ingress_to_egress";
    static final String EGRESS_TO_CLIENT = "egress_to_client";
    static final int MAX_IN_FLIGHT = 4096;
    private static final long MISSING = Long.MIN_VALUE;
    private static final int BODY = MessageHeaderDecoder.ENCODED_LENGTH;

    private final LatencyRecorder receiveToIngress;
    private final LatencyRecorder ingressToEgress;
    private final LatencyRecorder egressToClient;
    private final Long2LongHashMap sentNsByRequest = new Long2LongHashMap(MAX_IN_FLIGHT * 2, 0.65f, MISSING);
    private long receivedNs;
    private long egressNs;

    HopTimer(final LatencyRecorder receiveToIngress, final LatencyRecorder ingressToEgress, final LatencyRecorder egressToClient)
    {
        this.receiveToIngress = receiveToIngress;
        this.ingressToEgress = ingressToEgress;
        this.egressToClient = egressToClient;
    }

    /**
     * A transport read bytes from a client; the frames in them are handled before the next read.
     */
    void onReceived()
    {
        receivedNs = System.nanoTime();
    }

    void onIngressSent(final long sessionId, final long clOrdId)
    {
        final long nowNs = System.nanoTime();
        if (receivedNs != 0)
        {
            receiveToIngress.record(nowNs - receivedNs);
        }
        if (sentNsByRequest.size() >= MAX_IN_FLIGHT)
        {
            sentNsByRequest.clear();
        }
        sentNsByRequest.put(key(sessionId, clOrdId), nowNs);
    }

    /**
     * A client report polled from the egress (before it is routed).
     */
    void onEgress(final int templateId, final DirectBuffer buffer, final int offset)
    {
        egressNs = System.nanoTime();
        final int clOrdIdOffset = switch (templateId)
        {
            case ExecutionReportDecoder.TEMPLATE_ID -> ExecutionReportDecoder.clOrdIdEncodingOffset();
            case CancelRejectDecoder.TEMPLATE_ID -> CancelRejectDecoder.clOrdIdEncodingOffset();
            case BusinessRejectDecoder.TEMPLATE_ID -> BusinessRejectDecoder.clOrdIdEncodingOffset();
            case MassCancelReportDecoder.TEMPLATE_ID -> MassCancelReportDecoder.clOrdIdEncodingOffset();
            default -> -1;
        };
        if (clOrdIdOffset < 0)
        {
            return;
        }
        final long sessionId = buffer.getLong(offset + BODY, ByteOrder.LITTLE_ENDIAN);
        final long clOrdId = buffer.getLong(offset + BODY + clOrdIdOffset, ByteOrder.LITTLE_ENDIAN);
        final long sentNs = sentNsByRequest.remove(key(sessionId, clOrdId));
        if (sentNs != MISSING)
        {
            ingressToEgress.record(egressNs - sentNs);
        }
    }

    /**
     * The report polled in {@link #onEgress} is now on the client's connection (or was dropped).
     */
    void onClientQueued()
    {
        if (egressNs != 0)
        {
            egressToClient.record(System.nanoTime() - egressNs);
            egressNs = 0;
        }
    }

    private static long key(final long sessionId, final long clOrdId)
    {
        return (sessionId * 0x9E3779B97F4A7C15L) ^ clOrdId;
    }
}
