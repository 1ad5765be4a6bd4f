package io.keel.tools;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What {@code keel order} and {@code keel account} share: the gateway (or several, or the TLS proxy in front of
 * them), the user and how long to wait. The password is never an argument (it would show in {@code ps} and shell
 * history): it comes from stdin or from an environment variable named by {@code --password-env}; so does a trust
 * store's ({@code --trust-store-password-env}). Cold code.
 */
final class ClientOptions
{
    private static final String DEFAULT_HOST = "127.0.0.1";
    private static final int DEFAULT_PORT = 9100;

    @Option(names = "--host", description = "The gateway's address (default " + DEFAULT_HOST + ").")
    String host;

    @Option(names = "--port", description = "The gateway's TCP port (default " + DEFAULT_PORT + ").")
    Integer port;

    @Option(names = "--endpoints", paramLabel = "HOST:PORT,...",
        description = "Gateways (or the TLS proxy in front of them) to try in turn, instead of --host/--port; " +
        "IPv6 as [::1]:9100.")
    String endpoints;

    @Option(names = "--tls", description = "Speak TLS (to a proxy such as HAProxy in front of the gateways).")
    boolean tls;

    @Option(names = "--trust-cert", paramLabel = "FILE.pem",
        description = "Trust this PEM certificate alone (e.g. a self-signed one); with --tls.")
    Path trustCert;

    @Option(names = "--trust-store", paramLabel = "FILE",
        description = "Trust the certificates of this JKS or PKCS12 trust store; with --tls.")
    Path trustStore;

    @Option(names = "--trust-store-password-env", paramLabel = "VAR",
        description = "Read the trust store's password from this environment variable (default: none).")
    String trustStorePasswordEnv;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
        description = "The name the certificate must carry, sent as SNI (default: the endpoint's host); with --tls.")
    String tlsServerName;

    @Option(names = "--username", required = true, description = "The user to log on as (a line of the gateway's users file).")
    String username;

    @Option(names = "--password-env", paramLabel = "VAR",
        description = "Read the password from this environment variable (default: the first line of stdin).")
    String passwordEnv;

    @Option(names = "--timeout-ms", description = "Longest wait for the logon and for the answers (default ${DEFAULT-VALUE}).")
    long timeoutMs = 5_000;

    String password()
    {
        if (passwordEnv != null)
        {
            return environment(passwordEnv);
        }
        try
        {
            final String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty())
            {
                throw new IllegalArgumentException("no password on stdin (or use --password-env VAR)");
            }
            return line;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read the password from stdin: " + ex.getMessage());
        }
    }

    void validate()
    {
        if ((port != null && (port <= 0 || port > 65535)) || timeoutMs <= 0)
        {
            throw new IllegalArgumentException("--port must be in 1..65535 and --timeout-ms > 0");
        }
        if (endpoints != null && (host != null || port != null))
        {
            throw new IllegalArgumentException("give --endpoints or --host/--port, not both");
        }
        if (!tls && (trustCert != null || trustStore != null || tlsServerName != null))
        {
            throw new IllegalArgumentException("--trust-cert, --trust-store and --tls-server-name need --tls");
        }
        if (trustCert != null && trustStore != null)
        {
            throw new IllegalArgumentException("give --trust-cert or --trust-store, not both");
        }
        if (trustStorePasswordEnv != null && trustStore == null)
        {
            throw new IllegalArgumentException("--trust-store-password-env needs --trust-store");
        }
        requireReadable("--trust-cert", trustCert);
        requireReadable("--trust-store", trustStore);
    }

    /**
     * Connect and log on (no cancel-on-disconnect: orders outlive the command). With several endpoints each is tried
     * once; no reconnects.
     */
    KeelClient connect(final KeelClientListener listener)
    {
        validate();
        return new KeelClient(context(password()).listener(listener)).connect();
    }

    /**
     * @return the client's settings from these options, concluded (so a certificate that cannot be used is reported
     * as bad usage, before anything connects).
     */
    KeelClient.Context context(final String password)
    {
        validate();
        final KeelClient.Context context = new KeelClient.Context()
            .username(username)
            .password(password)
            .connectTimeoutMs(timeoutMs)
            .autoReconnect(false)
            .resendTimeoutMs(0);
        if (endpoints != null)
        {
            context.endpoints(endpoints);
        }
        else
        {
            context.host(host != null ? host : DEFAULT_HOST).port(port != null ? port : DEFAULT_PORT);
        }
        if (tls)
        {
            context.tls(true).trustCertificate(trustCert).tlsServerName(tlsServerName);
            if (trustStore != null)
            {
                final char[] storePassword = trustStorePasswordEnv != null ?
                    environment(trustStorePasswordEnv).toCharArray() : null;
                context.trustStore(trustStore, storePassword);
            }
        }
        return context.conclude();
    }

    private static String environment(final String variable)
    {
        final String value = System.getenv(variable);
        if (value == null)
        {
            throw new IllegalArgumentException("environment variable " + variable + " is not set");
        }
        return value;
    }

    private static void requireReadable(final String option, final Path file)
    {
        if (file != null && !Files.isReadable(file))
        {
            throw new IllegalArgumentException(option + " " + file + ": " +
                (Files.exists(file) ? "not readable" : "no such file"));
        }
    }

    /**
     * A default clOrdId or request id: microseconds since the epoch, so ids increase from one command to the next
     * (increasing clOrdIds cost the engine no look-up, and cannot repeat an earlier one).
     */
    static long timeDerivedId()
    {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /**
     * Poll until the answer is complete, the timeout passes or the connection is lost.
     *
     * @return true when complete.
     */
    boolean pollUntil(
        final KeelClient client, final long timeoutMs, final java.util.function.BooleanSupplier complete, final Runnable duty)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!complete.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0 || !client.isLoggedOn())
            {
                return false;
            }
            if (client.poll() == 0)
            {
                Thread.sleep(1);
            }
            duty.run();
        }
        return true;
    }
}
