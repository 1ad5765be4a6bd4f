package io.keel.codecs;

/**
 * The Aeron UDP transport between clients and gateways: stream ids, term length and the channels both sides build.
 * Each client publishes its SBE messages, one per Aeron message (never fragmented), to the gateway's endpoint on
 * {@link #REQUEST_STREAM_ID}; its Logon names the {@code host:port} it subscribes on, and the gateway publishes to it
 * on {@link #RESPONSE_STREAM_ID}. No SOFH: Aeron delimits messages.
 */
public final class AeronUdp
{
    /** Client to gateway. */
    public static final int REQUEST_STREAM_ID = 7101;
    /** Gateway to client. */
    public static final int RESPONSE_STREAM_ID = 7102;
    /** The gateway's public market-data stream (books and trades for any subscriber). */
    public static final int MARKET_DATA_STREAM_ID = 1002;
    /**
     * Term length of both directions' publications: the publisher's term length sizes the image on the other side,
     * three terms each. 64 KiB holds messages of up to 8 KiB, far above Keel's.
     */
    public static final int TERM_LENGTH = 64 * 1024;
    /** Term length of the gateway's replies: messages up to 128 KiB (book snapshots). */
    public static final int RESPONSE_TERM_LENGTH = 1024 * 1024;
    /** Longest {@code host:port} accepted as a response endpoint. */
    public static final int MAX_ENDPOINT_LENGTH = 128;

    private AeronUdp()
    {
    }

    /**
     * @param endpoint {@code host:port}, checked with {@link #isValidEndpoint(String)}.
     * @return the channel of a publication to, or a subscription on, that endpoint.
     */
    public static String channel(final String endpoint)
    {
        if (!isValidEndpoint(endpoint))
        {
            throw new IllegalArgumentException("not a host:port endpoint: " + endpoint);
        }
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + TERM_LENGTH;
    }

    /**
     * The gateway's replies to one client: a larger term, so a book snapshot (up to 128 KiB, an eighth of the term)
     * fits in one message; the client reassembles its fragments.
     *
     * @param endpoint {@code host:port}, checked with {@link #isValidEndpoint(String)}.
     */
    public static String responseChannel(final String endpoint)
    {
        if (!isValidEndpoint(endpoint))
        {
            throw new IllegalArgumentException("not a host:port endpoint: " + endpoint);
        }
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + RESPONSE_TERM_LENGTH;
    }

    /**
     * A response endpoint comes from the network: only {@code host:port} is accepted, where host is a DNS name, an
     * IPv4 address or a bracketed IPv6 address and port is 1..65535. Nothing else can reach the channel string
     * ({@code |}, {@code ?}, {@code =} and {@code ,} are refused), so a client cannot add channel parameters.
     *
     * @param endpoint to check; null is refused.
     * @return whether it is a usable {@code host:port}.
     */
    public static boolean isValidEndpoint(final String endpoint)
    {
        if (endpoint == null || endpoint.isEmpty() || endpoint.length() > MAX_ENDPOINT_LENGTH)
        {
            return false;
        }
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1 || endpoint.length() - colon - 1 > 5)
        {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < endpoint.length(); i++)
        {
            final char c = endpoint.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535)
        {
            return false;
        }
        final String host = endpoint.substring(0, colon);
        if (host.charAt(0) == '[')
        {
            if (host.length() < 3 || host.charAt(host.length() - 1) != ']')
            {
                return false;
            }
            for (int i = 1; i < host.length() - 1; i++)
            {
                final char c = host.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'))
                {
                    return false;
                }
            }
            return true;
        }
        if (host.charAt(0) == '-' || host.charAt(0) == '.')
        {
            return false;
        }
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }
}
