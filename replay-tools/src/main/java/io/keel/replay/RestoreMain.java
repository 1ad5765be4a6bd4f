package io.keel.replay;

import io.keel.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel restore}: a new node directory seeded from a backup ({@link Restorer}); run it once per member, then
 * start each member with {@code keel node --dir NEW}. One line out; misuse (a non-empty target, a source that is no
 * backup or is in use, a point outside the log) is one line on stderr and exit code 2.
 */
@Command(
    name = "keel restore",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Seed a new node directory from a backup (keel backup --dir) or a stopped node's directory, so that keel node " +
            "--dir NEW starts with the engine state at a point of the log: the newest snapshot at or before it, plus " +
            "the log up to it (the rest is cut off). Run it once per member (the directory does not depend on the " +
            "member id), then start the members.",
        "Prints: restore: dir=NEW position=P time=T term=L snapshot=S|none hash=H ... — H is what keel replay rebuild " +
            "FROM --at P prints, and what each restored node logs (term-start, stateHash) when its first term starts at P."
    })
public final class RestoreMain implements Callable<Integer>
{
    @Option(names = "--from", required = true, paramLabel = "DIR",
        description = "The backup directory (keel backup --dir) or a stopped node's directory; only read.")
    File from;

    @Option(names = "--at", paramLabel = "WHEN", defaultValue = "end",
        description = "The restore point: a log position (entries ending at or before it are kept), <ms>ms or an " +
            "ISO-8601 instant (cluster time: entries at or before it), or end (default ${DEFAULT-VALUE}).")
    String at;

    @Option(names = "--dir", required = true, paramLabel = "NEW",
        description = "The new node directory: must not exist or be empty.")
    File dir;

    public Integer call()
    {
        final Target target = Target.parse(at);
        final long startNs = System.nanoTime(); // determinism-ok: ops tool
        final Restorer.Result result = Restorer.restore(from, target, dir);
        final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs); // determinism-ok: ops tool
        System.out.println("restore: dir=" + dir + " from=" + from + " position=" + result.position() +
            " time=" + DumpEntry.formatTime(result.timestamp()) + " term=" + result.leadershipTermId() +
            " snapshot=" + (result.snapshotPosition() < 0 ? "none" : Long.toString(result.snapshotPosition())) +
            " terms=" + result.terms() + " snapshots=" + result.snapshots() + " cut=" + result.truncatedBytes() +
            " ms=" + ms + " hash=" + Long.toHexString(result.hash()));
        return 0;
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new RestoreMain(), "keel restore", args));
    }
}
