package io.keel.node;

import io.keel.codecs.CreateAccountEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.StateHashRequestEncoder;
import io.keel.engine.Engine;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one decode from log bytes to an engine call answers in one vocabulary: applied, a node
 * request with its correlation id, or why not.
 */
class CommandDecoderTest
{
    private static final OutputSink DISCARD = new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer b, final int o, final int l)
        {
        }

        public void onMarketData(final int instrumentId, final DirectBuffer b, final int o, final int l)
        {
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer b, final int o, final int l)
        {
        }
    };

    private final Engine engine = new Engine(new EventEncoder(DISCARD));
    private final CommandDecoder decoder = new CommandDecoder(engine);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @Test
    void shouldApplyAnEngineCommand()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH +
            new CreateAccountEncoder().wrapAndApplyHeader(buffer, 0, header).correlationId(1).accountId(7).encodedLength();
        assertEquals(CommandResult.APPLIED, decoder.decode(buffer, 0, length, 10));
        assertTrue(engine.hasAccount(7));
    }

    @Test
    void shouldHandANodeRequestBackWithItsCorrelationId()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH +
            new StateHashRequestEncoder().wrapAndApplyHeader(buffer, 0, header).correlationId(42).encodedLength();
        assertEquals(CommandResult.STATE_HASH_REQUEST, decoder.decode(buffer, 0, length, 10));
        assertEquals(42, decoder.correlationId());
    }

    @Test
    void shouldRefuseWhatCannotBeDecoded()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH +
            new CreateAccountEncoder().wrapAndApplyHeader(buffer, 0, header).correlationId(1).accountId(7).encodedLength();
        assertEquals(CommandResult.INVALID, decoder.decode(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH - 1, 10));
        assertEquals(CommandResult.INVALID, decoder.decode(buffer, 0, length - 1, 10), "shorter than its block");

        header.wrap(buffer, 0).version(MessageHeaderEncoder.SCHEMA_VERSION + 1);
        assertEquals(CommandResult.INVALID, decoder.decode(buffer, 0, length, 10), "a newer schema version");

        header.wrap(buffer, 0).version(MessageHeaderEncoder.SCHEMA_VERSION).templateId(999);
        assertEquals(CommandResult.UNSUPPORTED, decoder.decode(buffer, 0, length, 10), "an unknown template");

        header.wrap(buffer, 0).templateId(CreateAccountEncoder.TEMPLATE_ID).schemaId(MessageHeaderEncoder.SCHEMA_ID + 1);
        assertEquals(CommandResult.UNSUPPORTED, decoder.decode(buffer, 0, length, 10), "another schema");
        assertFalse(engine.hasAccount(7));
    }
}
