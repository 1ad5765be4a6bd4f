package io.keel.client;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whom a {@link KeelClient} trusts over TLS and how each connection's {@link SSLEngine} is set up: TLS 1.3 or 1.2
 * only, the server name sent (SNI) and verified against the certificate (hostname verification, as HTTPS does).
 * Trust is one PEM certificate (a self-signed one, say) trusted alone, a JKS or PKCS12 trust store, or the JVM's
 * default. Cold code: it runs when the client is made and once per connection.
 */
final class ClientTls
{
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final SSLContext sslContext;
    private final String serverName;
    private final String[] protocols;

    /**
     * @param serverName to ask for and verify, or null for each endpoint's host.
     */
    ClientTls(final SSLContext sslContext, final String serverName)
    {
        this.sslContext = sslContext;
        this.serverName = serverName;
        final List<String> supported = Arrays.asList(sslContext.getSupportedSSLParameters().getProtocols());
        protocols = Arrays.stream(PROTOCOLS).filter(supported::contains).toArray(String[]::new);
        if (protocols.length == 0)
        {
            throw new IllegalArgumentException("this JVM supports neither TLSv1.3 nor TLSv1.2");
        }
    }

    /**
     * @param trustCertificate a PEM file of the certificate(s) to trust alone, or null.
     * @param trustStore       a JKS or PKCS12 trust store, or null; with neither, the JVM's default trust.
     * @return a context that trusts what was named.
     * @throws IllegalArgumentException naming the file when it cannot be read.
     */
    static SSLContext sslContext(final Path trustCertificate, final Path trustStore, final char[] trustStorePassword)
    {
        try
        {
            final SSLContext context = SSLContext.getInstance("TLS");
            if (trustCertificate == null && trustStore == null)
            {
                context.init(null, null, null);
                return context;
            }
            final KeyStore trusted = trustCertificate != null ?
                pemKeyStore(trustCertificate) : loadTrustStore(trustStore, trustStorePassword);
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            context.init(null, factory.getTrustManagers(), null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("cannot set up TLS: " + ex.getMessage(), ex);
        }
    }

    /**
     * A new engine for one connection to the endpoint, in client mode. Hostname verification is on: the server's
     * certificate must name {@code serverName} (or the endpoint's host) as a DNS or IP subject alternative name.
     */
    SSLEngine newEngine(final Endpoint endpoint)
    {
        final String name = serverName != null ? serverName : endpoint.host();
        final SSLEngine engine = sslContext.createSSLEngine(name, endpoint.port());
        engine.setUseClientMode(true);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        // SNI carries host names only (RFC 6066); an address is verified against the certificate's IP names.
        if (!isAddress(name))
        {
            parameters.setServerNames(List.of(new SNIHostName(name)));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    static boolean isAddress(final String host)
    {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    private static KeyStore pemKeyStore(final Path pemFile) throws GeneralSecurityException
    {
        final Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pemFile))
        {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read trust certificate " + pemFile + ": " + describe(ex), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException(
                "trust certificate " + pemFile + " is not a PEM certificate: " + ex.getMessage(), ex);
        }
        if (certificates.isEmpty())
        {
            throw new IllegalArgumentException("trust certificate " + pemFile + " holds no certificate");
        }
        final KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
        try
        {
            keyStore.load(null, null);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final List<Certificate> list = new ArrayList<>(certificates);
        for (int i = 0; i < list.size(); i++)
        {
            keyStore.setCertificateEntry("trusted-" + i, list.get(i));
        }
        return keyStore;
    }

    private static KeyStore loadTrustStore(final Path file, final char[] password) throws GeneralSecurityException
    {
        try
        {
            // The type, JKS or PKCS12, is read from the file itself.
            return KeyStore.getInstance(file.toFile(), password);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read trust store " + file + ": " + describe(ex), ex);
        }
    }

    private static String describe(final IOException ex)
    {
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "no such file";
        }
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "permission denied";
        }
        return ex.getMessage() != null ? ex.getMessage() : ex.toString();
    }
}
