package io.keel.client;

import java.util.ArrayList;
import java.util.List;

/**
 * One address a {@link KeelClient} may connect to: a gateway, or a load balancer in front of several. Cold code.
 */
final class Endpoint
{
    private final String host;
    private final int port;
    private final String text;

    Endpoint(final String host, final int port)
    {
        if (host == null || host.isEmpty())
        {
            throw new IllegalArgumentException("endpoint host is empty");
        }
        if (port <= 0 || port > 65535)
        {
            throw new IllegalArgumentException("endpoint port must be in 1..65535: " + host + ":" + port);
        }
        this.host = host;
        this.port = port;
        // IPv6 in brackets, as it was written and as Aeron channels want it.
        text = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * @param list {@code host:port,host:port,...}; an IPv6 address in brackets: {@code [::1]:9100}.
     * @return the endpoints in the order given.
     * @throws IllegalArgumentException naming the entry that is not {@code host:port}.
     */
    static Endpoint[] parseList(final String list)
    {
        if (list == null || list.isBlank())
        {
            throw new IllegalArgumentException("endpoints is empty: expected host:port,host:port,...");
        }
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final String entry : list.split(","))
        {
            endpoints.add(parse(entry.trim()));
        }
        return endpoints.toArray(new Endpoint[0]);
    }

    static Endpoint parse(final String entry)
    {
        final String host;
        final String port;
        if (entry.startsWith("["))
        {
            final int close = entry.indexOf(']');
            if (close < 0 || close + 1 >= entry.length() || entry.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("endpoint '" + entry + "' is not [ipv6]:port");
            }
            host = entry.substring(1, close);
            port = entry.substring(close + 2);
        }
        else
        {
            final int colon = entry.lastIndexOf(':');
            if (colon <= 0 || entry.indexOf(':') != colon)
            {
                throw new IllegalArgumentException(
                    "endpoint '" + entry + "' is not host:port (an IPv6 address goes in brackets: [::1]:9100)");
            }
            host = entry.substring(0, colon);
            port = entry.substring(colon + 1);
        }
        try
        {
            return new Endpoint(host, Integer.parseInt(port));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("endpoint '" + entry + "' has no port number");
        }
    }

    String host()
    {
        return host;
    }

    int port()
    {
        return port;
    }

    /**
     * @return {@code host:port}, {@code [v6]:port} for IPv6.
     */
    public String toString()
    {
        return text;
    }
}
