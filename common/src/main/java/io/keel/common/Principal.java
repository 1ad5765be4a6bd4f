package io.keel.common;

import io.keel.codecs.SessionIds;

import java.nio.charset.StandardCharsets;

/**
 * Who a cluster session belongs to. Credentials are {@code role:id:secret}; the authenticated
 * principal is {@code role:id}. Gateways own client sessions whose ids carry the gateway id in
 * their upper 32 bits, which is how the service routes reports back (see {@link SessionIds}).
 */
public final class Principal
{
    public static final String GATEWAY = "gateway";
    public static final String ADMIN = "admin";
    /** Returned by {@link #gatewayIdOf} when the principal is not a gateway. */
    public static final int NOT_A_GATEWAY = -1;
    /** The development secret gateways, admin tools and nodes share when none is given. */
    public static final String DEV_SECRET = "keel-dev-secret";

    private Principal()
    {
    }

    public static byte[] credentials(final String role, final String id, final String secret)
    {
        return (role + ":" + id + ":" + secret).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] gatewayCredentials(final int gatewayId, final String secret)
    {
        return credentials(GATEWAY, Integer.toString(gatewayId), secret);
    }

    public static byte[] adminCredentials(final String name, final String secret)
    {
        return credentials(ADMIN, name, secret);
    }

    /**
     * @return the gateway id of an encoded principal, or {@link #NOT_A_GATEWAY}.
     */
    public static int gatewayIdOf(final byte[] encodedPrincipal)
    {
        final String principal = encodedPrincipal == null ? "" : new String(encodedPrincipal, StandardCharsets.UTF_8);
        if (!principal.startsWith(GATEWAY + ":"))
        {
            return NOT_A_GATEWAY;
        }
        try
        {
            final int id = Integer.parseInt(principal.substring(GATEWAY.length() + 1));
            return id >= 0 && id <= SessionIds.MAX_GATEWAY_ID ? id : NOT_A_GATEWAY;
        }
        catch (final NumberFormatException ex)
        {
            return NOT_A_GATEWAY;
        }
    }

    public static boolean isAdmin(final byte[] encodedPrincipal)
    {
        return encodedPrincipal != null &&
            new String(encodedPrincipal, StandardCharsets.UTF_8).startsWith(ADMIN + ":");
    }


}
