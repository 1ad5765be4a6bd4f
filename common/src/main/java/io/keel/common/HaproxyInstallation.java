package io.keel.common;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where HAProxy and Keel's configuration for it are on this machine, and whether a configuration is valid
 * ({@code haproxy -c}): what {@link HaproxyProcess} needs before it starts one, and what tests check to skip.
 */
public final class HaproxyInstallation
{
    /** Path of the configuration, when not found as {@code deploy/haproxy.cfg} above the working directory. */
    public static final String CONFIG_PROP_NAME = "keel.haproxy.config";
    public static final String CONFIG_PATH = "deploy/haproxy.cfg";
    /** The haproxy binary; by default {@code haproxy} on the PATH, else in /usr/sbin (Debian's, off a user's PATH). */
    public static final String BINARY_PROP_NAME = "keel.haproxy.binary";

    private HaproxyInstallation()
    {
    }

    /**
     * {@code haproxy -c}: the configuration as this context fills it in is valid.
     *
     * @return HAProxy's output.
     * @throws IllegalStateException with that output when it is not.
     */
    public static String check(final HaproxyProcess.Context context)
    {
        context.conclude();
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(
                context.binary(), "-c", "-f", context.configFile().toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(context.environment());
            final Process process = builder.start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                process.destroyForcibly();
                throw new IllegalStateException("haproxy -c -f " + context.configFile() + " failed:\n" + output);
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + context.binary() + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return whether {@code haproxy -v} runs.
     */
    public static boolean isInstalled()
    {
        try
        {
            final Process process = new ProcessBuilder(defaultBinary(), "-v")
                .redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
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
     * @return {@code -Dkeel.haproxy.binary}, else {@code haproxy} on the PATH, else in /usr/sbin or /usr/local/sbin,
     * else plain {@code haproxy} (to fail with "not installed").
     */
    public static String defaultBinary()
    {
        final String property = System.getProperty(BINARY_PROP_NAME);
        if (property != null)
        {
            return property;
        }
        final List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/sbin");
        for (final String dir : dirs)
        {
            final File file = new File(dir, "haproxy");
            if (!dir.isEmpty() && file.canExecute())
            {
                return file.getAbsolutePath();
            }
        }
        return "haproxy";
    }

    /**
     * @return {@code -Dkeel.haproxy.config}, else the first {@code deploy/haproxy.cfg} in the working directory or a
     * directory above it (a module's tests run in the module's directory).
     */
    public static Path findConfig()
    {
        final String property = System.getProperty(CONFIG_PROP_NAME);
        if (property != null)
        {
            return Path.of(property).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            final Path candidate = dir.resolve(CONFIG_PATH);
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        throw new IllegalArgumentException(CONFIG_PATH + " not found above " + Path.of("").toAbsolutePath() +
            " (set -D" + CONFIG_PROP_NAME + ")");
    }
}
