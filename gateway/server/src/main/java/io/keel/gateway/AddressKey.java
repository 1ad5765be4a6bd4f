package io.keel.gateway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A client address as one {@code long}, the key of every per-address bound: an IPv4 address exactly, an IPv6 address
 * as a 64-bit hash of its 16 bytes (two addresses sharing a hash share a budget: a collision costs fairness, never
 * safety).
 */
final class AddressKey
{
    /** No address known (a UNIX-socket client behind a proxy): counted apart from every real address. */
    static final long NONE = 0;
    private static final long IPV4_TAG = 1L << 32;

    private AddressKey()
    {
    }

    static long of(final InetAddress address)
    {
        if (address == null)
        {
            return NONE;
        }
        final byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return IPV4_TAG | (((bytes[0] & 0xFFL) << 24) | ((bytes[1] & 0xFFL) << 16) | ((bytes[2] & 0xFFL) << 8) |
                (bytes[3] & 0xFFL));
        }
        long hash = 0xcbf29ce484222325L;
        for (final byte b : bytes)
        {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return hash | Long.MIN_VALUE; // never an IPv4 key, never NONE
    }

    /**
     * The address of an Aeron image's {@code sourceIdentity()}: {@code 127.0.0.1:40123}, {@code [::1]:40123}
     * (cold path: once per client image). Something that is not an address literal gives {@link #NONE}.
     */
    static long ofSourceIdentity(final String sourceIdentity)
    {
        final int colon = sourceIdentity.lastIndexOf(':');
        String host = colon > 0 ? sourceIdentity.substring(0, colon) : sourceIdentity;
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        if (!isAddressLiteral(host))
        {
            return NONE;
        }
        try
        {
            // A literal is parsed, never looked up.
            return of(InetAddress.getByName(host));
        }
        catch (final UnknownHostException ex)
        {
            return NONE;
        }
    }

    private static boolean isAddressLiteral(final String host)
    {
        final int scope = host.indexOf('%');
        final int end = scope < 0 ? host.length() : scope;
        if (end == 0)
        {
            return false;
        }
        for (int i = 0; i < end; i++)
        {
            final char c = host.charAt(i);
            if (Character.digit(c, 16) < 0 && c != '.' && c != ':')
            {
                return false;
            }
        }
        return true;
    }
}
