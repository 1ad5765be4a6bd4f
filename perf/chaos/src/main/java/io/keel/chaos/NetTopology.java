package io.keel.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated hosts for {@code keel chaos --net}: one Linux network namespace per host (each node, each gateway, the
 * clients' side), all on one switch, and the links between any two of them cut one way or both ways.
 *
 * <h2>Design</h2>
 * <p><b>Topology: a bridge namespace with nftables rules</b>, not a veth mesh. A switch namespace
 * ({@code <prefix>sw}) holds a Linux bridge {@code br0}; every host namespace has one veth, {@code eth0}, whose peer
 * ({@code p-<host>}) is a port of that bridge. Why not a mesh: six hosts need 15 veth pairs and 15 · 2 per-pair
 * routes, every host has five interfaces, and a host's address would have to be one of them or a /32 on lo plus
 * routes — more state to create, to get wrong and to clean up, for nothing a partition test needs. With the
 * switch, every host is a plain machine on one LAN: one interface, one address, no routes but the connected /24,
 * exactly what {@code keel node --hosts a,b,c} sees on three machines. Aeron's ephemeral ports (catch-up,
 * replication, archive control responses, egress) need nothing: any port between any two hosts passes unless cut.
 *
 * <p><b>Cuts are one nftables set</b> in the switch: table {@code bridge keelnet}, a set {@code cuts} of
 * {@code ipv4_addr . ipv4_addr} pairs and one rule on the bridge's {@code forward} hook,
 * {@code ip saddr . ip daddr @cuts counter drop}. A one-way cut A→B is the element {@code A . B}: every IP packet
 * from A to B is dropped at the switch, B→A still passes (a follower hears the leader but cannot answer). Both ways
 * is the two elements. {@link #heal} deletes elements, {@link #healAll} flushes the set; each is one atomic
 * {@code nft} transaction, and the hosts' own namespaces carry no rules at all, so the rules of a run are in one
 * place ({@code ip netns exec <prefix>sw nft list ruleset}). ARP is not IP: it still passes, so a cut is "IP packets
 * lost" and not "neighbour unreachable" — the host keeps sending into the void as it would behind a broken
 * firewall or link. No delay or reordering: kernel netem is not available on these machines.
 *
 * <p><b>Addressing</b>: 10.77.0.0/24 inside the namespaces only: node i is 10.77.0.(1 + i), gateway k (id 1, 2) is
 * 10.77.0.(20 + k), the clients' side 10.77.0.100. Each run has its own switch, so two runs at once on one machine
 * are two separate LANs with the same addresses and never see each other. Loopback is up in every namespace
 * (gateways bind /metrics there). The root namespace's interfaces, routes and firewall are never touched: no veth
 * end is ever created there ({@code ip -n <switch> link add p-X type veth peer name eth0 netns <host>}).
 *
 * <p><b>Names</b>: every namespace is {@code keelnet-<pid>-<seq>-<host>}, {@code pid} the JVM owning the topology and
 * {@code seq} a counter in that JVM. {@link NetNamespaces#sweep()} — run before a new topology is built — removes every
 * {@code keelnet-*} namespace whose owner pid is no longer alive: first SIGKILL of the processes still inside it
 * ({@code ip netns pids}: nodes and gateways of a killed run), then {@code ip netns del}, which takes its veths, the
 * bridge and the nftables table with it. Namespaces of a live run (another chaos run, a CI job) are left alone.
 *
 * <p><b>How the chaos JVM reaches the hosts</b>: the whole chaos run (clients, the relay, the admin session with its
 * embedded media driver, the final in-JVM rebuild on loopback) runs in a JVM started inside the clients' namespace
 * ({@code ip netns exec <prefix>cli java … ChaosMain --net …}); the JVM the user started builds the topology, starts
 * that inner JVM, waits, and tears the topology down — a guardian that outlives a crashed or killed inner run. The
 * alternatives are worse: a veth from the root namespace would put an address and a route into the root namespace
 * (forbidden here, and a hazard on a shared machine); keeping the chaos JVM in the root namespace and crossing over
 * through unix-domain sockets (a relay process in the clients' namespace for TCP, a media driver process there for
 * the admin session's Aeron UDP) is two more moving parts and still needs the egress addresses right. Inside the
 * clients' namespace nothing of the chaos code changes but the hosts it is given. The cluster clients' egress
 * (gateways', admin's) must bind to the host's own address, never {@code localhost}: a node answers to the address
 * the client announced, and in another namespace (or on another machine) {@code localhost} is the node itself.
 *
 * <p><b>Cleanup</b>: {@link #close()} on normal end and in {@code finally} on failure; a shutdown hook registered by
 * {@link #create} does the same on Ctrl-C or SIGTERM (not on SIGKILL: then the next run's {@link NetNamespaces#sweep()} does).
 * Every command has a timeout ({@link NetCommand}); a failing command is reported with its stderr; close carries on
 * past failures and reports the first.
 */
final class NetTopology implements AutoCloseable
{
    static final String PREFIX = "keelnet-";
    static final String SUBNET = "10.77.0.";
    static final int PREFIX_LENGTH = 24;
    static final String CLIENT_HOST = "cli";
    static final String TABLE = "keelnet";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /**
     * Which way a cut drops packets.
     */
    enum Direction
    {
        /** Packets from the first host to the second are lost; the other way passes. */
        ONE_WAY,
        /** Both ways lost. */
        BOTH
    }

    private final String prefix;
    private final Map<String, String> addresses;
    private final Set<String> cuts = new LinkedHashSet<>();
    private final Set<String> created = new LinkedHashSet<>();
    private final Thread destroyOnExit = new Thread(this::onShutdown, "chaos-net-teardown");
    private final boolean owner;
    private volatile Runnable beforeShutdownTeardown;
    private boolean closed;

    private NetTopology(final String prefix, final Map<String, String> addresses, final boolean owner)
    {
        this.prefix = prefix;
        this.addresses = Collections.unmodifiableMap(addresses);
        this.owner = owner;
    }

    /**
     * The topology another JVM built and owns (the chaos JVM inside the clients' namespace attaches to the one its
     * parent built): cuts and heals work, {@link #close()} leaves the namespaces to their owner.
     */
    static NetTopology attach(final String prefix, final Map<String, String> hosts)
    {
        final NetTopology topology = new NetTopology(prefix, new LinkedHashMap<>(hosts), false);
        if (!NetNamespaces.list().contains(topology.switchNamespace()))
        {
            throw new IllegalStateException("no network namespace " + topology.switchNamespace() + " to attach to");
        }
        return topology;
    }

    /**
     * @param task what the shutdown hook does before it tears the namespaces down (e.g. give the chaos JVM inside
     *             them time to stop its processes), on Ctrl-C or SIGTERM.
     */
    void beforeShutdownTeardown(final Runnable task)
    {
        beforeShutdownTeardown = task;
    }

    private void onShutdown()
    {
        final Runnable task = beforeShutdownTeardown;
        if (task != null)
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("chaos: before network teardown: " + ex);
            }
        }
        closeQuietly();
    }

    /**
     * The hosts of a chaos run: {@code n0..n(nodes-1)}, {@code g1..g(gateways)} and {@link #CLIENT_HOST}.
     */
    static Map<String, String> chaosHosts(final int nodes, final int gateways)
    {
        final Map<String, String> hosts = new LinkedHashMap<>();
        for (int i = 0; i < nodes; i++)
        {
            hosts.put(nodeHost(i), SUBNET + (1 + i));
        }
        for (int k = 1; k <= gateways; k++)
        {
            hosts.put(gatewayHost(k), SUBNET + (20 + k));
        }
        hosts.put(CLIENT_HOST, SUBNET + 100);
        return hosts;
    }

    static String nodeHost(final int member)
    {
        return "n" + member;
    }

    static String gatewayHost(final int gatewayId)
    {
        return "g" + gatewayId;
    }

    /**
     * Sweep leftovers of dead runs, then build the switch, one namespace per host and the cut table.
     *
     * @param hosts host name (letters and digits, at most 8) to its address in {@link #SUBNET}.
     */
    static NetTopology create(final Map<String, String> hosts)
    {
        final String missing = NetCommand.missingPrerequisites();
        if (missing != null)
        {
            throw new IllegalStateException("network namespaces need " + missing);
        }
        for (final String host : hosts.keySet())
        {
            if (!host.matches("[a-z0-9]{1,8}") || host.equals("sw"))
            {
                throw new IllegalArgumentException("host name must be 1-8 lower-case letters or digits, not sw: " + host);
            }
        }
        NetNamespaces.sweep();
        final String prefix = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.getAndIncrement() + "-";
        final NetTopology topology = new NetTopology(prefix, new LinkedHashMap<>(hosts), true);
        Runtime.getRuntime().addShutdownHook(topology.destroyOnExit);
        try
        {
            topology.build();
        }
        catch (final RuntimeException ex)
        {
            topology.closeQuietly();
            throw ex;
        }
        return topology;
    }

    private void build()
    {
        final String sw = switchNamespace();
        addNamespace(sw);
        NetCommand.run("ip", "-n", sw, "link", "add", "br0", "type", "bridge");
        NetCommand.run("ip", "-n", sw, "link", "set", "br0", "up");
        for (final Map.Entry<String, String> host : addresses.entrySet())
        {
            final String ns = namespace(host.getKey());
            final String port = "p-" + host.getKey();
            addNamespace(ns);
            NetCommand.run("ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
            NetCommand.run("ip", "-n", sw, "link", "set", port, "master", "br0");
            NetCommand.run("ip", "-n", sw, "link", "set", port, "up");
            NetCommand.run("ip", "-n", ns, "addr", "add", host.getValue() + "/" + PREFIX_LENGTH, "dev", "eth0");
            NetCommand.run("ip", "-n", ns, "link", "set", "eth0", "up");
        }
        nft(String.join("\n",
            "add table bridge " + TABLE,
            "add set bridge " + TABLE + " cuts { type ipv4_addr . ipv4_addr; }",
            "add chain bridge " + TABLE + " forward { type filter hook forward priority 0; policy accept; }",
            "add rule bridge " + TABLE + " forward ip saddr . ip daddr @cuts counter drop",
            ""));
    }

    private void addNamespace(final String ns)
    {
        NetCommand.run("ip", "netns", "add", ns);
        created.add(ns);
        NetCommand.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    String prefix()
    {
        return prefix;
    }

    String switchNamespace()
    {
        return prefix + "sw";
    }

    String namespace(final String host)
    {
        requireHost(host);
        return prefix + host;
    }

    String address(final String host)
    {
        requireHost(host);
        return addresses.get(host);
    }

    Set<String> hosts()
    {
        return addresses.keySet();
    }

    /**
     * @return {@code ip netns exec <namespace of host>} followed by the command: run it on that host.
     */
    List<String> inHost(final String host, final List<String> command)
    {
        return NetCommand.prefixed(List.of("ip", "netns", "exec", namespace(host)), command);
    }

    /**
     * Packets from {@code from} to {@code to} are lost, and with {@link Direction#BOTH} the other way too.
     */
    synchronized void cut(final String from, final String to, final Direction direction)
    {
        requireDistinct(from, to);
        final List<String> pairs = new ArrayList<>();
        pairs.add(from + ">" + to);
        if (direction == Direction.BOTH)
        {
            pairs.add(to + ">" + from);
        }
        nft("add element bridge " + TABLE + " cuts { " + elements(pairs) + " }\n");
        cuts.addAll(pairs);
    }

    /**
     * Both directions between the two pass again (whichever were cut).
     */
    synchronized void heal(final String a, final String b)
    {
        requireDistinct(a, b);
        final List<String> pairs = new ArrayList<>();
        for (final String pair : List.of(a + ">" + b, b + ">" + a))
        {
            if (cuts.contains(pair))
            {
                pairs.add(pair);
            }
        }
        if (!pairs.isEmpty())
        {
            nft("delete element bridge " + TABLE + " cuts { " + elements(pairs) + " }\n");
            cuts.removeAll(pairs);
        }
    }

    synchronized void healAll()
    {
        nft("flush set bridge " + TABLE + " cuts\n");
        cuts.clear();
    }

    /**
     * The host is cut both ways from every other host.
     */
    synchronized void isolate(final String host)
    {
        requireHost(host);
        final List<String> others = new ArrayList<>(addresses.keySet());
        others.remove(host);
        split(List.of(host), others);
    }

    /**
     * Every host of {@code side} is cut both ways from every host of {@code other}; within each side all passes.
     */
    synchronized void split(final List<String> side, final List<String> other)
    {
        final List<String> pairs = new ArrayList<>();
        for (final String a : side)
        {
            for (final String b : other)
            {
                requireDistinct(a, b);
                if (!cuts.contains(a + ">" + b))
                {
                    pairs.add(a + ">" + b);
                }
                if (!cuts.contains(b + ">" + a))
                {
                    pairs.add(b + ">" + a);
                }
            }
        }
        if (!pairs.isEmpty())
        {
            nft("add element bridge " + TABLE + " cuts { " + elements(pairs) + " }\n");
            cuts.addAll(pairs);
        }
    }

    /**
     * @return the directed cuts in force, as {@code from>to}.
     */
    synchronized Set<String> cuts()
    {
        return new LinkedHashSet<>(cuts);
    }

    /**
     * @return packets the cuts dropped since the topology was built.
     */
    long droppedPackets()
    {
        final String chain = NetCommand.run(
            "ip", "netns", "exec", switchNamespace(), "nft", "list", "chain", "bridge", TABLE, "forward");
        final Matcher matcher = Pattern.compile("counter packets (\\d+)").matcher(chain);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /**
     * Run an nft script in the switch namespace (one transaction).
     */
    void nft(final String script)
    {
        NetCommand.run(NetCommand.TIMEOUT_MS_DEFAULT, script,
            List.of("ip", "netns", "exec", switchNamespace(), "nft", "-f", "-"));
    }

    private String elements(final List<String> pairs)
    {
        final List<String> elements = new ArrayList<>();
        for (final String pair : pairs)
        {
            final String[] hosts = pair.split(">");
            elements.add(addresses.get(hosts[0]) + " . " + addresses.get(hosts[1]));
        }
        return String.join(", ", elements);
    }

    private void requireHost(final String host)
    {
        if (!addresses.containsKey(host))
        {
            throw new IllegalArgumentException("no host " + host + " in " + addresses.keySet());
        }
    }

    private void requireDistinct(final String a, final String b)
    {
        requireHost(a);
        requireHost(b);
        if (a.equals(b))
        {
            throw new IllegalArgumentException("a host cannot be cut from itself: " + a);
        }
    }

    /**
     * Kill what still runs in this topology's namespaces (SIGKILL) and delete them; idempotent.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!owner)
        {
            return;
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(destroyOnExit);
        }
        catch (final IllegalStateException ex)
        {
            // Shutting down: this is the hook.
        }
        RuntimeException first = null;
        final List<String> namespaces = new ArrayList<>(created);
        Collections.reverse(namespaces);
        for (final String ns : namespaces)
        {
            try
            {
                NetNamespaces.remove(ns);
                created.remove(ns);
            }
            catch (final RuntimeException ex)
            {
                first = first == null ? ex : first;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    private void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final RuntimeException ex)
        {
            System.err.println("chaos: network teardown: " + ex.getMessage());
        }
    }
}
