package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.HaproxyProcess;
import io.keel.common.IdleProfile;
import io.keel.common.TlsCertificates;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment end to end: a TLS client of the library connects to a real HAProxy ({@code deploy/haproxy.cfg}:
 * TLS, health checks, PROXY protocol v2) in front of two gateways, trades, and the gateway serving it is killed
 * with -9. The client reconnects through HAProxy, lands on the other gateway and resumes: every report once and in
 * order — including fills that happened while it was away — and no order applied twice.
 */
class HaproxyResumeTest
{
    private static final int MAKER = 1;
    private static final int TAKER = 2;
    private static final int INSTRUMENT = 5;
    private static final int ORDERS = 30;

    private GatewayTestEnv env;
    private Process gatewayA;
    private Gateway gatewayB;
    private HaproxyProcess haproxy;

    @AfterEach
    void tearDown()
    {
        if (gatewayA != null)
        {
            gatewayA.destroyForcibly();
        }
        CloseHelper.quietClose(haproxy);
        CloseHelper.quietClose(gatewayB);
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    @Timeout(120)
    void shouldResumeThroughHaproxyOnTheOtherGatewayWithEveryReportWhenTheServingGatewayIsKilled() throws Exception
    {
        env = GatewayTestEnv.start("haproxy-resume", 1);
        final TlsCertificates.CertificateFiles tls = TlsCertificates.generate(
            env.dir().toPath().resolve("tls"), "localhost", 1);
        final int portA = FreePorts.tcpPort();
        final int healthA = FreePorts.tcpPort();
        final int portB = FreePorts.tcpPort();
        final int healthB = FreePorts.tcpPort();
        gatewayA = launchGatewayProcess(3, portA, healthA);
        haproxy = HaproxyProcess.start(new HaproxyProcess.Context()
            .port(FreePorts.tcpPort())
            .pem(tls.pem())
            .server("127.0.0.1", portA, healthA)
            .server("127.0.0.1", portB, healthB)
            .logFile(env.dir().toPath().resolve("haproxy.log")));
        haproxy.awaitLog("gateways/gw2 is DOWN", 10_000);

        // Gateway B is not up yet: the maker lands on A.
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(new KeelClient.Context()
            .endpoints("localhost:" + haproxy.context().port())
            .tls(true)
            .trustCertificate(tls.certificate())
            .username("trader" + MAKER)
            .password("pw" + MAKER)
            .listener(maker));
        for (int i = 1; i <= ORDERS; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> makerClient.newOrder(clOrdId, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC,
                1_010, 1), 10_000, "maker order " + i, makerClient);
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) == ORDERS, 20_000, "makers resting", makerClient);

        gatewayB = Gateway.launch(new GatewayContext()
            .gatewayId(4)
            .port(portB)
            .udpPort(0)
            .marketDataPort(0)
            .metricsPort(healthB)
            .proxyProtocolFrom("127.0.0.1")
            .clusterEndpoints(env.cluster().ingressEndpoints())
            .credentialsFile(env.usersFile())
            .aeronDir(new File(env.dir(), "gateway-b-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .clusterConnectTimeoutMs(2_000));
        haproxy.awaitLog("gateways/gw2 is UP", 15_000);

        // The taker comes in through HAProxy too: the least loaded gateway is B.
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(new KeelClient.Context()
            .endpoints("localhost:" + haproxy.context().port())
            .tls(true)
            .trustCertificate(tls.certificate())
            .username("trader" + TAKER)
            .password("pw" + TAKER)
            .listener(taker));
        assertEquals(1, gatewayB.logons(), "the taker is on gateway B");

        gatewayA.destroyForcibly(); // kill -9: the gateway tells nobody
        assertTrue(gatewayA.waitFor(20, TimeUnit.SECONDS));

        // Fills while the maker is away or coming back through HAProxy.
        for (int i = 1; i <= ORDERS; i++)
        {
            final int clOrdId = 100 + i;
            env.pollUntil(() -> takerClient.newOrder(clOrdId, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.IOC,
                1_010, 1), 10_000, "taker order " + i, takerClient, makerClient);
        }
        env.pollUntil(() -> taker.count(ExecType.TRADE) == ORDERS && maker.count(ExecType.TRADE) == ORDERS, 30_000,
            "every fill on both sides", takerClient, makerClient);
        assertEquals(2, gatewayB.logons(), "the maker resumed on gateway B");

        // Every report once, in order: the NEWs, then a fill per resting order.
        assertEquals(LongStream.rangeClosed(1, 2L * ORDERS).boxed().toList(), maker.seqNos,
            "the maker's reports: every seqNo once, in order");
        for (int i = 1; i <= ORDERS; i++)
        {
            assertEquals(1, maker.count(i, ExecType.TRADE), "maker order " + i + " filled once");
            assertEquals(1, taker.count(100 + i, ExecType.TRADE), "taker order " + (100 + i) + " filled once");
        }
        assertEquals(List.of(), maker.businessRejects, "no reject");

        // And trades on, numbered on from the same sequence.
        env.pollUntil(() -> makerClient.newOrder(500, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_400, 1),
            10_000, "order after resuming", makerClient);
        env.pollUntil(() -> maker.has(500, ExecType.NEW), 10_000, "its report", makerClient);
        assertEquals(2L * ORDERS + 1, maker.seqNos.get(maker.seqNos.size() - 1));
    }

    private Process launchGatewayProcess(final int gatewayId, final int port, final int healthPort) throws Exception
    {
        final File users = env.usersFile().toFile();
        final Process process = new ProcessBuilder(List.of(
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
            "--md-port", "0",
            "--metrics-port", Integer.toString(healthPort),
            "--proxy-protocol", "127.0.0.1",
            "--gateway-id", Integer.toString(gatewayId),
            "--aeron-dir", new File(users.getParentFile(), "gateway-" + gatewayId + "-process-aeron").getPath()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        final BufferedReader stdout = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String firstLine = stdout.readLine();
        assertTrue(firstLine != null && firstLine.startsWith("gateway: listening on 127.0.0.1:" + port), firstLine);
        // Keep reading its output so a full pipe never blocks it.
        final Thread drain = new Thread(() -> stdout.lines().forEach((line) -> { }), "gateway-a-stdout");
        drain.setDaemon(true);
        drain.start();
        return process;
    }
}
