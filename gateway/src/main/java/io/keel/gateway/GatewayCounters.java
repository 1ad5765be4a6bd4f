package io.keel.gateway;

/**
 * What the gateway has done, counted on its duty-cycle thread (single writer); other threads
 * read approximate values.
 */
final class GatewayCounters
{
    volatile long connections;
    volatile long disconnects;
    volatile long logons;
    volatile long failedLogons;
    volatile long protocolErrors;
    volatile long sessionRejects;
    volatile long throttled;
    volatile long unavailable;
    volatile long ordersForwarded;
    volatile long reportsSent;
    volatile long unroutedReports;
    volatile long resends;
    volatile long cancelOnDisconnects;
    volatile long slowConsumers;
    volatile long rejectedConnections;
    /** Clients that connected over Aeron UDP (each client publication's image). */
    volatile long udpConnections;
    /** Messages for UDP clients queued because their publication was not yet connected or back-pressured. */
    volatile long udpQueued;
    volatile long bytesReceived;
    volatile long bytesSent;
    final DisconnectReasons disconnectReasons = new DisconnectReasons();
    /** Per-hop latency timing; null when metrics are off. Set before the duty cycle starts. */
    HopTimer hops;
}
