package io.keel.codecs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronUdpTest
{
    @Test
    void shouldAcceptHostAndPort()
    {
        assertTrue(AeronUdp.isValidEndpoint("127.0.0.1:40123"));
        assertTrue(AeronUdp.isValidEndpoint("trader-7.example.com:1"));
        assertTrue(AeronUdp.isValidEndpoint("[::1]:65535"));
        assertEquals("aeron:udp?endpoint=localhost:9|term-length=65536", AeronUdp.channel("localhost:9"));
    }

    @Test
    void shouldRefuseAnythingThatIsNotHostAndPort()
    {
        for (final String bad : new String[]{
            null, "", "localhost", "localhost:", ":9101", "localhost:0", "localhost:65536", "localhost:123456",
            "localhost:9x", "h:9|term-length=1g", "h|ttl=9:9101", "h?x=1:9", "h,i:9", "h=1:9", "[::1:9", "[zz]:9",
            "-h:9", "a b:9", "h".repeat(200) + ":9"})
        {
            assertFalse(AeronUdp.isValidEndpoint(bad), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> AeronUdp.channel("h:9|ttl=1"));
    }
}
