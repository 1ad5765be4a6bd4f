package io.keel.common;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keel tls-cert} and {@link TlsCertificates#generate}: a real openssl writes a certificate for the CN,
 * localhost and 127.0.0.1, the key and the PEM HAProxy loads owner-only; bad options are one line and exit 2.
 */
@Timeout(60)
class TlsCertificatesTest
{
    private Path dir;

    @AfterEach
    void tearDown() throws IOException
    {
        delete(dir);
    }

    @Test
    void shouldWriteTheCertificateTheKeyAndThePemForHaproxy() throws Exception
    {
        dir = testDir("generate");
        final TlsCertificates.CertificateFiles files = TlsCertificates.generate(dir.resolve("tls"), "keel.example", 2);

        assertEquals(dir.resolve("tls/keel.crt").toAbsolutePath(), files.certificate());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.key())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.pem())));
        final String pem = Files.readString(files.pem());
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----"), pem);
        assertTrue(pem.contains("PRIVATE KEY-----"), "the key follows the certificate");
        assertEquals(Files.readString(files.certificate()) + Files.readString(files.key()), pem);

        final X509Certificate certificate = (X509Certificate)CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(files.certificate())));
        assertEquals("CN=keel.example", certificate.getSubjectX500Principal().getName());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal(), "self-signed");
        assertEquals(List.of(List.of(2, "keel.example"), List.of(2, "localhost"), List.of(7, "127.0.0.1")),
            certificate.getSubjectAlternativeNames().stream().toList());
        final long validMs = certificate.getNotAfter().getTime() - certificate.getNotBefore().getTime();
        assertEquals(TimeUnit.DAYS.toMillis(2), validMs);
    }

    @Test
    void shouldNameTheSubjectAlternativesOnce()
    {
        assertEquals("DNS:localhost,IP:127.0.0.1", TlsCertificates.altNames("localhost"));
        assertEquals("IP:127.0.0.1,DNS:localhost", TlsCertificates.altNames("127.0.0.1"));
        assertEquals("IP:10.0.0.5,DNS:localhost,IP:127.0.0.1", TlsCertificates.altNames("10.0.0.5"));
        assertEquals("IP:fd00::5,DNS:localhost,IP:127.0.0.1", TlsCertificates.altNames("fd00::5"));
    }

    @Test
    void shouldRefuseBadOptionsWithOneLineAndExit2() throws Exception
    {
        dir = testDir("bad-options");
        final String out = dir.resolve("tls").toString();
        assertRefused("keel tls-cert: --days must be >= 1: 0", "--out", out, "--days", "0");
        assertRefused("keel tls-cert: --cn must be a host name or an IP address: a/b=c", "--out", out, "--cn", "a/b=c");
        assertRefused("keel tls-cert: Missing required option: '--out=DIR' (try keel tls-cert --help)");
        assertFalse(Files.exists(dir.resolve("tls/keel.pem")));
        assertEquals(0, Cli.run(new TlsCertificates(), "keel tls-cert", "--help"));
    }

    private static void assertRefused(final String line, final String... args)
    {
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(Cli.EXIT_USAGE, Cli.run(new TlsCertificates(), "keel tls-cert", args));
        }
        finally
        {
            System.setErr(err);
        }
        assertEquals(line + "\n", captured.toString(StandardCharsets.UTF_8));
    }

    static void delete(final Path dir) throws IOException
    {
        if (dir != null && Files.exists(dir))
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
            }
        }
    }

    static Path testDir(final String name) throws IOException
    {
        return Files.createDirectories(Path.of("target/common-tests/" + name + "-" + System.nanoTime()).toAbsolutePath());
    }
}
