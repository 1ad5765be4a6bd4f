package io.keel.replay;

import io.keel.engine.cluster.NodeConfig;
import picocli.CommandLine.Option;

/**
 * Where a running cluster is: its members' hosts and base port (as {@code keel node}).
 */
final class ClusterOptions
{
    @Option(names = "--hosts", paramLabel = "HOSTS",
        description = "Every member's host, comma separated, in member order (default ${DEFAULT-VALUE}).")
    String hosts = "localhost";

    @Option(names = "--base-port", paramLabel = "PORT", description = "The cluster's base port (default ${DEFAULT-VALUE}).")
    int basePort = NodeConfig.BASE_PORT_DEFAULT;

    /**
     * The members' layout (ports by member), validated.
     */
    NodeConfig layout(final int memberId)
    {
        return new NodeConfig().hosts(hosts).basePort(basePort).memberId(memberId).conclude();
    }
}
