package io.keel.client;

import io.keel.codecs.BusinessRejectEncoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.ExecutionReportEncoder;
import io.keel.codecs.LogonDecoder;
import io.keel.codecs.LogonResponseEncoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.LogoutEncoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ResendRequestDecoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientSession} against a scripted gateway: what the Logon carries, what the session does with the answers.
 * The real gateway and cluster are in {@code ClientResumeTest}.
 */
@Timeout(30)
class ClientSessionTest
{
    private static final long RECONNECT_INTERVAL_MS = 10;

    private final Events listener = new Events();
    private ScriptedGateway gateway;
    private SessionReports reports;
    private ClientSession session;
    private OrderEntry orderEntry;

    private void start(final long nextExpectedSeqNo)
    {
        start(nextExpectedSeqNo, "gw:9100");
    }

    private void start(final long nextExpectedSeqNo, final String endpoints)
    {
        reports = new SessionReports(listener, 64, 3_000, 20, new long[]{nextExpectedSeqNo},
            (from, to) -> session.requestResend(from, to), SystemNanoClock.INSTANCE);
        final ClientMarketData marketData = new ClientMarketData(listener, (b, o, l) -> session.sendIfLoggedOn(b, o, l));
        final long intervalNs = TimeUnit.MILLISECONDS.toNanos(RECONNECT_INTERVAL_MS);
        final EndpointRotation rotation = new EndpointRotation(
            Endpoint.parseList(endpoints), new ReconnectBackoff(intervalNs, 8 * intervalNs, 42), listener);
        session = new ClientSession(listener, reports, marketData, "alice", "pw", 1_000, false, true, 2_000,
            rotation, (transportListener) -> gateway = new ScriptedGateway(transportListener));
        orderEntry = new OrderEntry(session, reports);
    }

    @Test
    void shouldLogOnWithTheStoredSeqNoAndReceiveWhatWasMissedAtAnyGateway()
    {
        start(5);
        gateway.logonAnswer = LogonResult.OK;
        gateway.engineNextSeqNo = 8;
        gateway.afterLogon = () ->
        {
            gateway.execution(5, 1);
            gateway.execution(6, 2);
            gateway.execution(7, 3);
        };
        session.connect();
        assertEquals(List.of(5L), gateway.logonSeqNos);
        assertEquals(List.of(5L, 6L, 7L), listener.seqNos, "the missed ones arrive within connect, in order");
        assertEquals(8, reports.nextExpectedSeqNo());

        // Lost: the next poll reconnects (another gateway, same engine numbering) from where it stopped.
        gateway.engineNextSeqNo = 9;
        gateway.afterLogon = () -> gateway.execution(8, 4);
        session.dropConnection();
        pollFor(RECONNECT_INTERVAL_MS * 5);
        assertEquals(List.of(5L, 8L), gateway.logonSeqNos);
        assertEquals(List.of(5L, 6L, 7L, 8L), listener.seqNos);
        assertEquals(1, session.reconnects());
    }

    @Test
    void shouldStopReconnectingWhenTheSessionMovedToAnotherGateway()
    {
        start(0);
        gateway.engineNextSeqNo = 1;
        session.connect();
        assertEquals(SessionState.LOGGED_ON, session.state());

        gateway.logout(LogoutReason.SESSION_MOVED, "logged on at gateway 9; this connection is closed");
        pollFor(RECONNECT_INTERVAL_MS * 20);
        assertEquals(SessionState.MOVED, session.state(), "the state says why it stopped");
        assertEquals(1, gateway.opens, "no reconnect fighting the other connection for the session");
        assertEquals(List.of(LogoutReason.SESSION_MOVED), listener.logouts);
        assertEquals(List.of(), listener.reconnectingEndpoints, "not told of a reconnect that will not come");
        assertEquals(1, listener.disconnects.size());
        assertTrue(listener.disconnects.get(0).startsWith("SESSION_MOVED"), listener.disconnects.get(0));

        // The application decides: connect() takes the session back.
        session.connect();
        assertEquals(SessionState.LOGGED_ON, session.state());
        assertEquals(2, gateway.opens);
    }

    @Test
    void shouldForgetASeqNoRefusedAsInvalidSoTheNextLogonSucceeds()
    {
        start(1_000);
        gateway.logonAnswer = LogonResult.INVALID_SEQ_NO;
        gateway.engineNextSeqNo = 12;
        final KeelClientException refused = assertThrows(KeelClientException.class, session::connect);
        assertEquals(LogonResult.INVALID_SEQ_NO, refused.result());
        assertTrue(refused.getMessage().contains("INVALID_SEQ_NO") && refused.getMessage().contains("1000") &&
            refused.getMessage().contains("reset to 0"), refused.getMessage());
        assertEquals(0, reports.nextExpectedSeqNo());

        gateway.logonAnswer = LogonResult.OK;
        session.connect();
        assertEquals(List.of(1_000L, 0L), gateway.logonSeqNos);
        assertEquals(12, reports.nextExpectedSeqNo(), "from the engine's next report");
    }

    @Test
    void shouldSendTheSameRequestAgainAfterUnavailable()
    {
        start(0);
        gateway.engineNextSeqNo = 1;
        session.connect();
        assertTrue(orderEntry.newOrder(
            77, 1, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, false, SelfTradePrevention.NONE, 100, 1, 0));
        assertEquals(List.of(77L), gateway.orders);

        gateway.businessReject(77, RejectReason.UNAVAILABLE);
        session.poll(System.nanoTime());
        assertEquals(List.of("77:1:false"), listener.unavailable);
        assertEquals(List.of(77L), gateway.orders, "not at once");

        session.poll(System.nanoTime() + SessionReports.UNAVAILABLE_BACKOFF_MIN_NS);
        assertEquals(List.of(77L, 77L), gateway.orders, "after the backoff, the same clOrdId");
        assertEquals(1, reports.inFlight());
        assertTrue(listener.businessRejects.isEmpty(), "the application is not handed the refusal it need not handle");

        gateway.execution(1, 77);
        session.poll(System.nanoTime());
        assertEquals(0, reports.inFlight());
    }

    @Test
    void shouldAskForAGapOnTheWire()
    {
        start(0);
        gateway.engineNextSeqNo = 3;
        session.connect();
        gateway.execution(3, 1);
        gateway.execution(5, 2);
        gateway.execution(6, 3);
        session.poll(System.nanoTime());
        assertEquals(List.of(3L), listener.seqNos);
        assertEquals(List.of("4..0"), gateway.resendRequests);
    }

    @Test
    void shouldPassOverADeadEndpointAndReconnectAtTheOneAfterTheLostOne()
    {
        start(0, "a:1,b:2,c:3");
        gateway.dead.add("a:1");
        session.connect();
        assertEquals(List.of("a:1", "b:2"), gateway.attempts);
        assertEquals(List.of("a:1"), listener.reconnectingEndpoints, "told of the endpoint passed over");
        assertEquals(0L, listener.reconnectingDelaysMs.get(0), "the next endpoint at once");
        assertTrue(listener.reconnectingReasons.get(0).startsWith("cannot connect to a:1"));

        session.dropConnection();
        assertEquals(List.of("a:1", "b:2"), listener.reconnectingEndpoints);
        final long delayMs = listener.reconnectingDelaysMs.get(1);
        assertTrue(delayMs >= RECONNECT_INTERVAL_MS * 8 / 10 && delayMs <= RECONNECT_INTERVAL_MS * 12 / 10,
            "one step of backoff after a lost connection: " + delayMs);
        pollUntil(() -> session.isLoggedOn(), 1_000);
        assertEquals(List.of("a:1", "b:2", "c:3"), gateway.attempts, "after the lost one, not from the top");
        assertEquals(1, session.reconnects());

        session.dropConnection();
        pollUntil(() -> session.isLoggedOn(), 1_000);
        assertEquals(List.of("a:1", "b:2", "c:3", "a:1", "b:2"), gateway.attempts, "round and round");
    }

    @Test
    void shouldWaitLongerAfterEachCycleOfFailedEndpointsAndStartOverAfterALogon()
    {
        start(0, "a:1,b:2");
        session.connect();
        gateway.dead.add("a:1");
        gateway.dead.add("b:2");
        session.dropConnection();
        pollUntil(() -> listener.reconnectingEndpoints.size() >= 9, 2_000);
        gateway.dead.clear();
        pollUntil(() -> session.isLoggedOn(), 2_000);

        // The loss, then cycles of b (at once) and a (one step more), doubling from 10 ms up to the cap of 80 ms.
        assertEquals(List.of("a:1", "b:2", "a:1", "b:2", "a:1", "b:2", "a:1", "b:2", "a:1"),
            listener.reconnectingEndpoints.subList(0, 9));
        final long[] steps = {10, 0, 20, 0, 40, 0, 80, 0, 80};
        for (int i = 0; i < steps.length; i++)
        {
            final long delayMs = listener.reconnectingDelaysMs.get(i);
            assertTrue(delayMs >= steps[i] * 8 / 10 && delayMs <= steps[i] * 12 / 10,
                "wait " + i + " of " + listener.reconnectingDelaysMs);
        }

        session.dropConnection();
        final long afterLogonMs = listener.reconnectingDelaysMs.get(listener.reconnectingDelaysMs.size() - 1);
        assertTrue(afterLogonMs >= 8 && afterLogonMs <= 12, "back to the first step: " + afterLogonMs);
    }

    @Test
    void shouldNameEveryEndpointWhenNoneCanBeReached()
    {
        start(0, "a:1,b:2");
        gateway.dead.add("a:1");
        gateway.dead.add("b:2");
        final KeelClientException failed = assertThrows(KeelClientException.class, session::connect);
        assertEquals("no endpoint logged on: cannot connect to a:1: Connection refused; cannot connect to b:2: " +
            "Connection refused", failed.getMessage());
        assertEquals(List.of("a:1"), listener.reconnectingEndpoints, "the last failure is the exception");
    }

    @Test
    void shouldNotTryAnotherEndpointForALogonEveryGatewayWouldRefuse()
    {
        start(0, "a:1,b:2");
        gateway.logonAnswer = LogonResult.BAD_CREDENTIALS;
        final KeelClientException refused = assertThrows(KeelClientException.class, session::connect);
        assertEquals(LogonResult.BAD_CREDENTIALS, refused.result());
        assertEquals(List.of("a:1"), gateway.attempts);
    }

    private void pollUntil(final java.util.function.BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out; reconnecting " + listener.reconnectingEndpoints);
            session.poll(System.nanoTime());
            Thread.onSpinWait();
        }
    }

    private void pollFor(final long ms)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() - deadline < 0)
        {
            session.poll(System.nanoTime());
            Thread.onSpinWait();
        }
    }

    /**
     * A gateway in memory: answers Logons as told, records what the client sends, queues what the test sends it.
     */
    private static final class ScriptedGateway implements ClientTransport
    {
        final ClientTransport.Listener listener;
        final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
        final List<Long> logonSeqNos = new ArrayList<>();
        final List<Long> orders = new ArrayList<>();
        final List<String> resendRequests = new ArrayList<>();
        final List<String> attempts = new ArrayList<>();
        final java.util.Set<String> dead = new java.util.HashSet<>();
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[512]);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        LogonResult logonAnswer = LogonResult.OK;
        long engineNextSeqNo = 1;
        Runnable afterLogon = () -> {};
        boolean open;
        boolean closeAfterInbound;
        int opens;

        ScriptedGateway(final ClientTransport.Listener listener)
        {
            this.listener = listener;
        }

        public void open(final Endpoint endpoint, final long deadlineNs)
        {
            attempts.add(endpoint.toString());
            if (dead.contains(endpoint.toString()))
            {
                throw new KeelClientException("cannot connect to " + endpoint + ": Connection refused", null);
            }
            open = true;
            opens++;
        }

        public String responseEndpoint()
        {
            return "";
        }

        public boolean isOpen()
        {
            return open;
        }

        public int offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!open)
            {
                return -1;
            }
            headerDecoder.wrap(buffer, offset);
            switch (headerDecoder.templateId())
            {
                case LogonDecoder.TEMPLATE_ID:
                    final LogonDecoder logon = new LogonDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
                    logonSeqNos.add(logon.nextExpectedSeqNo());
                    queue(new LogonResponseEncoder().wrapAndApplyHeader(scratch, 0, headerEncoder)
                        .result(logonAnswer).sessionId(11).accountId(1).heartbeatIntervalMs(1_000)
                        .nextSeqNo(engineNextSeqNo).text(logonAnswer == LogonResult.OK ? "" : "beyond the last report")
                        .encodedLength());
                    if (logonAnswer == LogonResult.OK)
                    {
                        afterLogon.run();
                    }
                    else
                    {
                        closeAfterInbound = true;
                    }
                    break;

                case NewOrderDecoder.TEMPLATE_ID:
                    orders.add(new NewOrderDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder).clOrdId());
                    break;

                case ResendRequestDecoder.TEMPLATE_ID:
                    final ResendRequestDecoder resend =
                        new ResendRequestDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
                    resendRequests.add(resend.fromSeqNo() + ".." + resend.toSeqNo());
                    break;

                default:
                    break;
            }
            return 1;
        }

        public int flush()
        {
            return 0;
        }

        public int poll()
        {
            if (!open)
            {
                return -1;
            }
            int count = 0;
            while (!inbound.isEmpty())
            {
                final byte[] message = inbound.poll();
                final UnsafeBuffer buffer = new UnsafeBuffer(message);
                listener.onMessage(buffer, 0, message.length, headerDecoder.wrap(buffer, 0).templateId());
                count++;
            }
            if (closeAfterInbound)
            {
                // As the TCP transport does: the loss is told while the connection still counts as open.
                closeAfterInbound = false;
                listener.onLost("closed by gateway");
                open = false;
                return -1;
            }
            return count;
        }

        public void disconnect()
        {
            open = false;
            inbound.clear();
        }

        public void close()
        {
            disconnect();
        }

        void execution(final long seqNo, final long clOrdId)
        {
            queue(new ExecutionReportEncoder().wrapAndApplyHeader(scratch, 0, headerEncoder)
                .sessionId(11).seqNo(seqNo).clOrdId(clOrdId).execType(ExecType.NEW).encodedLength());
        }

        void businessReject(final long clOrdId, final RejectReason reason)
        {
            queue(new BusinessRejectEncoder().wrapAndApplyHeader(scratch, 0, headerEncoder)
                .sessionId(11).seqNo(0).clOrdId(clOrdId).refTemplateId(NewOrderDecoder.TEMPLATE_ID).reason(reason)
                .encodedLength());
        }

        void logout(final LogoutReason reason, final String text)
        {
            queue(new LogoutEncoder().wrapAndApplyHeader(scratch, 0, headerEncoder).reason(reason).text(text)
                .encodedLength());
            closeAfterInbound = true;
        }

        private void queue(final int bodyLength)
        {
            final byte[] message = new byte[MessageHeaderEncoder.ENCODED_LENGTH + bodyLength];
            scratch.getBytes(0, message);
            inbound.add(message);
        }
    }

    private static final class Events implements KeelClientListener
    {
        final List<Long> seqNos = new ArrayList<>();
        final List<String> unavailable = new ArrayList<>();
        final List<Long> businessRejects = new ArrayList<>();
        final List<LogoutReason> logouts = new ArrayList<>();
        final List<String> disconnects = new ArrayList<>();
        final List<String> reconnectingEndpoints = new ArrayList<>();
        final List<Long> reconnectingDelaysMs = new ArrayList<>();
        final List<String> reconnectingReasons = new ArrayList<>();

        public void onReconnecting(final String endpoint, final long delayMs, final String reason)
        {
            reconnectingEndpoints.add(endpoint);
            reconnectingDelaysMs.add(delayMs);
            reconnectingReasons.add(reason);
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            seqNos.add(report.seqNo());
        }

        public void onBusinessReject(final io.keel.codecs.BusinessRejectDecoder reject)
        {
            businessRejects.add(reject.clOrdId());
        }

        public void onRequestUnavailable(final long clOrdId, final int attempt, final boolean givingUp)
        {
            unavailable.add(clOrdId + ":" + attempt + ":" + givingUp);
        }

        public void onLogout(final LogoutReason reason, final String text)
        {
            logouts.add(reason);
        }

        public void onDisconnected(final String reason)
        {
            disconnects.add(reason);
        }
    }
}
