package io.keel.gateway;

import java.time.Instant;

/**
 * Lifecycle events as one JSON object per line on stderr: start, cluster connection, logon
 * failures, disconnects with their reason. Never called per message.
 */
public final class GatewayLog
{
    private static volatile boolean quiet = Boolean.getBoolean("keel.gateway.quiet");

    private GatewayLog()
    {
    }

    public static void quiet(final boolean value)
    {
        quiet = value;
    }

    /**
     * @param keyValues alternating keys and values.
     */
    static void event(final String event, final String... keyValues)
    {
        if (quiet)
        {
            return;
        }
        final StringBuilder line = new StringBuilder(128)
            .append("{\"time\":\"").append(Instant.now()).append("\",\"component\":\"gateway\",\"event\":\"")
            .append(event).append('"');
        for (int i = 0; i + 1 < keyValues.length; i += 2)
        {
            line.append(",\"").append(keyValues[i]).append("\":\"");
            escape(line, keyValues[i + 1]);
            line.append('"');
        }
        System.err.println(line.append('}'));
    }

    private static void escape(final StringBuilder out, final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
    }
}
