package io.keel.common;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy running {@code deploy/haproxy.cfg} as it is, for tests and the chaos tool
 * (where the binary and the configuration are found, and {@code haproxy -c}: {@link HaproxyInstallation}): TLS on a frontend port,
 * two gateways behind it with the PROXY protocol v2 and health checks on their {@code /health}. The configuration is
 * filled in through the environment variables it reads ({@code KEEL_HAPROXY_PORT}, {@code KEEL_GW1_HOST}, ...), as
 * {@code bin/keel haproxy} does; HAProxy's output goes to a log file. Started, it accepts on its frontend port;
 * closed, it is stopped (SIGTERM, then SIGKILL).
 */
public final class HaproxyProcess implements AutoCloseable
{
    /** The number of {@code server} lines the configuration fills in. */
    public static final int SERVERS = 2;

    private static final long STOP_TIMEOUT_MS = 5_000;

    /**
     * One gateway behind HAProxy: its client port and the port of its {@code /health} ({@code --metrics-port}).
     */
    public record Server(String host, int port, int healthPort)
    {
    }

    /**
     * What to run: the frontend, the certificate, the two gateways, where the log goes.
     */
    public static final class Context
    {
        private String binary = HaproxyInstallation.defaultBinary();
        private Path configFile;
        private String bind = "127.0.0.1";
        private int port;
        private Path pem;
        private final List<Server> servers = new ArrayList<>();
        private Path logFile;
        private long startTimeoutMs = 10_000;
        private boolean concluded;

        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (configFile == null)
            {
                configFile = HaproxyInstallation.findConfig();
            }
            require(Files.isRegularFile(configFile), "HAProxy configuration not found: " + configFile);
            require(port > 0 && port <= 65535, "HAProxy frontend port must be in 1..65535: " + port);
            require(bind != null && !bind.isBlank(), "HAProxy frontend address must be set");
            require(pem != null && Files.isRegularFile(pem),
                "HAProxy certificate (cert + key PEM) not found: " + pem + " (make one with TlsCertificates.generate)");
            require(servers.size() == SERVERS, HaproxyInstallation.CONFIG_PATH + " has " + SERVERS + " server lines: give " + SERVERS +
                " gateways, not " + servers.size());
            require(logFile != null, "HAProxy log file must be set");
            require(startTimeoutMs > 0, "start timeout must be > 0: " + startTimeoutMs);
            concluded = true;
            return this;
        }

        /**
         * @return the variables {@code deploy/haproxy.cfg} reads, as this context sets them.
         */
        public Map<String, String> environment()
        {
            final Map<String, String> env = new LinkedHashMap<>();
            env.put("KEEL_HAPROXY_BIND", bind);
            env.put("KEEL_HAPROXY_PORT", Integer.toString(port));
            env.put("KEEL_TLS_PEM", pem.toAbsolutePath().toString());
            for (int i = 0; i < servers.size(); i++)
            {
                final Server server = servers.get(i);
                final String prefix = "KEEL_GW" + (i + 1) + "_";
                env.put(prefix + "HOST", server.host());
                env.put(prefix + "PORT", Integer.toString(server.port()));
                env.put(prefix + "HEALTH_PORT", Integer.toString(server.healthPort()));
            }
            return env;
        }

        public String binary()
        {
            return binary;
        }

        public Context binary(final String binary)
        {
            this.binary = binary;
            return this;
        }

        public Path configFile()
        {
            return configFile;
        }

        public Context configFile(final Path configFile)
        {
            this.configFile = configFile;
            return this;
        }

        public String bind()
        {
            return bind;
        }

        public Context bind(final String bind)
        {
            this.bind = bind;
            return this;
        }

        public int port()
        {
            return port;
        }

        /**
         * @param port the TLS frontend's port clients connect to.
         */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        public Path pem()
        {
            return pem;
        }

        /**
         * @param pem certificate and key in one PEM file ({@link TlsCertificates.CertificateFiles#pem()}).
         */
        public Context pem(final Path pem)
        {
            this.pem = pem;
            return this;
        }

        public List<Server> servers()
        {
            return servers;
        }

        /**
         * Add a gateway, in order: gw1, then gw2.
         */
        public Context server(final String host, final int port, final int healthPort)
        {
            servers.add(new Server(host, port, healthPort));
            return this;
        }

        public Path logFile()
        {
            return logFile;
        }

        public Context logFile(final Path logFile)
        {
            this.logFile = logFile;
            return this;
        }

        public long startTimeoutMs()
        {
            return startTimeoutMs;
        }

        public Context startTimeoutMs(final long startTimeoutMs)
        {
            this.startTimeoutMs = startTimeoutMs;
            return this;
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private final Context context;
    private final Process process;
    /** Kills HAProxy if this JVM ends without closing it (a test timed out): no orphan keeps the ports. */
    private final Thread killOnExit;

    private HaproxyProcess(final Context context, final Process process)
    {
        this.context = context;
        this.process = process;
        killOnExit = new Thread(process::destroyForcibly, "haproxy-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Start HAProxy and wait until its frontend accepts connections.
     *
     * @param context concluded here if it was not already.
     * @throws IllegalStateException when HAProxy is missing, exits, or does not listen within the start timeout; the
     *                               message holds the end of its log.
     */
    public static HaproxyProcess start(final Context context)
    {
        context.conclude();
        final Process process;
        try
        {
            Files.createDirectories(context.logFile().toAbsolutePath().getParent());
            final ProcessBuilder builder = new ProcessBuilder(
                context.binary(), "-f", context.configFile().toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(context.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(context.environment());
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + context.binary() + " (HAProxy installed? apt-get install " +
                "haproxy): " + ex.getMessage(), ex);
        }
        final HaproxyProcess haproxy = new HaproxyProcess(context, process);
        try
        {
            haproxy.awaitListening();
            return haproxy;
        }
        catch (final RuntimeException ex)
        {
            haproxy.kill();
            throw ex;
        }
    }


    public Context context()
    {
        return context;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return HAProxy's output so far: a line per connection ({@code option tcplog}) and per server state change.
     */
    public String log()
    {
        try
        {
            return Files.exists(context.logFile()) ?
                Files.readString(context.logFile(), StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Wait until the log holds {@code text}, e.g. {@code "gateways/gw2 is DOWN"}.
     *
     * @throws IllegalStateException with the log when it does not within the timeout.
     */
    public void awaitLog(final String text, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!log().contains(text))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("HAProxy did not log '" + text + "' within " + timeoutMs + " ms:\n" +
                    log());
            }
            sleep(20);
        }
    }

    /**
     * SIGTERM (HAProxy stops at once, closing every connection), then SIGKILL if it is still there after 5 s.
     */
    public void stop()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                kill();
            }
        }
        catch (final InterruptedException ex)
        {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGKILL, and wait for the process to be gone.
     */
    public void kill()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public void close()
    {
        if (process.isAlive())
        {
            stop();
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // The hook runs anyway.
        }
    }

    private void awaitListening()
    {
        final String host = "0.0.0.0".equals(context.bind()) || "::".equals(context.bind()) || "*".equals(context.bind()) ?
            "127.0.0.1" : context.bind();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(context.startTimeoutMs());
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("HAProxy exited (" + process.exitValue() + ") before listening on " +
                    host + ":" + context.port() + ":\n" + log());
            }
            // A bare TCP connect and close: HAProxy logs one aborted TLS handshake.
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(host, context.port()), 200);
                return;
            }
            catch (final IOException notYet)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("HAProxy not listening on " + host + ":" + context.port() +
                        " within " + context.startTimeoutMs() + " ms:\n" + log());
                }
                sleep(20);
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
