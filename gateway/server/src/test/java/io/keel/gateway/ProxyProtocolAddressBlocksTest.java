package io.keel.gateway;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.InetAddress;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --proxy-protocol}'s list of proxies: addresses and CIDR blocks, IPv4 and IPv6, literals only, and a bad
 * entry named when the gateway's configuration is concluded.
 */
class ProxyProtocolAddressBlocksTest
{
    @Test
    void shouldMatchAddressesAndBlocks() throws Exception
    {
        final AddressBlocks blocks = AddressBlocks.parse("127.0.0.1, 10.1.0.0/16,192.168.7.128/25,fd00::/8,::1");
        assertTrue(blocks.contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(blocks.contains(InetAddress.getByName("127.0.0.2")));
        assertTrue(blocks.contains(InetAddress.getByName("10.1.255.3")));
        assertFalse(blocks.contains(InetAddress.getByName("10.2.0.1")));
        assertTrue(blocks.contains(InetAddress.getByName("192.168.7.200")));
        assertFalse(blocks.contains(InetAddress.getByName("192.168.7.127")));
        assertTrue(blocks.contains(InetAddress.getByName("fd12:3456::1")));
        assertFalse(blocks.contains(InetAddress.getByName("fe80::1")));
        assertTrue(blocks.contains(InetAddress.getByName("::1")));
        assertFalse(blocks.contains(InetAddress.getByName("::2")));
    }

    @Test
    void shouldMatchEverythingOfAFamilyWithPrefixZero() throws Exception
    {
        final AddressBlocks blocks = AddressBlocks.parse("0.0.0.0/0");
        assertTrue(blocks.contains(InetAddress.getByName("203.0.113.7")));
        assertFalse(blocks.contains(InetAddress.getByName("2001:db8::1")), "an IPv4 block never holds an IPv6 address");
    }

    @Test
    void shouldTakeAnIpv4MappedAddressAsIpv4() throws Exception
    {
        assertTrue(AddressBlocks.parse("::ffff:127.0.0.1").contains(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void shouldRefuseWhatIsNotALiteralOrBlock()
    {
        assertEquals("'localhost' is not an IP address or CIDR block",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("localhost")).getMessage());
        assertEquals("'256.0.0.1' is not an IP address or CIDR block",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("256.0.0.1")).getMessage());
        assertEquals("'' is not an IP address or CIDR block",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("127.0.0.1,")).getMessage());
        assertEquals("'10.0.0.0/33': the prefix length must be in 0..32",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("10.0.0.0/33")).getMessage());
        assertEquals("'::/129': the prefix length must be in 0..128",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("::/129")).getMessage());
        assertEquals("'10.0.0.0/x': the prefix length must be in 0..32",
            assertThrows(IllegalArgumentException.class, () -> AddressBlocks.parse("10.0.0.0/x")).getMessage());
    }

    @Test
    void shouldBeOffByDefaultAndNameTheOptionWhenBad()
    {
        final GatewayContext off = context();
        off.conclude();
        assertNull(off.proxyProtocolSources());

        final GatewayContext on = context().proxyProtocolFrom("127.0.0.1,10.0.0.0/24");
        on.conclude();
        assertEquals("127.0.0.1,10.0.0.0/24", on.proxyProtocolSources().toString());

        assertEquals("--proxy-protocol: 'haproxy.local' is not an IP address or CIDR block",
            assertThrows(IllegalArgumentException.class,
                () -> context().proxyProtocolFrom("haproxy.local").conclude()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> context().proxyProtocolFrom(" ").conclude()).getMessage().startsWith("--proxy-protocol needs"));
    }

    @Test
    void shouldOfferTheOptionInKeelGateway()
    {
        final String help = new CommandLine(new GatewayMain()).getUsageMessage();
        assertTrue(help.contains("--proxy-protocol=ADDR[,ADDR...]"), help);
        final GatewayMain main = new GatewayMain();
        new CommandLine(main).parseArgs();
        assertNull(main.proxyProtocol, "off by default");
        new CommandLine(main).parseArgs("--proxy-protocol", "10.0.0.0/24,::1");
        assertEquals("10.0.0.0/24,::1", main.proxyProtocol);
    }

    private static GatewayContext context()
    {
        // conclude() checks the users file exists: this test file will do.
        return new GatewayContext().clusterEndpoints("0=localhost:9001")
            .credentialsFile(Path.of("src/test/java/io/keel/gateway/ProxyProtocolAddressBlocksTest.java"));
    }
}
