package io.keel.common;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * How an admin tool proves itself to the cluster: its admin name and a secret of its own (listed as
 * {@code admin:<name>} in the nodes' credentials file), read from a file or {@code $KEEL_ADMIN_SECRET}, never an
 * argument. Without either it presents the development secret, which only a node started with {@code --dev} takes.
 */
public final class AdminCredentialsOptions
{
    public static final String SECRET_ENV = "KEEL_ADMIN_SECRET";

    @Option(names = "--name", description = "Admin name: the principal admin:<name> (default ${DEFAULT-VALUE}).")
    String name = "ops";

    @Option(names = "--secret-file", description = "File holding this admin's secret (default: $KEEL_ADMIN_SECRET, "
        + "else the development secret, accepted only by nodes started with --dev).")
    Path secretFile;

    /**
     * @return {@code admin:<name>:<secret>}.
     * @throws IllegalArgumentException when the secret file cannot be read.
     */
    public byte[] credentials()
    {
        return Principal.adminCredentials(name, Secrets.resolve(secretFile, SECRET_ENV));
    }
}
