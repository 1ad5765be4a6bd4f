package io.keel.replay;

import io.keel.common.Cli;
import picocli.CommandLine.Command;

/**
 * {@code keel replay}: operators' tools over a node's log, archive and snapshots, and over a
 * running cluster. Bad input gives one line and exit 2; {@code verify} exits 1 on a mismatch.
 */
@Command(
    name = "keel replay",
    mixinStandardHelpOptions = true,
    description = "Read, rebuild and verify a node's replicated log; snapshot or tail a running cluster.",
    subcommands = {
        DescribeCommand.class,
        DumpCommand.class,
        RebuildCommand.class,
        VerifyCommand.class,
        SnapshotCommand.class,
        TailCommand.class
    })
public final class ReplayMain implements Runnable
{
    public void run()
    {
        throw new IllegalArgumentException("a command is required: describe, dump, rebuild, verify, snapshot or tail " +
            "(try keel replay --help)");
    }

    /**
     * Run with the shared CLI contract; returns the exit code (for tests).
     */
    public static int run(final String... args)
    {
        return Cli.run(new ReplayMain(), "keel replay", args);
    }

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }
}
