package io.keel.gateway;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.protocol.DataHeaderFlyweight;
import io.keel.codecs.Sofh;

/**
 * The largest message a gateway can put into the cluster's ingress, and so the largest frame it accepts from a client.
 * {@code AeronCluster.tryClaim(length)} claims {@code length + SESSION_HEADER_LENGTH} on the ingress publication, and
 * {@code Publication.tryClaim} throws beyond {@code maxPayloadLength() = mtu - DataHeaderFlyweight.HEADER_LENGTH}
 * (aeron-client {@code Publication}, 1.51.0). The gateway names the MTU on its ingress channel, so this holds whatever
 * the driver's default is.
 */
final class IngressLimits
{
    /** Aeron's default MTU, named on the ingress channel rather than taken from the driver. */
    static final int MTU_LENGTH = 1408;
    /** What {@code tryClaim} takes of a client's message: 1408 - 32 - 32 = 1344 bytes. */
    static final int MAX_MESSAGE_LENGTH =
        MTU_LENGTH - DataHeaderFlyweight.HEADER_LENGTH - AeronCluster.SESSION_HEADER_LENGTH;
    /** The largest client frame, SOFH included: 1350 bytes, also --max-frame-length's default and maximum. */
    static final int MAX_FRAME_LENGTH = Sofh.HEADER_LENGTH + MAX_MESSAGE_LENGTH;
    static final String INGRESS_CHANNEL = "aeron:udp?term-length=1m|mtu=" + MTU_LENGTH;

    private IngressLimits()
    {
    }
}
