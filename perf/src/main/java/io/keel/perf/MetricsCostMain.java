package io.keel.perf;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.cluster.EmbeddedCluster;
import io.keel.engine.cluster.IdleProfile;
import io.keel.engine.cluster.KeelClusterClient;
import io.keel.engine.cluster.NodeConfig;
import io.keel.engine.cluster.Principal;
import io.keel.gateway.CredentialsStore;
import io.keel.gateway.Gateway;
import io.keel.gateway.GatewayConfig;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of metrics (issue #9): a closed-loop KeelClient round trip (IOC order into an empty
 * book → its report) through a 1-node embedded cluster and a TCP gateway, once with metrics off
 * and once with metrics on and both /metrics endpoints scraped every second; runs alternate
 * (off, on, off, on, …) on fresh clusters. Prints p50/p99/p99.9 per mode and the p99 ratio.
 */
@Command(name = "keel perf metrics-cost", mixinStandardHelpOptions = true,
    description = "p99 of a gateway round trip with metrics off vs on.")
public final class MetricsCostMain implements Callable<Integer>
{
    @Option(names = "--seconds", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
    int seconds = 20;

    @Option(names = "--warmup-seconds", description = "Unmeasured seconds per run (default ${DEFAULT-VALUE}).")
    int warmupSeconds = 5;

    @Option(names = "--rounds", description = "Off/on pairs (default ${DEFAULT-VALUE}).")
    int rounds = 1;

    @Option(names = "--idle", description = "Idle profile of cluster, gateway and client (default ${DEFAULT-VALUE}).")
    String idle = "yield";

    private long answered;

    public Integer call() throws Exception
    {
        final Histogram off = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram on = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int round = 0; round < rounds; round++)
        {
            run(false, off);
            run(true, on);
        }
        print("metrics-off", off);
        print("metrics-on", on);
        final double p99Off = off.getValueAtPercentile(99) / 1e3;
        final double p99On = on.getValueAtPercentile(99) / 1e3;
        System.out.printf("metrics-cost: p99 off=%.1f us on=%.1f us change=%+.1f%%%n", p99Off, p99On,
            (p99On / p99Off - 1) * 100);
        return 0;
    }

    private static void print(final String mode, final Histogram h)
    {
        System.out.printf("%s: count=%d p50=%.1f us p99=%.1f us p99.9=%.1f us max=%.1f us%n", mode, h.getTotalCount(),
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getMaxValue() / 1e3);
    }

    private void run(final boolean metrics, final Histogram histogram) throws Exception
    {
        final IdleProfile profile = IdleProfile.parse(idle);
        final File dir = Files.createTempDirectory("keel-metrics-cost-").toFile();
        final int basePort = freeBasePort();
        EmbeddedCluster cluster = null;
        KeelClusterClient admin = null;
        Gateway gateway = null;
        KeelClient client = null;
        Thread scraper = null;
        try
        {
            cluster = EmbeddedCluster.launch(1, new File(dir, "cluster"), basePort, profile,
                (config) -> config.metricsPort(metrics ? -1 : 0).metricsBind("127.0.0.1"));
            cluster.awaitLeader(30_000);
            answered = 0;
            admin = new KeelClusterClient(cluster.ingressEndpoints(), Principal.adminCredentials("perf", NodeConfig.SECRET_DEFAULT),
                new File(dir, "admin-aeron"), profile, this::onAdmin).connect();
            admin.addInstrument(1, 1, 1, 2, 1, 1, 10_000, 5_000, 1_000);
            admin.createAccount(2, 1);
            admin.deposit(3, 1, 2, 1_000_000_000_000L);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered < 3 && System.nanoTime() - deadline < 0)
            {
                admin.poll();
                Thread.sleep(1);
            }
            final java.nio.file.Path users = dir.toPath().resolve("users.txt");
            CredentialsStore.addUser(users, "perf", 1, "perf".getBytes(StandardCharsets.UTF_8), CredentialsStore.MIN_ITERATIONS);
            gateway = Gateway.launch(new GatewayConfig()
                .port(0)
                .clusterEndpoints(cluster.ingressEndpoints())
                .credentialsFile(users)
                .aeronDir(new File(dir, "gateway-aeron"))
                .idleProfile(profile)
                .marketDataPort(0)
                .throttleRate(1_000_000)
                .throttleBurst(1_000_000)
                .metricsPort(metrics ? -1 : 0)
                .metricsBind("127.0.0.1")
                .conclude());
            while (!gateway.isClusterAvailable() && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(10);
            }
            final long[] sentNs = {0};
            final boolean[] done = {false};
            client = new KeelClient(new KeelClient.Context().port(gateway.port()).username("perf").password("perf")
                .listener(new KeelClientListener()
                {
                    public void onExecutionReport(final ExecutionReportDecoder report)
                    {
                        done[0] = true;
                    }
                })).connect();
            if (metrics)
            {
                scraper = scraper(cluster.node(0).metricsPort(), gateway.metricsPort());
            }
            long clOrdId = 1;
            final long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            final long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            long now;
            while ((now = System.nanoTime()) - end < 0)
            {
                done[0] = false;
                sentNs[0] = now;
                if (!client.newOrder(clOrdId++, 1, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 10_000, 1))
                {
                    client.poll();
                    continue;
                }
                while (!done[0])
                {
                    client.poll();
                }
                final long rtt = System.nanoTime() - sentNs[0];
                if (sentNs[0] - warmupEnd >= 0)
                {
                    histogram.recordValue(Math.min(rtt, histogram.getHighestTrackableValue()));
                }
            }
        }
        finally
        {
            if (scraper != null)
            {
                scraper.interrupt();
                scraper.join(5_000);
            }
            CloseHelper.quietCloseAll(client, gateway, admin, cluster);
            IoUtil.delete(dir, true);
        }
    }

    private static Thread scraper(final int nodePort, final int gatewayPort)
    {
        final HttpClient http = HttpClient.newHttpClient();
        final Thread thread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                try
                {
                    for (final int port : new int[]{nodePort, gatewayPort})
                    {
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    }
                    Thread.sleep(1_000);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                catch (final Exception ignore)
                {
                    // keep scraping
                }
            }
        }, "scraper");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void onAdmin(final DirectBuffer buffer, final int offset, final int length)
    {
        if (new MessageHeaderDecoder().wrap(buffer, offset).templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            answered++;
        }
    }

    private static int freeBasePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            boolean free = true;
            for (int port = base; port < base + NodeConfig.PORTS_PER_MEMBER && free; port++)
            {
                try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null))
                {
                    tcp.bind(new InetSocketAddress("127.0.0.1", port));
                    udp.bind(new InetSocketAddress("127.0.0.1", port));
                }
                catch (final Exception ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no free base port");
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new MetricsCostMain()).execute(args));
    }
}
