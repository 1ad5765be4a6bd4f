package io.keel.gateway;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogoutDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageValidator;
import io.keel.codecs.SessionRejectDecoder;
import io.keel.codecs.SnapshotAccountDecoder;
import io.keel.codecs.SnapshotBeginDecoder;
import io.keel.codecs.SnapshotClOrdIdsDecoder;
import io.keel.codecs.VarStringEncodingDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What the gateway asks of a client's message beyond {@link MessageValidator} (which, for the sake of newer minor
 * versions, accepts a longer block and trailing bytes): exactly its template's block length and nothing after its last
 * field. A client speaks this schema's version or an older one, whose blocks are no shorter (the validator checks
 * that), so anything longer is not a newer encoding but bytes the gateway would otherwise carry into the cluster.
 * <p>
 * Allocates only to describe a message it refuses.
 */
final class MessageBounds
{
    /** Templates with a repeating group: never a client's to send (refused as unsupported), so not walked here. */
    private static final int NOT_WALKED = -1;
    private static final int VAR_STRING_HEADER_LENGTH = VarStringEncodingDecoder.varDataEncodingOffset();
    private static final int[] VAR_STRINGS_BY_TEMPLATE_ID = new int[256];

    static
    {
        Arrays.fill(VAR_STRINGS_BY_TEMPLATE_ID, 0);
        VAR_STRINGS_BY_TEMPLATE_ID[LogonDecoder.TEMPLATE_ID] = 3;
        VAR_STRINGS_BY_TEMPLATE_ID[LogonResponseDecoder.TEMPLATE_ID] = 1;
        VAR_STRINGS_BY_TEMPLATE_ID[LogoutDecoder.TEMPLATE_ID] = 1;
        VAR_STRINGS_BY_TEMPLATE_ID[SessionRejectDecoder.TEMPLATE_ID] = 1;
        VAR_STRINGS_BY_TEMPLATE_ID[AccountStatusDecoder.TEMPLATE_ID] = NOT_WALKED;
        VAR_STRINGS_BY_TEMPLATE_ID[BookSnapshotDecoder.TEMPLATE_ID] = NOT_WALKED;
        VAR_STRINGS_BY_TEMPLATE_ID[SnapshotBeginDecoder.TEMPLATE_ID] = NOT_WALKED;
        VAR_STRINGS_BY_TEMPLATE_ID[SnapshotAccountDecoder.TEMPLATE_ID] = NOT_WALKED;
        VAR_STRINGS_BY_TEMPLATE_ID[SnapshotClOrdIdsDecoder.TEMPLATE_ID] = NOT_WALKED;
    }

    private MessageBounds()
    {
    }

    /**
     * @param buffer   a message {@link MessageValidator} accepted, at {@code offset}, {@code length} bytes long.
     * @return null when the message is exactly its template's size, else what is wrong with it.
     */
    static String check(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        final int blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int expected = MessageValidator.minBlockLength(templateId);
        if (blockLength != expected)
        {
            return "BLOCK_LENGTH " + blockLength + " where template " + templateId + " has " + expected;
        }
        final int varStrings = templateId < VAR_STRINGS_BY_TEMPLATE_ID.length ?
            VAR_STRINGS_BY_TEMPLATE_ID[templateId] : NOT_WALKED;
        if (varStrings == NOT_WALKED)
        {
            return null;
        }
        // The validator has checked that every length prefix and string lies inside the message.
        int end = MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        for (int i = 0; i < varStrings; i++)
        {
            end += VAR_STRING_HEADER_LENGTH + (buffer.getShort(offset + end, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        }
        return end == length ? null : "TRAILING_BYTES " + (length - end) + " after template " + templateId + "'s fields";
    }
}
