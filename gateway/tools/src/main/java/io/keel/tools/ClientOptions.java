package io.keel.tools;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What {@code keel order} and {@code keel account} share: the gateway, the user and how long to wait. The password
 * is never an argument (it would show in {@code ps} and shell history): it comes from stdin or from an environment
 * variable named by {@code --password-env}. Cold code.
 */
final class ClientOptions
{
    @Option(names = "--host", description = "The gateway's address (default ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "The gateway's TCP port (default ${DEFAULT-VALUE}).")
    int port = 9100;

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
            final String value = System.getenv(passwordEnv);
            if (value == null)
            {
                throw new IllegalArgumentException("environment variable " + passwordEnv + " is not set");
            }
            return value;
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
        if (port <= 0 || port > 65535 || timeoutMs <= 0)
        {
            throw new IllegalArgumentException("--port must be in 1..65535 and --timeout-ms > 0");
        }
    }

    /**
     * Connect and log on (no cancel-on-disconnect: orders outlive the command).
     */
    KeelClient connect(final KeelClientListener listener)
    {
        validate();
        return new KeelClient(new KeelClient.Context()
            .host(host)
            .port(port)
            .username(username)
            .password(password())
            .connectTimeoutMs(timeoutMs)
            .autoReconnect(false)
            .resendTimeoutMs(0)
            .listener(listener))
            .connect();
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
