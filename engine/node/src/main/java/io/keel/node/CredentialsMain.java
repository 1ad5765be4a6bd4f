package io.keel.node;

import io.keel.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code keel credentials new}: a secret of its own for every gateway and admin tool, and the file the nodes check
 * them against. Every file is created 0600 and never overwritten.
 */
@Command(
    name = "keel credentials",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Make cluster credentials: DIR/cluster.credentials for every node (--credentials), and one secret file per ",
        "gateway (DIR/gateway-<id>.secret, for keel gateway --secret-file) and admin (DIR/admin-<name>.secret, for ",
        "keel admin --secret-file), backup (DIR/backup-<name>.secret, for keel backup --secret-file) and drop-copy ",
        "reader (DIR/dropcopy-<name>.secret, for keel drop-copy --secret-file). Copy each secret only to the machine ",
        "that uses it."
    })
public final class CredentialsMain implements Callable<Integer>
{
    private static final int SECRET_BYTES = 32;

    @picocli.CommandLine.Parameters(index = "0", description = "new")
    String verb;

    @Option(names = "--dir", required = true, description = "Directory to write into (created if missing).")
    Path dir;

    @Option(names = "--gateways", split = ",", description = "Gateway ids, e.g. 1,2 (default ${DEFAULT-VALUE}).")
    List<Integer> gateways = new ArrayList<>(List.of(1));

    @Option(names = "--admins", split = ",", description = "Admin names, e.g. ops,audit (default ${DEFAULT-VALUE}).")
    List<String> admins = new ArrayList<>(List.of("ops"));

    @Option(names = "--backups", split = ",", description = "Backup node names, e.g. dr (DIR/backup-<name>.secret, for " +
        "keel backup --secret-file); a backup may only fetch the log and snapshots (default: none).")
    List<String> backups = new ArrayList<>();
    @Option(names = "--drop-copies", split = ",",
        description = "Drop-copy reader names, e.g. risk,audit: principals that may read drop copy and nothing else " +
            "(default: none).")
    List<String> dropCopies = new ArrayList<>();

    public Integer call() throws IOException
    {
        if (!"new".equals(verb))
        {
            throw new IllegalArgumentException("unknown verb '" + verb + "' (available: new)");
        }
        final SecureRandom random = new SecureRandom();
        final StringBuilder clusterFile = new StringBuilder(
            "# Keel cluster credentials: <principal> <secret>. Give this file to every node (--credentials), 0600.\n");
        final List<String[]> secretFiles = new ArrayList<>();
        for (final int gatewayId : gateways)
        {
            add("gateway:" + gatewayId, "gateway-" + gatewayId + ".secret", random, clusterFile, secretFiles);
        }
        for (final String admin : admins)
        {
            add("admin:" + admin, "admin-" + admin + ".secret", random, clusterFile, secretFiles);
        }
        for (final String backup : backups)
        {
            add("backup:" + backup, "backup-" + backup + ".secret", random, clusterFile, secretFiles);
        }
        for (final String reader : dropCopies)
        {
            add("dropcopy:" + reader, "dropcopy-" + reader + ".secret", random, clusterFile, secretFiles);
        }
        Files.createDirectories(dir);
        final Path cluster = dir.resolve("cluster.credentials");
        for (final String[] file : secretFiles)
        {
            refuseExisting(dir.resolve(file[0]));
        }
        refuseExisting(cluster);
        for (final String[] file : secretFiles)
        {
            writePrivate(dir.resolve(file[0]), file[1] + "\n");
        }
        writePrivate(cluster, clusterFile.toString());
        ClusterCredentials.load(cluster, false); // what a node will read: checked now, not at its first start
        System.out.println("credentials: " + cluster + " (" + secretFiles.size() + " principals) and " +
            secretFiles.size() + " secret files in " + dir);
        return 0;
    }

    private static void add(
        final String principal,
        final String fileName,
        final SecureRandom random,
        final StringBuilder clusterFile,
        final List<String[]> secretFiles)
    {
        if (!ClusterCredentials.isWellFormed(principal))
        {
            throw new IllegalArgumentException("not a valid principal: " + principal +
                " (gateway ids 1..65535, admin, backup and drop-copy names of letters, digits, '_', '.', '-')");
        }
        final byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        final String secret = HexFormat.of().formatHex(bytes);
        clusterFile.append(principal).append(' ').append(secret).append('\n');
        secretFiles.add(new String[]{ fileName, secret });
    }

    private static void refuseExisting(final Path file)
    {
        if (Files.exists(file))
        {
            throw new IllegalArgumentException(file + " exists: not overwritten (remove it, or use another --dir)");
        }
    }

    private static void writePrivate(final Path file, final String text) throws IOException
    {
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalArgumentException(file + " exists: not overwritten");
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new CredentialsMain(), "keel credentials", args));
    }
}
