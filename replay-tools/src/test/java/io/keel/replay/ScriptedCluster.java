package io.keel.replay;

import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionIds;
import io.keel.codecs.SessionState;
import io.keel.codecs.SessionStatusDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.ClusterCommandSession;
import io.keel.node.EmbeddedCluster;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.collections.LongHashSet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A one-node cluster under {@code target/replay-tests/}, an admin client and a gateway client,
 * and a scripted flow whose commands are remembered in the order they were sent (each one
 * answered before the next, so that is also their order in the log).
 */
final class ScriptedCluster implements AutoCloseable
{
    static final int GATEWAY_ID = 1;
    static final int INSTRUMENT = 7;
    static final int BASE = 1;
    static final int QUOTE = 2;
    static final String SECRET = Principal.DEV_SECRET;

    /**
     * A command as sent: its Keel message name and the id that identifies it in the dump.
     */
    record Sent(String type, String idField, long id)
    {
    }

    final File dir;
    final int basePort;
    final EmbeddedCluster cluster;
    final List<Sent> sent = new ArrayList<>();
    private final File clientDirs;
    private ClusterCommandSession admin;
    private ClusterCommandSession gateway;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final LongHashSet answered = new LongHashSet();
    private final SessionStatusDecoder sessionStatus = new SessionStatusDecoder();
    private final io.keel.codecs.TransferStatusDecoder transferStatus = new io.keel.codecs.TransferStatusDecoder();
    private long gatewayMessages;
    private long refusedStatuses;
    private long nextCorrelationId = 100;
    private long nextClOrdId = 1;

    ScriptedCluster(final String name)
    {
        this(name, (config) -> {});
    }

    /**
     * @param customiser more settings of the node, after the test defaults.
     */
    ScriptedCluster(final String name, final java.util.function.Consumer<io.keel.node.NodeContext> customiser)
    {
        dir = new File("target/replay-tests/" + name + "-" + System.nanoTime()).getAbsoluteFile();
        IoUtil.ensureDirectoryExists(dir, "test dir");
        basePort = FreePorts.clusterBasePort(1);
        cluster = EmbeddedCluster.launch(1, new File(dir, "cluster"), basePort, IdleProfile.BACKOFF,
            (config) -> customiser.accept(config.stateCheckIntervalMs(500).heartbeatTimeoutMs(1_500)));
        cluster.awaitLeader(10_000);
        clientDirs = new File(dir, "clients");
        connectClients();
    }

    private void connectClients()
    {
        admin = new ClusterCommandSession(cluster.ingressEndpoints(), Principal.adminCredentials("test", SECRET),
            new File(clientDirs, "admin"), IdleProfile.BACKOFF, (buffer, offset, length) ->
            {
                header.wrap(buffer, offset);
                if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
                {
                    adminResponse.wrapAndApplyHeader(buffer, offset, header);
                    answered.add(adminResponse.correlationId());
                }
                else if (header.templateId() == io.keel.codecs.TransferStatusDecoder.TEMPLATE_ID)
                {
                    answered.add(transferStatus.wrapAndApplyHeader(buffer, offset, header).correlationId());
                }
            }).connect();
        gateway = new ClusterCommandSession(cluster.ingressEndpoints(), Principal.gatewayCredentials(GATEWAY_ID, SECRET),
            new File(clientDirs, "gateway"), IdleProfile.BACKOFF, (buffer, offset, length) ->
            {
                gatewayMessages++;
                if (header.wrap(buffer, offset).templateId() == SessionStatusDecoder.TEMPLATE_ID &&
                    sessionStatus.wrapAndApplyHeader(buffer, offset, header).state() == SessionState.REFUSED)
                {
                    refusedStatuses++;
                }
            }).connect();
    }

    File nodeDir()
    {
        return cluster.node(0).config().nodeDir();
    }

    /**
     * Accounts, an instrument, deposits, resting and crossing orders, a GTD that expires by timer,
     * a cancel and a replace, then a state hash; then a snapshot; then more trading, a withdrawal,
     * a mass cancel and a last state hash.
     */
    void runFlowWithSnapshotInTheMiddle()
    {
        adminCommand("CreateAccount", (c, id) -> admin.createAccount(id, 1));
        adminCommand("CreateAccount", (c, id) -> admin.createAccount(id, 2));
        adminCommand("AddInstrument", (c, id) -> admin.addInstrument(id, INSTRUMENT, BASE, QUOTE, 1, 1, 100, 5_000, 5_000));
        adminCommand("Deposit", (c, id) -> admin.deposit(id, 1, QUOTE, 1_000_003));
        adminCommand("Deposit", (c, id) -> admin.deposit(id, 2, BASE, 50_000));
        openSession(1);
        openSession(2);
        order(1, Side.BUY, TimeInForce.GTC, 99, 10, 0);
        order(2, Side.SELL, TimeInForce.GTC, 101, 20, 0);
        order(1, Side.BUY, TimeInForce.GTC, 101, 5, 0);
        final long expireTime = System.currentTimeMillis() + 300;
        order(2, Side.SELL, TimeInForce.GTD, 105, 3, expireTime);
        // The expiry timer fires in the log at expireTime: let it, polling meanwhile.
        await("GTD expiry", () -> System.currentTimeMillis() > expireTime + 400, 5_000);
        cancel(1, 1);
        replace(2, 2, 102, 15);
        adminCommand("StateHashRequest", (c, id) -> admin.requestStateHash(id));
        awaitHashLines(1);

        adminCommand("SnapshotRequest", (c, id) -> admin.requestSnapshot(id));
        awaitHashLines(2);

        order(1, Side.BUY, TimeInForce.IOC, 102, 4, 0);
        adminCommand("Withdraw", (c, id) -> admin.withdraw(id, 2, BASE, 1_000));
        order(1, Side.BUY, TimeInForce.GTC, 98, 7, 0);
        adminCommand("HaltInstrument", (c, id) -> admin.halt(id, INSTRUMENT));
        adminCommand("ResumeInstrument", (c, id) -> admin.resume(id, INSTRUMENT));
        massCancel(1);
        // The users log out: the gateway's own close at the end then changes nothing, so the last hash is the end's.
        closeSession(1);
        closeSession(2);
        closesApplied(2);
        adminCommand("StateHashRequest", (c, id) -> admin.requestStateHash(id));
        awaitHashLines(3);
    }

    /**
     * Stop the node and start it again on its directory (it recovers from its snapshot and log,
     * in a new leadership term), then send a few more commands and a last state-hash request.
     */
    void restartAndContinue()
    {
        CloseHelper.quietCloseAll(gateway, admin);
        cluster.stopNode(0);
        cluster.startNode(0, false);
        cluster.awaitLeader(15_000);
        connectClients();
        final int linesBefore = hashLines().size();
        adminCommand("Deposit", (c, id) -> admin.deposit(id, 2, QUOTE, 777));
        order(2, Side.BUY, TimeInForce.GTC, 97, 2, 0);
        adminCommand("StateHashRequest", (c, id) -> admin.requestStateHash(id));
        awaitHashLines(linesBefore + 1);
    }

    /**
     * Round trips of admin deposits (sent, sequenced, applied, answered), in nanoseconds, sorted.
     */
    long[] timedDeposits(final int count)
    {
        final long[] latencies = new long[count];
        for (int i = 0; i < count; i++)
        {
            final long start = System.nanoTime();
            adminCommand("Deposit", (c, id) -> admin.deposit(id, 1, QUOTE, 1));
            latencies[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(latencies);
        return latencies;
    }

    interface AdminSend
    {
        boolean send(ClusterCommandSession client, long correlationId);
    }

    void adminCommand(final String type, final AdminSend send)
    {
        final long correlationId = nextCorrelationId++;
        if (!send.send(admin, correlationId))
        {
            throw new IllegalStateException(type + " not sent");
        }
        sent.add(new Sent(type, "correlationId", correlationId));
        await(type + " answered", () -> answered.contains(correlationId), 10_000);
    }

    void order(final long account, final Side side, final TimeInForce tif, final long price, final long quantity,
        final long expireTime)
    {
        final long clOrdId = nextClOrdId++;
        final long before = gatewayMessages;
        if (!gateway.newOrder(session(account), account, clOrdId, INSTRUMENT, side, OrdType.LIMIT, tif, false,
            SelfTradePrevention.CANCEL_TAKER, price, quantity, expireTime))
        {
            throw new IllegalStateException("order not sent");
        }
        sent.add(new Sent("NewOrder", "clOrdId", clOrdId));
        await("order answered", () -> gatewayMessages > before, 10_000);
    }

    /**
     * The gateway opens the account's client session (its user's password checked), as before any order.
     */
    void openSession(final long account)
    {
        final long before = gatewayMessages;
        if (!gateway.openSession(session(account), account, false, 0, 0))
        {
            throw new IllegalStateException("session open not sent");
        }
        sent.add(new Sent("SessionOpen", "sessionId", session(account)));
        await("session status", () -> gatewayMessages > before, 10_000);
    }

    void closeSession(final long account)
    {
        if (!gateway.closeSession(session(account), io.keel.codecs.SessionCloseReason.LOGOUT))
        {
            throw new IllegalStateException("session close not sent");
        }
        sent.add(new Sent("SessionClose", "sessionId", session(account)));
    }

    /**
     * A close is not answered, and the admin's next command comes on another cluster session, so it may reach the
     * log first. Closing the account's session again is answered (REFUSED: it is closed) after every close the
     * gateway sent before it: a barrier.
     */
    void closesApplied(final long account)
    {
        final long before = refusedStatuses;
        closeSession(account);
        await("the closes applied", () -> refusedStatuses > before, 10_000);
    }

    void cancel(final long account, final long origClOrdId)
    {
        final long clOrdId = nextClOrdId++;
        final long before = gatewayMessages;
        gateway.cancelOrder(session(account), account, clOrdId, origClOrdId, 0, INSTRUMENT);
        sent.add(new Sent("CancelOrder", "clOrdId", clOrdId));
        await("cancel answered", () -> gatewayMessages > before, 10_000);
    }

    void replace(final long account, final long origClOrdId, final long price, final long quantity)
    {
        final long clOrdId = nextClOrdId++;
        final long before = gatewayMessages;
        gateway.replaceOrder(session(account), account, clOrdId, origClOrdId, 0, INSTRUMENT, price, quantity);
        sent.add(new Sent("ReplaceOrder", "clOrdId", clOrdId));
        await("replace answered", () -> gatewayMessages > before, 10_000);
    }

    void massCancel(final long account)
    {
        final long clOrdId = nextClOrdId++;
        final long before = gatewayMessages;
        gateway.massCancel(session(account), account, clOrdId, io.keel.codecs.MassCancelScope.ACCOUNT, 0);
        sent.add(new Sent("MassCancel", "clOrdId", clOrdId));
        await("mass cancel answered", () -> gatewayMessages > before, 10_000);
    }

    private static long session(final long account)
    {
        return SessionIds.clientSessionId(GATEWAY_ID, (int)account);
    }

    void awaitHashLines(final int count)
    {
        await(count + " state hash lines", () -> hashLines().size() >= count, 10_000);
    }

    List<String> hashLines()
    {
        final File file = new File(nodeDir(), "state-hashes.txt");
        try
        {
            final List<String> lines = new ArrayList<>();
            if (file.exists())
            {
                for (final String line : Files.readAllLines(file.toPath()))
                {
                    if (line.trim().split(" ").length == 2)
                    {
                        lines.add(line.trim());
                    }
                }
            }
            return lines;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    void await(final String what, final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            if (admin.poll() + gateway.poll() == 0)
            {
                sleep(1);
            }
        }
    }

    /**
     * Stop the clients and the node (cleanly: the archive closes its recordings).
     */
    void stop()
    {
        CloseHelper.quietCloseAll(gateway, admin);
        cluster.close();
    }

    public void close()
    {
        stop();
        IoUtil.delete(dir, true);
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
