package io.keel.common;

import io.keel.codecs.SegmentSeqNo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentMapTest
{
    private static final String TWO = String.join("\n",
        "version=3", "segments=2",
        "segment.0.hosts=localhost,localhost,localhost", "segment.0.base-port=9000", "segment.0.instruments=1-99",
        "segment.1.base-port=9100", "segment.1.instruments=100-199, 250");

    @Test
    void routesEveryInstrumentToItsSegmentAndTheUnnamedToSegmentZero()
    {
        final SegmentMap map = SegmentMap.parse(TWO);
        assertEquals(3, map.version());
        assertEquals(2, map.segmentCount());
        assertEquals(0, map.segmentOf(1));
        assertEquals(0, map.segmentOf(99));
        assertEquals(1, map.segmentOf(100));
        assertEquals(1, map.segmentOf(199));
        assertEquals(1, map.segmentOf(250));
        assertEquals(0, map.segmentOf(200));
        assertFalse(map.isMapped(200));
        assertTrue(map.isMapped(250));
        assertEquals("0=localhost:9001,1=localhost:9011,2=localhost:9021", map.segment(0).ingressEndpoints());
        assertEquals("0=localhost:9101", map.segment(1).ingressEndpoints());
    }

    @Test
    void theWildcardSegmentTakesWhatNobodyNames()
    {
        final SegmentMap map = SegmentMap.parse(
            "version=1\nsegments=2\nsegment.0.base-port=9000\nsegment.0.instruments=5\n" +
            "segment.1.base-port=9100\nsegment.1.instruments=*");
        assertEquals(0, map.segmentOf(5));
        assertEquals(1, map.segmentOf(6));
        assertTrue(map.isMapped(6));
        final SegmentMap single = SegmentMap.single(List.of("localhost"), 9000);
        assertEquals(1, single.segmentCount());
        assertEquals(0, single.segmentOf(12345));
    }

    @Test
    void refusesMapsThatCannotBeRoutedWithTheReason()
    {
        assertMessage("overlap", TWO.replace("100-199", "90-199"));
        assertMessage("segment.1.instruments is missing", TWO.replace("segment.1.instruments=100-199, 250", ""));
        assertMessage("unknown key segment.2.hosts", TWO + "\nsegment.2.hosts=x");
        assertMessage("version is missing", TWO.replace("version=3", ""));
        assertMessage("is not an instrument id", TWO.replace("100-199", "199-100"));
        assertMessage("both say instruments=*", TWO.replace("1-99", "*").replace("100-199, 250", "*"));
        assertMessage("no segment 2", null);
    }

    private static void assertMessage(final String expected, final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> System.out.println(text == null ? SegmentMap.parse(TWO).segment(2) : SegmentMap.parse(text)));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    @Test
    void aSeqNoCarriesItsSegmentAndSegmentZeroIsTheEnginesOwn()
    {
        assertEquals(17, SegmentSeqNo.compose(0, 17));
        final long composed = SegmentSeqNo.compose(3, 17);
        assertEquals(3, SegmentSeqNo.segment(composed));
        assertEquals(17, SegmentSeqNo.sequence(composed));
        assertTrue(SegmentSeqNo.compose(SegmentSeqNo.MAX_SEGMENT, SegmentSeqNo.SEQUENCE_MASK) > 0);
        assertEquals(0, SegmentSeqNo.compose(5, 0));
    }
}
