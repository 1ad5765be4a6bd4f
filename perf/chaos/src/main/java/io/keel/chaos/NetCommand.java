package io.keel.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@code ip} or {@code nft} command with a timeout; a failure (non-zero exit, timeout, cannot start) is a
 * {@link NetException} naming the command and carrying its stderr. Cold path: topology set-up and faults only.
 */
final class NetCommand
{
    static final long TIMEOUT_MS_DEFAULT = 10_000;

    /**
     * A command that failed: the message names the command, the exit code (or the timeout) and its stderr.
     */
    static final class NetException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        NetException(final String message)
        {
            super(message);
        }
    }

    private NetCommand()
    {
    }

    static String run(final String... command)
    {
        return run(TIMEOUT_MS_DEFAULT, null, Arrays.asList(command));
    }

    static String run(final List<String> command)
    {
        return run(TIMEOUT_MS_DEFAULT, null, command);
    }

    /**
     * @param stdin what to write to the command's standard input (e.g. an {@code nft -f -} script), or null.
     * @return the command's standard output.
     */
    static String run(final long timeoutMs, final String stdin, final List<String> command)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).start();
        }
        catch (final IOException ex)
        {
            throw new NetException(String.join(" ", command) + ": cannot start: " + ex.getMessage());
        }
        final CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        final CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try
        {
            try (var in = process.getOutputStream())
            {
                if (stdin != null)
                {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                throw new NetException(String.join(" ", command) + ": no answer within " + timeoutMs + " ms");
            }
            final String stderr = err.get(1, TimeUnit.SECONDS).strip();
            if (process.exitValue() != 0)
            {
                throw new NetException(String.join(" ", command) + ": exit " + process.exitValue() +
                    (stderr.isEmpty() ? "" : ": " + stderr.replace('\n', ' ')) +
                    (stdin == null ? "" : " (input: " + stdin.strip().replace('\n', ';') + ")"));
            }
            return out.get(1, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
            throw new NetException(String.join(" ", command) + ": " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetException(String.join(" ", command) + ": interrupted");
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new NetException(String.join(" ", command) + ": output unreadable: " + ex);
        }
    }

    private static String readAll(final InputStream in)
    {
        try
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return {@code prefix} followed by the command, e.g. {@code ip netns exec NS} + {@code java ...}.
     */
    static List<String> prefixed(final List<String> prefix, final List<String> command)
    {
        final List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        return all;
    }

    /**
     * What {@code keel chaos --net} needs and does not have, or null when it has it all: root, {@code ip} and
     * {@code nft} on the PATH (or in /usr/sbin, /sbin).
     */
    static String missingPrerequisites()
    {
        final List<String> missing = new ArrayList<>();
        if (!isRoot())
        {
            missing.add("root (uid 0)");
        }
        for (final String tool : List.of("ip", "nft"))
        {
            if (findTool(tool) == null)
            {
                missing.add("the '" + tool + "' command (" + (tool.equals("ip") ? "iproute2" : "nftables") + ")");
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    static boolean isRoot()
    {
        try
        {
            final Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer && (Integer)uid == 0;
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    static String findTool(final String name)
    {
        final List<String> dirs = new ArrayList<>();
        final String path = System.getenv("PATH");
        if (path != null)
        {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (final String dir : dirs)
        {
            final java.io.File file = new java.io.File(dir, name);
            if (!dir.isEmpty() && file.isFile() && file.canExecute())
            {
                return file.getAbsolutePath();
            }
        }
        return null;
    }
}
