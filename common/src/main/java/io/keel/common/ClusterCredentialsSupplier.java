package io.keel.common;

import io.aeron.security.CredentialsSupplier;

/**
 * What a gateway or admin tool gives Aeron Cluster when it connects: its principal ({@code role:id}) in the connect
 * request, then the answer to the node's challenge. The secret itself is never sent (see {@link Principal}).
 */
public final class ClusterCredentialsSupplier implements CredentialsSupplier
{
    private final byte[] principal;
    private final byte[] secret;

    /**
     * @param credentials {@code role:id:secret}, as {@link Principal#credentials} makes them.
     */
    public ClusterCredentialsSupplier(final byte[] credentials)
    {
        principal = Principal.principalOf(credentials);
        secret = Principal.secretOf(credentials);
    }

    public byte[] encodedCredentials()
    {
        return principal;
    }

    public byte[] onChallenge(final byte[] encodedChallenge)
    {
        return Principal.challengeResponse(secret, encodedChallenge, principal);
    }
}
