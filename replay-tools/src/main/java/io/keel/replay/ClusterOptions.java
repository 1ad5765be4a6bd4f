package io.keel.replay;

import io.keel.node.ClusterEndpoints;
import io.keel.node.NodeContext;
import picocli.CommandLine.Mixin;

/**
 * Where a running cluster is: its members' hosts and base port (as {@code keel node} and {@code keel admin},
 * the same options, so one cluster file serves them all).
 */
final class ClusterOptions
{
    @Mixin
    ClusterEndpoints endpoints = new ClusterEndpoints();

    /**
     * The members' layout (ports by member), validated.
     */
    NodeContext layout(final int memberId)
    {
        return endpoints.layout(memberId);
    }
}
