package io.keel.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        try
        {
            final HTTPServer server = HTTPServer.builder()
                .hostname(bind)
                .port(port < 0 ? 0 : port)
                .registry(registry)
                .defaultHandler((exchange) -> handle(exchange, ready, detail))
                .buildAndStart();
            return new MetricsServer(server);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot serve metrics on " + bind + ":" + port + ": " + ex.getMessage(), ex);
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
