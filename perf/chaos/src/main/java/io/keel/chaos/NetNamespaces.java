package io.keel.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code keelnet-*} network namespaces on this machine ({@link NetTopology} names them
 * {@code keelnet-<owner pid>-<seq>-<host>}): list them, and remove those whose owner is gone, with the processes
 * still inside them.
 */
final class NetNamespaces
{
    private static final Pattern NAME = Pattern.compile("^" + Pattern.quote(NetTopology.PREFIX) + "(\\d+)-(\\d+)-(\\S+)");

    private NetNamespaces()
    {
    }

    /**
     * SIGKILL what still runs in the namespace, then delete it (its veths, bridge and nftables go with it).
     */
    static void remove(final String ns)
    {
        killProcessesIn(ns);
        NetCommand.run("ip", "netns", "del", ns);
    }

    private static void killProcessesIn(final String ns)
    {
        final String pids = NetCommand.run("ip", "netns", "pids", ns).strip();
        if (!pids.isEmpty())
        {
            for (final String pid : pids.split("\\s+"))
            {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * @return the {@code keelnet-*} namespaces on this machine, as {@code ip netns list} names them.
     */
    static List<String> list()
    {
        final List<String> names = new ArrayList<>();
        for (final String line : NetCommand.run("ip", "netns", "list").split("\n"))
        {
            final String name = line.strip().split("\\s+")[0];
            if (name.startsWith(NetTopology.PREFIX))
            {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Remove the namespaces (and the processes in them) of runs whose owning JVM is gone.
     *
     * @return the namespaces removed.
     */
    static List<String> sweep()
    {
        final List<String> removed = new ArrayList<>();
        for (final String name : list())
        {
            final Matcher matcher = NAME.matcher(name);
            if (matcher.find())
            {
                final long owner = Long.parseLong(matcher.group(1));
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false))
                {
                    continue;
                }
            }
            remove(name);
            removed.add(name);
        }
        return removed;
    }
}
