package io.keel.gateway;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The gateway's structured log ({@link GatewayLog}: one JSON object per line on stderr) as a test sees it: every line
 * kept, and still printed. Installed on {@code System.err} until closed; surefire runs each test class in a JVM of its
 * own, so no other class's gateway writes here.
 */
final class GatewayLogCapture implements AutoCloseable
{
    private final PrintStream original = System.err;
    private final List<String> lines = new ArrayList<>();

    GatewayLogCapture()
    {
        System.setErr(new PrintStream(new OutputStream()
        {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            public synchronized void write(final int b)
            {
                if (b == '\n')
                {
                    final String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    synchronized (lines)
                    {
                        lines.add(text);
                    }
                    original.println(text);
                }
                else
                {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8));
    }

    /**
     * @return the first line of {@code event} that contains every one of {@code parts}, waited for up to 10 s.
     */
    String await(final String event, final String... parts)
    {
        final Predicate<String> matches = (line) ->
        {
            if (!line.contains("\"event\":\"" + event + "\""))
            {
                return false;
            }
            for (final String part : parts)
            {
                if (!line.contains(part))
                {
                    return false;
                }
            }
            return true;
        };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            synchronized (lines)
            {
                for (final String line : lines)
                {
                    if (matches.test(line))
                    {
                        return line;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("no " + event + " line with " + String.join(", ", parts) + " within 10 s in:\n" +
                    String.join("\n", lines()));
            }
            GatewayTestEnv.sleep(10);
        }
    }

    List<String> lines()
    {
        synchronized (lines)
        {
            return new ArrayList<>(lines);
        }
    }

    /**
     * {@code "key":"value"} as the log writes it, for {@link #await}.
     */
    static String field(final String key, final String value)
    {
        return "\"" + key + "\":\"" + value + "\"";
    }

    public void close()
    {
        System.setErr(original);
    }
}
