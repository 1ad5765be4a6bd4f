package io.keel.common;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code keel tls-cert}: a self-signed certificate for the TLS that HAProxy terminates in front of the gateways, made
 * with {@code openssl req -x509}. Writes {@code keel.crt} (what clients trust), {@code keel.key} and {@code keel.pem}
 * (certificate and key, what HAProxy loads), the last two readable by their owner only. Tests and tools call
 * {@link #generate}; the launcher runs {@link #main}, so there is one way certificates are made.
 */
@Command(
    name = "keel tls-cert",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Make a self-signed TLS certificate for HAProxy in front of the gateways (openssl): DIR/keel.crt " +
        "(what clients trust), DIR/keel.key and DIR/keel.pem (certificate + key, what HAProxy loads; both 0600).",
    footer = "%nThe certificate names the CN, localhost and 127.0.0.1 (subjectAltName). For real clients use a " +
        "certificate from your CA in the same keel.pem form.")
public final class TlsCertificates implements Callable<Integer>
{
    public static final String CERTIFICATE_FILE = "keel.crt";
    public static final String KEY_FILE = "keel.key";
    public static final String PEM_FILE = "keel.pem";
    public static final String CN_DEFAULT = "localhost";
    public static final int DAYS_DEFAULT = 365;

    /** A host name or an IPv4/IPv6 literal: nothing that could change the subject or the extension it goes in. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.:-]{1,253}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final long OPENSSL_TIMEOUT_S = 60;

    /**
     * The files written.
     *
     * @param certificate the certificate alone (PEM): what a client's trust store takes.
     * @param key         the private key (PEM), 0600.
     * @param pem         certificate then key, 0600: HAProxy's {@code crt}.
     */
    public record CertificateFiles(Path certificate, Path key, Path pem)
    {
    }

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the files, created if missing.")
    Path out;

    @Option(names = "--cn", paramLabel = "NAME", description = "Common name: the host name clients connect to (default ${DEFAULT-VALUE}).")
    String cn = CN_DEFAULT;

    @Option(names = "--days", paramLabel = "N", description = "Days the certificate is valid (default ${DEFAULT-VALUE}).")
    int days = DAYS_DEFAULT;

    public Integer call()
    {
        if (!isOpensslInstalled())
        {
            System.err.println("keel tls-cert: openssl is not installed (apt-get install openssl)");
            return Cli.EXIT_USAGE;
        }
        final CertificateFiles files = generate(out, cn, days);
        System.out.println("tls-cert: " + files.certificate() + " (clients trust this), " + files.key() + ", " +
            files.pem() + " (HAProxy: KEEL_TLS_PEM / bin/keel haproxy --pem)");
        return 0;
    }

    /**
     * @return whether {@code openssl} runs.
     */
    public static boolean isOpensslInstalled()
    {
        try
        {
            final Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(OPENSSL_TIMEOUT_S, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Make a self-signed RSA 2048 certificate for {@code cn}, localhost and 127.0.0.1, replacing any in {@code dir}.
     *
     * @throws IllegalArgumentException for a bad name or day count (the message names the option).
     * @throws IllegalStateException    when openssl fails or is missing.
     */
    public static CertificateFiles generate(final Path dir, final String cn, final int days)
    {
        if (cn == null || !NAME.matcher(cn).matches())
        {
            throw new IllegalArgumentException("--cn must be a host name or an IP address: " + cn);
        }
        if (days < 1)
        {
            throw new IllegalArgumentException("--days must be >= 1: " + days);
        }
        final CertificateFiles files = new CertificateFiles(
            dir.resolve(CERTIFICATE_FILE).toAbsolutePath(), dir.resolve(KEY_FILE).toAbsolutePath(),
            dir.resolve(PEM_FILE).toAbsolutePath());
        try
        {
            Files.createDirectories(dir);
            // The key files exist, owner-only, before a byte of a key is written to them: openssl keeps their mode.
            ownerOnly(files.key());
            ownerOnly(files.pem());
            openssl(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", files.key().toString(), "-out", files.certificate().toString(),
                "-days", Integer.toString(days), "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + altNames(cn)));
            final byte[] certificate = Files.readAllBytes(files.certificate());
            final byte[] key = Files.readAllBytes(files.key());
            final byte[] pem = new byte[certificate.length + key.length];
            System.arraycopy(certificate, 0, pem, 0, certificate.length);
            System.arraycopy(key, 0, pem, certificate.length, key.length);
            Files.write(files.pem(), pem);
            return files;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the certificate to " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A TLS client context that trusts {@code certificate} alone: what a test or tool connecting through HAProxy uses
     * with a certificate made here.
     */
    public static SSLContext clientContextTrusting(final Path certificate)
    {
        try (InputStream in = Files.newInputStream(certificate))
        {
            final KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("keel", CertificateFactory.getInstance("X.509").generateCertificate(in));
            final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + certificate + ": " + ex.getMessage(), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot trust " + certificate + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The certificate's subjectAltName: the CN, localhost and 127.0.0.1, each once.
     */
    static String altNames(final String cn)
    {
        final List<String> names = new ArrayList<>();
        names.add((IPV4.matcher(cn).matches() || cn.indexOf(':') >= 0 ? "IP:" : "DNS:") + cn);
        if (!names.contains("DNS:localhost"))
        {
            names.add("DNS:localhost");
        }
        if (!names.contains("IP:127.0.0.1"))
        {
            names.add("IP:127.0.0.1");
        }
        return String.join(",", names);
    }

    private static void ownerOnly(final Path file) throws IOException
    {
        if (Files.exists(file))
        {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        else
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
    }

    private static void openssl(final List<String> command)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("openssl is not installed (apt-get install openssl)", ex);
        }
        try
        {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(OPENSSL_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("openssl did not finish within " + OPENSSL_TIMEOUT_S + " s");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException("openssl failed (exit " + process.exitValue() + "): " + output.strip());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while openssl ran", ex);
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new TlsCertificates(), "keel tls-cert", args));
    }
}
