package io.keel.common;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AccountStatusEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SegmentSeqNo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccountStatusPrinterTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);

    @Test
    void shouldPrintOneSegmentAsBefore()
    {
        final AccountStatusPrinter printer = new AccountStatusPrinter(out);
        assertTrue(printer.onPage(page(7, 1, 1, 500)));
        assertEquals("account 9 open-orders=0\nbalance asset=2 available=500 reserved=0\n", text());
        assertEquals(RejectReason.NONE, printer.result());
    }

    @Test
    void shouldWaitForEverySegmentsAnswerAndNameTheSegmentOnEachLine()
    {
        final AccountStatusPrinter printer = new AccountStatusPrinter(out, 2);
        assertFalse(printer.onPage(page(SegmentSeqNo.compose(1, 4), 1, 2, 300)));
        assertFalse(printer.onPage(page(SegmentSeqNo.compose(1, 5), 2, 2, 301)));
        assertFalse(printer.isComplete(), "segment 0 has not answered");
        assertTrue(printer.onPage(page(SegmentSeqNo.compose(0, 12), 1, 1, 700)));
        assertTrue(printer.isComplete());
        assertEquals("segment=1 account 9 open-orders=0\n" +
            "segment=1 balance asset=2 available=300 reserved=0\n" +
            "segment=1 balance asset=2 available=301 reserved=0\n" +
            "segment=0 account 9 open-orders=0\n" +
            "segment=0 balance asset=2 available=700 reserved=0\n", text());
    }

    private String text()
    {
        return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    private AccountStatusDecoder page(final long seqNo, final int pageNo, final int pageCount, final long available)
    {
        final AccountStatusEncoder encoder = new AccountStatusEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sessionId(1).accountId(9).requestId(3).pageNo(pageNo).pageCount(pageCount).result(RejectReason.NONE)
            .openOrderCount(0).transactTime(0).seqNo(seqNo);
        encoder.balancesCount(1).next().assetId(2).available(available).reserved(0);
        encoder.ordersCount(0);
        return new AccountStatusDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
    }
}
