package io.keel.gateway;

import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogonResponseDecoder;
import io.keel.codecs.LogonResult;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.HaproxyProcess;
import io.keel.common.IdleProfile;
import io.keel.common.TlsCertificates;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static io.keel.gateway.GatewayLogCapture.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The deployment as it is: a real HAProxy running {@code deploy/haproxy.cfg} (TLS with a certificate from
 * {@code TlsCertificates}, PROXY protocol v2, health checks on {@code /health}) in front of two real gateways started
 * with {@code --proxy-protocol 127.0.0.1}, and TLS clients speaking SOFH/SBE through it. A client logs on and trades,
 * and the gateway knows it by the address HAProxy saw; connections spread over both gateways; a gateway that stops,
 * or that listens but is not ready, gets no new connection.
 */
@Timeout(180)
class HaproxyGatewayTest
{
    private static final int INSTRUMENT = 3;

    private static GatewayLogCapture log;
    private static GatewayTestEnv env;
    private static TlsCertificates.CertificateFiles tls;
    private HaproxyProcess haproxy;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void start()
    {
        log = new GatewayLogCapture();
        env = GatewayTestEnv.start("haproxy", 1);
        tls = TlsCertificates.generate(env.dir().toPath().resolve("tls"), "localhost", 1);
    }

    @AfterEach
    void stopHaproxyAndClients()
    {
        if (haproxy != null)
        {
            haproxy.kill();
        }
        for (int i = closeAfter.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeAfter.get(i));
        }
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
        if (log != null)
        {
            log.close();
        }
    }

    @Test
    void shouldCarryTlsClientsWithTheirAddressToBothGatewaysAndNoneToAStoppedOne()
    {
        final Gateway gw1 = env.launchExtraGateway(11, HaproxyGatewayTest::behindHaproxy);
        final Gateway gw2 = env.launchExtraGateway(12, HaproxyGatewayTest::behindHaproxy);
        haproxy = startHaproxy("both", gw1, gw2);

        final RawClient first = tlsClient();
        logOn(first, 1);
        final boolean firstOnGw1 = gw1.logons() == 1;
        first.sendFrame(order(1), orderLength());
        awaitExecutionReport(first, 1);
        // The gateway knows the client by the address HAProxy saw: 127.0.0.1 and the client's own port.
        log.await("logon", field("user", "trader1"), field("remote", "/127.0.0.1:" + first.localPort()));

        final RawClient second = tlsClient();
        logOn(second, 2);
        assertEquals(1, gw1.logons(), "least connections: one each");
        assertEquals(1, gw2.logons(), "least connections: one each");
        log.await("logon", field("user", "trader2"), field("remote", "/127.0.0.1:" + second.localPort()));

        // gw2 goes: its /health stops answering and the check takes it out. Its client reconnects and resumes on
        // gw1, as does every new client.
        CloseHelper.close(gw2);
        haproxy.awaitLog("gateways/gw2 is DOWN", 10_000);
        final int movedAccount = firstOnGw1 ? 2 : 1;
        final long gw1LogonsBefore = gw1.logons();
        logOn(tlsClient(), movedAccount);
        for (int account = 3; account <= 5; account++)
        {
            logOn(tlsClient(), account);
        }
        assertEquals(gw1LogonsBefore + 4, gw1.logons(), "every new connection on gw1");
    }

    @Test
    void shouldSendNothingToAGatewayThatListensButIsNotReady()
    {
        final Gateway ready = env.launchExtraGateway(13, HaproxyGatewayTest::behindHaproxy);
        // A gateway whose cluster is not there: it accepts TCP connections, but its /health is 503 (STARTING).
        final GatewayContext notReadyConfig = new GatewayContext()
            .gatewayId(14)
            .port(0)
            .udpPort(0)
            .marketDataPort(0)
            .clusterEndpoints("0=127.0.0.1:" + FreePorts.udpPort())
            .credentialsFile(env.usersFile())
            .aeronDir(new File(env.dir(), "gateway-14-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .clusterConnectTimeoutMs(500);
        behindHaproxy(notReadyConfig);
        final Gateway notReady = Gateway.launch(notReadyConfig);
        closeAfter.add(notReady);
        haproxy = startHaproxy("not-ready", ready, notReady);
        haproxy.awaitLog("gateways/gw2 is DOWN, reason: Layer7 wrong status, code: 503", 10_000);

        for (int account = 6; account <= 8; account++)
        {
            logOn(tlsClient(), account);
        }
        assertEquals(3, ready.logons(), "every connection on the ready gateway");
    }

    private static void behindHaproxy(final GatewayContext config)
    {
        config.proxyProtocolFrom("127.0.0.1").metricsPort(-1).metricsBind("127.0.0.1");
    }

    private HaproxyProcess startHaproxy(final String name, final Gateway gw1, final Gateway gw2)
    {
        final HaproxyProcess.Context context = new HaproxyProcess.Context()
            .port(FreePorts.tcpPort())
            .pem(tls.pem())
            .server("127.0.0.1", gw1.port(), gw1.metricsPort())
            .server("127.0.0.1", gw2.port(), gw2.metricsPort())
            .logFile(env.dir().toPath().resolve("haproxy-" + name + ".log"));
        return HaproxyProcess.start(context);
    }

    /**
     * A client as the library's TLS support will be: the JDK's SSLSocket, trusting the generated certificate and
     * checking that it names the address connected to.
     */
    private RawClient tlsClient()
    {
        try
        {
            final SSLSocket socket = (SSLSocket)TlsCertificates.clientContextTrusting(tls.certificate())
                .getSocketFactory().createSocket();
            final SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.connect(new InetSocketAddress("127.0.0.1", haproxy.context().port()), 5_000);
            socket.startHandshake();
            final RawClient client = new RawClient(socket);
            closeAfter.add(client);
            return client;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void logOn(final RawClient client, final int account)
    {
        client.send(RawClient.logon("trader" + account, "pw" + account, 1_000));
        final RawClient.Message response = client.read();
        assertNotNull(response, "trader" + account + ": closed before a LogonResponse");
        assertEquals(LogonResponseDecoder.TEMPLATE_ID, response.templateId());
        assertEquals(LogonResult.OK, response.logonResult(), "trader" + account);
    }

    private static UnsafeBuffer order(final long clOrdId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clOrdId(clOrdId).instrumentId(INSTRUMENT).side(Side.BUY).ordType(OrdType.LIMIT)
            .timeInForce(TimeInForce.IOC).price(900).quantity(1);
        return buffer;
    }

    private static int orderLength()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + NewOrderEncoder.BLOCK_LENGTH;
    }

    private static void awaitExecutionReport(final RawClient client, final long clOrdId)
    {
        while (true)
        {
            final RawClient.Message message = client.read();
            assertNotNull(message, "closed before an ExecutionReport");
            if (message.templateId() == ExecutionReportDecoder.TEMPLATE_ID)
            {
                final ExecutionReportDecoder report = new ExecutionReportDecoder()
                    .wrapAndApplyHeader(message.buffer(), 0, new io.keel.codecs.MessageHeaderDecoder());
                assertEquals(clOrdId, report.clOrdId());
                return;
            }
        }
    }
}
