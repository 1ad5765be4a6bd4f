package io.keel.node;

import io.keel.common.ClusterLayout;
import io.keel.common.ClusterUnreachableException;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/**
 * Where a running cluster is, for the tools that open a session to it ({@code keel admin},
 * {@code keel replay snapshot|tail}): the same {@code --hosts} and {@code --base-port} as {@code keel node},
 * so one cluster file serves them all ({@code keel admin @cluster.args …}, picocli's argument files).
 * With every member listed, the Aeron cluster client sends its connect request to whichever member's
 * ingress connects first and is redirected to the leader: any one member may be down.
 */
public final class ClusterEndpoints
{
    @Option(names = "--hosts", paramLabel = "HOSTS",
        description = "Every member's host, comma separated, in member order, as keel node takes them " +
            "(default ${DEFAULT-VALUE}).")
    String hosts = "localhost";

    @Option(names = "--base-port", paramLabel = "PORT", description = "The cluster's base port (default ${DEFAULT-VALUE}).")
    int basePort = ClusterLayout.BASE_PORT_DEFAULT;

    @Option(names = "--egress-host", paramLabel = "HOST", description = "The address the nodes reach this tool at (its " +
        "cluster egress binds there): on another machine than the nodes, this machine's address on the cluster " +
        "network (default ${DEFAULT-VALUE}).")
    String egressHost = "localhost";

    private NodeContext layout;

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
            layout = new NodeContext().hosts(hosts).basePort(basePort).conclude();
        }
        return this;
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
        return new NodeContext().hosts(hosts).basePort(basePort).memberId(memberId).conclude();
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
                " (tried every member listed by --hosts " + hosts + " and --base-port " + basePort + ")");
        }
    }
}
