package io.keel.gateway;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code keel gateway unlock}: clear a user's (or an address's) failed logons and lockout on every gateway named.
 * Lockouts are each gateway's own state, so each is asked in turn, over its admin endpoint
 * ({@link GatewayAdminServer}); exit 1 unless every one answered.
 */
@Command(
    name = "unlock",
    sortOptions = false,
    description = "Clear failed logons and a lockout on each gateway named (their --admin-port).")
final class GatewayUnlock implements Callable<Integer>
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--gateways", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "Every gateway's admin endpoint (its --metrics-bind and --admin-port).")
    String gateways;

    @Option(names = "--user", description = "The user to unlock.")
    String user;

    @Option(names = "--address", description = "A client address (IPv4 or IPv6 literal) whose failures to clear.")
    String address;

    @Option(names = "--secret-file", required = true, description = "File holding the gateways' --admin-secret-file secret.")
    Path secretFile;

    public Integer call() throws IOException
    {
        if (user == null && address == null)
        {
            throw new IllegalArgumentException("name --user and/or --address");
        }
        final String secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
        final String query = (user == null ? "" : "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)) +
            (user != null && address != null ? "&" : "") +
            (address == null ? "" : "address=" + URLEncoder.encode(address, StandardCharsets.UTF_8));
        int failed = 0;
        for (final String gateway : gateways.split(","))
        {
            final String answer = unlock(gateway.trim(), query, secret);
            System.out.println("unlock: " + gateway.trim() + ": " + answer);
            if (answer.startsWith("failed"))
            {
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    static String unlock(final String gateway, final String query, final String secret)
    {
        try
        {
            final URL url = new URL("http://" + gateway + GatewayAdminServer.UNLOCK_PATH + "?" + query);
            final HttpURLConnection http = (HttpURLConnection)url.openConnection();
            http.setRequestMethod("POST");
            http.setConnectTimeout(5_000);
            http.setReadTimeout(10_000);
            http.setRequestProperty("Authorization", "Bearer " + secret);
            final int status = http.getResponseCode();
            try (InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream())
            {
                final String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
                return status == 200 ? text : "failed: HTTP " + status + " " + text;
            }
        }
        catch (final IOException ex)
        {
            return "failed: " + ex;
        }
    }
}
