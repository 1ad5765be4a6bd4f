package io.keel.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of IP addresses and CIDR blocks, IPv4 and IPv6, such as the proxies allowed to send the PROXY protocol
 * ({@code 127.0.0.1,10.0.0.0/24,fd00::/8}). Literals only: a host name would make every accepted connection depend
 * on DNS. Checked once per accepted connection.
 */
final class AddressBlocks
{
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[][] networks;
    private final int[] prefixLengths;
    private final String text;

    private AddressBlocks(final byte[][] networks, final int[] prefixLengths, final String text)
    {
        this.networks = networks;
        this.prefixLengths = prefixLengths;
        this.text = text;
    }

    /**
     * @param list comma-separated addresses and CIDR blocks.
     * @throws IllegalArgumentException naming the entry that is not an address or block.
     */
    static AddressBlocks parse(final String list)
    {
        final List<byte[]> networks = new ArrayList<>();
        final List<Integer> prefixes = new ArrayList<>();
        for (final String raw : list.split(",", -1))
        {
            final String entry = raw.trim();
            final int slash = entry.indexOf('/');
            final String address = slash < 0 ? entry : entry.substring(0, slash);
            final byte[] bytes = literal(address);
            if (bytes == null)
            {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block");
            }
            final int maxPrefix = bytes.length * 8;
            int prefix = maxPrefix;
            if (slash >= 0)
            {
                final String bits = entry.substring(slash + 1);
                prefix = bits.matches("\\d{1,3}") ? Integer.parseInt(bits) : -1;
                if (prefix < 0 || prefix > maxPrefix)
                {
                    throw new IllegalArgumentException(
                        "'" + entry + "': the prefix length must be in 0.." + maxPrefix);
                }
            }
            networks.add(bytes);
            prefixes.add(prefix);
        }
        return new AddressBlocks(networks.toArray(new byte[0][]),
            prefixes.stream().mapToInt(Integer::intValue).toArray(), list);
    }

    /**
     * @return the address's bytes, or null when it is not an IPv4 or IPv6 literal (never a DNS lookup).
     */
    private static byte[] literal(final String address)
    {
        final boolean ipv4 = IPV4.matcher(address).matches();
        if (!ipv4 && !IPV6.matcher(address).matches())
        {
            return null;
        }
        if (ipv4)
        {
            for (final String part : address.split("\\."))
            {
                if (Integer.parseInt(part) > 255)
                {
                    return null;
                }
            }
        }
        try
        {
            // Literals only reach here, parsed without a lookup; an IPv4-mapped IPv6 address becomes IPv4.
            return InetAddress.getByName(address).getAddress();
        }
        catch (final UnknownHostException | SecurityException ex)
        {
            return null;
        }
    }

    boolean contains(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        for (int i = 0; i < networks.length; i++)
        {
            if (networks[i].length == bytes.length && matches(networks[i], bytes, prefixLengths[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(final byte[] network, final byte[] address, final int prefixLength)
    {
        final int wholeBytes = prefixLength / 8;
        for (int i = 0; i < wholeBytes; i++)
        {
            if (network[i] != address[i])
            {
                return false;
            }
        }
        final int restBits = prefixLength % 8;
        if (restBits == 0)
        {
            return true;
        }
        final int mask = (0xFF << (8 - restBits)) & 0xFF;
        return (network[wholeBytes] & mask) == (address[wholeBytes] & mask);
    }

    public String toString()
    {
        return text;
    }
}
