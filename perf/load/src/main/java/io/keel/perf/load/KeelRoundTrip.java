package io.keel.perf.load;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.client.Transport;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.HaproxyProcess;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.common.TlsCertificates;
import io.keel.engine.EngineContext;
import io.keel.gateway.CredentialsStore;
import io.keel.gateway.Gateway;
import io.keel.gateway.GatewayContext;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Orders through Keel: a client sends IOC orders that find no liquidity, through a gateway (TCP,
 * Aeron UDP, or TLS through a real HAProxy running {@code deploy/haproxy.cfg} with the PROXY protocol to the
 * gateway: {@code keel-tls}), into
 * an embedded cluster of 1 or 3 members, and the round trip ends at the execution report (CANCELED).
 * Every hop a real order takes — gateway decode and session layer, ingress, Raft commit, engine,
 * egress, gateway encode — is on the path.
 */
final class KeelRoundTrip implements Scenario
{
    private boolean batchSends;
    private static final int INSTRUMENT = 1;
    private static final long ACCOUNT = 1;
    /** About 90 MB of idempotency window per member. */
    static final int MAX_PREALLOCATED_CLORDIDS = 1 << 20;

    private final int nodes;
    private final boolean udp;
    private final boolean tls;
    private HaproxyProcess haproxy;
    private final boolean metrics;
    private final long scrapeIntervalMs;
    private MetricsScraper scraper;
    private final long[] refused = new long[64];
    private final IdleProfile idleProfile;
    private final File workDir;
    private final int initialClOrdIds;
    private EmbeddedCluster cluster;
    /** Market segments: 1 = one cluster (no map); more = that many clusters of {@code nodes} behind one gateway. */
    private int segments = 1;
    private final java.util.List<EmbeddedCluster> segmentClusters = new java.util.ArrayList<>();
    private ClusterCommandSession admin;
    private Gateway gateway;
    private KeelClient client;
    private ResponseHandler handler;
    private long adminResponses;

    /**
     * @param metrics          every node and the gateway serve /metrics (with per-hop timing).
     * @param scrapeIntervalMs how often they are scraped while metrics are on; 0: never.
     * @param expectedRate     requests a second the run will send: each engine preallocates one idempotency horizon
     *                         of them (at most {@link #MAX_PREALLOCATED_CLORDIDS}), as a node sized for its peak would,
     *                         so that the window's growth in its first horizon does not show as garbage.
     */
    KeelRoundTrip(
        final int nodes,
        final boolean udp,
        final boolean metrics,
        final long scrapeIntervalMs,
        final IdleProfile idleProfile,
        final File workDir,
        final int expectedRate)
    {
        this(nodes, udp, false, metrics, scrapeIntervalMs, idleProfile, workDir, expectedRate);
    }

    /**
     * @param tls the client speaks TLS to HAProxy, which speaks the PROXY protocol and SOFH/SBE to the gateway.
     */
    KeelRoundTrip(
        final int nodes,
        final boolean udp,
        final boolean tls,
        final boolean metrics,
        final long scrapeIntervalMs,
        final IdleProfile idleProfile,
        final File workDir,
        final int expectedRate)
    {
        if (udp && tls)
        {
            throw new IllegalArgumentException("TLS is over TCP");
        }
        this.initialClOrdIds = (int)Math.min(MAX_PREALLOCATED_CLORDIDS,
            (long)expectedRate * EngineContext.IDEMPOTENCY_HORIZON_MS_DEFAULT / 1000);
        this.nodes = nodes;
        this.udp = udp;
        this.tls = tls;
        this.metrics = metrics;
        this.scrapeIntervalMs = scrapeIntervalMs;
        this.idleProfile = idleProfile;
        this.workDir = new File(workDir, name() + "-" + nodes);
    }

    /**
     * Before {@link #start}: the client batches its writes (pipelined throughput), see KeelClient.Context#batchSends.
     */
    void batchSends(final boolean batchSends)
    {
        this.batchSends = batchSends;
    }

    /**
     * Before {@link #start}: that many market segments, each a cluster of {@link #nodes()} members owning instrument
     * {@code 100k + 1}, behind the one gateway with a segment map; the orders go round the segments.
     */
    void segments(final int segments)
    {
        this.segments = segments;
    }

    public String name()
    {
        return udp ? "keel-udp" : tls ? "keel-tls" : "keel-tcp";
    }

    public int nodes()
    {
        return nodes;
    }

    static int instrumentOf(final int segment)
    {
        return segment * 100 + INSTRUMENT;
    }

    public void start(final ThreadCensus census) throws Exception
    {
        final StringBuilder map = new StringBuilder("version=1\nsegments=" + segments + "\n");
        final int[] basePorts = new int[segments];
        for (int k = 0; k < segments; k++)
        {
            final int segment = k;
            basePorts[k] = basePort(basePorts, k);
            final EmbeddedCluster launched = EmbeddedCluster.launch(nodes,
                new File(workDir, segments == 1 ? "cluster" : "segment-" + k), basePorts[k], idleProfile,
                new EngineContext().initialClOrdIds(initialClOrdIds), (config) ->
                {
                    if (config.memberId() > 0)
                    {
                        census.claim(member(segment, config.memberId() - 1));
                    }
                    config.metricsPort(metrics ? -1 : 0).metricsBind("127.0.0.1");
                }, null);
            segmentClusters.add(launched);
            census.claim(member(segment, nodes - 1));
            launched.awaitLeader(30_000);
            setUpMarket(launched, instrumentOf(k));
            census.claim("admin");
            map.append("segment.").append(k).append(".hosts=")
                .append(String.join(",", java.util.Collections.nCopies(nodes, "localhost"))).append('\n')
                .append("segment.").append(k).append(".base-port=").append(basePorts[k]).append('\n')
                .append("segment.").append(k).append(".instruments=").append(k * 100 + 1).append('-')
                .append(k * 100 + 99).append('\n');
        }
        cluster = segmentClusters.get(0);

        final java.nio.file.Path users = workDir.toPath().resolve("users.txt");
        CredentialsStore.addUser(users, "perf", ACCOUNT, "perf".getBytes(StandardCharsets.UTF_8),
            CredentialsStore.MIN_ITERATIONS);
        // Behind HAProxy the gateway serves /health for its checks (metrics off costs nothing measurable either way:
        // README "What metrics cost") and takes the PROXY protocol from it.
        final int healthPort = tls ? FreePorts.tcpPort() : 0;
        final GatewayContext gatewayContext = new GatewayContext();
        if (segments == 1)
        {
            gatewayContext.clusterEndpoints(cluster.ingressEndpoints());
        }
        else
        {
            gatewayContext.segmentMap(io.keel.common.SegmentMap.parse(map.toString()));
        }
        gateway = Gateway.launch(gatewayContext
            .port(0)
            .proxyProtocolFrom(tls ? "127.0.0.1" : null)
            .credentialsFile(users)
            .aeronDir(new File(workDir, "gateway-aeron"))
            .idleProfile(idleProfile)
            .throttleRate(100_000_000)
            .throttleBurst(1_000_000)
            .throttleAbuse(100_000_000)
            .marketDataPort(0)
            .udpPort(udp ? FreePorts.udpPort() : 0)
            .metricsPort(tls ? healthPort : metrics ? -1 : 0)
            .metricsBind("127.0.0.1")
            .conclude());
        census.claim(ThreadCensus.GATEWAY);
        while (!gateway.isClusterAvailable())
        {
            Thread.sleep(1);
        }
        if (metrics && scrapeIntervalMs > 0)
        {
            final int[] ports = new int[nodes + 1];
            for (int i = 0; i < nodes; i++)
            {
                ports[i] = cluster.node(i).metricsPort();
            }
            ports[nodes] = gateway.metricsPort();
            scraper = new MetricsScraper(scrapeIntervalMs, ports);
            census.claim("scraper");
        }
        final KeelClient.Context context = new KeelClient.Context();
        if (tls)
        {
            final TlsCertificates.CertificateFiles certificates =
                TlsCertificates.generate(workDir.toPath().resolve("tls"), "localhost", 1);
            // deploy/haproxy.cfg has two server lines: both are this one gateway.
            haproxy = HaproxyProcess.start(new HaproxyProcess.Context()
                .port(FreePorts.tcpPort())
                .pem(certificates.pem())
                .server("127.0.0.1", gateway.port(), healthPort)
                .server("127.0.0.1", gateway.port(), healthPort)
                .logFile(workDir.toPath().resolve("haproxy.log")));
            context.host("localhost").port(haproxy.context().port()).tls(true)
                .trustCertificate(certificates.certificate());
        }
        else
        {
            context.port(gateway.port());
        }
        client = new KeelClient(context
            .transport(udp ? Transport.UDP : Transport.TCP)
            .udpPort(udp ? gateway.udpPort() : 9101)
            .username("perf")
            .password("perf")
            .resendTimeoutMs(0)
            .batchSends(batchSends)
            // Open loop: a refusal is an answer to count, not a request to send again (which would add load).
            .maxUnavailableRetries(0)
            .heartbeatIntervalMs(10_000)
            .listener(new KeelClientListener()
            {
                public void onBusinessReject(final io.keel.codecs.BusinessRejectDecoder reject)
                {
                    // Refused at the gateway (UNAVAILABLE: back-pressure or no leader; THROTTLED): answered, and counted.
                    refused[Math.min(reject.reasonRaw(), refused.length - 1)]++;
                    handler.onResponse(reject.clOrdId() - 1);
                }

                public void onExecutionReport(final ExecutionReportDecoder report)
                {
                    // The round trip ends at the order's final report (an unfilled IOC: CANCELED).
                    if (report.leavesQty() == 0)
                    {
                        handler.onResponse(report.clOrdId() - 1);
                    }
                }
            }))
            .connect();
        census.claim(ThreadCensus.CLIENT);
    }

    /**
     * Each member's threads: {@code node-<id>} with one segment (as cluster-echo's), {@code node-s<k>-<id>} with more.
     */
    private String member(final int segment, final int memberId)
    {
        return segments == 1 ? ClusterEcho.member(memberId) : "node-s" + segment + "-" + memberId;
    }

    private int basePort(final int[] taken, final int count)
    {
        final int span = nodes * io.keel.common.ClusterLayout.PORTS_PER_MEMBER;
        while (true)
        {
            final int port = FreePorts.clusterBasePort(nodes);
            boolean clear = true;
            for (int i = 0; i < count; i++)
            {
                clear &= port + span <= taken[i] || taken[i] + span <= port;
            }
            if (clear)
            {
                return port;
            }
        }
    }

    /**
     * The instrument and the account, funded, through an admin session closed afterwards (nothing polls it during
     * the run: closed rather than left to the cluster's session timeout).
     */
    private void setUpMarket(final EmbeddedCluster target, final int instrument) throws InterruptedException
    {
        adminResponses = 0;
        admin = new ClusterCommandSession(target.ingressEndpoints(),
            Principal.adminCredentials("perf", Principal.DEV_SECRET),
            new File(workDir, "admin-aeron-" + segmentClusters.size()), IdleProfile.BACKOFF, this::onAdmin).connect();
        admin.addInstrument(1, instrument, 1, 2, 1, 1, 10_000, 5_000, 500);
        admin.createAccount(2, ACCOUNT);
        admin.deposit(3, ACCOUNT, 2, Long.MAX_VALUE / 4);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (adminResponses < 3)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the cluster did not set up the market within 30 s");
            }
            admin.poll();
            Thread.sleep(1);
        }
        admin.close();
        admin = null;
    }

    private void onAdmin(final DirectBuffer buffer, final int offset, final int length)
    {
        if (new MessageHeaderDecoder().wrap(buffer, offset).templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            adminResponses++;
        }
    }

    public boolean send(final long id)
    {
        // clOrdIds start at 1 and increase: the engine's duplicate check costs nothing for them.
        final int instrument = segments == 1 ? INSTRUMENT : instrumentOf((int)(id % segments));
        return client.newOrder(id + 1, instrument, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 9_000, 1);
    }

    public int poll(final ResponseHandler handler)
    {
        this.handler = handler;
        return client.poll();
    }

    /**
     * With metrics on, the per-hop latency summaries of the gateway and of the leader's engine as they stand now (the
     * last minute): where the time of a round trip goes, on the clocks that can time each hop; and the leader's
     * driver's loss and flow-control counters (NAKs, retransmits, back-pressure).
     */
    String hopLatencies()
    {
        if (!metrics || gateway == null)
        {
            return "";
        }
        final StringBuilder text = new StringBuilder();
        final int[] ports = {gateway.metricsPort(), cluster.awaitLeader(1_000).metricsPort()};
        for (final int port : ports)
        {
            try (java.io.InputStream in = new java.net.URL("http://127.0.0.1:" + port + "/metrics").openStream())
            {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter((line) -> ((line.startsWith("keel_gateway_hop_latency_seconds{") ||
                        line.startsWith("keel_node_latency_seconds{")) &&
                        (line.contains("quantile=\"0.5\"") || line.contains("quantile=\"0.99\""))) ||
                        line.startsWith("keel_aeron_naks_") || line.startsWith("keel_aeron_retransmits_sent") ||
                        line.startsWith("keel_aeron_sender_"))
                    .forEach((line) -> text.append("hop ").append(name()).append('-').append(nodes).append(' ')
                        .append(line).append('\n'));
            }
            catch (final java.io.IOException ex)
            {
                text.append("hop ").append(name()).append(": no metrics from port ").append(port).append('\n');
            }
        }
        return text.toString();
    }

    public void close()
    {
        System.out.print(hopLatencies());
        for (int reason = 0; reason < refused.length; reason++)
        {
            if (refused[reason] > 0)
            {
                System.err.println(name() + ": " + refused[reason] + " orders refused by the gateway, reason " +
                    io.keel.codecs.RejectReason.get(reason));
            }
        }
        CloseHelper.quietCloseAll(scraper, client, haproxy, gateway, admin);
        for (int k = segmentClusters.size() - 1; k >= 0; k--)
        {
            CloseHelper.quietClose(segmentClusters.get(k));
            segmentClusters.get(k).deleteDirectories();
        }
    }
}
