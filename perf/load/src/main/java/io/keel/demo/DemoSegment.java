package io.keel.demo;

import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.common.ClusterLayout;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import io.keel.node.KeelNode;
import io.keel.node.StateHashFile;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * One market segment of the demo: an embedded cluster of its own (own base port, own directory), the admin session
 * that sets up its market and funds its accounts, and the state-hash check of its members. Driven by the demo's one
 * thread, which polls every session it owns through {@code pollAll} whenever it waits (a session left alone for the
 * cluster's session timeout is closed).
 */
final class DemoSegment implements AutoCloseable
{
    /** Instruments of segment k are {@code k * INSTRUMENT_STRIDE + 1 ..= (k + 1) * INSTRUMENT_STRIDE - 1}. */
    static final int INSTRUMENT_STRIDE = 100;

    private final int id;
    private final String label;
    private final EmbeddedCluster cluster;
    private final int basePort;
    private final IntSupplier pollAll;
    private ClusterCommandSession admin;
    private long adminResponses;
    private long hashCorrelationId = -1;
    private long hashPosition = -1;

    private DemoSegment(final int id, final String label, final EmbeddedCluster cluster, final int basePort,
        final IntSupplier pollAll)
    {
        this.id = id;
        this.label = label;
        this.cluster = cluster;
        this.basePort = basePort;
        this.pollAll = pollAll;
    }

    /**
     * Start the segment's cluster on a base port clear of the earlier segments' port ranges, and wait for its leader.
     *
     * @param label "" with one segment (today's demo output), else "segment k ".
     */
    static DemoSegment launch(
        final int id,
        final String label,
        final int nodes,
        final File dir,
        final List<DemoSegment> earlier,
        final IdleProfile idleProfile,
        final boolean verbose,
        final IntSupplier pollAll,
        final long timeoutMs)
    {
        int basePort = basePort(nodes, earlier);
        System.out.println("demo: " + label + "starting " + nodes + "-node cluster on 127.0.0.1 ports " + basePort +
            "+, dir " + (label.isEmpty() ? dir.getParentFile() : dir));
        EmbeddedCluster cluster = null;
        for (int attempt = 1; cluster == null; attempt++)
        {
            try
            {
                cluster = EmbeddedCluster.launch(nodes, dir, basePort, idleProfile, (config) -> config.lifecycleLog(verbose));
            }
            catch (final RuntimeException ex)
            {
                // A free port can be taken by another process between the check and the bind: another range, twice.
                if (attempt == 3 || !String.valueOf(ex.getMessage()).contains("Address already in use"))
                {
                    throw ex;
                }
                basePort = basePort(nodes, earlier);
                System.out.println("demo: " + label + "a port was taken meanwhile; ports " + basePort + "+ instead");
            }
        }
        final DemoSegment segment = new DemoSegment(id, label, cluster, basePort, pollAll);
        try
        {
            final KeelNode leader = cluster.awaitLeader(timeoutMs);
            System.out.println("demo: " + label + "leader is member " + leader.memberId());
        }
        catch (final RuntimeException ex)
        {
            segment.close();
            throw ex;
        }
        return segment;
    }

    private static int basePort(final int nodes, final List<DemoSegment> earlier)
    {
        final int span = nodes * ClusterLayout.PORTS_PER_MEMBER;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int port = FreePorts.clusterBasePort(nodes);
            boolean clear = true;
            for (final DemoSegment other : earlier)
            {
                final int otherSpan = other.cluster.memberCount() * ClusterLayout.PORTS_PER_MEMBER;
                clear &= port + span <= other.basePort || other.basePort + otherSpan <= port;
            }
            if (clear)
            {
                return port;
            }
        }
        throw new IllegalStateException("no free port range clear of the other segments");
    }

    static int instrumentOf(final int segment)
    {
        return segment * INSTRUMENT_STRIDE + 1;
    }

    /**
     * @return this segment's lines of a segment map file.
     */
    String mapLines()
    {
        final int first = id * INSTRUMENT_STRIDE + 1;
        final int last = (id + 1) * INSTRUMENT_STRIDE - 1;
        return "segment." + id + ".hosts=" + String.join(",", java.util.Collections.nCopies(cluster.memberCount(),
            "localhost")) + "\n" +
            "segment." + id + ".base-port=" + basePort + "\n" +
            "segment." + id + ".instruments=" + first + "-" + last + "\n";
    }

    int id()
    {
        return id;
    }

    EmbeddedCluster cluster()
    {
        return cluster;
    }

    void connectAdmin(final File aeronDir, final IdleProfile idleProfile)
    {
        admin = new ClusterCommandSession(cluster.ingressEndpoints(),
            Principal.adminCredentials("demo", Principal.DEV_SECRET), aeronDir, idleProfile, this::onAdminMessage)
            .connect();
    }

    int poll()
    {
        return admin == null ? 0 : admin.poll();
    }

    /**
     * The segment's instrument and every trader's account, funded in this segment (balances are per segment).
     */
    void setUpMarket(
        final int instrument, final int baseAsset, final int quoteAsset, final long startMid, final int traders,
        final long quoteDeposit, final long baseDeposit, final long timeoutMs)
    {
        long correlationId = 1;
        admin.addInstrument(correlationId++, instrument, baseAsset, quoteAsset, 1, 1, startMid, 2_000, 500);
        for (int account = 1; account <= traders; account++)
        {
            admin.createAccount(correlationId++, account);
            admin.deposit(correlationId++, account, quoteAsset, quoteDeposit);
            admin.deposit(correlationId++, account, baseAsset, baseDeposit);
        }
        final long expected = correlationId - 1;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (adminResponses < expected)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the " + label + "cluster did not set up the market within " + timeoutMs +
                    " ms");
            }
            if (pollAll.getAsInt() == 0)
            {
                DemoMain.sleep(1);
            }
        }
    }

    private void onAdminMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            final AdminResponseDecoder response = new AdminResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
            if (response.correlationId() == hashCorrelationId)
            {
                hashPosition = response.logPosition();
            }
            adminResponses++;
        }
    }

    /**
     * Every member records its state hash at the position of one request through the log; compare them. The request
     * is sent again should the admin session have been replaced meanwhile (its answer would be lost).
     */
    boolean checkHashes(final long timeoutMs, final boolean verbose)
    {
        hashCorrelationId = System.nanoTime();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long sentOnReconnects = -1;
        while (hashPosition < 0 && System.nanoTime() - deadline < 0)
        {
            if (sentOnReconnects != admin.reconnects())
            {
                sentOnReconnects = admin.reconnects();
                admin.requestStateHash(hashCorrelationId);
            }
            if (pollAll.getAsInt() == 0)
            {
                DemoMain.sleep(1);
            }
        }
        if (verbose)
        {
            System.out.printf("demo: %sthe admin session's longest wait between polls was %d ms%n", label,
                TimeUnit.NANOSECONDS.toMillis(admin.maxPollGapNs()));
        }
        final long position = hashPosition;
        if (position < 0)
        {
            System.out.println("demo: the " + label + "cluster did not answer the state-hash request within " +
                timeoutMs + " ms");
            return false;
        }
        String first = null;
        boolean allEqual = true;
        for (int i = 0; i < cluster.memberCount(); i++)
        {
            String hash = null;
            while (hash == null && System.nanoTime() - deadline < 0)
            {
                final Long recorded = StateHashFile.hashAt(cluster.node(i).config().nodeDir(), position);
                hash = recorded == null ? null : Long.toHexString(recorded);
                if (hash == null && pollAll.getAsInt() == 0)
                {
                    DemoMain.sleep(5);
                }
            }
            System.out.println("demo: " + label + "member " + i + " state hash at log position " + position + " = " + hash);
            first = first == null ? hash : first;
            allEqual &= hash != null && hash.equals(first);
        }
        return allEqual;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(admin, cluster);
        admin = null;
    }
}
