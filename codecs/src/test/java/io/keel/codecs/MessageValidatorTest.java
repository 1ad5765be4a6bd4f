package io.keel.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks Aeron-delimited messages get (no SOFH): one test per {@link FrameError} a message can have, and
 * cross-checks of the validator's tables against the schema and the generated decoders.
 */
class MessageValidatorTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int OFFSET = 16;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256 * 1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageValidator validator = new MessageValidator();

    static List<MessageSamples.Sample<?, ?>> samples()
    {
        return MessageSamples.ALL;
    }

    @Test
    void shouldKnowExactlyTheTemplatesOfTheSchema()
    {
        final Set<Integer> schemaTemplateIds = Schema.load().messageNameByTemplateId.keySet();
        for (int templateId = -1; templateId <= 0xFFFF + 1; templateId++)
        {
            assertEquals(
                schemaTemplateIds.contains(templateId),
                MessageValidator.isKnownTemplate(templateId),
                "template id " + templateId);
        }
    }

    @Test
    void shouldDescribeTheSchemaThisCodeWasGeneratedFrom()
    {
        final Schema schema = Schema.load();
        assertEquals(schema.id, MessageHeaderDecoder.SCHEMA_ID);
        assertEquals(schema.version, MessageHeaderDecoder.SCHEMA_VERSION);
    }

    @Test
    void shouldHaveNoFieldAddedAfterVersionZero() throws Exception
    {
        // MessageValidator takes BLOCK_LENGTH as the minimum for every accepted version and expects every group and
        // var-data field to be present. Once a field carries sinceVersion > 0, an older message is legitimately
        // shorter: teach MessageValidator the older layouts, then change this test.
        final List<String> laterFields = new ArrayList<>();
        for (final MessageSamples.Sample<?, ?> sample : MessageSamples.ALL)
        {
            final Class<?> decoderClass = Class.forName("io.keel.codecs." + sample.name() + "Decoder");
            collectLaterFields(decoderClass, laterFields);
            for (final Class<?> groupClass : decoderClass.getDeclaredClasses())
            {
                collectLaterFields(groupClass, laterFields);
            }
        }

        // Version 3 added fields to two messages only the cluster sends (AccountStatus.seqNo, BookSnapshot's pages):
        // gateways and clients of version 3 read them from version 3 nodes only, so the validator asks for the
        // whole version 3 block. It also added the idempotency horizon, bound and entry times to SnapshotClOrdIds,
        // which only a node's SnapshotLoader reads (older snapshots through the decoder's acting version, never
        // through the validator). Version 6 added LogonResponse.segments, which only a client reads from its gateway
        // (and a UDP client validates): upgrade the gateways before the clients, as README "Market segments" says;
        // a client reads a null (older gateway) as one segment. Any other later field needs the older layouts taught
        // first.
        assertEquals(List.of(
            "LogonResponseDecoder.segmentsSinceVersion",
            "AccountStatusDecoder.seqNoSinceVersion",
            "BookSnapshotDecoder.pageNoSinceVersion",
            "BookSnapshotDecoder.pageCountSinceVersion",
            "SnapshotClOrdIdsDecoder.horizonSinceVersion",
            "SnapshotClOrdIdsDecoder.maxEntriesSinceVersion",
            "EntriesDecoder.timeSinceVersion"), laterFields);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldAcceptEveryTemplateAndWalkItAsTheGeneratedDecoderDoes(final MessageSamples.Sample<?, ?> sample)
    {
        for (long seed = 0; seed < 50; seed++)
        {
            final int length = sample.encode(buffer, OFFSET, seed);

            assertEquals(FrameError.NONE, validator.validate(buffer, OFFSET, length), sample + " seed " + seed);
            assertEquals(sample.templateId(), validator.templateId());
            assertEquals(sample.blockLength(), validator.blockLength());
            assertEquals(MessageHeaderDecoder.SCHEMA_VERSION, validator.version());
            assertEquals(length, validator.decodedLength());
            assertEquals(sample.sbeDecodedLength(buffer, OFFSET), validator.decodedLength());
            assertEquals(sample.blockLength(), MessageValidator.minBlockLength(sample.templateId()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldRejectEveryTruncationOfEveryTemplate(final MessageSamples.Sample<?, ?> sample)
    {
        for (long seed = 0; seed < 10; seed++)
        {
            final int length = sample.encode(buffer, OFFSET, seed);
            for (int cut = 0; cut < length; cut++)
            {
                final FrameError error = validator.validate(buffer, OFFSET, cut);
                final FrameError expected = cut < HEADER ? FrameError.FRAME_TOO_SHORT : FrameError.TRUNCATED;
                assertEquals(expected, error, sample + " seed " + seed + " cut to " + cut + " of " + length);
                assertTrue(
                    cut < HEADER ? validator.errorDetail() == cut : validator.errorDetail() > cut,
                    "detail " + validator.errorDetail() + " for cut " + cut);
            }
        }
    }

    @Test
    void shouldAcceptTrailingBytesAfterTheLastField()
    {
        final int length = MessageSamples.byTemplateId(LogonDecoder.TEMPLATE_ID).encode(buffer, OFFSET, 1);

        assertEquals(FrameError.NONE, validator.validate(buffer, OFFSET, length + 10));
        assertEquals(length, validator.decodedLength());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 7 })
    void shouldRejectMessageShorterThanItsHeader(final int length)
    {
        assertRejected(length, FrameError.FRAME_TOO_SHORT, length);
    }

    @Test
    void shouldRejectWrongSchemaId()
    {
        final int length = encode(NewOrderDecoder.TEMPLATE_ID);
        headerEncoder.wrap(buffer, OFFSET).schemaId(7012);

        assertRejected(length, FrameError.WRONG_SCHEMA_ID, 7012);
    }

    @ParameterizedTest
    @ValueSource(ints = { MessageHeaderDecoder.SCHEMA_VERSION + 1, 0xFFFF })
    void shouldRejectNewerVersion(final int version)
    {
        final int length = encode(NewOrderDecoder.TEMPLATE_ID);
        headerEncoder.wrap(buffer, OFFSET).version(version);

        assertRejected(length, FrameError.UNSUPPORTED_VERSION, version);
    }

    @Test
    void shouldAcceptOlderVersion()
    {
        final int length = encode(LogonDecoder.TEMPLATE_ID);
        headerEncoder.wrap(buffer, OFFSET).version(MessageHeaderDecoder.SCHEMA_VERSION - 1);

        assertEquals(FrameError.NONE, validator.validate(buffer, OFFSET, length));
        assertEquals(MessageHeaderDecoder.SCHEMA_VERSION - 1, validator.version());
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 7, 9, 19, 59, 65, 72, 1000, 0xFFFF })
    void shouldRejectUnknownTemplateId(final int templateId)
    {
        final int length = encode(NewOrderDecoder.TEMPLATE_ID);
        headerEncoder.wrap(buffer, OFFSET).templateId(templateId);

        assertRejected(length, FrameError.UNKNOWN_TEMPLATE_ID, templateId);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldRejectBlockLengthShorterThanTemplate(final MessageSamples.Sample<?, ?> sample)
    {
        final int length = sample.encode(buffer, OFFSET, 1);
        final int shorter = sample.blockLength() - 1;
        headerEncoder.wrap(buffer, OFFSET).blockLength(shorter);

        assertRejected(length, FrameError.BLOCK_LENGTH_TOO_SHORT, shorter);
    }

    @Test
    void shouldAcceptLongerBlockLengthAndReadVarDataAfterIt()
    {
        // A newer minor encoding may append fields to the root block; var data then starts after the longer block.
        final int extra = 5;
        final long seed = 3;
        final MessageSamples.Sample<?, ?> logon = MessageSamples.byTemplateId(LogonDecoder.TEMPLATE_ID);
        final int length = logon.encode(buffer, OFFSET, seed);
        final int blockEnd = OFFSET + HEADER + LogonDecoder.BLOCK_LENGTH;
        buffer.putBytes(blockEnd + extra, buffer, blockEnd, OFFSET + length - blockEnd);
        buffer.setMemory(blockEnd, extra, (byte)0x5A);
        headerEncoder.wrap(buffer, OFFSET).blockLength(LogonDecoder.BLOCK_LENGTH + extra);

        assertEquals(FrameError.NONE, validator.validate(buffer, OFFSET, length + extra));
        assertEquals(length + extra, validator.decodedLength());
        assertEquals(length + extra, logon.sbeDecodedLength(buffer, OFFSET));

        final LogonDecoder decoder = new LogonDecoder().wrapAndApplyHeader(buffer, OFFSET, new MessageHeaderDecoder());
        final Values values = new Values(seed);
        assertEquals(values.uint32(), decoder.heartbeatIntervalMs());
        values.pick(BooleanType.values());
        values.int64();
        assertEquals(values.text(), decoder.username());
        assertEquals(values.text(), decoder.password());
    }

    @Test
    void shouldRejectRootBlockRunningPastTheEnd()
    {
        final int length = encode(NewOrderDecoder.TEMPLATE_ID);

        assertRejected(length - 1, FrameError.TRUNCATED, length);
    }

    @Test
    void shouldRejectBlockLengthClaimingMoreThanTheMessageHolds()
    {
        final int length = encode(HeartbeatDecoder.TEMPLATE_ID);
        headerEncoder.wrap(buffer, OFFSET).blockLength(0xFFFF);

        assertRejected(length, FrameError.TRUNCATED, HEADER + 0xFFFF);
    }

    @Test
    void shouldRejectVarDataLengthRunningPastTheEnd()
    {
        final int length = encodeLogon("user", "");
        final int usernameOffset = OFFSET + HEADER + LogonDecoder.BLOCK_LENGTH;
        buffer.putShort(usernameOffset, (short)100, LogonDecoder.BYTE_ORDER);

        assertRejected(length, FrameError.TRUNCATED, HEADER + LogonDecoder.BLOCK_LENGTH + 2 + 100);
    }

    @Test
    void shouldRejectVarDataLengthPrefixCutInHalf()
    {
        final int length = encodeLogon("user", "");

        assertRejected(length - 1, FrameError.TRUNCATED, length);
    }

    @Test
    void shouldRejectVarDataLongerThanSchemaMaximum()
    {
        final int tooLong = VarStringEncodingDecoder.lengthMaxValue() + 1;
        final int length = encodeLogon("", "");
        final int passwordOffset = OFFSET + length - 4;
        buffer.putShort(passwordOffset, (short)tooLong, LogonDecoder.BYTE_ORDER);

        // The bytes are there: it is the declared length itself that breaks the schema.
        assertRejected(length + tooLong, FrameError.VAR_DATA_TOO_LONG, tooLong);
    }

    @Test
    void shouldRejectGroupRunningPastTheEnd()
    {
        final int length = encodeBookSnapshot(3);
        final int groupHeaderOffset = OFFSET + HEADER + BookSnapshotDecoder.BLOCK_LENGTH;
        buffer.putShort(groupHeaderOffset + 2, (short)4, BookSnapshotDecoder.BYTE_ORDER);

        assertRejected(length, FrameError.TRUNCATED, length + BookSnapshotDecoder.LevelsDecoder.sbeBlockLength());
    }

    @Test
    void shouldRejectHostileGroupDimensionsWithoutOverflow()
    {
        final int length = encodeBookSnapshot(1);
        final int groupHeaderOffset = OFFSET + HEADER + BookSnapshotDecoder.BLOCK_LENGTH;
        buffer.putShort(groupHeaderOffset, (short)0xFFFF, BookSnapshotDecoder.BYTE_ORDER);
        buffer.putShort(groupHeaderOffset + 2, (short)0xFFFF, BookSnapshotDecoder.BYTE_ORDER);

        assertRejected(
            length,
            FrameError.TRUNCATED,
            HEADER + BookSnapshotDecoder.BLOCK_LENGTH + 4 + 0xFFFFL * 0xFFFFL);
    }

    @Test
    void shouldRejectGroupEntriesShorterThanSchema()
    {
        final int length = encodeBookSnapshot(2);
        final int groupHeaderOffset = OFFSET + HEADER + BookSnapshotDecoder.BLOCK_LENGTH;
        final int shorter = BookSnapshotDecoder.LevelsDecoder.sbeBlockLength() - 1;
        buffer.putShort(groupHeaderOffset, (short)shorter, BookSnapshotDecoder.BYTE_ORDER);

        assertRejected(length, FrameError.BLOCK_LENGTH_TOO_SHORT, shorter);
    }

    @Test
    void shouldNotReadPastTheMessageEvenWhenTheBufferGoesOn()
    {
        final int length = encodeLogon("user", "secret");
        final int cut = length - 3;

        // The bytes after the cut are still in the buffer, but are not part of the message. The cut falls in the
        // password, which would end before the (empty) response channel's 2-byte length.
        assertRejected(cut, FrameError.TRUNCATED, length - 2);
        assertEquals(cut, validator.buffer().capacity());
    }

    private void assertRejected(final int length, final FrameError error, final long detail)
    {
        assertEquals(error, validator.validate(buffer, OFFSET, length));
        assertEquals(detail, validator.errorDetail(), "detail");
    }

    private int encode(final int templateId)
    {
        return MessageSamples.byTemplateId(templateId).encode(buffer, OFFSET, 1);
    }

    private int encodeLogon(final String username, final String password)
    {
        return HEADER + new LogonEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .heartbeatIntervalMs(1000)
            .cancelOnDisconnect(BooleanType.TRUE)
            .nextExpectedSeqNo(1)
            .username(username)
            .password(password)
            .responseChannel("")
            .encodedLength();
    }

    private int encodeBookSnapshot(final int levels)
    {
        final BookSnapshotEncoder encoder = new BookSnapshotEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .instrumentId(1)
            .mdSeqNo(2)
            .transactTime(3);
        final BookSnapshotEncoder.LevelsEncoder levelsEncoder = encoder.levelsCount(levels);
        for (int i = 0; i < levels; i++)
        {
            levelsEncoder.next().side(Side.BUY).price(100 - i).quantity(10).orderCount(1);
        }

        return HEADER + encoder.encodedLength();
    }

    private static void collectLaterFields(final Class<?> codecClass, final List<String> laterFields) throws Exception
    {
        for (final Method method : codecClass.getDeclaredMethods())
        {
            if (Modifier.isStatic(method.getModifiers()) &&
                method.getName().endsWith("SinceVersion") &&
                0 == method.getParameterCount() &&
                0 != (int)method.invoke(null))
            {
                laterFields.add(codecClass.getSimpleName() + "." + method.getName());
            }
        }
    }
}
