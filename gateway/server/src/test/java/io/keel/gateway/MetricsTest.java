package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.node.KeelNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #9: every node and gateway serves {@code /metrics} (checked by {@code promtool}, scraped
 * by a real Prometheus server) and {@code /health} (flips with the leader). Needs the Debian
 * {@code prometheus} package's {@code prometheus} and {@code promtool} on PATH ({@code .ci/run}
 * installs it).
 */
class MetricsTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private GatewayTestEnv env;
    private Process prometheus;

    @AfterEach
    void tearDown()
    {
        if (prometheus != null)
        {
            prometheus.destroy();
            try
            {
                if (!prometheus.waitFor(10, TimeUnit.SECONDS))
                {
                    prometheus.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldServeMetricsThatPromtoolAcceptsAndPrometheusScrapes() throws Exception
    {
        env = GatewayTestEnv.start("metrics", 1, (config) -> config.metricsPort(-1).metricsBind("127.0.0.1"));
        final Gateway gateway = env.startGateway((config) -> config.metricsPort(-1).metricsBind("127.0.0.1"));
        final KeelNode node = env.cluster().node(0);
        assertTrue(node.metricsPort() > 0 && gateway.metricsPort() > 0);

        final Reports seller = new Reports();
        final Reports buyer = new Reports();
        final KeelClient sell = env.client(env.clientContext(1, seller));
        final KeelClient buy = env.client(env.clientContext(2, buyer));
        assertTrue(sell.newOrder(100, GatewayTestEnv.INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10));
        env.pollUntil(() -> seller.has(100, ExecType.NEW), 10_000, "sell acknowledged", sell);
        assertTrue(buy.newOrder(200, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 1_000, 4));
        assertTrue(buy.newOrder(201, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.MARKET, TimeInForce.IOC, 0, 1));
        env.pollUntil(() -> buyer.has(200, ExecType.TRADE) && buyer.execs.stream().anyMatch((e) -> e.clOrdId() == 201),
            10_000, "buys answered", sell, buy);

        final String nodeMetrics = get(node.metricsPort(), "/metrics", 200);
        final String gatewayMetrics = get(gateway.metricsPort(), "/metrics", 200);
        promtoolCheck(nodeMetrics, "node");
        promtoolCheck(gatewayMetrics, "gateway");

        assertEquals(2, value(nodeMetrics, "keel_engine_orders_total{result=\"accepted\",type=\"limit\"}"), nodeMetrics);
        assertTrue(value(nodeMetrics, "keel_engine_trades_total") >= 1, nodeMetrics);
        assertTrue(value(nodeMetrics, "keel_engine_resting_orders") >= 1, nodeMetrics);
        assertEquals(2, value(nodeMetrics, "keel_cluster_role"), "a single node leads");
        assertTrue(value(nodeMetrics, "keel_cluster_commit_position") > 0, nodeMetrics);
        assertTrue(value(nodeMetrics, "keel_node_latency_seconds_count{hop=\"engine_apply\"}") >= 3, nodeMetrics);
        assertEquals(0, value(nodeMetrics, "keel_node_drop_copy_live_feeds"), nodeMetrics);
        assertEquals(0, value(nodeMetrics, "keel_node_drop_copy_reports_total{kind=\"sent\"}"), nodeMetrics);
        assertEquals(3, value(gatewayMetrics, "keel_gateway_orders_forwarded_total"), gatewayMetrics);
        assertEquals(2, value(gatewayMetrics, "keel_gateway_logons_total"), gatewayMetrics);
        assertTrue(value(gatewayMetrics, "keel_gateway_received_bytes_total") > 0, gatewayMetrics);
        assertEquals(3, value(gatewayMetrics, "keel_gateway_hop_latency_seconds_count{hop=\"gateway_receive_to_ingress\"}"));
        assertEquals(3, value(gatewayMetrics, "keel_gateway_hop_latency_seconds_count{hop=\"ingress_to_egress\"}"));
        // Every report is timed on its way out, not only the first per request.
        assertTrue(value(gatewayMetrics, "keel_gateway_hop_latency_seconds_count{hop=\"egress_to_client\"}") >= 3);
        assertTrue(get(node.metricsPort(), "/health", 200).startsWith("ready"));
        assertTrue(get(gateway.metricsPort(), "/health", 200).startsWith("ready"));

        startPrometheus(node.metricsPort(), gateway.metricsPort());
        awaitQuery("sum(keel_engine_orders_total{result=\"accepted\"})", 2);
        awaitQuery("keel_gateway_orders_forwarded_total", 3);
    }

    @Test
    void shouldReportNotReadyWhileTheClusterElectsANewLeader() throws Exception
    {
        env = GatewayTestEnv.start("health", 3, (config) -> config.metricsPort(-1).metricsBind("127.0.0.1"));
        final KeelNode leader = env.cluster().awaitLeader(10_000);
        KeelNode follower = null;
        for (int i = 0; i < 3; i++)
        {
            if (i != leader.memberId())
            {
                follower = env.cluster().node(i);
            }
        }
        final int port = follower.metricsPort();
        awaitHealth(port, 200, 10_000);

        env.cluster().stopNode(leader.memberId());
        final long lostAt = System.nanoTime();
        awaitHealth(port, 503, 15_000);
        awaitHealth(port, 200, 20_000);
        System.out.println("health: 503 then 200 within " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt) +
            " ms of the leader's stop");
        final String metrics = get(port, "/metrics", 200);
        assertTrue(value(metrics, "keel_cluster_elections_total") >= 2, metrics);
    }

    /**
     * Every panel of {@code deploy/grafana-keel.json} shows data: each query answers a non-empty result from a real
     * Prometheus (configured as {@code deploy/prometheus.yml}, on this test's ports) scraping a real 3-node cluster
     * and a gateway that carried orders, a trade and a reject. A query that matches no series (as the commit-lag
     * panel's {@code max(x) - x} did: {@code max} drops the labels) fails this test.
     */
    @Test
    void shouldAnswerEveryDashboardQueryFromARealPrometheusScrapingARealCluster() throws Exception
    {
        final List<String> queries = DashboardQueries.of(DashboardQueries.repoFile("deploy/grafana-keel.json"));
        assertTrue(queries.size() >= 20, "queries read from the dashboard: " + queries);

        env = GatewayTestEnv.start("dashboard", 3, (config) -> config.metricsPort(-1).metricsBind("127.0.0.1"));
        final Gateway gateway = env.startGateway((config) -> config.metricsPort(-1).metricsBind("127.0.0.1"));
        final Reports seller = new Reports();
        final Reports buyer = new Reports();
        final KeelClient sell = env.client(env.clientContext(1, seller));
        final KeelClient buy = env.client(env.clientContext(2, buyer));
        assertTrue(sell.newOrder(100, GatewayTestEnv.INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 10));
        env.pollUntil(() -> seller.has(100, ExecType.NEW), 10_000, "sell acknowledged", sell);
        assertTrue(buy.newOrder(200, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 1_000, 4));
        assertTrue(buy.newOrder(201, 99, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, 1_000, 1)); // no such instrument
        env.pollUntil(() -> buyer.has(200, ExecType.TRADE) && buyer.has(201, ExecType.REJECTED), 10_000,
            "trade and reject", sell, buy);

        String config = Files.readString(DashboardQueries.repoFile("deploy/prometheus.yml"))
            .replace("scrape_interval: 5s", "scrape_interval: 1s")
            .replace("scrape_timeout: 4s", "scrape_timeout: 1s");
        for (int member = 0; member < 3; member++)
        {
            config = replaceOnce(config, "127.0.0.1:" + (9400 + member), "127.0.0.1:" + env.cluster().node(member).metricsPort());
        }
        config = replaceOnce(config, "127.0.0.1:9500", "127.0.0.1:" + gateway.metricsPort());
        startPrometheus(config);

        // Rates over [1m] need two scrapes of a series: wait for every query, then report all the empty ones at once.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> empty = emptyQueries(queries);
        while (!empty.isEmpty() && System.nanoTime() - deadline < 0)
        {
            assertTrue(prometheus.isAlive(), "prometheus exited: see " + new File(env.dir(), "prometheus.log"));
            Thread.sleep(500);
            empty = emptyQueries(queries);
        }
        assertEquals(List.of(), empty, "dashboard queries with no data after 60 s of scrapes");
        assertTrue(queries.contains(DashboardQueries.COMMIT_LAG), "the commit-lag panel asks " + DashboardQueries.COMMIT_LAG);
        assertEquals(3, seriesCount(query(DashboardQueries.COMMIT_LAG)), "commit lag: one series per node");

        // The check catches an empty panel: the old commit-lag expression, asked of the same Prometheus, matches nothing.
        assertEquals(0, seriesCount(query(DashboardQueries.OLD_COMMIT_LAG)), query(DashboardQueries.OLD_COMMIT_LAG));
        assertEquals(List.of(DashboardQueries.OLD_COMMIT_LAG),
            emptyQueries(List.of(DashboardQueries.COMMIT_LAG, DashboardQueries.OLD_COMMIT_LAG)));
    }

    // ------------------------------------------------------------------ helpers

    private static String replaceOnce(final String text, final String what, final String with)
    {
        assertEquals(text.indexOf(what), text.lastIndexOf(what), what + " once in deploy/prometheus.yml");
        assertTrue(text.contains(what), what + " in deploy/prometheus.yml");
        return text.replace(what, with);
    }

    private List<String> emptyQueries(final List<String> queries) throws Exception
    {
        final List<String> empty = new ArrayList<>();
        for (final String query : queries)
        {
            if (seriesCount(query(query)) == 0)
            {
                empty.add(query);
            }
        }
        return empty;
    }

    /**
     * The body of {@code /api/v1/query}, or the error met while Prometheus is not yet listening.
     */
    private String query(final String query) throws Exception
    {
        final URI uri = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query=" +
            URLEncoder.encode(query, StandardCharsets.UTF_8));
        try
        {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException notYetListening)
        {
            return notYetListening.toString();
        }
    }

    /**
     * Series in an instant-vector answer; 0 for an empty result, an error or no answer.
     */
    static int seriesCount(final String answer)
    {
        if (!answer.contains("\"status\":\"success\"") || !answer.contains("\"resultType\":\"vector\""))
        {
            return 0;
        }
        int count = 0;
        for (int at = answer.indexOf("\"metric\":"); at >= 0; at = answer.indexOf("\"metric\":", at + 1))
        {
            count++;
        }
        return count;
    }

    private static String get(final int port, final String path, final int expectedStatus) throws Exception
    {
        final HttpResponse<String> response = HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private static void awaitHealth(final int port, final int status, final long timeoutMs) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int last = -1;
        while (System.nanoTime() - deadline < 0)
        {
            last = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (last == status)
            {
                return;
            }
            Thread.sleep(20);
        }
        fail("/health stayed " + last + " for " + timeoutMs + " ms, expected " + status);
    }

    /**
     * The value of one sample line of the exposition, e.g. {@code name{label="x"}}.
     */
    static double value(final String exposition, final String series)
    {
        for (final String line : exposition.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no series " + series);
    }

    private void promtoolCheck(final String exposition, final String what) throws Exception
    {
        final File file = new File(env.dir(), what + ".prom");
        Files.writeString(file.toPath(), exposition);
        final Process promtool = new ProcessBuilder(binary("promtool"), "check", "metrics")
            .redirectInput(file).redirectErrorStream(true).start();
        assertTrue(promtool.waitFor(20, TimeUnit.SECONDS), "promtool finished");
        final String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.exitValue(), "promtool check metrics on the " + what + "'s /metrics: " + output);
    }

    private int prometheusPort;

    private void startPrometheus(final int nodePort, final int gatewayPort) throws IOException
    {
        startPrometheus(String.join("\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: keel-node",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + nodePort + "']",
            "  - job_name: keel-gateway",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + gatewayPort + "']",
            ""));
    }

    private void startPrometheus(final String configText) throws IOException
    {
        prometheusPort = freePort();
        final File config = new File(env.dir(), "prometheus.yml");
        Files.writeString(config.toPath(), configText);
        prometheus = new ProcessBuilder(binary("prometheus"),
            "--config.file=" + config.getAbsolutePath(),
            "--storage.tsdb.path=" + new File(env.dir(), "prometheus-data").getAbsolutePath(),
            "--web.listen-address=127.0.0.1:" + prometheusPort)
            .redirectErrorStream(true)
            .redirectOutput(new File(env.dir(), "prometheus.log"))
            .start();
    }

    private void awaitQuery(final String query, final double atLeast) throws Exception
    {
        final URI uri = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query=" +
            URLEncoder.encode(query, StandardCharsets.UTF_8));
        final Pattern valuePattern = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "(no answer)";
        while (System.nanoTime() - deadline < 0)
        {
            assertTrue(prometheus.isAlive(), "prometheus exited: see " + new File(env.dir(), "prometheus.log"));
            try
            {
                last = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                final Matcher matcher = valuePattern.matcher(last);
                if (matcher.find() && Double.parseDouble(matcher.group(1)) >= atLeast)
                {
                    return;
                }
            }
            catch (final IOException notYetListening)
            {
                last = notYetListening.toString();
            }
            Thread.sleep(250);
        }
        fail("Prometheus query " + query + " never reached " + atLeast + ": " + last);
    }

    private static String binary(final String name)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final File file = new File(dir, name);
            if (file.canExecute())
            {
                return file.getAbsolutePath();
            }
        }
        throw new AssertionError(name + " is not on PATH: install the Debian package (apt-get install -y prometheus)," +
            " as .ci/run does");
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
