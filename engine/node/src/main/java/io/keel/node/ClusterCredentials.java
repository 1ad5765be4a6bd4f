package io.keel.node;

import io.keel.codecs.SessionIds;
import io.keel.common.Principal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who may open a cluster session, and the secret each must prove it knows: one line per principal in the file a
 * node is given with {@code --credentials} ({@code keel credentials new} writes one):
 * <pre>
 * # principal   secret
 * gateway:1     9f2c...
 * gateway:2     41aa...
 * admin:ops     c07e...
 * backup:dr     5b19...
 * dropcopy:risk 5b1d...
 * </pre>
 * Each gateway has its own secret, and an admin secret is never also a gateway's, so a gateway's secret cannot act
 * as an admin nor as another gateway. A {@code backup:<name>} ({@code keel backup}) may only fetch the log and
 * snapshots ({@link KeelAuthorisationService}), and gateways and admins may not. Without a file the node is in
 * development mode ({@code --dev} only): every gateway id, admin and backup name is accepted with
 * {@link Principal#DEV_SECRET}.
 */
public final class ClusterCredentials
{
    /** Shortest secret accepted in a file: 128 bits as hex, or a long pass phrase. */
    public static final int MIN_SECRET_LENGTH = 16;
    private static final Pattern ADMIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Map<String, byte[]> secretByPrincipal;
    private final boolean development;

    private ClusterCredentials(final Map<String, byte[]> secretByPrincipal, final boolean development)
    {
        this.secretByPrincipal = secretByPrincipal;
        this.development = development;
    }

    /**
     * Development mode: any well-formed gateway or admin principal with the development secret.
     */
    public static ClusterCredentials development()
    {
        return new ClusterCredentials(Map.of(), true);
    }

    /**
     * @param allowDevSecret true with {@code --dev}: the development secret may appear in the file.
     * @throws IllegalArgumentException naming the file and line of the first problem.
     */
    public static ClusterCredentials load(final Path file, final boolean allowDevSecret)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read credentials file " + file + ": " + ex.getMessage());
        }
        final Map<String, byte[]> secrets = new HashMap<>();
        final Map<String, String> principalBySecret = new HashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String where = file + " line " + (i + 1) + ": ";
            final String[] fields = line.split("\\s+");
            if (fields.length != 2)
            {
                throw new IllegalArgumentException(where + "expected '<principal> <secret>'");
            }
            final String principal = fields[0];
            final String secret = fields[1];
            if (!isWellFormed(principal))
            {
                throw new IllegalArgumentException(where + "principal must be gateway:<1.." + SessionIds.MAX_GATEWAY_ID +
                    ">, admin:<name>, backup:<name> or dropcopy:<name>, not " + principal);
            }
            if (!allowDevSecret && secret.equals(Principal.DEV_SECRET))
            {
                throw new IllegalArgumentException(where + principal + " has the development secret (allowed only with --dev)");
            }
            if (secret.length() < MIN_SECRET_LENGTH && !secret.equals(Principal.DEV_SECRET))
            {
                throw new IllegalArgumentException(where + "the secret of " + principal + " is shorter than " +
                    MIN_SECRET_LENGTH + " characters");
            }
            if (secrets.put(principal, secret.getBytes(StandardCharsets.UTF_8)) != null)
            {
                throw new IllegalArgumentException(where + principal + " is listed twice");
            }
            final String sharing = principalBySecret.put(secret, principal);
            if (sharing != null)
            {
                throw new IllegalArgumentException(where + principal + " has the same secret as " + sharing +
                    ": give every gateway and admin a secret of its own");
            }
        }
        if (secrets.isEmpty())
        {
            throw new IllegalArgumentException("credentials file " + file + " lists no principal");
        }
        return new ClusterCredentials(Map.copyOf(secrets), false);
    }

    public boolean isDevelopment()
    {
        return development;
    }

    public int size()
    {
        return secretByPrincipal.size();
    }

    /**
     * @param principal {@code role:id} from a connect request.
     * @return the secret it must prove, or null when it may not connect at all.
     */
    public byte[] secretOf(final String principal)
    {
        // A gateway process adds its incarnation to the principal (Principal#gatewayCredentials): the secret is the
        // gateway's, whatever process presents it, and the suffix must have its one spelling.
        final String base = Principal.baseOf(principal);
        if (!Principal.isWellFormedIncarnation(principal.substring(base.length())) ||
            base.length() < principal.length() && !base.startsWith(Principal.GATEWAY + ":"))
        {
            return null;
        }
        if (development)
        {
            return isWellFormed(base) ? Principal.DEV_SECRET.getBytes(StandardCharsets.UTF_8) : null;
        }
        return secretByPrincipal.get(base);
    }

    static boolean isWellFormed(final String principal)
    {
        if (principal.startsWith(Principal.ADMIN + ":"))
        {
            return ADMIN_NAME.matcher(principal.substring(Principal.ADMIN.length() + 1)).matches();
        }
        if (principal.startsWith(Principal.BACKUP + ":"))
        {
            return ADMIN_NAME.matcher(principal.substring(Principal.BACKUP.length() + 1)).matches();
        }
        if (principal.startsWith(Principal.DROP_COPY + ":"))
        {
            return ADMIN_NAME.matcher(principal.substring(Principal.DROP_COPY.length() + 1)).matches();
        }
        final int gatewayId = Principal.gatewayIdOf(principal.getBytes(StandardCharsets.UTF_8));
        // Canonical only ("gateway:7", not "gateway:07" or "gateway:+7"): one spelling per gateway id.
        return gatewayId != Principal.NOT_A_GATEWAY && gatewayId > 0 &&
            principal.equals(Principal.GATEWAY + ":" + gatewayId);
    }
}
