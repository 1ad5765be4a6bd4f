package io.keel.engine;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AdminResponseEncoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateEncoder;
import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.CancelRejectEncoder;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.MassCancelReportEncoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TradeEncoder;
import io.keel.node.EventEncoder;
import io.keel.node.KeelNode;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No output of the engine is longer than {@link EventEncoder#MAX_OUTPUT_LENGTH}, by construction: messages of a
 * fixed length, and pages of a bounded number of entries. A page that would still hold more than its buffer is not
 * thrown: it is replaced by the same bounded answer on every node (an encoder is all a node has in common).
 */
class OutputLimitTest
{
    private final List<UnsafeBuffer> outputs = new ArrayList<>();
    private final EventEncoder encoder = new EventEncoder(new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
            record(buffer, offset, length);
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
            record(buffer, offset, length);
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            record(buffer, offset, length);
        }
    });
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    private void record(final DirectBuffer buffer, final int offset, final int length)
    {
        assertTrue(length <= EventEncoder.MAX_OUTPUT_LENGTH, "an output of " + length + " bytes");
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, offset, length);
        outputs.add(copy);
    }

    @Test
    void shouldDeriveTheLongestOutputFromTheEgressTerm()
    {
        assertEquals(KeelNode.PUBLICATION_TERM_LENGTH / 8 - 32, EventEncoder.MAX_OUTPUT_LENGTH, "Aeron: term / 8, less the egress header");
        assertTrue(EventEncoder.MAX_BOOK_SNAPSHOT_PAGE_LENGTH <= EventEncoder.MAX_OUTPUT_LENGTH * 2 / 3,
            "a full book page fits with room to spare: " + EventEncoder.MAX_BOOK_SNAPSHOT_PAGE_LENGTH);
        final int[] fixedLengths = {
            ExecutionReportEncoder.BLOCK_LENGTH, CancelRejectEncoder.BLOCK_LENGTH, MassCancelReportEncoder.BLOCK_LENGTH,
            TradeEncoder.BLOCK_LENGTH, BookUpdateEncoder.BLOCK_LENGTH, AdminResponseEncoder.BLOCK_LENGTH,
            BusinessRejectEncoder.BLOCK_LENGTH};
        for (final int blockLength : fixedLengths)
        {
            assertTrue(MessageHeaderEncoder.ENCODED_LENGTH + blockLength <= EventEncoder.MAX_OUTPUT_LENGTH);
        }
    }

    @Test
    void shouldPageTheLargestAccountAnswerWithinTheLongestOutput()
    {
        final Engine engine = new Engine(encoder);
        engine.addInstrument(1, 1, 1, 2, 1, 1, 1_000, 0, 500, 1);
        engine.createAccount(2, 7, 1);
        engine.deposit(3, 7, 2, 1L << 40, 1);
        for (int asset = 3; asset < 300; asset++)
        {
            engine.deposit(3 + asset, 7, asset, 1, 1);
        }
        for (int i = 0; i < 2_000; i++)
        {
            engine.newOrder((1L << 32) | 1, 7, 100 + i, 1, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false,
                SelfTradePrevention.NONE, 1 + i % 900, 1, 0, 1);
        }
        outputs.clear();

        engine.accountStatus((1L << 32) | 1, 7, 55, 1);

        assertTrue(outputs.size() > 10, "many pages: " + outputs.size());
        for (final UnsafeBuffer page : outputs)
        {
            final AccountStatusDecoder status = new AccountStatusDecoder().wrapAndApplyHeader(page, 0, header);
            assertEquals(RejectReason.NONE, status.result());
        }
        assertEquals(0, encoder.replacedOutputs());
    }

    @Test
    void shouldLeaveOutABookPageLongerThanItsBufferOnEveryNode()
    {
        final int tooMany = Engine.BOOK_SNAPSHOT_PAGE_LEVELS + 1;
        encoder.onBookSnapshotBegin(3, 9, 1, 2, tooMany, 5);
        for (int i = 0; i < tooMany; i++)
        {
            encoder.onBookSnapshotLevel(Side.BUY, 1_000 - i, 1, 1);
        }
        encoder.onBookSnapshotEnd(3);

        assertEquals(List.of(), outputs, "left out: a consumer sees the page missing and asks again");
        assertEquals(1, encoder.replacedOutputs());

        encoder.onBookSnapshotBegin(3, 9, 2, 2, 1, 5);
        encoder.onBookSnapshotLevel(Side.SELL, 1_001, 1, 1);
        encoder.onBookSnapshotEnd(3);
        final BookSnapshotDecoder page = new BookSnapshotDecoder().wrapAndApplyHeader(outputs.get(0), 0, header);
        assertEquals(2, page.pageNo());
        assertEquals(1, page.levels().count(), "the next page goes out as usual");
    }

    @Test
    void shouldAnswerAnAccountPageLongerThanItsBufferWithTheSamePageEmptyAndUnavailable()
    {
        final int tooMany = 1_000;
        encoder.onAccountStatusBegin(new AccountPage().set(11, 4, 7, 55, 2, 3, RejectReason.NONE, tooMany, 2, tooMany), 5);
        encoder.onAccountBalance(1, 10, 0);
        encoder.onAccountBalance(2, 20, 0);
        for (int i = 0; i < tooMany; i++)
        {
            encoder.onAccountOrder(null); // not read: the page is replaced
        }
        encoder.onAccountStatusEnd(11, 55);

        assertEquals(1, outputs.size());
        final AccountStatusDecoder status = new AccountStatusDecoder().wrapAndApplyHeader(outputs.get(0), 0, header);
        assertEquals(11, status.sessionId());
        assertEquals(55, status.requestId());
        assertEquals(2, status.pageNo());
        assertEquals(3, status.pageCount());
        assertEquals(RejectReason.UNAVAILABLE, status.result());
        assertEquals(tooMany, status.openOrderCount());
        assertEquals(0, status.balances().count());
        assertEquals(0, status.orders().count());
        assertEquals(1, encoder.replacedOutputs());
    }
}
