package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.ResendRequestEncoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Engine;
import io.keel.node.KeelNode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions live in the cluster's log, so every report reaches its client, in order, across what used to lose them:
 * a leader that dies while another gateway's clients fill this gateway's makers, a gateway killed while its clients'
 * orders fill (they resume on another gateway), cancel-on-disconnect after a gateway crash, and a resend far beyond
 * anything a gateway holds.
 */
@Timeout(240)
class SessionsInTheLogTest
{
    private static final int MAKER = 1;
    private static final int TAKER = 2;

    private GatewayTestEnv env;
    private Process process;

    @AfterEach
    void stop()
    {
        if (process != null && process.isAlive())
        {
            process.destroyForcibly();
        }
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldDeliverEveryMakerReportWhenTheLeaderDiesWhileTakersOnAnotherGatewayFillThem()
    {
        final int orders = 150;
        final int instrument = 2;
        env = GatewayTestEnv.start("sessions-leader-kill", 3);
        final Gateway gatewayA = env.startGateway((config) -> {});
        final Gateway gatewayB = env.launchExtraGateway(8, (config) -> {});
        final Reports maker = new Reports();
        final Reports taker = new Reports();
        final KeelClient makerClient = env.client(env.clientContext(gatewayA, MAKER, maker).resendTimeoutMs(2_000));
        final KeelClient takerClient = env.client(env.clientContext(gatewayB, TAKER, taker).resendTimeoutMs(2_000));

        for (int i = 1; i <= orders; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> makerClient.newOrder(clOrdId, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC,
                1_001 + clOrdId % 100, 1), 10_000, "maker order " + i, makerClient);
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) == orders, 20_000, "makers resting", makerClient);

        final KeelNode leader = env.cluster().awaitLeader(10_000);
        boolean killed = false;
        int sent = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (maker.count(ExecType.TRADE) < orders || takerClient.inFlight() > 0 || sent < orders)
        {
            assertTrue(System.nanoTime() - deadline < 0, "makers filled " + maker.count(ExecType.TRADE) + " of " +
                orders + ", taker sent " + sent + " in flight " + takerClient.inFlight());
            if (sent < orders && takerClient.newOrder(1_000 + sent, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC,
                1_500, 1))
            {
                sent++;
            }
            if (!killed && sent == orders / 3)
            {
                env.cluster().stopNode(leader.memberId());
                killed = true;
            }
            if (makerClient.poll() + takerClient.poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }

        assertEquals(orders, maker.count(ExecType.TRADE), "one fill per maker order, each reported once");
        assertEquals(LongStream.rangeClosed(1, 2L * orders).boxed().toList(), maker.seqNos,
            "the maker's reports: every seqNo once, in order");
        assertEquals(orders, taker.count(ExecType.TRADE), "every taker order filled exactly once");

        env.cluster().startNode(leader.memberId(), false);
        final Long[] hashes = env.stateHashes();
        assertNotNull(hashes[0]);
        assertEquals(hashes[0], hashes[1]);
        assertEquals(hashes[0], hashes[2]);
    }

    @Test
    void shouldResumeOnAnotherGatewayWithEveryReportWhenTheGatewayIsKilled() throws Exception
    {
        final int orders = 40;
        final int instrument = 3;
        env = GatewayTestEnv.start("sessions-gateway-kill", 3);
        final Gateway gatewayB = env.startGateway((config) -> {});
        final int portA = launchGatewayProcess(3, 0);

        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(new KeelClient.Context().host("127.0.0.1").port(portA)
            .username("trader" + MAKER).password("pw" + MAKER).autoReconnect(false).listener(maker));
        for (int i = 1; i <= orders; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> makerClient.newOrder(clOrdId, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC,
                1_010, 1), 10_000, "maker order " + i, makerClient);
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) == orders, 20_000, "makers resting", makerClient);
        final long resumeFrom = makerClient.nextExpectedSeqNo();
        assertEquals(orders + 1, resumeFrom);

        process.destroyForcibly(); // kill -9: the gateway tells nobody
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));

        // Half the maker's orders fill while no gateway serves the maker.
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(gatewayB, TAKER, taker));
        for (int i = 1; i <= orders / 2; i++)
        {
            final int clOrdId = 100 + i;
            env.pollUntil(() -> takerClient.newOrder(clOrdId, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC,
                1_010, 1), 10_000, "taker order " + i, takerClient);
        }
        env.pollUntil(() -> taker.count(ExecType.TRADE) == orders / 2, 20_000, "taker fills", takerClient);

        // The maker resumes on gateway B where it stopped: exactly the fills it missed, once, in order.
        final Reports resumed = new Reports();
        final KeelClient resumedClient = env.client(env.clientContext(gatewayB, MAKER, resumed)
            .nextExpectedSeqNo(resumeFrom));
        env.pollUntil(() -> resumed.count(ExecType.TRADE) == orders / 2, 20_000, "missed fills", resumedClient);
        resumedClient.poll();
        assertEquals(LongStream.range(resumeFrom, resumeFrom + orders / 2).boxed().toList(), resumed.seqNos);

        // And trades on there, numbered on from the same sequence.
        resumedClient.newOrder(500, instrument, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_400, 1);
        env.pollUntil(() -> resumed.has(500, ExecType.NEW), 10_000, "order after resuming", resumedClient);
        assertEquals(resumeFrom + orders / 2, resumed.seqNos.get(resumed.seqNos.size() - 1));
    }

    @Test
    void shouldCancelOnEveryNodeAfterTheGraceWhenTheGatewayCrashes() throws Exception
    {
        final int orders = 5;
        final int instrument = 4;
        final long graceMs = 1_500;
        env = GatewayTestEnv.start("sessions-cod", 3, (config) -> config.sessionTimeoutMs(2_000));
        final Gateway gatewayB = env.startGateway((config) -> {});
        final int portA = launchGatewayProcess(3, graceMs);

        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(new KeelClient.Context().host("127.0.0.1").port(portA)
            .username("trader" + MAKER).password("pw" + MAKER).cancelOnDisconnect(true).autoReconnect(false)
            .listener(maker));
        for (int i = 1; i <= orders; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> makerClient.newOrder(clOrdId, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.GTC,
                900, 1), 10_000, "maker order " + i, makerClient);
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) == orders, 20_000, "orders resting", makerClient);
        final long resumeFrom = makerClient.nextExpectedSeqNo();

        process.destroyForcibly();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        final long killedNs = System.nanoTime();

        // The cluster notices the dead gateway (session timeout), then the grace runs: every order is cancelled, and
        // the cancels are the session's reports — the user logging on again anywhere gets them.
        final Reports resumed = new Reports();
        env.await(() -> openOrdersOfMakerOnAllNodes() == 0, 30_000, "orders cancelled");
        assertTrue(System.nanoTime() - killedNs >= TimeUnit.MILLISECONDS.toNanos(graceMs),
            "cancelled before the grace ran out");
        final KeelClient resumedClient = env.client(env.clientContext(gatewayB, MAKER, resumed)
            .nextExpectedSeqNo(resumeFrom));
        env.pollUntil(() -> resumed.count(ExecType.CANCELED) == orders, 20_000, "cancels delivered", resumedClient);
        assertEquals(LongStream.range(resumeFrom, resumeFrom + orders).boxed().toList(), resumed.seqNos);

        final Long[] hashes = env.stateHashes();
        assertEquals(hashes[0], hashes[1]);
        assertEquals(hashes[0], hashes[2]);
        final Engine[] engines = env.stopClusterAndInspect();
        for (final Engine engine : engines)
        {
            assertEquals(0, engine.reserved(MAKER, GatewayTestEnv.QUOTE), "nothing reserved for cancelled orders");
        }
    }

    @Test
    void shouldResendFromTheJournalFarBeyondWhatAGatewayHolds() throws Exception
    {
        // More than the 1,024 reports a gateway used to keep per session.
        final int orders = 600;
        final int instrument = 5;
        env = GatewayTestEnv.start("sessions-resend", 1);
        final Gateway gateway = env.startGateway((config) -> {});
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(gateway, MAKER, reports));
        for (int i = 1; i <= orders; i++)
        {
            final int clOrdId = i;
            // IOC with nothing to trade against: NEW then CANCELED, two reports each.
            env.pollUntil(() -> client.newOrder(clOrdId, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1),
                10_000, "order " + i, client);
            client.poll();
        }
        env.pollUntil(() -> reports.count(ExecType.CANCELED) == orders, 120_000, "all answered", client);
        client.logout();

        // A raw client logs on asking for everything from seqNo 1: 1,200 reports from the journal, in order.
        try (RawClient raw = new RawClient(gateway.port()))
        {
            raw.send(RawClient.logon("trader" + MAKER, "pw" + MAKER, 1_000, 1));
            final List<Long> seqNos = readReportSeqNos(raw, 2L * orders);
            assertEquals(LongStream.rangeClosed(1, 2L * orders).boxed().toList(), seqNos);

            // And a ResendRequest for an old range is served from the journal too.
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final ResendRequestEncoder resend = new ResendRequestEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).fromSeqNo(11).toSeqNo(1_110);
            raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength());
            assertEquals(LongStream.rangeClosed(11, 1_110).boxed().toList(), readReportSeqNos(raw, 1_100));
        }
    }

    @Test
    void shouldAnswerBadSessionRequestsClearlyAndChangeNothing()
    {
        env = GatewayTestEnv.start("sessions-bad-input", 1);
        final Gateway gateway = env.startGateway((config) -> config.maxResendReports(4));
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(gateway, MAKER, reports));
        for (int i = 1; i <= 3; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> client.newOrder(clOrdId, 6, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 900, 1), 10_000,
                "order " + i, client);
        }
        env.pollUntil(() -> reports.count(ExecType.CANCELED) == 3, 10_000, "answered", client);
        client.logout();

        // A nextExpectedSeqNo beyond the six reports produced: refused, saying why.
        try (RawClient raw = new RawClient(gateway.port()))
        {
            raw.send(RawClient.logon("trader" + MAKER, "pw" + MAKER, 1_000, 8));
            final List<RawClient.Message> answer = raw.readUntilClosed();
            final io.keel.codecs.LogonResponseDecoder response = new io.keel.codecs.LogonResponseDecoder()
                .wrapAndApplyHeader(answer.get(0).buffer(), 0, new io.keel.codecs.MessageHeaderDecoder());
            assertEquals(io.keel.codecs.LogonResult.INVALID_SEQ_NO, response.result());
            final String text = response.text();
            assertTrue(text.contains("beyond the last report of this session (6)"), text);
        }

        // Resend ranges backwards, too wide, or beyond the last report: a SessionReject each, and the session goes on.
        try (RawClient raw = new RawClient(gateway.port()))
        {
            raw.send(RawClient.logon("trader" + MAKER, "pw" + MAKER, 1_000, 0));
            final RawClient.Message logon = raw.read();
            final io.keel.codecs.LogonResponseDecoder response = new io.keel.codecs.LogonResponseDecoder()
                .wrapAndApplyHeader(logon.buffer(), 0, new io.keel.codecs.MessageHeaderDecoder());
            assertEquals(io.keel.codecs.LogonResult.OK, response.result());
            assertEquals(7, response.nextSeqNo(), "the refused logon changed nothing of the session");
            assertEquals(io.keel.codecs.RejectReason.INVALID_MESSAGE, resendAnswer(raw, 5, 2).reason());
            assertEquals(io.keel.codecs.RejectReason.INVALID_SEQ_NO, resendAnswer(raw, 7, 0).reason());
            final io.keel.codecs.SessionRejectDecoder wide = resendAnswer(raw, 1, 0);
            assertEquals(io.keel.codecs.RejectReason.INVALID_MESSAGE, wide.reason());
            final String wideText = wide.text();
            assertTrue(wideText.contains("wider than 4 reports"), wideText);
            final RawClient.Message narrow = sendResend(raw, 2, 4);
            assertEquals(io.keel.codecs.ExecutionReportDecoder.TEMPLATE_ID, narrow.templateId(), "2..4 is served");
        }
    }

    private static io.keel.codecs.SessionRejectDecoder resendAnswer(final RawClient raw, final long from, final long to)
    {
        final RawClient.Message message = sendResend(raw, from, to);
        assertEquals(io.keel.codecs.SessionRejectDecoder.TEMPLATE_ID, message.templateId());
        return message.sessionReject();
    }

    private static RawClient.Message sendResend(final RawClient raw, final long from, final long to)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final ResendRequestEncoder resend = new ResendRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).fromSeqNo(from).toSeqNo(to);
        raw.sendFrame(buffer, MessageHeaderEncoder.ENCODED_LENGTH + resend.encodedLength());
        RawClient.Message message;
        do
        {
            message = raw.read();
        }
        while (message != null && message.templateId() == io.keel.codecs.HeartbeatDecoder.TEMPLATE_ID);
        return message;
    }

    private long openOrdersOfMakerOnAllNodes()
    {
        // The leader's answer to an admin account query: what the maker's buys still reserve.
        return env.reservedOf(MAKER, GatewayTestEnv.QUOTE);
    }

    private static List<Long> readReportSeqNos(final RawClient raw, final long count)
    {
        final List<Long> seqNos = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seqNos.size() < count && System.nanoTime() - deadline < 0)
        {
            final RawClient.Message message = raw.read();
            if (message == null)
            {
                break;
            }
            if (message.templateId() == io.keel.codecs.ExecutionReportDecoder.TEMPLATE_ID)
            {
                seqNos.add(message.buffer().getLong(
                    MessageHeaderEncoder.ENCODED_LENGTH + Long.BYTES, java.nio.ByteOrder.LITTLE_ENDIAN));
            }
        }
        return seqNos;
    }

    /**
     * Gateway "A" as its own process, so it can be killed with SIGKILL.
     *
     * @return its client port.
     */
    private int launchGatewayProcess(final int gatewayId, final long codGraceMs) throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final File users = env.usersFile().toFile();
        process = new ProcessBuilder(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            GatewayMain.class.getName(),
            "--users", users.getPath(),
            "--cluster", env.cluster().ingressEndpoints(),
            "--port", Integer.toString(port),
            "--udp-port", "0",
            "--gateway-id", Integer.toString(gatewayId),
            "--cod-grace-ms", Long.toString(codGraceMs),
            "--aeron-dir", new File(users.getParentFile(), "gateway-" + gatewayId + "-process-aeron").getPath()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        final BufferedReader stdout = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String firstLine = stdout.readLine();
        assertTrue(firstLine != null && firstLine.startsWith("gateway: listening on 127.0.0.1:" + port), firstLine);
        return port;
    }
}
