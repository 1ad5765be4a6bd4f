package io.keel.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Client logins: one line per user, {@code username:accountId:iterations:salt:hash}, where
 * hash = PBKDF2-HMAC-SHA256(password, salt, iterations), salt and hash in Base64. No secret is
 * stored in plain text. Lines starting with '#' are comments. Cold path: logons only.
 */
public final class CredentialsStore
{
    public static final int ITERATIONS_DEFAULT = 100_000;
    public static final int MIN_ITERATIONS = 10_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    /** Hashes are not passwords, but a readable file invites offline guessing: owner read/write only. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Returned by {@link #verify} for an unknown user or a wrong password. */
    public static final long NO_ACCOUNT = -1;

    private record Entry(long accountId, int iterations, byte[] salt, byte[] hash)
    {
    }

    private final Map<String, Entry> users;
    // A user that does not exist costs as much as a wrong password: no timing oracle on names.
    private final Entry decoy;

    private CredentialsStore(final Map<String, Entry> users)
    {
        this.users = users;
        decoy = new Entry(NO_ACCOUNT, commonIterations(users), new byte[SALT_BYTES], new byte[HASH_BITS / 8]);
    }

    /**
     * The decoy costs what most users' checks cost: with every user at 10,000 iterations, a decoy at 100,000 would
     * tell an unknown name by its slowness.
     */
    private static int commonIterations(final Map<String, Entry> users)
    {
        final Map<Integer, Integer> counts = new HashMap<>();
        int common = ITERATIONS_DEFAULT;
        int most = 0;
        for (final Entry entry : users.values())
        {
            final int count = counts.merge(entry.iterations(), 1, Integer::sum);
            if (count > most)
            {
                most = count;
                common = entry.iterations();
            }
        }
        return common;
    }

    /**
     * @throws IllegalArgumentException naming the file and line of a malformed entry.
     */
    public static CredentialsStore load(final Path file) throws IOException
    {
        final Map<String, Entry> users = new HashMap<>();
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] fields = line.split(":");
            final String where = file + " line " + (i + 1);
            if (fields.length != 5 || fields[0].isEmpty())
            {
                throw new IllegalArgumentException(where + ": expected username:accountId:iterations:salt:hash");
            }
            try
            {
                final long accountId = Long.parseLong(fields[1]);
                final int iterations = Integer.parseInt(fields[2]);
                if (accountId <= 0 || iterations < MIN_ITERATIONS)
                {
                    throw new IllegalArgumentException(where + ": accountId must be > 0 and iterations >= " + MIN_ITERATIONS);
                }
                final Entry entry = new Entry(
                    accountId, iterations, Base64.getDecoder().decode(fields[3]), Base64.getDecoder().decode(fields[4]));
                if (users.put(fields[0], entry) != null)
                {
                    throw new IllegalArgumentException(where + ": user '" + fields[0] + "' appears twice");
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + ": " + ex.getMessage());
            }
        }
        return new CredentialsStore(users);
    }

    public int size()
    {
        return users.size();
    }

    /**
     * @return every username in the file.
     */
    public java.util.Set<String> usernames()
    {
        return java.util.Collections.unmodifiableSet(users.keySet());
    }

    /**
     * @return the user's account id, or {@link #NO_ACCOUNT}.
     */
    public long verify(final String username, final byte[] password)
    {
        final Entry entry = users.get(username);
        final Entry checked = entry == null ? decoy : entry;
        final byte[] hash = hash(password, checked.salt, checked.iterations);
        return MessageDigest.isEqual(hash, checked.hash) && entry != null ? entry.accountId : NO_ACCOUNT;
    }

    /**
     * Append a user to a credentials file (created if missing, 0600 from its first byte), refusing a name already
     * there. The file is left 0600 on every write, also one that had been made readable to others.
     */
    public static void addUser(
        final Path file, final String username, final long accountId, final byte[] password, final int iterations)
        throws IOException
    {
        if (username.isEmpty() || username.contains(":") || username.contains("\n"))
        {
            throw new IllegalArgumentException("username must be non-empty without ':' or newlines");
        }
        if (accountId <= 0)
        {
            throw new IllegalArgumentException("account must be > 0: " + accountId);
        }
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("iterations must be >= " + MIN_ITERATIONS + ": " + iterations);
        }
        if (password.length == 0)
        {
            throw new IllegalArgumentException("password must not be empty");
        }
        if (Files.exists(file) && load(file).users.containsKey(username))
        {
            throw new IllegalArgumentException("user '" + username + "' already exists in " + file);
        }
        final byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        final String line = username + ":" + accountId + ":" + iterations + ":" +
            Base64.getEncoder().encodeToString(salt) + ":" +
            Base64.getEncoder().encodeToString(hash(password, salt, iterations)) + "\n";
        final boolean posix = file.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix && Files.notExists(file))
        {
            try
            {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            catch (final FileAlreadyExistsException raced)
            {
                // Created meanwhile: its permissions are set below.
            }
        }
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (posix)
        {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static byte[] hash(final byte[] password, final byte[] salt, final int iterations)
    {
        final char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        final PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try
        {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " unavailable", ex);
        }
        finally
        {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
