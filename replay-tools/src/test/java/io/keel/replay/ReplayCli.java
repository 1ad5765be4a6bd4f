package io.keel.replay;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@code keel replay …} in-process and captures what it prints.
 */
final class ReplayCli
{
    record Result(int exit, String out, String err)
    {
        List<String> lines()
        {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        String lastLine()
        {
            final List<String> lines = lines();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        @Override
        public String toString()
        {
            return "exit=" + exit + "\n--- out\n" + (out.length() > 4000 ? out.substring(0, 4000) + "..." : out) +
                "\n--- err\n" + err;
        }
    }

    private ReplayCli()
    {
    }

    static Result replay(final String... args)
    {
        return run(new ReplayMain(), "keel replay", args);
    }

    /**
     * Any Keel command (keel restore, keel backup) in-process, through the shared CLI contract.
     */
    /**
     * {@code keel drop-copy …}, in-process.
     */
    static Result dropCopy(final String... args)
    {
        return run(new DropCopyMain(), "keel drop-copy", args);
    }

    static synchronized Result run(final Object command, final String name, final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            exit = io.keel.common.Cli.run(command, name, args);
        }
        finally
        {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
        }
        return new Result(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }
}
