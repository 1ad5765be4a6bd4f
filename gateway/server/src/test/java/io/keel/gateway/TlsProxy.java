package io.keel.gateway;

import io.keel.common.FreePorts;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy terminating TLS in front of a gateway, as in production (mode tcp, no PROXY protocol), with a
 * self-signed certificate for {@code localhost} and {@code 127.0.0.1} made by openssl. Test code: it starts processes,
 * and {@link #close()} stops them.
 */
final class TlsProxy implements AutoCloseable
{
    static final String HAPROXY = "/usr/sbin/haproxy";

    private final Process process;
    private final int port;
    private final File log;

    private TlsProxy(final Process process, final int port, final File log)
    {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * A self-signed certificate and its key, in {@code dir}: {@code cert.pem} for clients to trust, and
     * {@code haproxy.pem} (certificate and key in one file) for HAProxy.
     *
     * @return the certificate's path.
     */
    static Path makeSelfSignedCertificate(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
            final Path cert = dir.resolve("cert.pem");
            final Path key = dir.resolve("key.pem");
            run(dir, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()));
            Files.writeString(dir.resolve("haproxy.pem"), Files.readString(cert) + Files.readString(key));
            return cert;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Start HAProxy on a free loopback port, with the certificate made in {@code dir}, forwarding to the gateway's
     * TCP port; return once it accepts connections.
     */
    static TlsProxy start(final Path dir, final int gatewayPort)
    {
        final int port = FreePorts.tcpPort();
        final Path config = dir.resolve("haproxy-" + port + ".cfg");
        final File log = dir.resolve("haproxy-" + port + ".log").toFile();
        try
        {
            Files.writeString(config, String.join("\n",
                "global",
                "    nbthread 1",
                "defaults",
                "    mode tcp",
                "    timeout connect 2s",
                "    timeout client 60s",
                "    timeout server 60s",
                "frontend keel_tls",
                "    bind 127.0.0.1:" + port + " ssl crt " + dir.resolve("haproxy.pem"),
                "    default_backend gateways",
                "backend gateways",
                "    server gw 127.0.0.1:" + gatewayPort,
                ""), StandardCharsets.US_ASCII);
            final Process process = new ProcessBuilder(HAPROXY, "-f", config.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(log).start();
            final TlsProxy proxy = new TlsProxy(process, port, log);
            proxy.awaitListening();
            return proxy;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    int port()
    {
        return port;
    }

    String endpoint()
    {
        return "127.0.0.1:" + port;
    }

    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening() throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException(
                    "haproxy exited " + process.exitValue() + ": " + Files.readString(log.toPath()));
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (final IOException notYet)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    close();
                    throw new IllegalStateException("haproxy not listening on " + port + " within 10 s: " +
                        Files.readString(log.toPath()));
                }
                GatewayTestEnv.sleep(20);
            }
        }
    }

    private static void run(final Path dir, final List<String> command) throws IOException
    {
        final File out = dir.resolve("openssl.log").toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("openssl took over 30 s");
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException("openssl failed: " + Files.readString(out.toPath()));
        }
    }
}
