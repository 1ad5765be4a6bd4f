package io.keel.node;

import org.agrona.DirectBuffer;

/**
 * Where encoded engine outputs go, by audience. The cluster adapter routes them to client
 * sessions; tests and replay tools record them.
 */
public interface OutputSink
{
    /**
     * Execution reports, cancel rejects and mass cancel reports for one client session.
     */
    void onSessionOutput(long sessionId, DirectBuffer buffer, int offset, int length);

    /**
     * Public market data: book updates and trades.
     */
    void onMarketData(int instrumentId, DirectBuffer buffer, int offset, int length);

    /**
     * The answer to an admin command.
     */
    void onAdminOutput(long correlationId, DirectBuffer buffer, int offset, int length);
}
