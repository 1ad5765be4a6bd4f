package io.keel.gateway;

import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrderStatusRequestEncoder;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.SegmentSeqNo;
import io.keel.common.SegmentMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which segment each client request goes to ({@link OrderEntry#segmentOf}), and the seqNos across segments.
 */
class SegmentRoutingTest
{
    private static final int EVERY_SEGMENT = -1;

    private final SegmentMap map = SegmentMap.parse("version=1\nsegments=3\n" +
        "segment.0.base-port=9000\nsegment.0.instruments=1-99\n" +
        "segment.1.base-port=9100\nsegment.1.instruments=100-199,250\n" +
        "segment.2.base-port=9200\nsegment.2.instruments=300-399\n");
    private final OrderEntry orderEntry = new OrderEntry(new GatewayContext().segmentMap(map), null, null, null, null, null);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @Test
    void shouldRouteOrdersCancelsAndReplacesByInstrument()
    {
        assertEquals(0, newOrder(7));
        assertEquals(1, newOrder(150));
        assertEquals(1, newOrder(250));
        assertEquals(2, newOrder(399));
        assertEquals(0, newOrder(251), "an instrument no segment names goes to segment 0 (UNKNOWN_INSTRUMENT there)");

        new CancelOrderEncoder().wrapAndApplyHeader(buffer, 0, header).instrumentId(310).orderId(5);
        assertEquals(2, orderEntry.segmentOf(buffer, 0, CancelOrderEncoder.TEMPLATE_ID));
        new ReplaceOrderEncoder().wrapAndApplyHeader(buffer, 0, header).instrumentId(120).orderId(5).price(1).quantity(1);
        assertEquals(1, orderEntry.segmentOf(buffer, 0, ReplaceOrderEncoder.TEMPLATE_ID));
    }

    @Test
    void shouldSendMassCancelsOfOneInstrumentToItsSegmentAndOthersToEverySegment()
    {
        new MassCancelEncoder().wrapAndApplyHeader(buffer, 0, header).scope(MassCancelScope.INSTRUMENT).instrumentId(150);
        assertEquals(1, orderEntry.segmentOf(buffer, 0, MassCancelEncoder.TEMPLATE_ID));
        new MassCancelEncoder().wrapAndApplyHeader(buffer, 0, header).scope(MassCancelScope.SESSION).instrumentId(150);
        assertEquals(EVERY_SEGMENT, orderEntry.segmentOf(buffer, 0, MassCancelEncoder.TEMPLATE_ID));
        new MassCancelEncoder().wrapAndApplyHeader(buffer, 0, header).scope(MassCancelScope.ACCOUNT).instrumentId(0);
        assertEquals(EVERY_SEGMENT, orderEntry.segmentOf(buffer, 0, MassCancelEncoder.TEMPLATE_ID));
    }

    @Test
    void shouldSendQueriesThatNameNoInstrumentToEverySegment()
    {
        new AccountRequestEncoder().wrapAndApplyHeader(buffer, 0, header).requestId(1);
        assertEquals(EVERY_SEGMENT, orderEntry.segmentOf(buffer, 0, AccountRequestEncoder.TEMPLATE_ID));
        new OrderStatusRequestEncoder().wrapAndApplyHeader(buffer, 0, header).orderId(9);
        assertEquals(EVERY_SEGMENT, orderEntry.segmentOf(buffer, 0, OrderStatusRequestEncoder.TEMPLATE_ID));
    }

    @Test
    void shouldTakeEitherOneClusterOrASegmentMap()
    {
        final IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
            () -> new GatewayContext().segmentMap(map).clusterEndpoints("0=localhost:9001").conclude());
        assertTrue(both.getMessage().startsWith("--segment-map and --cluster are exclusive"), both.getMessage());
        final IllegalArgumentException neither =
            assertThrows(IllegalArgumentException.class, () -> new GatewayContext().conclude());
        assertTrue(neither.getMessage().contains("--segment-map is required"), neither.getMessage());
        assertEquals(3, new GatewayContext().segmentMap(map).segmentCount());
        assertEquals(1, new GatewayContext().clusterEndpoints("0=localhost:9001").segmentCount());
        assertEquals("0=localhost:9201", new GatewayContext().segmentMap(map).segmentEndpoints(2));
    }

    @Test
    void shouldComposeSeqNosSoThatSegmentZeroIsTheEnginesOwn()
    {
        assertEquals(41, SegmentSeqNo.compose(0, 41));
        final long composed = SegmentSeqNo.compose(2, 41);
        assertEquals(2, SegmentSeqNo.segment(composed));
        assertEquals(41, SegmentSeqNo.sequence(composed));
        assertEquals(SegmentSeqNo.compose(2, 42), composed + 1, "a segment's seqNos stay consecutive");
    }

    @Test
    void shouldWriteTheComposedSeqNoOverACopyWhereTheTransportSendsTheCallersBuffer()
    {
        final UnsafeBuffer sent = new UnsafeBuffer(new byte[64]);
        final ClientConnection connection = new ClientConnection(1, "test")
        {
            boolean send(final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                sent.putBytes(0, buffer, offset, length);
                return true;
            }

            void disconnect(final String reason)
            {
            }

            boolean isCloseRequested()
            {
                return false;
            }

            long admittedNs()
            {
                return 0;
            }
        };
        final UnsafeBuffer report = new UnsafeBuffer(new byte[32]);
        report.putLong(16, 5, java.nio.ByteOrder.LITTLE_ENDIAN);
        report.putLong(24, 99, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertTrue(connection.sendPatched(report, 0, 32, 16, SegmentSeqNo.compose(1, 5)));
        assertEquals(SegmentSeqNo.compose(1, 5), sent.getLong(16, java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(99, sent.getLong(24, java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(5, report.getLong(16, java.nio.ByteOrder.LITTLE_ENDIAN), "the egress buffer is left alone");
    }

    private int newOrder(final int instrumentId)
    {
        new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, header).instrumentId(instrumentId).clOrdId(1);
        return orderEntry.segmentOf(buffer, 0, NewOrderEncoder.TEMPLATE_ID);
    }
}
