package io.keel.node;

import io.keel.common.ClusterLayout;
import io.keel.common.ClusterUnreachableException;
import io.keel.common.SegmentMap;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where a running cluster is, for the tools that open a session to it ({@code keel admin},
 * {@code keel replay snapshot|tail}): the same {@code --hosts} and {@code --base-port} as {@code keel node},
 * so one cluster file serves them all ({@code keel admin @cluster.args …}, picocli's argument files).
 * With every member listed, the Aeron cluster client sends its connect request to whichever member's
 * ingress connects first and is redirected to the leader: any one member may be down.
 * <p>
 * With market segments, {@code --segment-map FILE --segment N} names the cluster instead: segment N's hosts and base
 * port from the map (exclusive with {@code --hosts}/{@code --base-port}). A tool that works on every segment (the
 * admin's transfer verbs) takes the map alone ({@link #segmentMap()}).
 */
public final class ClusterEndpoints
{
    @Option(names = "--hosts", paramLabel = "HOSTS",
        description = "Every member's host, comma separated, in member order, as keel node takes them " +
            "(default localhost).")
    String hosts;

    @Option(names = "--base-port", paramLabel = "PORT", description = "The cluster's base port (default " +
        ClusterLayout.BASE_PORT_DEFAULT + ").")
    Integer basePort;

    @Option(names = "--segment-map", paramLabel = "FILE", description = "The market segment map (see README " +
        "\"Market segments\"): with --segment N, talk to segment N's cluster (instead of --hosts/--base-port).")
    Path segmentMapFile;

    @Option(names = "--segment", paramLabel = "N", description = "With --segment-map: the segment whose cluster to talk to.")
    Integer segment;

    @Option(names = "--egress-host", paramLabel = "HOST", description = "The address the nodes reach this tool at (its " +
        "cluster egress binds there): on another machine than the nodes, this machine's address on the cluster " +
        "network (default ${DEFAULT-VALUE}).")
    String egressHost = "localhost";

    private NodeContext layout;
    private SegmentMap segmentMap;

    public ClusterEndpoints hosts(final String hosts)
    {
        this.hosts = hosts;
        layout = null;
        return this;
    }

    public ClusterEndpoints basePort(final int basePort)
    {
        this.basePort = basePort;
        layout = null;
        return this;
    }

    /**
     * Validate the options (as {@code keel node} does): an {@link IllegalArgumentException} naming the option.
     */
    public ClusterEndpoints conclude()
    {
        if (layout == null)
        {
            layout = new NodeContext().hosts(hosts()).basePort(basePort()).conclude();
        }
        return this;
    }

    public ClusterEndpoints segmentMap(final Path file, final Integer segment)
    {
        this.segmentMapFile = file;
        this.segment = segment;
        segmentMap = null;
        layout = null;
        return this;
    }

    /**
     * The segment map given with {@code --segment-map} (loaded once), or null without one.
     *
     * @throws IllegalArgumentException naming the option at fault: the map with --hosts/--base-port, --segment
     *                                  without a map, a map that does not load.
     */
    public SegmentMap segmentMap()
    {
        if (segmentMapFile == null)
        {
            if (segment != null)
            {
                throw new IllegalArgumentException("--segment needs --segment-map FILE");
            }
            return null;
        }
        if (hosts != null || basePort != null)
        {
            throw new IllegalArgumentException("--segment-map and --hosts/--base-port are exclusive (the map says " +
                "where each segment's cluster is)");
        }
        if (segmentMap == null)
        {
            segmentMap = SegmentMap.load(segmentMapFile);
        }
        return segmentMap;
    }

    /**
     * The members' hosts: {@code --hosts}, or segment N's from the map.
     */
    private String hosts()
    {
        final SegmentMap map = segmentMap();
        if (map != null)
        {
            return String.join(",", selected(map).hosts());
        }
        return hosts != null ? hosts : "localhost";
    }

    private int basePort()
    {
        final SegmentMap map = segmentMap();
        if (map != null)
        {
            return selected(map).basePort();
        }
        return basePort != null ? basePort : ClusterLayout.BASE_PORT_DEFAULT;
    }

    private SegmentMap.Segment selected(final SegmentMap map)
    {
        if (segment == null)
        {
            throw new IllegalArgumentException("--segment-map needs --segment N (0.." + (map.segmentCount() - 1) +
                ") to name one cluster");
        }
        return map.segment(segment);
    }

    /**
     * The address the nodes reach this tool at.
     */
    public String egressHost()
    {
        return egressHost;
    }

    public int memberCount()
    {
        return conclude().layout.hosts().size();
    }

    /**
     * The members' layout with {@code memberId} as this member (ports and endpoints by member).
     */
    public NodeContext layout(final int memberId)
    {
        return new NodeContext().hosts(hosts()).basePort(basePort()).memberId(memberId).conclude();
    }

    /**
     * Every member's ingress: {@code 0=host:port,1=host:port,…}.
     */
    public String ingressEndpoints()
    {
        return conclude().layout.ingressEndpoints();
    }

    /**
     * Connect the client, or fail with one line naming every endpoint tried.
     *
     * @throws ClusterUnreachableException when no member answered (or none had a leader to redirect to).
     */
    public ClusterCommandSession connect(final ClusterCommandSession client)
    {
        final long startNs = System.nanoTime(); // determinism-ok: client side
        try
        {
            return client.egressHost(egressHost).connect();
        }
        catch (final io.aeron.security.AuthenticationException ex)
        {
            throw new ClusterUnreachableException("the cluster refused the credentials (check this tool's secret and the principal listed in the nodes' --credentials): " +
                ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            throw new ClusterUnreachableException("no cluster leader answered within " +
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) + " s at ingress " + ingressEndpoints() + // determinism-ok
                (segmentMapFile != null ? " (tried every member of segment " + segment + " in " + segmentMapFile + ")" :
                " (tried every member listed by --hosts " + hosts() + " and --base-port " + basePort() + ")"));
        }
    }
}
