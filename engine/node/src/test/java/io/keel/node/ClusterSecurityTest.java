package io.keel.node;

import io.aeron.security.AuthenticationException;
import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionIds;
import io.keel.codecs.Side;
import io.keel.codecs.StateCheckDecoder;
import io.keel.codecs.StateCheckEncoder;
import io.keel.codecs.TimeInForce;
import io.keel.common.Principal;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only gateways and admin tools holding the cluster secret get a session, and each may send
 * only its own kind of message: gateways order entry for their own client sessions, admin tools
 * admin commands. Nothing refused changes the state.
 */
class ClusterSecurityTest
{
    private static final int INSTRUMENT = 7;
    private static final long ACCOUNT = 1;

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(60)
    void shouldRejectUnauthenticatedClient()
    {
        final EmbeddedCluster cluster = harness.launchCluster(3);
        final KeelNode leader = cluster.awaitLeader(10_000);
        final String endpoints = cluster.ingressEndpoints();

        final byte[][] refused = {
            Principal.gatewayCredentials(1, "wrong-secret"),
            Principal.adminCredentials("ops", "wrong-secret"),
            Principal.credentials("trader", "1", ClusterHarness.SECRET),
            Principal.credentials("gateway", "70000", ClusterHarness.SECRET),
            Principal.credentials("gateway", "one", ClusterHarness.SECRET),
            ClusterHarness.SECRET.getBytes(StandardCharsets.UTF_8),
            new byte[0],
        };
        for (int i = 0; i < refused.length; i++)
        {
            final TestClient intruder = harness.client("intruder-" + i, endpoints, refused[i]);
            final String credentials = new String(refused[i], StandardCharsets.UTF_8);
            assertThrows(AuthenticationException.class, intruder::connect, "credentials '" + credentials + "'");
            harness.closeClient(intruder);
        }
        assertEquals(refused.length, leader.rejectedSessions(), "the leader counted every refusal");
        long total = 0;
        for (int i = 0; i < 3; i++)
        {
            total += cluster.node(i).rejectedSessions();
        }
        assertEquals(refused.length, total, "only the leader authenticates");

        final TestClient admin = harness.admin(endpoints);
        admin.setUpMarket(INSTRUMENT, ACCOUNT);
        final TestClient gateway1 = harness.gateway(endpoints, 1);
        final TestClient gateway2 = harness.gateway(endpoints, 2);
        final long g1Session = SessionIds.clientSessionId(1, 1);
        final long g2Session = SessionIds.clientSessionId(2, 1);
        assertTrue(gateway1.limit(g1Session, ACCOUNT, 1, INSTRUMENT, Side.BUY, 99, 1));
        gateway1.awaitReport(1, ExecType.NEW, 10_000);
        gateway2.ensureOpen(g2Session, ACCOUNT);
        final TestClient.AdminResult before = admin.requestStateHash();

        // A gateway may not administer.
        assertTrue(gateway1.client().createAccount(77, 99));
        assertReject(
            gateway1.awaitBusinessReject(1, 10_000), CreateAccountDecoder.TEMPLATE_ID, RejectReason.UNSUPPORTED_MESSAGE);
        assertTrue(gateway1.client().addInstrument(78, 8, 1, 2, 1, 1, 100, 0, 0));
        assertReject(
            gateway1.awaitBusinessReject(2, 10_000), AddInstrumentDecoder.TEMPLATE_ID, RejectReason.UNSUPPORTED_MESSAGE);

        // A gateway may not trade for a client session another gateway serves.
        assertTrue(gateway1.client().newOrder(g2Session, ACCOUNT, 2, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC,
            false, SelfTradePrevention.NONE, 99, 1, 0));
        assertReject(gateway1.awaitBusinessReject(3, 10_000), NewOrderDecoder.TEMPLATE_ID, RejectReason.UNKNOWN_SESSION);

        // An admin tool may not trade, nor forge the leader's state check.
        assertTrue(admin.client().newOrder(g1Session, ACCOUNT, 3, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC,
            false, SelfTradePrevention.NONE, 99, 1, 0));
        assertReject(admin.awaitBusinessReject(1, 10_000), NewOrderDecoder.TEMPLATE_ID, RejectReason.UNSUPPORTED_MESSAGE);
        final UnsafeBuffer forged = new UnsafeBuffer(new byte[64]);
        final StateCheckEncoder stateCheck = new StateCheckEncoder()
            .wrapAndApplyHeader(forged, 0, new MessageHeaderEncoder()).logPosition(0).chainValue(42);
        assertTrue(admin.client().offer(
            forged, 0, MessageHeaderEncoder.ENCODED_LENGTH + stateCheck.encodedLength(), TimeUnit.SECONDS.toNanos(5)));
        assertReject(admin.awaitBusinessReject(2, 10_000), StateCheckDecoder.TEMPLATE_ID, RejectReason.UNSUPPORTED_MESSAGE);

        // Garbage: too short for a header, or another schema.
        assertTrue(gateway1.client().offer(new UnsafeBuffer(new byte[3]), 0, 3, TimeUnit.SECONDS.toNanos(5)));
        assertReject(gateway1.awaitBusinessReject(4, 10_000), 0, RejectReason.INVALID_MESSAGE);
        final UnsafeBuffer otherSchema = new UnsafeBuffer(new byte[32]);
        new MessageHeaderEncoder().wrap(otherSchema, 0).blockLength(8).templateId(10).schemaId(999).version(1);
        assertTrue(gateway1.client().offer(otherSchema, 0, 32, TimeUnit.SECONDS.toNanos(5)));
        assertReject(gateway1.awaitBusinessReject(5, 10_000), 10, RejectReason.UNSUPPORTED_MESSAGE);

        // Nothing refused reached the engine: same state hash, and no report anywhere.
        final TestClient.AdminResult after = admin.requestStateHash();
        assertEquals(
            Long.toHexString(before.value()), Long.toHexString(after.value()), "refused commands changed the state");
        StateHashes.awaitEqualAt(after.logPosition(), after.value(), 10_000, ClusterReplicationTest.nodeDirs(cluster));
        gateway2.pollFor(200);
        assertTrue(gateway2.reports().isEmpty(), "gateway 2 got reports: " + gateway2.reports());
        assertEquals(1, gateway1.reports().stream().filter((r) -> r.execType() != ExecType.TRADE).count(),
            "only the one legitimate order was reported: " + gateway1.reports());
        final TestClient.AdminResult account99 = admin.adminOk((c) -> admin.client().createAccount(c, 99));
        assertEquals(RejectReason.NONE, account99.result(), "the gateway's CreateAccount was not applied");

        // The forged state check diverged nobody (the harness also checks this at the end).
        admin.pollFor(3 * ClusterHarness.STATE_CHECK_INTERVAL_MS);
        for (int i = 0; i < 3; i++)
        {
            assertFalse(cluster.node(i).isClosed(), "member " + i + " closed");
            assertFalse(cluster.node(i).service().hasDiverged(), "member " + i + " diverged");
        }
    }

    private static void assertReject(final TestClient.Reject reject, final int refTemplateId, final RejectReason reason)
    {
        assertEquals(refTemplateId, reject.refTemplateId(), "refused template: " + reject);
        assertEquals(reason, reject.reason(), "reason: " + reject);
    }
}
