package io.keel.node;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.keel.common.Principal;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits only gateways and admin tools that present the cluster secret; everyone else is
 * rejected and counted. Runs on the consensus module's thread, off the order path.
 */
public final class KeelAuthenticator implements Authenticator
{
    private final byte[] secret;
    private final AtomicLong rejected;
    private final Long2ObjectHashMap<byte[]> pendingPrincipals = new Long2ObjectHashMap<>();

    public KeelAuthenticator(final String secret, final AtomicLong rejected)
    {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.rejected = rejected;
    }

    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final byte[] principal = verify(encodedCredentials);
        if (principal != null)
        {
            pendingPrincipals.put(sessionId, principal);
        }
    }

    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
    }

    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final byte[] principal = pendingPrincipals.remove(sessionProxy.sessionId());
        if (principal != null)
        {
            sessionProxy.authenticate(principal);
        }
        else
        {
            rejected.incrementAndGet();
            sessionProxy.reject();
        }
    }

    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        pendingPrincipals.remove(sessionProxy.sessionId());
        rejected.incrementAndGet();
        sessionProxy.reject();
    }

    /**
     * @return the principal {@code role:id} for valid credentials, else null.
     */
    private byte[] verify(final byte[] credentials)
    {
        if (credentials == null)
        {
            return null;
        }
        final String text = new String(credentials, StandardCharsets.UTF_8);
        final int first = text.indexOf(':');
        final int second = first < 0 ? -1 : text.indexOf(':', first + 1);
        if (second < 0)
        {
            return null;
        }
        final String role = text.substring(0, first);
        final String id = text.substring(first + 1, second);
        final byte[] presented = text.substring(second + 1).getBytes(StandardCharsets.UTF_8);
        final boolean knownRole = Principal.ADMIN.equals(role) ||
            (Principal.GATEWAY.equals(role) &&
            Principal.gatewayIdOf((role + ":" + id).getBytes(StandardCharsets.UTF_8)) != Principal.NOT_A_GATEWAY);
        if (!knownRole || id.isEmpty() || !MessageDigest.isEqual(secret, presented))
        {
            return null;
        }
        return (role + ":" + id).getBytes(StandardCharsets.UTF_8);
    }
}
