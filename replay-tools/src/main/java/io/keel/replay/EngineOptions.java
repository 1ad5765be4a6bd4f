package io.keel.replay;

import io.keel.engine.Engine;
import picocli.CommandLine.Option;

/**
 * The engine limits a rebuild must share with the node (as {@code keel node} was started).
 */
final class EngineOptions
{
    @Option(names = "--max-orders", paramLabel = "N",
        description = "The node's --max-orders: most live orders in the engine (default ${DEFAULT-VALUE}).")
    int maxOrders = Engine.Context.MAX_ORDERS_DEFAULT;

    Engine.Context context()
    {
        return new Engine.Context().maxOrders(maxOrders).conclude();
    }
}
