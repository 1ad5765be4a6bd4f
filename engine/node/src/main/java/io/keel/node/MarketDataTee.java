package io.keel.node;

import org.agrona.DirectBuffer;

/**
 * The outputs go to the cluster as always; market data also to a tap ({@link NodeContext#marketDataTap()}), which
 * chaos and tests use to replay the public stream the engine produced.
 */
final class MarketDataTee implements OutputSink
{
    private final ClusterOutput output;
    private final OutputSink tap;

    MarketDataTee(final ClusterOutput output, final OutputSink tap)
    {
        this.output = output;
        this.tap = tap;
    }

    public void onSessionOutput(
        final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
    {
        output.onSessionOutput(sessionId, seqNo, buffer, offset, length);
    }

    public void onGatewayOutput(final long gatewayLink, final DirectBuffer buffer, final int offset, final int length)
    {
        output.onGatewayOutput(gatewayLink, buffer, offset, length);
    }

    public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
    {
        output.onMarketData(instrumentId, buffer, offset, length);
        tap.onMarketData(instrumentId, buffer, offset, length);
    }

    public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        output.onAdminOutput(correlationId, buffer, offset, length);
    }
}
