package io.keel.tools;

import io.keel.common.Cli;
import io.keel.common.FreePorts;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client options {@code keel order} and {@code keel account} share for endpoints and TLS, in this JVM and without
 * a gateway: misuse is one line and exit 2 before anything connects; a connection goes to each endpoint in turn, and
 * over TLS with the server name asked for.
 */
@Timeout(60)
class ClientOptionsTest
{
    record Run(int exitCode, String out, String err)
    {
    }

    private Path dir;
    private Path cert;

    @BeforeEach
    void makeCertificate() throws Exception
    {
        dir = Files.createDirectories(new File("target/client-options-" + System.nanoTime()).toPath());
        cert = dir.resolve("cert.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-days", "2", "-subj", "/CN=localhost", "-keyout", dir.resolve("key.pem").toString(),
            "-out", cert.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl made the certificate");
    }

    @AfterEach
    void deleteDir()
    {
        if (dir != null)
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    @Test
    void shouldRefuseMisusedEndpointAndTlsOptionsInOneLineWithExit2() throws IOException
    {
        final Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertUsage("--trust-cert, --trust-store and --tls-server-name need --tls", "--trust-cert", cert.toString());
        assertUsage("--trust-cert " + dir.resolve("none.pem") + ": no such file",
            "--tls", "--trust-cert", dir.resolve("none.pem").toString());
        assertUsage("give --endpoints or --host/--port, not both", "--endpoints", "127.0.0.1:9100", "--port", "9100");
        assertUsage("give --trust-cert or --trust-store, not both",
            "--tls", "--trust-cert", cert.toString(), "--trust-store", cert.toString());
        assertUsage("environment variable KEEL_TEST_NOT_SET is not set",
            "--tls", "--trust-store", cert.toString(), "--trust-store-password-env", "KEEL_TEST_NOT_SET");
        assertUsage("endpoint 'gateway' is not host:port (an IPv6 address goes in brackets: [::1]:9100)",
            "--endpoints", "gateway");
        final Run notACertificate = account("pw\n", "--tls", "--trust-cert", notPem.toString());
        assertEquals(2, notACertificate.exitCode(), notACertificate.err());
        assertTrue(notACertificate.err().startsWith("keel account: trust certificate " + notPem +
            " is not a PEM certificate"), notACertificate.err());
    }

    @Test
    void shouldTryEachEndpointInTurnAndSpeakTlsWithTheServerNameAskedFor() throws Exception
    {
        final String dead = "127.0.0.1:" + FreePorts.tcpPort();
        try (ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(20_000);
            final String listening = "127.0.0.1:" + server.getLocalPort();
            // Reads what the client says first, then hangs up: not a TLS server, so the handshake fails.
            final CompletableFuture<byte[]> hello = CompletableFuture.supplyAsync(() -> firstBytes(server));

            final Run run = account("pw\n", "--endpoints", dead + "," + listening, "--tls", "--trust-cert",
                cert.toString(), "--tls-server-name", "gw.example", "--timeout-ms", "5000");

            assertEquals(1, run.exitCode(), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().contains("no endpoint logged on: cannot connect to " + dead + ": Connection refused; " +
                "TLS handshake with " + listening + " failed: "), run.err());
            final byte[] clientHello = hello.get(20, TimeUnit.SECONDS);
            assertEquals(0x16, clientHello[0], "a TLS handshake record");
            assertTrue(new String(clientHello, StandardCharsets.ISO_8859_1).contains("gw.example"), "SNI");
        }
    }

    private void assertUsage(final String message, final String... args)
    {
        final Run run = account("pw\n", args);
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(List.of("keel account: " + message), run.err().lines().toList());
        assertEquals("", run.out());
    }

    private static Run account(final String stdin, final String... options)
    {
        final String[] args = new String[options.length + 2];
        args[0] = "--username";
        args[1] = "alice";
        System.arraycopy(options, 0, args, 2, options.length);
        final InputStream in = System.in;
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            final int exitCode = Cli.run(new AccountMain(), "keel account", args);
            return new Run(
                exitCode, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static byte[] firstBytes(final ServerSocket server)
    {
        try (Socket socket = server.accept())
        {
            final byte[] buffer = new byte[4096];
            int length = 0;
            // A TLS record: 5-byte header with its length in bytes 3..4.
            while (length < 5 || length < 5 + (((buffer[3] & 0xFF) << 8) | (buffer[4] & 0xFF)))
            {
                final int read = socket.getInputStream().read(buffer, length, buffer.length - length);
                if (read < 0)
                {
                    break;
                }
                length += read;
            }
            return java.util.Arrays.copyOf(buffer, length);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
