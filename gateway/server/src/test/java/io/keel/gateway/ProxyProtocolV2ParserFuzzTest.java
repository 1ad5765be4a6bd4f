package io.keel.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes, cut into any pieces: the PROXY protocol v2 parser never throws, never takes more than a header's bound,
 * and gives the same answer — refused with the same reason, or the same header of the same length naming the same
 * client, or still waiting — whether the bytes come at once or in pieces; and the client it names is one address key
 * for the per-address bounds.
 * <p>
 * {@code mvn test} replays the inputs under {@code ProxyProtocolV2ParserFuzzTestInputs/}; to fuzz:
 * {@code JAZZER_FUZZ=1 mvn test -pl gateway/server -am -Dtest=ProxyProtocolV2ParserFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ProxyProtocolV2ParserFuzzTest
{
    private final ProxyProtocolV2Parser whole = new ProxyProtocolV2Parser();
    private final ProxyProtocolV2Parser pieces = new ProxyProtocolV2Parser();

    @FuzzTest(maxDuration = "5s")
    void anyBytesInAnyPiecesGiveTheSameAnswer(final FuzzedDataProvider data)
    {
        final int firstPiece = data.consumeInt(0, 64);
        final int pieceLength = data.consumeInt(1, 16);
        final byte[] bytes = data.consumeRemainingAsBytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);

        whole.reset();
        final int consumedWhole = whole.onData(buffer, 0, bytes.length);

        pieces.reset();
        int offset = 0;
        int consumedPieces = 0;
        int result = 0;
        int length = Math.min(firstPiece, bytes.length);
        while (result != ProxyProtocolV2Parser.FAILED && !pieces.isComplete() && offset < bytes.length)
        {
            result = pieces.onData(buffer, offset, length);
            assertTrue(result <= length, "never more than it was given");
            if (result != ProxyProtocolV2Parser.FAILED)
            {
                consumedPieces += result;
            }
            offset += length;
            length = Math.min(pieceLength, bytes.length - offset);
        }

        assertEquals(whole.error(), pieces.error());
        assertEquals(whole.isComplete(), pieces.isComplete());
        if (whole.isComplete())
        {
            assertEquals(consumedWhole, consumedPieces);
            assertTrue(consumedWhole <= ProxyProtocolV2Parser.FIXED_LENGTH + ProxyProtocolV2Parser.MAX_ADDRESS_BLOCK_LENGTH);
            assertEquals(whole.describeSource("socket"), pieces.describeSource("socket"));
            assertEquals(whole.command(), pieces.command());
            assertEquals(whole.family(), pieces.family());
            // The per-address bounds count a proxied client by the address its header names: a real address is never
            // NONE (uncounted) and never mistaken for the other family's.
            final long key = AddressKey.of(whole.sourceAddress());
            assertEquals(key, AddressKey.of(pieces.sourceAddress()));
            if (whole.sourceAddress() == null)
            {
                assertEquals(AddressKey.NONE, key);
            }
            else if (whole.sourceAddress() instanceof java.net.Inet4Address)
            {
                assertTrue(key > 0 && key < 1L << 33, "IPv4 key " + key);
            }
            else
            {
                assertTrue(key < 0, "IPv6 key " + key);
            }
        }
        else if (whole.error() == null)
        {
            assertEquals(bytes.length, consumedWhole, "all taken while the header is incomplete");
        }
    }
}
