package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientException;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client library over TLS, through a real HAProxy that terminates it in front of a real gateway (as DESIGN.md's
 * "Security at the edge" has it), with a self-signed certificate made by openssl for the test: a client that trusts
 * the certificate logs on, trades and resumes after a lost connection without a gap; one that does not trust it, or
 * asks for a name the certificate does not carry, fails the handshake with the reason in one line.
 */
@Timeout(120)
class ClientTlsTest
{
    private static final int INSTRUMENT = 3;

    private static GatewayTestEnv env;
    private static Gateway gateway;
    private static Path tlsDir;
    private static Path cert;
    private TlsProxy proxy;

    @BeforeAll
    static void start()
    {
        env = GatewayTestEnv.start("client-tls", 1);
        gateway = env.startGateway((config) -> {});
        tlsDir = env.dir().toPath().resolve("tls");
        cert = TlsProxy.makeSelfSignedCertificate(tlsDir);
    }

    @AfterAll
    static void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @BeforeEach
    void startProxy()
    {
        proxy = TlsProxy.start(tlsDir, gateway.port());
    }

    @AfterEach
    void stopProxy()
    {
        CloseHelper.quietClose(proxy);
    }

    @Test
    void shouldLogOnThroughHaproxyOverTlsTradeAndResumeWithoutAGapAfterALostConnection()
    {
        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(tlsContext(1, maker).trustCertificate(cert));
        assertTrue(makerClient.isLoggedOn());
        makerClient.newOrder(1, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10);
        env.pollUntil(() -> maker.has(1, ExecType.NEW), 10_000, "NEW over TLS", makerClient);

        // Cut off; while away, its order trades twice.
        makerClient.dropConnection();
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(gateway, 2, taker));
        takerClient.newOrder(10, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 3);
        takerClient.newOrder(11, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 4);
        env.pollUntil(() -> taker.count(ExecType.TRADE) == 2, 10_000, "taker fills", takerClient);

        // Back through HAProxy, a new handshake: the missed fills, once, in order, then live reports.
        env.pollUntil(() -> maker.count(1, ExecType.TRADE) == 2, 10_000, "missed fills after reconnect", makerClient);
        assertEquals(1, makerClient.reconnects());
        assertEquals(List.of(new Reports.Reconnecting(proxy.endpoint(), maker.reconnecting.get(0).delayMs(),
            "dropped by the client")), maker.reconnecting);
        makerClient.cancelOrder(2, 1, 0, INSTRUMENT);
        env.pollUntil(() -> maker.has(2, ExecType.CANCELED), 10_000, "cancel over TLS", makerClient);
        assertInSequence(maker.seqNos);
        assertEquals(4, maker.seqNos.size(), "NEW, two TRADEs, CANCELED: " + maker.seqNos);
        makerClient.logout();
        takerClient.logout();
    }

    @Test
    void shouldFailTheHandshakeWithThePkixReasonWhenTheCertificateIsNotTrusted()
    {
        // The JVM's default trust: a self-signed certificate is not in it.
        final KeelClientException failed = connectFails(tlsContext(3, new Reports()));
        assertTrue(failed.getMessage().startsWith("TLS handshake with " + proxy.endpoint() + " failed: PKIX path " +
            "building failed"), failed.getMessage());
        assertFalse(failed.getMessage().contains("\n"), failed.getMessage());
    }

    @Test
    void shouldFailHostnameVerificationWhenTheCertificateDoesNotNameTheServer()
    {
        final KeelClientException failed = connectFails(
            tlsContext(4, new Reports()).trustCertificate(cert).tlsServerName("gateway.example"));
        assertEquals("TLS handshake with " + proxy.endpoint() + " failed: No subject alternative DNS name matching " +
            "gateway.example found.", failed.getMessage());

        // The name it does carry, sent as SNI to an address, passes.
        final KeelClient client = env.client(tlsContext(4, new Reports()).trustCertificate(cert)
            .tlsServerName("localhost"));
        assertTrue(client.isLoggedOn());
        client.logout();
    }

    @Test
    void shouldTrustTheCertificateOfAPkcs12TrustStore() throws Exception
    {
        final Path store = tlsDir.resolve("trust.p12");
        writeTrustStore(store, "store-pw".toCharArray());

        final KeelClient client = env.client(tlsContext(5, new Reports()).trustStore(store, "store-pw".toCharArray()));
        assertTrue(client.isLoggedOn());
        client.logout();

        final IllegalArgumentException wrongPassword = assertThrows(IllegalArgumentException.class,
            () -> tlsContext(5, new Reports()).trustStore(store, "wrong".toCharArray()).conclude());
        assertTrue(wrongPassword.getMessage().startsWith("cannot read trust store " + store),
            wrongPassword.getMessage());
    }

    private KeelClient.Context tlsContext(final int account, final Reports reports)
    {
        return env.clientContext(gateway, account, reports).endpoints(proxy.endpoint()).tls(true);
    }

    private static KeelClientException connectFails(final KeelClient.Context context)
    {
        final KeelClient client = new KeelClient(context);
        try
        {
            return assertThrows(KeelClientException.class, client::connect);
        }
        finally
        {
            client.close();
        }
    }

    private static void assertInSequence(final List<Long> seqNos)
    {
        assertEquals(LongStream.rangeClosed(seqNos.get(0), seqNos.get(seqNos.size() - 1)).boxed().toList(), seqNos,
            "every report once, in order");
    }

    private static void writeTrustStore(final Path store, final char[] password)
        throws IOException, GeneralSecurityException
    {
        final KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        try (InputStream in = Files.newInputStream(cert))
        {
            keyStore.setCertificateEntry("keel", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream out = Files.newOutputStream(store))
        {
            keyStore.store(out, password);
        }
    }
}
