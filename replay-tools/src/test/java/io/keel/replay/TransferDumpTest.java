package io.keel.replay;

import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferEncoder;
import io.keel.codecs.TransferListEncoder;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStatusEncoder;
import io.keel.codecs.TransferStep;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The dump decodes the transfer messages of schema version 6 (Transfer in the log, its answers in the journal's
 * neighbourhood) field by field, enums by name.
 */
class TransferDumpTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @Test
    void shouldDecodeATransferStepAndItsAnswers()
    {
        final TransferEncoder transfer = new TransferEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(5).transferId(1001).accountId(7).assetId(2).amount(300).step(TransferStep.CREDIT)
            .fromSegment(0).toSegment(1);
        KeelMessages.Decoded decoded = KeelMessages.decode(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + transfer.encodedLength());
        assertNotNull(decoded);
        assertEquals("Transfer", decoded.name());
        assertEquals(new Field("transferId", 1001L), field(decoded.fields(), "transferId"));
        assertEquals("CREDIT", String.valueOf(field(decoded.fields(), "step").value()));
        assertEquals(1L, field(decoded.fields(), "toSegment").value());

        final TransferStatusEncoder status = new TransferStatusEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(5).transferId(1001).step(TransferStep.CREDIT).result(RejectReason.ALREADY_APPLIED)
            .state(TransferState.CREDITED).accountId(7).assetId(2).amount(300).fromSegment(0).toSegment(1)
            .pendingCount(0).transactTime(9);
        decoded = KeelMessages.decode(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + status.encodedLength());
        assertNotNull(decoded);
        assertEquals("ALREADY_APPLIED", String.valueOf(field(decoded.fields(), "result").value()));
        assertEquals("CREDITED", String.valueOf(field(decoded.fields(), "state").value()));

        final TransferListEncoder list = new TransferListEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(6).result(RejectReason.NONE).pendingCount(1).nextTransferId(0).transactTime(9);
        list.transfersCount(1).next().transferId(1002).accountId(7).assetId(2).amount(5).fromSegment(1).toSegment(0);
        decoded = KeelMessages.decode(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + list.encodedLength());
        assertNotNull(decoded);
        assertEquals("TransferList", decoded.name());
        assertEquals(1, ((List<?>)field(decoded.fields(), "transfers").value()).size());
    }

    private static Field field(final List<Field> fields, final String name)
    {
        return fields.stream().filter((f) -> f.name().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
    }
}
