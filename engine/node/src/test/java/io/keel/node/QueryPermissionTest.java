package io.keel.node;

import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrderStatusRequestEncoder;
import io.keel.codecs.SessionIds;
import io.keel.engine.Engine;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may ask what: a gateway only for its own client sessions (their accounts are stamped by the gateway), an
 * admin about any account, as session 0 (its answer goes to the admin session).
 */
class QueryPermissionTest
{
    private static final long GATEWAY_SESSION = 11;
    private static final long ADMIN_SESSION = 12;
    private static final int GATEWAY_ID = 3;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final LogApplier applier = new LogApplier(new Engine(new EventEncoder(new NullSink())), -1);

    QueryPermissionTest()
    {
        applier.sessionOpened(GATEWAY_SESSION, ("gateway:" + GATEWAY_ID).getBytes(StandardCharsets.UTF_8));
        applier.sessionOpened(ADMIN_SESSION, "admin:ops".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldLetAGatewayAskOnlyForItsOwnClientSessions()
    {
        final long own = SessionIds.clientSessionId(GATEWAY_ID, 5);
        final long other = SessionIds.clientSessionId(GATEWAY_ID + 1, 5);

        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, accountRequest(own, 1)));
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, orderStatus(own, 1)));
        assertEquals(CommandResult.UNSUPPORTED, apply(GATEWAY_SESSION, accountRequest(other, 1)));
        assertEquals(CommandResult.UNSUPPORTED, apply(GATEWAY_SESSION, accountRequest(0, 1)));
        assertEquals(CommandResult.UNSUPPORTED, apply(GATEWAY_SESSION, orderStatus(other, 1)));
    }

    @Test
    void shouldLetAnAdminAskAboutAnyAccountAsSessionZeroOnly()
    {
        assertEquals(CommandResult.APPLIED, apply(ADMIN_SESSION, accountRequest(0, 42)));
        assertEquals(CommandResult.UNSUPPORTED,
            apply(ADMIN_SESSION, accountRequest(SessionIds.clientSessionId(GATEWAY_ID, 5), 42)));
        assertEquals(CommandResult.UNSUPPORTED, apply(ADMIN_SESSION, orderStatus(0, 42)));
    }

    private CommandResult apply(final long clusterSessionId, final int length)
    {
        return applier.onClientMessage(clusterSessionId, 1, buffer, 0, length);
    }

    private int accountRequest(final long sessionId, final long accountId)
    {
        final AccountRequestEncoder encoder = new AccountRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId).accountId(accountId).requestId(7);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int orderStatus(final long sessionId, final long accountId)
    {
        final OrderStatusRequestEncoder encoder = new OrderStatusRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId).accountId(accountId).clOrdId(1).orderId(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static final class NullSink implements OutputSink
    {
        public void onSessionOutput(final long sessionId, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }

        public void onMarketData(final int instrumentId, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }

        public void onAdminOutput(final long correlationId, final org.agrona.DirectBuffer b, final int o, final int l)
        {
        }
    }
}
