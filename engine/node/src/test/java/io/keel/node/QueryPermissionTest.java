package io.keel.node;

import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrderStatusRequestEncoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.SessionCloseEncoder;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionOpenEncoder;
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
    private static final long OTHER_GATEWAY_SESSION = 13;
    private static final int GATEWAY_ID = 3;
    private static final long ACCOUNT = 1;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final Engine engine = new Engine(new EventEncoder(new NullSink()));
    private final LogApplier applier = new LogApplier(engine, -1);

    QueryPermissionTest()
    {
        applier.sessionOpened(GATEWAY_SESSION, ("gateway:" + GATEWAY_ID).getBytes(StandardCharsets.UTF_8), 0);
        applier.sessionOpened(ADMIN_SESSION, "admin:ops".getBytes(StandardCharsets.UTF_8), 0);
        applier.sessionOpened(OTHER_GATEWAY_SESSION, ("gateway:" + (GATEWAY_ID + 1)).getBytes(StandardCharsets.UTF_8), 0);
        engine.createAccount(1, ACCOUNT, 1);
        engine.createAccount(2, ACCOUNT + 1, 1);
    }

    @Test
    void shouldLetAGatewayAskOnlyForTheSessionsItServesAndTheirOwnAccount()
    {
        final long own = 5;
        final long other = 6;
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, sessionOpen(own, ACCOUNT)));
        assertEquals(CommandResult.APPLIED, apply(OTHER_GATEWAY_SESSION, sessionOpen(other, ACCOUNT + 1)));
        assertEquals(GATEWAY_SESSION, engine.sessionLink(own));
        assertEquals(OTHER_GATEWAY_SESSION, engine.sessionLink(other));

        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, accountRequest(own, ACCOUNT)));
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, orderStatus(own, ACCOUNT)));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, accountRequest(own, ACCOUNT + 1)));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, accountRequest(other, ACCOUNT + 1)));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, accountRequest(0, ACCOUNT)));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, orderStatus(other, ACCOUNT + 1)));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, orderStatus(7, ACCOUNT)));
    }

    @Test
    void shouldMoveASessionToTheGatewayItLastLoggedOnAt()
    {
        final long session = 5;
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, sessionOpen(session, ACCOUNT)));
        assertEquals(CommandResult.APPLIED, apply(OTHER_GATEWAY_SESSION, sessionOpen(session, ACCOUNT)));

        assertEquals(OTHER_GATEWAY_SESSION, engine.sessionLink(session));
        assertEquals(CommandResult.NOT_SERVED_HERE, apply(GATEWAY_SESSION, orderStatus(session, ACCOUNT)));
        assertEquals(CommandResult.APPLIED, apply(OTHER_GATEWAY_SESSION, orderStatus(session, ACCOUNT)));

        // The first gateway's stale close changes nothing; losing that gateway changes nothing either.
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, sessionClose(session)));
        applier.sessionClosed(GATEWAY_SESSION, 2);
        assertEquals(OTHER_GATEWAY_SESSION, engine.sessionLink(session));

        applier.sessionClosed(OTHER_GATEWAY_SESSION, 3);
        assertEquals(0, engine.sessionLink(session));
    }

    @Test
    void shouldRefuseASessionForAnAccountThatDoesNotExistOrAnotherAccount()
    {
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, sessionOpen(5, 99)));
        assertEquals(0, engine.sessionLink(5));
        assertEquals(CommandResult.APPLIED, apply(GATEWAY_SESSION, sessionOpen(5, ACCOUNT)));
        assertEquals(CommandResult.APPLIED, apply(OTHER_GATEWAY_SESSION, sessionOpen(5, ACCOUNT + 1)));
        assertEquals(GATEWAY_SESSION, engine.sessionLink(5));
    }

    @Test
    void shouldLetAnAdminAskAboutAnyAccountAsSessionZeroOnly()
    {
        assertEquals(CommandResult.APPLIED, apply(ADMIN_SESSION, accountRequest(0, 42)));
        assertEquals(CommandResult.UNSUPPORTED,
            apply(ADMIN_SESSION, accountRequest(5, 42)));
        assertEquals(CommandResult.UNSUPPORTED, apply(ADMIN_SESSION, orderStatus(0, 42)));
    }

    private CommandResult apply(final long clusterSessionId, final int length)
    {
        return applier.onClientMessage(clusterSessionId, 1, buffer, 0, length);
    }

    private int sessionOpen(final long sessionId, final long accountId)
    {
        final SessionOpenEncoder encoder = new SessionOpenEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId).accountId(accountId).cancelOnDisconnect(BooleanType.TRUE).graceTime(0)
            .nextExpectedSeqNo(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int sessionClose(final long sessionId)
    {
        final SessionCloseEncoder encoder = new SessionCloseEncoder().wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId).reason(SessionCloseReason.LOGOUT);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
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
}
