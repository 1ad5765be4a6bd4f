package io.keel.node;

import java.time.Instant;

/**
 * A node's lifecycle events as one JSON object per line on stdout (role change, election,
 * snapshot, metrics server), in the shape of the gateway's log. Never called per message.
 */
final class NodeLog
{
    private static final boolean QUIET = Boolean.getBoolean("keel.node.quiet");

    private NodeLog()
    {
    }

    /**
     * @param config    the node: its member id, and whether it logs at all ({@link NodeContext#lifecycleLog}).
     * @param keyValues alternating keys and values; values that look like numbers are written bare.
     */
    static void event(final NodeContext config, final String event, final Object... keyValues)
    {
        if (QUIET || !config.lifecycleLog())
        {
            return;
        }
        final int memberId = config.memberId();
        final StringBuilder line = new StringBuilder(128)
            .append("{\"time\":\"").append(Instant.now()).append("\",\"component\":\"node\",\"event\":\"") // determinism-ok: log line time
            .append(event).append("\",\"member\":").append(memberId);
        for (int i = 0; i + 1 < keyValues.length; i += 2)
        {
            line.append(",\"").append(keyValues[i]).append("\":");
            final Object value = keyValues[i + 1];
            if (value instanceof Number || value instanceof Boolean)
            {
                line.append(value);
            }
            else
            {
                line.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        System.out.println(line.append('}'));
    }
}
