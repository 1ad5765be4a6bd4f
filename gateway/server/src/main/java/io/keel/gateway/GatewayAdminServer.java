package io.keel.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The gateway's admin endpoint, off unless {@code --admin-port} is set: {@code POST /unlock?user=NAME} and/or
 * {@code &address=IP} clears failed logons and a lockout, with {@code Authorization: Bearer <secret>} (the content of
 * {@code --admin-secret-file}). Lockouts are this gateway's own state — passwords are checked at the gateway, not in
 * the cluster — so the operator's command goes to each gateway ({@code keel gateway unlock --gateways ...}), never
 * through the replicated log.
 * <p>
 * One HTTP thread of its own; the change itself is made by the duty cycle ({@link LogonGuard#drainUnlocks}), which
 * this thread waits for, never the other way round.
 */
final class GatewayAdminServer implements AutoCloseable
{
    static final String UNLOCK_PATH = "/unlock";
    private static final long APPLY_TIMEOUT_MS = 5_000;

    private final HttpServer server;
    private final byte[] secret;
    private final LogonGuard guard;

    GatewayAdminServer(final String bind, final int port, final Path secretFile, final LogonGuard guard)
    {
        this.guard = guard;
        try
        {
            secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
            if (secret.length == 0)
            {
                throw new IllegalArgumentException("--admin-secret-file is empty: " + secretFile);
            }
            server = HttpServer.create(new InetSocketAddress(bind, port < 0 ? 0 : port), 8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot serve the admin endpoint on " + bind + ":" + port + ": " +
                ex.getMessage(), ex);
        }
        server.createContext(UNLOCK_PATH, this::onUnlock);
        server.start();
        GatewayLog.event("admin-started", "bind", bind, "port", Integer.toString(port()));
    }

    int port()
    {
        return server.getAddress().getPort();
    }

    private void onUnlock(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"POST".equals(exchange.getRequestMethod()))
            {
                reply(exchange, 405, "POST only");
                return;
            }
            final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            final byte[] offered = authorization == null || !authorization.startsWith("Bearer ") ? new byte[0] :
                authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(offered, secret))
            {
                GatewayLog.event("admin-refused", "remote", String.valueOf(exchange.getRemoteAddress()));
                reply(exchange, 401, "wrong or missing admin secret");
                return;
            }
            final String user = parameter(exchange, "user");
            final String address = parameter(exchange, "address");
            if (user == null && address == null)
            {
                reply(exchange, 400, "name ?user=NAME and/or ?address=IP");
                return;
            }
            long addressKey = AddressKey.NONE;
            if (address != null)
            {
                if (!address.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*"))
                {
                    reply(exchange, 400, "address must be an IPv4 or IPv6 literal: " + address);
                    return;
                }
                addressKey = AddressKey.of(InetAddress.getByName(address));
            }
            final String answer = guard.unlock(user, address, addressKey, APPLY_TIMEOUT_MS);
            reply(exchange, 200, answer);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String parameter(final HttpExchange exchange, final String name)
    {
        final String query = exchange.getRequestURI().getRawQuery();
        if (query == null)
        {
            return null;
        }
        for (final String pair : query.split("&"))
        {
            final int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name))
            {
                final String value = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private static void reply(final HttpExchange exchange, final int status, final String text) throws IOException
    {
        final byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }

    public void close()
    {
        server.stop(0);
    }
}
