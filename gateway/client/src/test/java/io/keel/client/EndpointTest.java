package io.keel.client;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code host:port,host:port,...} as {@link KeelClient.Context#endpoints(String)} takes it.
 */
class EndpointTest
{
    @Test
    void shouldParseHostsAddressesAndBracketedIpv6InOrder()
    {
        final Endpoint[] endpoints = Endpoint.parseList("gw1.example:9100, 10.0.0.7:9200,[::1]:9300");
        assertEquals(List.of("gw1.example:9100", "10.0.0.7:9200", "[::1]:9300"),
            Arrays.stream(endpoints).map(Endpoint::toString).toList());
        assertEquals("::1", endpoints[2].host());
        assertEquals(9300, endpoints[2].port());
    }

    @Test
    void shouldRefuseWhatIsNotHostColonPortNamingTheEntry()
    {
        assertRefused("127.0.0.1", "127.0.0.1");
        assertRefused("a:1,,b:2", "''");
        assertRefused("a:x", "a:x");
        assertRefused("a:0", "1..65535");
        assertRefused("::1:9100", "brackets");
        assertRefused("[::1]9100", "[ipv6]:port");
        assertRefused(" ", "empty");
    }

    @Test
    void shouldRefuseTlsOverUdpAndTrustWithoutTlsInConclude()
    {
        final KeelClient.Context udp = new KeelClient.Context().username("u").password("p")
            .transport(Transport.UDP).tls(true);
        assertTrue(assertThrows(IllegalArgumentException.class, udp::conclude).getMessage().contains("TCP only"));
        final KeelClient.Context noTls = new KeelClient.Context().username("u").password("p")
            .trustCertificate(java.nio.file.Path.of("cert.pem"));
        assertTrue(assertThrows(IllegalArgumentException.class, noTls::conclude).getMessage().contains("tls(true)"));
        final KeelClient.Context missing = new KeelClient.Context().username("u").password("p")
            .tls(true).trustCertificate(java.nio.file.Path.of("target/no-such-cert.pem"));
        assertEquals("cannot read trust certificate target/no-such-cert.pem: no such file",
            assertThrows(IllegalArgumentException.class, missing::conclude).getMessage());
    }

    private static void assertRefused(final String list, final String mentioned)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parseList(list));
        assertTrue(ex.getMessage().contains(mentioned), ex.getMessage());
    }
}
