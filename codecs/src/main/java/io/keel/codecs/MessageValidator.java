package io.keel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Checks that one already-delimited SBE message (header plus body, no SOFH) can be decoded without reading outside
 * it: schema id, version, template id, block length, and that every group and var-data field ends inside the
 * message. Use it directly where messages arrive already framed (Aeron); {@link FrameDecoder} uses it for TCP.
 * <p>
 * Every length is checked before it is used, so a valid result means the generated decoder, wrapped over
 * {@link #buffer()}, stays inside the message. Trailing bytes after the last field are accepted: a newer minor
 * encoding may append fields there.
 * <p>
 * Not thread safe; allocation free after construction.
 */
public final class MessageValidator
{
    private static final int MESSAGE_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int GROUP_HEADER_LENGTH = GroupSizeEncodingDecoder.ENCODED_LENGTH;
    private static final int VAR_STRING_HEADER_LENGTH = VarStringEncodingDecoder.varDataEncodingOffset();
    private static final int VAR_STRING_MAX_LENGTH = VarStringEncodingDecoder.lengthMaxValue();

    /**
     * Segment after the root block: a varStringEncoding field. Any other (non-negative) segment value is a repeating
     * group whose entries are flat and at least that many bytes long.
     */
    private static final int VAR_STRING = -1;
    private static final int[] NO_SEGMENTS = new int[0];

    private static final int[] BLOCK_LENGTH_BY_TEMPLATE_ID;
    private static final int[][] SEGMENTS_BY_TEMPLATE_ID;

    static
    {
        // One row per message of the schema, in schema order: template id, root block length, then what follows the
        // root block. Every field of schema version 1 is in version 0, so BLOCK_LENGTH is the minimum for every
        // version we accept; MessageValidatorTest fails when that stops being true.
        final int[][] templates =
        {
            { LogonDecoder.TEMPLATE_ID, LogonDecoder.BLOCK_LENGTH, VAR_STRING, VAR_STRING, VAR_STRING },
            { LogonResponseDecoder.TEMPLATE_ID, LogonResponseDecoder.BLOCK_LENGTH, VAR_STRING },
            { LogoutDecoder.TEMPLATE_ID, LogoutDecoder.BLOCK_LENGTH, VAR_STRING },
            { HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH },
            { ResendRequestDecoder.TEMPLATE_ID, ResendRequestDecoder.BLOCK_LENGTH },
            { SessionRejectDecoder.TEMPLATE_ID, SessionRejectDecoder.BLOCK_LENGTH, VAR_STRING },

            { NewOrderDecoder.TEMPLATE_ID, NewOrderDecoder.BLOCK_LENGTH },
            { CancelOrderDecoder.TEMPLATE_ID, CancelOrderDecoder.BLOCK_LENGTH },
            { ReplaceOrderDecoder.TEMPLATE_ID, ReplaceOrderDecoder.BLOCK_LENGTH },
            { MassCancelDecoder.TEMPLATE_ID, MassCancelDecoder.BLOCK_LENGTH },
            { SessionLostDecoder.TEMPLATE_ID, SessionLostDecoder.BLOCK_LENGTH },
            { OrderStatusRequestDecoder.TEMPLATE_ID, OrderStatusRequestDecoder.BLOCK_LENGTH },
            { AccountRequestDecoder.TEMPLATE_ID, AccountRequestDecoder.BLOCK_LENGTH },

            { ExecutionReportDecoder.TEMPLATE_ID, ExecutionReportDecoder.BLOCK_LENGTH },
            { CancelRejectDecoder.TEMPLATE_ID, CancelRejectDecoder.BLOCK_LENGTH },
            { BusinessRejectDecoder.TEMPLATE_ID, BusinessRejectDecoder.BLOCK_LENGTH },
            { MassCancelReportDecoder.TEMPLATE_ID, MassCancelReportDecoder.BLOCK_LENGTH },
            {
                AccountStatusDecoder.TEMPLATE_ID, AccountStatusDecoder.BLOCK_LENGTH,
                AccountStatusDecoder.BalancesDecoder.sbeBlockLength(), AccountStatusDecoder.OrdersDecoder.sbeBlockLength()
            },

            { BookUpdateDecoder.TEMPLATE_ID, BookUpdateDecoder.BLOCK_LENGTH },
            { TradeDecoder.TEMPLATE_ID, TradeDecoder.BLOCK_LENGTH },
            {
                BookSnapshotDecoder.TEMPLATE_ID, BookSnapshotDecoder.BLOCK_LENGTH,
                BookSnapshotDecoder.LevelsDecoder.sbeBlockLength()
            },
            { MarketDataRequestDecoder.TEMPLATE_ID, MarketDataRequestDecoder.BLOCK_LENGTH },

            { CreateAccountDecoder.TEMPLATE_ID, CreateAccountDecoder.BLOCK_LENGTH },
            { DepositDecoder.TEMPLATE_ID, DepositDecoder.BLOCK_LENGTH },
            { WithdrawDecoder.TEMPLATE_ID, WithdrawDecoder.BLOCK_LENGTH },
            { AddInstrumentDecoder.TEMPLATE_ID, AddInstrumentDecoder.BLOCK_LENGTH },
            { HaltInstrumentDecoder.TEMPLATE_ID, HaltInstrumentDecoder.BLOCK_LENGTH },
            { ResumeInstrumentDecoder.TEMPLATE_ID, ResumeInstrumentDecoder.BLOCK_LENGTH },
            { AdminResponseDecoder.TEMPLATE_ID, AdminResponseDecoder.BLOCK_LENGTH },
            { SnapshotRequestDecoder.TEMPLATE_ID, SnapshotRequestDecoder.BLOCK_LENGTH },
            { StateCheckDecoder.TEMPLATE_ID, StateCheckDecoder.BLOCK_LENGTH },
            { StateHashRequestDecoder.TEMPLATE_ID, StateHashRequestDecoder.BLOCK_LENGTH },

            {
                SnapshotBeginDecoder.TEMPLATE_ID, SnapshotBeginDecoder.BLOCK_LENGTH,
                SnapshotBeginDecoder.NetDepositsDecoder.sbeBlockLength()
            },
            { SnapshotInstrumentDecoder.TEMPLATE_ID, SnapshotInstrumentDecoder.BLOCK_LENGTH },
            {
                SnapshotAccountDecoder.TEMPLATE_ID, SnapshotAccountDecoder.BLOCK_LENGTH,
                SnapshotAccountDecoder.BalancesDecoder.sbeBlockLength()
            },
            {
                SnapshotClOrdIdsDecoder.TEMPLATE_ID, SnapshotClOrdIdsDecoder.BLOCK_LENGTH,
                SnapshotClOrdIdsDecoder.EntriesDecoder.sbeBlockLength()
            },
            { SnapshotOrderDecoder.TEMPLATE_ID, SnapshotOrderDecoder.BLOCK_LENGTH },
            { SnapshotEndDecoder.TEMPLATE_ID, SnapshotEndDecoder.BLOCK_LENGTH },
            { SnapshotServiceDecoder.TEMPLATE_ID, SnapshotServiceDecoder.BLOCK_LENGTH },
            { SnapshotSessionDecoder.TEMPLATE_ID, SnapshotSessionDecoder.BLOCK_LENGTH },
            { SnapshotLimitsDecoder.TEMPLATE_ID, SnapshotLimitsDecoder.BLOCK_LENGTH },

            { SessionOpenDecoder.TEMPLATE_ID, SessionOpenDecoder.BLOCK_LENGTH },
            { SessionCloseDecoder.TEMPLATE_ID, SessionCloseDecoder.BLOCK_LENGTH },
            { SessionReplayDecoder.TEMPLATE_ID, SessionReplayDecoder.BLOCK_LENGTH },
            { SessionStatusDecoder.TEMPLATE_ID, SessionStatusDecoder.BLOCK_LENGTH },
            { ReplayCompleteDecoder.TEMPLATE_ID, ReplayCompleteDecoder.BLOCK_LENGTH },
            { SetLimitsDecoder.TEMPLATE_ID, SetLimitsDecoder.BLOCK_LENGTH },
            { LimitsDecoder.TEMPLATE_ID, LimitsDecoder.BLOCK_LENGTH },
            { PurgeRequestDecoder.TEMPLATE_ID, PurgeRequestDecoder.BLOCK_LENGTH },

            { TransferDecoder.TEMPLATE_ID, TransferDecoder.BLOCK_LENGTH },
            { TransferStatusDecoder.TEMPLATE_ID, TransferStatusDecoder.BLOCK_LENGTH },
            {
                SnapshotTransfersDecoder.TEMPLATE_ID, SnapshotTransfersDecoder.BLOCK_LENGTH,
                SnapshotTransfersDecoder.TransfersDecoder.sbeBlockLength()
            },
            {
                TransferListDecoder.TEMPLATE_ID, TransferListDecoder.BLOCK_LENGTH,
                TransferListDecoder.TransfersDecoder.sbeBlockLength()
            },

            // A DropCopyReport's report follows its block as a message of its own: the block is all SBE knows of.
            { DropCopyRequestDecoder.TEMPLATE_ID, DropCopyRequestDecoder.BLOCK_LENGTH },
            { DropCopyReportDecoder.TEMPLATE_ID, DropCopyReportDecoder.BLOCK_LENGTH },
            { DropCopyBatchEndDecoder.TEMPLATE_ID, DropCopyBatchEndDecoder.BLOCK_LENGTH },
        };

        int maxTemplateId = 0;
        for (final int[] template : templates)
        {
            maxTemplateId = Math.max(maxTemplateId, template[0]);
        }

        BLOCK_LENGTH_BY_TEMPLATE_ID = new int[maxTemplateId + 1];
        SEGMENTS_BY_TEMPLATE_ID = new int[maxTemplateId + 1][];
        Arrays.fill(BLOCK_LENGTH_BY_TEMPLATE_ID, -1);
        Arrays.fill(SEGMENTS_BY_TEMPLATE_ID, NO_SEGMENTS);

        for (final int[] template : templates)
        {
            final int templateId = template[0];
            if (BLOCK_LENGTH_BY_TEMPLATE_ID[templateId] != -1)
            {
                throw new IllegalStateException("duplicate template id " + templateId);
            }

            BLOCK_LENGTH_BY_TEMPLATE_ID[templateId] = template[1];
            if (template.length > 2)
            {
                SEGMENTS_BY_TEMPLATE_ID[templateId] = Arrays.copyOfRange(template, 2, template.length);
            }
        }
    }

    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final GroupSizeEncodingDecoder groupSizeDecoder = new GroupSizeEncodingDecoder();
    private final VarStringEncodingDecoder varStringDecoder = new VarStringEncodingDecoder();

    private int length;
    private int templateId;
    private int blockLength;
    private int version;
    private int decodedLength;
    private long errorDetail;
    private FrameError segmentError = FrameError.NONE;

    /**
     * @param templateId of a message.
     * @return whether the schema has a message with this template id.
     */
    public static boolean isKnownTemplate(final int templateId)
    {
        return templateId >= 0 &&
            templateId < BLOCK_LENGTH_BY_TEMPLATE_ID.length &&
            BLOCK_LENGTH_BY_TEMPLATE_ID[templateId] >= 0;
    }

    /**
     * @param templateId of a message.
     * @return the minimum root block length accepted for it, or -1 if the template is unknown.
     */
    public static int minBlockLength(final int templateId)
    {
        return isKnownTemplate(templateId) ? BLOCK_LENGTH_BY_TEMPLATE_ID[templateId] : -1;
    }

    /**
     * Validate one SBE message occupying exactly {@code [offset, offset + length)} of {@code buffer}.
     *
     * @param buffer holding the message.
     * @param offset of the SBE message header.
     * @param length of the message as delimited by the transport.
     * @return {@link FrameError#NONE} if every field can be decoded inside the message, otherwise the first problem
     * found, with {@link #errorDetail()} set.
     */
    public FrameError validate(final DirectBuffer buffer, final int offset, final int length)
    {
        this.length = length;
        templateId = -1;
        blockLength = 0;
        version = 0;
        decodedLength = 0;
        errorDetail = 0;

        if (length < MESSAGE_HEADER_LENGTH)
        {
            return fail(FrameError.FRAME_TOO_SHORT, length);
        }

        // Everything below reads through a view that ends where the message ends.
        view.wrap(buffer, offset, length);
        headerDecoder.wrap(view, 0);

        final int schemaId = headerDecoder.schemaId();
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            return fail(FrameError.WRONG_SCHEMA_ID, schemaId);
        }

        version = headerDecoder.version();
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return fail(FrameError.UNSUPPORTED_VERSION, version);
        }

        final int templateId = headerDecoder.templateId();
        if (!isKnownTemplate(templateId))
        {
            return fail(FrameError.UNKNOWN_TEMPLATE_ID, templateId);
        }
        this.templateId = templateId;

        blockLength = headerDecoder.blockLength();
        if (blockLength < BLOCK_LENGTH_BY_TEMPLATE_ID[templateId])
        {
            return fail(FrameError.BLOCK_LENGTH_TOO_SHORT, blockLength);
        }

        long limit = MESSAGE_HEADER_LENGTH + blockLength;
        if (limit > length)
        {
            return fail(FrameError.TRUNCATED, limit);
        }

        for (final int segment : SEGMENTS_BY_TEMPLATE_ID[templateId])
        {
            limit = VAR_STRING == segment ? varString((int)limit) : group((int)limit, segment);
            if (limit < 0)
            {
                return segmentError;
            }
        }

        decodedLength = (int)limit;

        return FrameError.NONE;
    }

    /**
     * @return a view of exactly the last message validated, starting at offset 0.
     */
    public DirectBuffer buffer()
    {
        return view;
    }

    /**
     * @return length of the last message validated, as given to {@link #validate(DirectBuffer, int, int)}.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return template id of the last message validated, or -1 if it was not read or not known.
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * @return acting root block length of the last message validated, if it got that far.
     */
    public int blockLength()
    {
        return blockLength;
    }

    /**
     * @return acting version of the last message validated, if it got that far.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return bytes the last valid message's fields occupy, header included; at most {@link #length()}.
     */
    public int decodedLength()
    {
        return decodedLength;
    }

    /**
     * @return the offending value of the last error, as documented on each {@link FrameError}.
     */
    public long errorDetail()
    {
        return errorDetail;
    }

    private long varString(final int limit)
    {
        // The length prefix must be inside the message before it is read.
        final long dataOffset = (long)limit + VAR_STRING_HEADER_LENGTH;
        if (dataOffset > length)
        {
            return failSegment(FrameError.TRUNCATED, dataOffset);
        }

        final int dataLength = varStringDecoder.wrap(view, limit).length();
        if (dataLength > VAR_STRING_MAX_LENGTH)
        {
            return failSegment(FrameError.VAR_DATA_TOO_LONG, dataLength);
        }

        final long end = dataOffset + dataLength;
        if (end > length)
        {
            return failSegment(FrameError.TRUNCATED, end);
        }

        return end;
    }

    private long group(final int limit, final int minEntryBlockLength)
    {
        final long entriesOffset = (long)limit + GROUP_HEADER_LENGTH;
        if (entriesOffset > length)
        {
            return failSegment(FrameError.TRUNCATED, entriesOffset);
        }

        groupSizeDecoder.wrap(view, limit);
        final int entryBlockLength = groupSizeDecoder.blockLength();
        final int count = groupSizeDecoder.numInGroup();
        if (count > 0 && entryBlockLength < minEntryBlockLength)
        {
            return failSegment(FrameError.BLOCK_LENGTH_TOO_SHORT, entryBlockLength);
        }

        // Entries are flat (no nested groups or var data in this schema), so their total length is a product:
        // up to 65535 * 65535, hence long.
        final long end = entriesOffset + (long)count * entryBlockLength;
        if (end > length)
        {
            return failSegment(FrameError.TRUNCATED, end);
        }

        return end;
    }

    private FrameError fail(final FrameError error, final long detail)
    {
        errorDetail = detail;
        return error;
    }

    private long failSegment(final FrameError error, final long detail)
    {
        // Segment walkers return the limit after the segment, or -1 with the error kept here.
        segmentError = error;
        errorDetail = detail;
        return -1;
    }
}
