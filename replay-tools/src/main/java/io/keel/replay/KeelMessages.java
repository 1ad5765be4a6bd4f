package io.keel.replay;

import io.keel.codecs.MessageHeaderDecoder;
import uk.co.real_logic.sbe.PrimitiveType;
import uk.co.real_logic.sbe.ir.Encoding;
import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.Signal;
import uk.co.real_logic.sbe.ir.Token;
import uk.co.real_logic.sbe.otf.AbstractTokenListener;
import uk.co.real_logic.sbe.otf.OtfMessageDecoder;
import uk.co.real_logic.sbe.otf.Types;
import uk.co.real_logic.sbe.xml.IrGenerator;
import uk.co.real_logic.sbe.xml.MessageSchema;
import uk.co.real_logic.sbe.xml.ParserOptions;
import uk.co.real_logic.sbe.xml.XmlSchemaParser;
import org.agrona.DirectBuffer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decodes any Keel message field by field from the schema itself ({@code keel-schema.xml} in
 * the codecs jar, read with SBE's on-the-fly decoder), so the dump shows every field of every
 * message, including fields added by later schema versions, without a formatter per message.
 * Cold path: allocates freely.
 */
final class KeelMessages
{
    private static final String SCHEMA_RESOURCE = "keel-schema.xml";
    private static volatile Ir ir;

    /**
     * One decoded message: its name and fields in schema order. A group field's value is a
     * list of entries, each a list of fields.
     */
    record Decoded(String name, List<Field> fields)
    {
    }

    private KeelMessages()
    {
    }

    /**
     * @return the decoded message, or null when it is not a whole Keel message of a known template.
     */
    static Decoded decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return null;
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID ||
            length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength())
        {
            return null;
        }
        final List<Token> tokens = ir().getMessage(header.templateId());
        if (tokens == null)
        {
            return null;
        }
        final Collector collector = new Collector();
        try
        {
            OtfMessageDecoder.decode(
                buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.version(), header.blockLength(), tokens,
                collector);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return null;
        }
        return new Decoded(tokens.get(0).name(), collector.fields());
    }

    private static Ir ir()
    {
        Ir result = ir;
        if (result == null)
        {
            try (InputStream in = KeelMessages.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE))
            {
                if (in == null)
                {
                    throw new IllegalStateException(SCHEMA_RESOURCE + " is not on the classpath");
                }
                final ParserOptions options = ParserOptions.builder().stopOnError(true).suppressOutput(true).build();
                final MessageSchema schema = XmlSchemaParser.parse(in, options);
                result = new IrGenerator().generate(schema);
                ir = result;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("cannot read the Keel schema: " + ex.getMessage(), ex);
            }
        }
        return result;
    }

    /**
     * Hash values (state hashes, output hash chains) are bit patterns, not quantities: shown in hex everywhere.
     */
    static boolean isHash(final String fieldName)
    {
        return fieldName.equals("chainValue") || fieldName.endsWith("Hash");
    }

    /**
     * Builds the field list as the decoder walks the message.
     */
    private static final class Collector extends AbstractTokenListener
    {
        private final Deque<List<Field>> stack = new ArrayDeque<>();

        Collector()
        {
            stack.push(new ArrayList<>());
        }

        List<Field> fields()
        {
            return stack.getLast();
        }

        public void onEncoding(
            final Token fieldToken, final DirectBuffer buffer, final int index, final Token typeToken, final int actingVersion)
        {
            final Encoding encoding = typeToken.encoding();
            final Object value;
            if (fieldToken.isConstantEncoding())
            {
                value = encoding.constValue().toString();
            }
            else if (encoding.primitiveType() == PrimitiveType.CHAR && typeToken.arrayLength() > 1)
            {
                final byte[] bytes = new byte[typeToken.arrayLength()];
                buffer.getBytes(index, bytes);
                int end = 0;
                while (end < bytes.length && bytes[end] != 0)
                {
                    end++;
                }
                value = new String(bytes, 0, end, StandardCharsets.US_ASCII);
            }
            else if (encoding.primitiveType() == PrimitiveType.FLOAT || encoding.primitiveType() == PrimitiveType.DOUBLE)
            {
                final StringBuilder sb = new StringBuilder();
                Types.appendAsString(sb, buffer, index, encoding);
                value = sb.toString();
            }
            else if (encoding.primitiveType() == PrimitiveType.INT64 &&
                buffer.getLong(index, encoding.byteOrder()) == Long.MIN_VALUE)
            {
                value = "none"; // SBE's int64 null: "no price", "no clOrdId used yet"
            }
            else if (isHash(fieldToken.name()))
            {
                value = Long.toHexString(Types.getLong(buffer, index, encoding)); // as every other hash Keel prints
            }
            else if (encoding.primitiveType() == PrimitiveType.UINT64)
            {
                value = Long.toUnsignedString(buffer.getLong(index, encoding.byteOrder()));
            }
            else
            {
                value = Types.getLong(buffer, index, encoding);
            }
            stack.peek().add(new Field(fieldToken.name(), value));
        }

        public void onEnum(
            final Token fieldToken,
            final DirectBuffer buffer,
            final int bufferIndex,
            final List<Token> tokens,
            final int fromIndex,
            final int toIndex,
            final int actingVersion)
        {
            final Token typeToken = tokens.get(fromIndex + 1);
            final long raw = fieldToken.isConstantEncoding() ?
                typeToken.encoding().constValue().longValue() : Types.getLong(buffer, bufferIndex, typeToken.encoding());
            String name = null;
            for (int i = fromIndex + 1; i < toIndex; i++)
            {
                final Token token = tokens.get(i);
                if (token.signal() == Signal.VALID_VALUE && token.encoding().constValue().longValue() == raw)
                {
                    name = token.name();
                    break;
                }
            }
            stack.peek().add(new Field(fieldToken.name(), name != null ? name : "UNKNOWN(" + raw + ")"));
        }

        public void onBitSet(
            final Token fieldToken,
            final DirectBuffer buffer,
            final int bufferIndex,
            final List<Token> tokens,
            final int fromIndex,
            final int toIndex,
            final int actingVersion)
        {
            final long raw = Types.getLong(buffer, bufferIndex, tokens.get(fromIndex + 1).encoding());
            final List<String> choices = new ArrayList<>();
            for (int i = fromIndex + 1; i < toIndex; i++)
            {
                final Token token = tokens.get(i);
                if (token.signal() == Signal.CHOICE && (raw & (1L << token.encoding().constValue().longValue())) != 0)
                {
                    choices.add(token.name());
                }
            }
            stack.peek().add(new Field(fieldToken.name(), choices));
        }

        public void onBeginGroup(final Token token, final int groupIndex, final int numInGroup)
        {
            stack.push(new ArrayList<>());
        }

        @SuppressWarnings("unchecked")
        public void onEndGroup(final Token token, final int groupIndex, final int numInGroup)
        {
            final List<Field> entry = stack.pop();
            final List<Field> parent = stack.peek();
            ((List<List<Field>>)parent.get(parent.size() - 1).value()).add(entry);
        }

        public void onGroupHeader(final Token token, final int numInGroup)
        {
            stack.peek().add(new Field(token.name(), new ArrayList<List<Field>>()));
        }

        public void onVarData(
            final Token fieldToken, final DirectBuffer buffer, final int bufferIndex, final int length, final Token typeToken)
        {
            stack.peek().add(new Field(fieldToken.name(), buffer.getStringWithoutLengthUtf8(bufferIndex, length)));
        }
    }
}
