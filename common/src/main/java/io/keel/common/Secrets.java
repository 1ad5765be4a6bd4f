package io.keel.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a tool's cluster secret comes from: a file (e.g. {@code --secret-file}), else an environment variable, else
 * the development secret, which nodes accept only when started with {@code --dev}. Never a command-line argument:
 * those show in {@code ps} and shell histories.
 */
public final class Secrets
{
    private Secrets()
    {
    }

    /**
     * @param file   a file holding the secret (trailing newline and spaces ignored), or null.
     * @param envVar the environment variable to read when there is no file.
     * @return the secret.
     * @throws IllegalArgumentException when the file cannot be read or holds no secret.
     */
    public static String resolve(final Path file, final String envVar)
    {
        if (file != null)
        {
            final String secret;
            try
            {
                secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("cannot read secret file " + file + ": " + ex.getMessage());
            }
            if (secret.isEmpty())
            {
                throw new IllegalArgumentException("secret file " + file + " is empty");
            }
            return secret;
        }
        final String fromEnv = System.getenv(envVar);
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : Principal.DEV_SECRET;
    }
}
