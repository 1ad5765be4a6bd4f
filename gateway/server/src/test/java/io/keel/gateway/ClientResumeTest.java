package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.client.KeelClientListener;
import io.keel.client.SessionState;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client library's promise across gateways, against a real 1-node cluster and two real gateways: the engine numbers
 * a session's reports, so a client that stored where it stopped resumes at any gateway and gets exactly what it
 * missed, once, in order; a session taken by a logon elsewhere stops the old client instead of a reconnect fight; a
 * number the engine never reached is refused, forgotten, and the next logon succeeds.
 */
@Timeout(180)
class ClientResumeTest
{
    private static GatewayTestEnv env;
    private static Gateway first;
    private static Gateway second;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("client-resume", 1);
        first = env.startGateway((config) -> {});
        second = env.launchExtraGateway(9, (config) -> {});
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldResumeAtASecondGatewayWithTheStoredSeqNoAndGetExactlyTheMissedReportsOnceInOrder()
    {
        final int instrument = 1;
        final Numbered maker = new Numbered();
        final KeelClient makerAtFirst = env.client(env.clientContext(first, 1, maker));
        makerAtFirst.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "resting sell", makerAtFirst);
        makerAtFirst.accountStatus(500);
        env.pollUntil(() -> maker.lastPageSeen, 10_000, "account pages", makerAtFirst);
        assertEquals(LongStream.rangeClosed(maker.seqNos.get(0), maker.seqNos.get(maker.seqNos.size() - 1)).boxed()
            .toList(), maker.seqNos, "account pages numbered in sequence with the reports");

        final long stored = makerAtFirst.nextExpectedSeqNo();
        assertEquals(maker.seqNos.get(maker.seqNos.size() - 1) + 1, stored);
        assumeJournalServesResends(makerAtFirst, maker);
        makerAtFirst.close(); // gone without a logout, as a crashed application would be

        // While no client serves the maker's session, three fills happen to it.
        final Numbered taker = new Numbered();
        final KeelClient takerClient = env.client(env.clientContext(first, 2, taker));
        for (int i = 0; i < 3; i++)
        {
            takerClient.newOrder(10 + i, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 2);
        }
        env.pollUntil(() -> taker.count(ExecType.TRADE) == 3, 10_000, "taker fills", takerClient);

        // A new client for the same user, at the other gateway, from the stored number.
        final Numbered resumed = new Numbered();
        final KeelClient makerAtSecond = env.client(env.clientContext(second, 1, resumed).nextExpectedSeqNo(stored));
        pollUntil(() -> resumed.count(ExecType.TRADE) == 3, "missed fills", resumed, makerAtSecond);
        assertEquals(List.of(stored, stored + 1, stored + 2), resumed.seqNos, "exactly the missed ones, in order");
        assertTrue(resumed.kinds.stream().allMatch("TRADE:1"::equals), resumed.kinds.toString());
        assertEquals(stored + 3, makerAtSecond.nextExpectedSeqNo());

        // Live reports go on from there, and asking for old ones again delivers nothing twice.
        makerAtSecond.cancelOrder(2, 1, 0, instrument);
        env.pollUntil(() -> resumed.has(2, ExecType.CANCELED), 10_000, "cancel", makerAtSecond);
        makerAtSecond.requestResend(stored, 0);
        final long quietUntil = System.nanoTime() + 500_000_000L;
        env.pollUntil(() -> System.nanoTime() - quietUntil > 0, 5_000, "resend window", makerAtSecond);
        assertEquals(List.of(stored, stored + 1, stored + 2, stored + 3), resumed.seqNos);
        assertEquals(0, makerAtSecond.inFlight());
        makerAtSecond.logout();
        takerClient.logout();
    }

    @Test
    void shouldStopTheOldClientWhenItsSessionMovesToAnotherGateway()
    {
        final int instrument = 2;
        final Numbered old = new Numbered();
        final KeelClient oldClient = env.client(env.clientContext(first, 3, old));
        oldClient.newOrder(1, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 1);
        env.pollUntil(() -> old.has(1, ExecType.NEW), 10_000, "resting sell", oldClient);

        final Numbered moved = new Numbered();
        final KeelClient newClient =
            env.client(env.clientContext(second, 3, moved).nextExpectedSeqNo(oldClient.nextExpectedSeqNo()));
        env.pollUntil(() -> oldClient.state() == SessionState.MOVED, 10_000, "old client told", oldClient, newClient);
        assertEquals(List.of(LogoutReason.SESSION_MOVED), old.logouts);

        // Well past the reconnect interval: the old client stays away, the new one keeps the session.
        final long until = System.nanoTime() + 1_500_000_000L;
        env.pollUntil(() -> System.nanoTime() - until > 0, 5_000, "no reconnect fight", oldClient, newClient);
        assertEquals(0, oldClient.reconnects());
        assertEquals(SessionState.MOVED, oldClient.state());
        assertTrue(newClient.isLoggedOn());

        newClient.cancelOrder(2, 1, 0, instrument);
        env.pollUntil(() -> moved.has(2, ExecType.CANCELED), 10_000, "cancel at the new gateway", newClient);
        assertEquals(List.of(old.seqNos.get(0) + 1), moved.seqNos);
        newClient.logout();
        oldClient.close();
    }

    @Test
    void shouldRefuseASeqNoTheEngineNeverReachedThenLogOnFromTheEnginesNext()
    {
        final Numbered reports = new Numbered();
        final KeelClient client = new KeelClient(env.clientContext(second, 4, reports).nextExpectedSeqNo(1_000_000));
        try
        {
            final KeelClientException refused = assertThrows(KeelClientException.class, client::connect);
            assertEquals(LogonResult.INVALID_SEQ_NO, refused.result());
            assertTrue(refused.getMessage().contains("1000000"), refused.getMessage());
            assertEquals(0, client.nextExpectedSeqNo());

            client.connect();
            assertTrue(client.isLoggedOn());
            assertTrue(client.nextExpectedSeqNo() >= 1);
            client.logout();
        }
        finally
        {
            CloseHelper.quietClose(client);
        }
    }

    /**
     * Missed reports come from the nodes' output journal. A node built without one refuses even a resend of reports
     * just delivered (RESEND_UNAVAILABLE): then this promise cannot hold, and the test says so instead of failing on
     * something it does not test. A journal that loses reports later still fails it.
     */
    private static void assumeJournalServesResends(final KeelClient client, final Numbered reports)
    {
        final int rejectsBefore = reports.sessionRejects.size();
        final long delivered = reports.seqNos.size();
        client.requestResend(1, 0);
        final long quietUntil = System.nanoTime() + 500_000_000L;
        env.pollUntil(() -> System.nanoTime() - quietUntil > 0, 5_000, "resend probe", client);
        assertEquals(delivered, reports.seqNos.size(), "a resend of delivered reports delivers nothing twice");
        assumeTrue(reports.sessionRejects.size() == rejectsBefore,
            () -> "the nodes keep no output journal (KeelClusteredService.openJournal gives none): " +
            reports.sessionRejects.get(rejectsBefore));
    }

    /**
     * As {@link GatewayTestEnv#pollUntil}, saying on a timeout what the client did get.
     */
    private static void pollUntil(
        final java.util.function.BooleanSupplier condition, final String what, final Numbered got,
        final KeelClient... polled)
    {
        try
        {
            env.pollUntil(condition, 10_000, what, polled);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; " + got, ex);
        }
    }

    /**
     * Every numbered thing a client was handed — reports and account pages — in order.
     */
    private static final class Numbered implements KeelClientListener
    {
        final List<Long> seqNos = new ArrayList<>();
        final List<String> kinds = new ArrayList<>();
        final List<LogoutReason> logouts = new ArrayList<>();
        final List<String> sessionRejects = new ArrayList<>();
        final List<ExecType> execTypes = new ArrayList<>();
        final List<Long> clOrdIds = new ArrayList<>();
        boolean lastPageSeen;

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            seqNos.add(report.seqNo());
            kinds.add(report.execType() + ":" + report.clOrdId());
            execTypes.add(report.execType());
            clOrdIds.add(report.clOrdId());
        }

        public void onCancelReject(final CancelRejectDecoder reject)
        {
            seqNos.add(reject.seqNo());
            kinds.add("CANCEL_REJECT:" + reject.clOrdId());
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            if (reject.seqNo() != 0)
            {
                seqNos.add(reject.seqNo());
            }
            kinds.add("BUSINESS_REJECT:" + reject.reason());
        }

        public void onMassCancelReport(final MassCancelReportDecoder report)
        {
            seqNos.add(report.seqNo());
            kinds.add("MASS_CANCEL");
        }

        public void onAccountStatus(final AccountStatusDecoder status)
        {
            seqNos.add(status.seqNo());
            kinds.add("ACCOUNT:" + status.pageNo() + "/" + status.pageCount());
            lastPageSeen |= status.pageNo() == status.pageCount();
        }

        public void onLogout(final LogoutReason reason, final String text)
        {
            logouts.add(reason);
        }

        public void onSessionReject(final int refTemplateId, final RejectReason reason, final String text)
        {
            sessionRejects.add(reason + ": " + text);
        }

        public String toString()
        {
            return "reports " + kinds + " seqNos " + seqNos + " session rejects " + sessionRejects;
        }

        boolean has(final long clOrdId, final ExecType execType)
        {
            for (int i = 0; i < execTypes.size(); i++)
            {
                if (clOrdIds.get(i) == clOrdId && execTypes.get(i) == execType)
                {
                    return true;
                }
            }
            return false;
        }

        long count(final ExecType execType)
        {
            return execTypes.stream().filter((t) -> t == execType).count();
        }
    }
}
