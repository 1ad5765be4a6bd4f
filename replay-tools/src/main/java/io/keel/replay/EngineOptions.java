package io.keel.replay;

import io.keel.engine.Engine;
import io.keel.engine.EngineContext;
import picocli.CommandLine.Option;

/**
 * The engine limits a rebuild must share with the node (as {@code keel node} was started).
 */
final class EngineOptions
{
    @Option(names = "--max-orders", paramLabel = "N",
        description = "The node's --max-orders: most live orders in the engine (default ${DEFAULT-VALUE}).")
    int maxOrders = EngineContext.MAX_ORDERS_DEFAULT;

    EngineContext context()
    {
        return new EngineContext().maxOrders(maxOrders).conclude();
    }
}
