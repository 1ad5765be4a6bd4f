package io.keel.node;

import io.keel.common.Principal;
import io.keel.engine.Engine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A gateway id is taken over only by a process that names the holder's incarnation as its dead predecessor; anyone
 * else — a twin with its own predecessor, the holder's incarnation presented as one's own, a holder that presented
 * none — is refused. The same on a node applying the log, and on one restoring the sessions from a snapshot.
 */
class GatewayTakeoverTest
{
    private static final int GATEWAY_ID = 7;
    private static final long FIRST = 0x1111L;
    private static final long SECOND = 0x2222L;

    private final LogApplier applier = new LogApplier(new Engine(new EventEncoder(new NullSink())), -1);

    private static final class NullSink implements OutputSink
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }

        public void onMarketData(final int instrumentId, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }

        public void onAdminOutput(final long correlationId, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }
    }

    private static byte[] principal(final long incarnation, final long replaces)
    {
        return Principal.principalOf(Principal.gatewayCredentials(GATEWAY_ID, "s", incarnation, replaces));
    }

    @Test
    void shouldLetOnlyTheNamedSuccessorTakeAGatewayIdOver()
    {
        assertEquals(GATEWAY_ID, applier.sessionOpened(1, principal(FIRST, 0), 0));
        assertEquals(LogApplier.NO_SESSION, applier.replacedSession());

        // A twin: its own predecessor is not the holder.
        assertEquals(LogApplier.GATEWAY_ID_IN_USE, applier.sessionOpened(2, principal(SECOND, 0x9999L), 0));
        // The holder's incarnation as one's own proves nothing.
        assertEquals(LogApplier.GATEWAY_ID_IN_USE, applier.sessionOpened(3, principal(FIRST, 0), 0));
        assertEquals(1, applier.sessionOfGateway(GATEWAY_ID));

        // The restarted process names the dead holder.
        assertEquals(GATEWAY_ID, applier.sessionOpened(4, principal(SECOND, FIRST), 0));
        assertEquals(1, applier.replacedSession());
        assertEquals(4, applier.sessionOfGateway(GATEWAY_ID));

        // The replaced session's close changes nothing more: the id stays with its successor.
        applier.sessionClosed(1, 0);
        assertEquals(4, applier.sessionOfGateway(GATEWAY_ID));
        applier.sessionClosed(4, 0);
        assertEquals(io.aeron.Aeron.NULL_VALUE, applier.sessionOfGateway(GATEWAY_ID));
    }

    @Test
    void shouldRefuseATakeOverOfAHolderThatPresentedNoIncarnation()
    {
        assertEquals(GATEWAY_ID, applier.sessionOpened(1, ("gateway:" + GATEWAY_ID).getBytes(), 0));
        assertEquals(LogApplier.GATEWAY_ID_IN_USE, applier.sessionOpened(2, principal(SECOND, FIRST), 0));
        assertEquals(LogApplier.GATEWAY_ID_IN_USE, applier.sessionOpened(3, principal(SECOND, 0), 0));
    }

    @Test
    void shouldRepeatATakeOverWhenSessionsAreRestoredInIdOrder()
    {
        assertEquals(GATEWAY_ID, applier.sessionRestored(1, principal(FIRST, 0)));
        assertEquals(GATEWAY_ID, applier.sessionRestored(4, principal(SECOND, FIRST)));
        assertEquals(1, applier.replacedSession());
        assertEquals(4, applier.sessionOfGateway(GATEWAY_ID));
    }

    @Test
    void shouldCarryTheIncarnationInsideThePrincipalAndKeepTheSecretLookupOnTheGatewaysName()
    {
        final byte[] principal = principal(SECOND, FIRST);
        assertEquals("gateway:7;incarnation=0000000000002222;replaces=0000000000001111", new String(principal));
        assertEquals(GATEWAY_ID, Principal.gatewayIdOf(principal));
        assertEquals(SECOND, Principal.incarnationOf(principal));
        assertEquals(FIRST, Principal.replacesOf(principal));
        assertEquals("gateway:7", Principal.baseOf(new String(principal)));

        final ClusterCredentials development = ClusterCredentials.development();
        assertArrayEquals(Principal.DEV_SECRET.getBytes(), development.secretOf(new String(principal)));
        assertNull(development.secretOf("gateway:7;incarnation=2222"), "one spelling only");
        assertNull(development.secretOf("admin:ops;incarnation=0000000000002222"), "admins have no incarnation");
    }
}
