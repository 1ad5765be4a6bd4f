package io.keel.replay;

import java.time.Instant;

/**
 * A backup node's lifecycle events as one JSON object per line on stdout (start, each snapshot copied, the log
 * source and leader it follows, errors), in the shape of the node's and the gateway's logs. Never per log entry.
 */
final class BackupLog
{
    private final boolean enabled;

    BackupLog(final boolean enabled)
    {
        this.enabled = enabled;
    }

    /**
     * @param keyValues alternating keys and values; numbers and booleans are written bare.
     */
    void event(final String event, final Object... keyValues)
    {
        if (!enabled)
        {
            return;
        }
        final StringBuilder line = new StringBuilder(128)
            .append("{\"time\":\"").append(Instant.now()).append("\",\"component\":\"backup\",\"event\":\"")
            .append(event).append('"');
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
                line.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", " ")).append('"');
            }
        }
        System.out.println(line.append('}'));
    }
}
