package io.keel.common;

import java.util.List;

/**
 * Where a cluster's members listen: member i owns {@link #PORTS_PER_MEMBER} ports from
 * {@code basePort + i * PORTS_PER_MEMBER}, at fixed offsets. Nodes bind them; gateways and tools
 * derive the ingress endpoints from the same hosts and base port, so the layout lives once, here.
 */
public final class ClusterLayout
{
    public static final int PORTS_PER_MEMBER = 10;
    public static final int INGRESS_PORT_OFFSET = 1;
    public static final int CONSENSUS_PORT_OFFSET = 2;
    public static final int LOG_PORT_OFFSET = 3;
    public static final int ARCHIVE_CONTROL_PORT_OFFSET = 5;
    public static final int BASE_PORT_DEFAULT = 9000;

    private ClusterLayout()
    {
    }

    /**
     * @return the port of {@code memberId} at {@code offset} (one of the {@code *_PORT_OFFSET}s).
     */
    public static int port(final int basePort, final int memberId, final int offset)
    {
        return basePort + memberId * PORTS_PER_MEMBER + offset;
    }

    /**
     * What a cluster client passes as ingress endpoints: {@code 0=host:port,1=host:port,...}.
     */
    public static String ingressEndpoints(final List<String> hosts, final int basePort)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            sb.append(i).append('=').append(hosts.get(i)).append(':')
                .append(port(basePort, i, INGRESS_PORT_OFFSET)).append(',');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
