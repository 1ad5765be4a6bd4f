package io.keel.node;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.keel.common.Principal;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits gateways and admin tools that prove they know their own secret ({@link ClusterCredentials}), by challenge
 * and response, so no secret crosses the network: the connect request names the principal, this node answers with
 * {@value Principal#CHALLENGE_LENGTH} random bytes, the tool returns HMAC-SHA256(secret, challenge ‖ principal).
 * Unknown principals and wrong answers are rejected and counted. Runs on the consensus module's thread, off the
 * order path; admission is not in the log (only the session it opens is), so the randomness is harmless.
 */
public final class KeelAuthenticator implements Authenticator
{
    /** Connect requests still waiting for their answer beyond this many: the oldest stale ones are dropped. */
    static final int MAX_PENDING = 4_096;
    /** A pending request older than this is stale: Aeron has timed the session out already. */
    private static final long PENDING_TTL_MS = 60_000;

    private final ClusterCredentials credentials;
    private final AtomicLong rejected;
    private final SecureRandom random = new SecureRandom();
    private final Long2ObjectHashMap<Pending> pendingBySession = new Long2ObjectHashMap<>();

    private static final class Pending
    {
        final byte[] principal;
        final byte[] secret;
        final long createdMs;
        byte[] challenge;
        /** 0 = no answer yet, 1 = the right answer, -1 = a wrong one. */
        int verdict;

        Pending(final byte[] principal, final byte[] secret, final long createdMs)
        {
            this.principal = principal;
            this.secret = secret;
            this.createdMs = createdMs;
        }
    }

    public KeelAuthenticator(final ClusterCredentials credentials, final AtomicLong rejected)
    {
        this.credentials = credentials;
        this.rejected = rejected;
    }

    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        if (encodedCredentials == null || encodedCredentials.length == 0 || encodedCredentials.length > 256)
        {
            return;
        }
        final String principal = new String(encodedCredentials, StandardCharsets.UTF_8);
        final byte[] secret = credentials.secretOf(principal);
        if (secret != null)
        {
            if (pendingBySession.size() >= MAX_PENDING)
            {
                dropStale(nowMs);
            }
            if (pendingBySession.size() < MAX_PENDING)
            {
                pendingBySession.put(sessionId, new Pending(encodedCredentials.clone(), secret, nowMs));
            }
        }
    }

    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final Pending pending = pendingBySession.get(sessionId);
        if (pending != null && pending.challenge != null && pending.verdict == 0)
        {
            final byte[] expected = Principal.challengeResponse(pending.secret, pending.challenge, pending.principal);
            pending.verdict = encodedCredentials != null && MessageDigest.isEqual(expected, encodedCredentials) ? 1 : -1;
        }
    }

    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final Pending pending = pendingBySession.get(sessionProxy.sessionId());
        if (pending == null)
        {
            reject(sessionProxy);
            return;
        }
        if (pending.challenge == null)
        {
            pending.challenge = new byte[Principal.CHALLENGE_LENGTH];
            random.nextBytes(pending.challenge);
        }
        // False when the egress is back-pressured: Aeron calls again while the session stays CONNECTED.
        sessionProxy.challenge(pending.challenge);
    }

    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final Pending pending = pendingBySession.get(sessionProxy.sessionId());
        if (pending == null || pending.verdict < 0)
        {
            reject(sessionProxy);
        }
        else if (pending.verdict > 0 && sessionProxy.authenticate(pending.principal))
        {
            pendingBySession.remove(sessionProxy.sessionId());
        }
        // No answer yet: Aeron asks again on its next duty cycle, and times the session out if none comes.
    }

    private void reject(final SessionProxy sessionProxy)
    {
        pendingBySession.remove(sessionProxy.sessionId());
        rejected.incrementAndGet();
        sessionProxy.reject();
    }

    private void dropStale(final long nowMs)
    {
        pendingBySession.values().removeIf(pending -> nowMs - pending.createdMs > PENDING_TTL_MS);
    }
}
