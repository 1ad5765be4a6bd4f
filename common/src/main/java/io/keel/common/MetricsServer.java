package io.keel.common;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The Prometheus client library's HTTP server on its own daemon threads: {@code /metrics} in the
 * Prometheus text format, and {@code /health}: 200 when {@code ready}, else 503, with a one-line
 * reason. Every value is read at scrape time from fields the duty cycles write; nothing here is
 * ever waited on by a duty cycle.
 */
public final class MetricsServer implements AutoCloseable
{
    /** Port value that turns the server off. */
    public static final int OFF = 0;
    /**
     * Expositions rendered at start, and thrown away. Prometheus scrapes every few seconds, so the scrape path
     * would otherwise be interpreted, then compiled by the JIT over the first hours: milliseconds of CPU per
     * scrape on a machine whose cores the duty cycles share. Rendered now, the scrape is compiled code from the
     * first one (about 100 µs of CPU for a gateway's exposition, measured on the 2-core development VM).
     */
    static final int WARM_UP_SCRAPES = 5_000;
    /** Then requests to itself over HTTP (kept alive, as Prometheus does), for the server's and handler's code. */
    static final int WARM_UP_REQUESTS = 300;
    private static final long WARM_UP_REQUESTS_NS = TimeUnit.SECONDS.toNanos(2);

    private final HTTPServer server;

    private MetricsServer(final HTTPServer server)
    {
        this.server = server;
    }

    /**
     * @param bind   address to listen on, e.g. 0.0.0.0 or 127.0.0.1.
     * @param port   TCP port; {@code -1} picks a free one (tests).
     * @param ready  whether {@code /health} answers 200.
     * @param detail the body of {@code /health}, e.g. {@code role=LEADER election=CLOSED}.
     */
    public static MetricsServer start(
        final String bind,
        final int port,
        final PrometheusRegistry registry,
        final BooleanSupplier ready,
        final Supplier<String> detail)
    {
        warmUp(registry);
        try
        {
            final HTTPServer server = HTTPServer.builder()
                .hostname(bind)
                .port(port < 0 ? 0 : port)
                .registry(registry)
                .defaultHandler((exchange) -> handle(exchange, ready, detail))
                .buildAndStart();
            warmUp(server.getPort(), bind);
            return new MetricsServer(server);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot serve metrics on " + bind + ":" + port + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Render the registry's exposition {@link #WARM_UP_SCRAPES} times into nothing (the callbacks run as in a
     * scrape: what they fold into all-time totals is what a scrape would have folded).
     */
    static void warmUp(final PrometheusRegistry registry)
    {
        final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        final OutputStream sink = OutputStream.nullOutputStream();
        try
        {
            for (int i = 0; i < WARM_UP_SCRAPES; i++)
            {
                writer.write(sink, registry.scrape());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a null stream does not fail
        }
    }

    /**
     * Best effort, at most {@link #WARM_UP_REQUESTS_NS}: a request that fails ends the warm-up.
     */
    static void warmUp(final int port, final String bind)
    {
        final String host = "0.0.0.0".equals(bind) || "::".equals(bind) ? "127.0.0.1" :
            bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind;
        final byte[] discard = new byte[16 * 1024];
        final long deadlineNs = System.nanoTime() + WARM_UP_REQUESTS_NS; // determinism-ok: metrics only
        try
        {
            final URL url = new URL("http://" + host + ":" + port + "/metrics");
            for (int i = 0; i < WARM_UP_REQUESTS && System.nanoTime() - deadlineNs < 0; i++) // determinism-ok: metrics only
            {
                scrape(url, discard, 500);
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // Only a warm-up: the server answers scrapes all the same.
        }
    }

    /**
     * GET {@code url} and read the whole body, as Prometheus does; the connection is kept alive for the next one.
     */
    public static void scrape(final URL url, final byte[] buffer, final int timeoutMs) throws IOException
    {
        final HttpURLConnection http = (HttpURLConnection)url.openConnection();
        http.setConnectTimeout(timeoutMs);
        http.setReadTimeout(timeoutMs);
        try (InputStream body = http.getInputStream())
        {
            while (body.read(buffer) >= 0)
            {
                // all of it
            }
        }
    }

    public int port()
    {
        return server.getPort();
    }

    public void close()
    {
        server.close();
    }

    private static void handle(final HttpExchange exchange, final BooleanSupplier ready, final Supplier<String> detail)
        throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            final int status;
            final String body;
            if ("/health".equals(path))
            {
                final boolean ok = ready.getAsBoolean();
                status = ok ? 200 : 503;
                body = (ok ? "ready " : "not ready ") + detail.get() + "\n";
            }
            else
            {
                status = 404;
                body = "try /metrics or /health\n";
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
    }
}
