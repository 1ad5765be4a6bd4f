package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.IdleProfile;
import io.keel.node.KeelNode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gateway's {@code /health} is what a load balancer ({@code option httpchk}) routes by: 200 exactly while the
 * gateway takes orders, 503 with the reason while it refuses them — not yet connected, no cluster session, or the
 * circuit breaker open during a failover — and 200 again when orders go through. Real cluster, real gateway,
 * real HTTP.
 */
@Timeout(120)
class GatewayReadinessTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private GatewayTestEnv env;
    private Gateway early;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(early);
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldAnswer503WhileTheBreakerRefusesOrdersDuringAFailoverAnd200AfterIt() throws Exception
    {
        env = GatewayTestEnv.start("readiness-failover", 3);
        final Gateway gateway = env.startGateway((config) -> config.metricsPort(-1).metricsBind("127.0.0.1")
            .breakerTimeoutMs(200));
        final int port = gateway.metricsPort();
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(1, reports).resendTimeoutMs(60_000));
        final HttpResponse<String> ready = awaitHealth(port, 200, 10_000, "state=READY", client);
        assertTrue(ready.body().startsWith("ready gateway=7"), ready.body());

        long clOrdId = 1;
        assertTrue(client.newOrder(clOrdId, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1));
        final long first = clOrdId;
        env.pollUntil(() -> reports.has(first, ExecType.NEW), 10_000, "first order acknowledged", client);

        final KeelNode leader = env.cluster().awaitLeader(10_000);
        env.cluster().stopNode(leader.memberId());
        final long stoppedNs = System.nanoTime();

        // Orders keep coming: unanswered ones open the breaker, and /health must say so.
        HttpResponse<String> last = null;
        long notReadyAtNs = 0;
        long readyAgainAtNs = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (readyAgainAtNs == 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "no 503 then 200 within 30 s of the leader's stop; last: " +
                (last == null ? "none" : last.statusCode() + " " + last.body()));
            client.newOrder(++clOrdId, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1);
            pollFor(client, 20);
            last = health(port);
            if (last.statusCode() == 503 && notReadyAtNs == 0)
            {
                notReadyAtNs = System.nanoTime();
                assertTrue(last.body().startsWith("not ready gateway=7 state=BREAKER_OPEN") ||
                    last.body().startsWith("not ready gateway=7 state=NO_CLUSTER_SESSION"), last.body());
                System.out.println("readiness: " + last.body().trim());
            }
            else if (last.statusCode() == 200 && notReadyAtNs != 0)
            {
                readyAgainAtNs = System.nanoTime();
            }
        }
        System.out.println("readiness: 503 " + TimeUnit.NANOSECONDS.toMillis(notReadyAtNs - stoppedNs) +
            " ms after the leader's stop, 200 again after " + TimeUnit.NANOSECONDS.toMillis(readyAgainAtNs - stoppedNs) +
            " ms; orders refused as UNAVAILABLE meanwhile: " + gateway.unavailableRejects());
        assertTrue(gateway.unavailableRejects() > 0, "the breaker refused orders while /health said 503");

        // 200 means orders go through again.
        final long afterwards = ++clOrdId;
        assertTrue(client.newOrder(afterwards, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 900, 1));
        env.pollUntil(() -> reports.has(afterwards, ExecType.NEW) || rejected(reports, afterwards), 10_000,
            "order after recovery answered", client);
        assertTrue(reports.has(afterwards, ExecType.NEW), "an order sent once /health said 200 is accepted");
        assertTrue(gateway.isReady());
    }

    @Test
    void shouldAnswer503BeforeTheFirstConnectAndWhileTheClusterIsGoneThen200AfterItsRestart() throws Exception
    {
        env = GatewayTestEnv.start("readiness-gone", 1);
        final Gateway gateway = env.startGateway((config) -> config.metricsPort(-1).metricsBind("127.0.0.1")
            .breakerTimeoutMs(200));
        final int port = gateway.metricsPort();
        awaitHealth(port, 200, 10_000, "state=READY");

        env.cluster().stopNode(0);
        awaitHealth(port, 503, 30_000, "state=NO_CLUSTER_SESSION");

        // A gateway that starts while the cluster is down has never been connected.
        early = Gateway.launch(new GatewayContext()
            .gatewayId(8)
            .port(0)
            .udpPort(0)
            .clusterEndpoints(env.cluster().ingressEndpoints())
            .credentialsFile(env.usersFile())
            .aeronDir(new File(env.dir(), "gateway-8-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .marketDataPort(0)
            .clusterConnectTimeoutMs(1_000)
            .metricsPort(-1)
            .metricsBind("127.0.0.1")
            .conclude());
        final HttpResponse<String> starting = awaitHealth(early.metricsPort(), 503, 10_000, "state=STARTING");
        assertTrue(starting.body().startsWith("not ready gateway=8 state=STARTING"), starting.body());

        env.cluster().startNode(0, false);
        env.cluster().awaitLeader(20_000);
        awaitHealth(port, 200, 30_000, "state=READY");
        awaitHealth(early.metricsPort(), 200, 30_000, "state=READY");

        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(2, reports));
        assertTrue(client.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_100, 1));
        env.pollUntil(() -> reports.has(1, ExecType.NEW), 10_000, "order accepted after the restart", client);
    }

    // ------------------------------------------------------------------ helpers

    private static boolean rejected(final Reports reports, final long clOrdId)
    {
        return reports.businessRejects.stream().anyMatch((r) -> r.clOrdId() == clOrdId && r.reason() == RejectReason.UNAVAILABLE);
    }

    static HttpResponse<String> health(final int port) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Poll {@code /health} (and the clients) until it answers {@code status} with a body containing {@code text}.
     */
    static HttpResponse<String> awaitHealth(
        final int port, final int status, final long timeoutMs, final String text, final KeelClient... clients)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        HttpResponse<String> last = null;
        while (System.nanoTime() - deadline < 0)
        {
            last = health(port);
            if (last.statusCode() == status && last.body().contains(text))
            {
                assertEquals(status == 200, last.body().startsWith("ready "), last.body());
                return last;
            }
            for (final KeelClient client : clients)
            {
                pollFor(client, 0);
            }
            Thread.sleep(20);
        }
        fail("/health never answered " + status + " with " + text + " within " + timeoutMs + " ms; last: " +
            (last == null ? "none" : last.statusCode() + " " + last.body()));
        return null;
    }

    private static void pollFor(final KeelClient client, final long ms)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        do
        {
            if (client.poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        while (System.nanoTime() - until < 0);
    }
}
