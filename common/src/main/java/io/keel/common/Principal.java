package io.keel.common;

import io.keel.codecs.SessionIds;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Who a cluster session belongs to. A tool holds credentials {@code role:id:secret}; the principal is
 * {@code role:id}. The secret never travels: a connect request carries the principal only, the cluster answers
 * with a random challenge, and the tool proves it knows the secret with
 * {@link #challengeResponse HMAC-SHA256(secret, challenge ‖ principal)} (see {@link ClusterCredentialsSupplier}).
 */
public final class Principal
{
    public static final String GATEWAY = "gateway";
    public static final String ADMIN = "admin";
    /** A backup node ({@code keel backup}): it may only ask the consensus module for the log and snapshots. */
    public static final String BACKUP = "backup";
    /** A drop-copy reader: may ask for drop copy and nothing else. */
    public static final String DROP_COPY = "dropcopy";
    /** Returned by {@link #gatewayIdOf} when the principal is not a gateway. */
    public static final int NOT_A_GATEWAY = -1;
    /** The development secret gateways and admin tools present when none is given; nodes accept it only with --dev. */
    public static final String DEV_SECRET = "keel-dev-secret";
    /** Length of the random challenge a node sends, and of the HMAC-SHA256 answer. */
    public static final int CHALLENGE_LENGTH = 32;
    private static final String HMAC = "HmacSHA256";
    private static final String INCARNATION = ";incarnation=";
    private static final String REPLACES = ";replaces=";
    private static final java.util.regex.Pattern INCARNATION_SUFFIX =
        java.util.regex.Pattern.compile(";incarnation=[0-9a-f]{16}(;replaces=[0-9a-f]{16})?");

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

    /**
     * A gateway process's credentials with its incarnation: {@code gateway:<id>;incarnation=<hex>[;replaces=<hex>]}
     * as the principal. The incarnation is random per process; {@code replaces} names the incarnation of a previous
     * process of this gateway known to be dead (see {@code GatewayIncarnation}), whose cluster session the new one
     * may then take over at once instead of being refused until the cluster times it out. Both are inside the
     * principal, so the challenge response covers them.
     *
     * @param replaces 0 when no dead predecessor is known.
     */
    public static byte[] gatewayCredentials(
        final int gatewayId, final String secret, final long incarnation, final long replaces)
    {
        final StringBuilder id = new StringBuilder().append(gatewayId)
            .append(INCARNATION).append(hex(incarnation));
        if (replaces != 0)
        {
            id.append(REPLACES).append(hex(replaces));
        }
        return credentials(GATEWAY, id.toString(), secret);
    }

    /**
     * @return the principal without its incarnation part: {@code gateway:7}, {@code admin:ops} — what credentials
     * files list.
     */
    public static String baseOf(final String principal)
    {
        final int at = principal.indexOf(';');
        return at < 0 ? principal : principal.substring(0, at);
    }

    /**
     * @return the incarnation a gateway principal carries, 0 when none.
     */
    public static long incarnationOf(final byte[] encodedPrincipal)
    {
        return hexAfter(encodedPrincipal, INCARNATION);
    }

    /**
     * @return the dead predecessor's incarnation a gateway principal names, 0 when none.
     */
    public static long replacesOf(final byte[] encodedPrincipal)
    {
        return hexAfter(encodedPrincipal, REPLACES);
    }

    /**
     * @return true when the part after {@code gateway:<id>} is empty or exactly {@code ;incarnation=<16 hex>}
     * optionally followed by {@code ;replaces=<16 hex>}: one spelling only.
     */
    public static boolean isWellFormedIncarnation(final String suffix)
    {
        return suffix.isEmpty() || INCARNATION_SUFFIX.matcher(suffix).matches();
    }

    private static String hex(final long value)
    {
        return String.format("%016x", value);
    }

    private static long hexAfter(final byte[] encodedPrincipal, final String key)
    {
        if (encodedPrincipal == null)
        {
            return 0;
        }
        final String principal = new String(encodedPrincipal, StandardCharsets.UTF_8);
        final int at = principal.indexOf(key);
        if (at < 0 || at + key.length() + 16 > principal.length())
        {
            return 0;
        }
        try
        {
            return Long.parseUnsignedLong(principal.substring(at + key.length(), at + key.length() + 16), 16);
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    public static byte[] adminCredentials(final String name, final String secret)
    {
        return credentials(ADMIN, name, secret);
    }

    public static byte[] backupCredentials(final String name, final String secret)
    {
        return credentials(BACKUP, name, secret);
    }

    public static boolean isBackup(final byte[] encodedPrincipal)
    {
        return encodedPrincipal != null &&
            new String(encodedPrincipal, StandardCharsets.UTF_8).startsWith(BACKUP + ":");
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
            final int end = principal.indexOf(';');
            final int id = Integer.parseInt(principal.substring(GATEWAY.length() + 1, end < 0 ? principal.length() : end));
            return id >= 0 && id <= SessionIds.MAX_GATEWAY_ID ? id : NOT_A_GATEWAY;
        }
        catch (final NumberFormatException ex)
        {
            return NOT_A_GATEWAY;
        }
    }

    public static byte[] dropCopyCredentials(final String name, final String secret)
    {
        return credentials(DROP_COPY, name, secret);
    }

    public static boolean isDropCopy(final byte[] encodedPrincipal)
    {
        return encodedPrincipal != null &&
            new String(encodedPrincipal, StandardCharsets.UTF_8).startsWith(DROP_COPY + ":");
    }

    public static boolean isAdmin(final byte[] encodedPrincipal)
    {
        return encodedPrincipal != null &&
            new String(encodedPrincipal, StandardCharsets.UTF_8).startsWith(ADMIN + ":");
    }

    /**
     * @return {@code role:id} of credentials {@code role:id:secret} (all of them when there is no secret part).
     */
    public static byte[] principalOf(final byte[] credentials)
    {
        final int secretAt = secretOffset(credentials);
        return secretAt < 0 ? credentials.clone() : Arrays.copyOf(credentials, secretAt - 1);
    }

    /**
     * @return the secret of credentials {@code role:id:secret}, empty when there is none.
     */
    public static byte[] secretOf(final byte[] credentials)
    {
        final int secretAt = secretOffset(credentials);
        return secretAt < 0 ? new byte[0] : Arrays.copyOfRange(credentials, secretAt, credentials.length);
    }

    /**
     * The proof a tool sends for a challenge: HMAC-SHA256 keyed by its secret over the challenge and its principal,
     * so an answer can be replayed neither for another challenge nor for another principal.
     */
    public static byte[] challengeResponse(final byte[] secret, final byte[] challenge, final byte[] principal)
    {
        try
        {
            final Mac mac = Mac.getInstance(HMAC);
            // An empty key is not a valid HMAC key for the JDK; such a secret is refused by nodes anyway.
            mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, HMAC));
            mac.update(challenge);
            mac.update(principal);
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HMAC-SHA256 unavailable", ex);
        }
    }

    private static int secretOffset(final byte[] credentials)
    {
        int colons = 0;
        for (int i = 0; i < credentials.length; i++)
        {
            if (credentials[i] == ':' && ++colons == 2)
            {
                return i + 1;
            }
        }
        return -1;
    }
}
