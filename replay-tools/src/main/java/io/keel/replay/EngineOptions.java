package io.keel.replay;

import io.keel.engine.EngineContext;

/**
 * The engine a rebuild starts from: the one {@code keel node} starts from. There is nothing to match by hand any more:
 * the limits that change outcomes start at the compiled defaults on every node and change only through the log
 * ({@code keel admin limits}) and the snapshot, which a rebuild applies as the node did.
 */
final class EngineOptions
{
    EngineContext context()
    {
        return new EngineContext().conclude();
    }
}
