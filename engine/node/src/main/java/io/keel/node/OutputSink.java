package io.keel.node;

import org.agrona.DirectBuffer;

/**
 * Where encoded engine outputs go, by audience. The cluster adapter routes them to client
 * sessions; tests and replay tools record them.
 */
public interface OutputSink
{
    /**
     * Execution reports, cancel rejects, mass cancel reports and account status pages for one client session.
     *
     * @param seqNo the engine's number of the report in the session's reports; 0 when the engine keeps no such session.
     */
    void onSessionOutput(long sessionId, long seqNo, DirectBuffer buffer, int offset, int length);

    /**
     * A session status for the gateway behind this link (the gateway's cluster session id).
     */
    default void onGatewayOutput(long gatewayLink, DirectBuffer buffer, int offset, int length)
    {
    }

    /**
     * Public market data: book updates and trades.
     */
    void onMarketData(int instrumentId, DirectBuffer buffer, int offset, int length);

    /**
     * The answer to an admin command.
     */
    void onAdminOutput(long correlationId, DirectBuffer buffer, int offset, int length);
}
