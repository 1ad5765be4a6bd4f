package io.keel.tools;

import io.keel.common.FreePorts;
import io.keel.gateway.GatewayMain;
import io.keel.node.AdminMain;
import io.keel.node.NodeMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Walk-through: your first trade", command by command, as separate OS processes running the mains
 * {@code bin/keel} runs, on this JVM's class path (so nothing is built): three nodes, admin set-up, two users, a
 * gateway, two crossing orders, balances and open orders, who may see what, refusals and bad usage.
 */
@Timeout(240)
class WalkThroughProcessTest
{
    private static final List<String> JVM_OPENS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
    private static final String HOSTS = "localhost,localhost,localhost";
    private static final long COMMAND_TIMEOUT_MS = 60_000;
    private static final Map<String, String> NO_ENV = Map.of();
    private static final Map<String, String> BOB_ENV = Map.of("BOB_PW", "bob-pw");
    private static final String ALICE_STDIN = "alice-pw\n";

    private final List<Process> running = new ArrayList<>();
    /** Should Surefire stop this JVM first, the processes must not outlive it. */
    private final Thread destroyOnExit = new Thread(this::destroyAll, "destroy-walk-through-processes");
    private File dir;
    private String cluster;
    private int runs;

    record Run(int exitCode, String output)
    {
        List<String> lines()
        {
            return output.lines().toList();
        }
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        // The last started first: order commands, the gateway (it logs out while the cluster is up), then the nodes.
        for (int i = running.size() - 1; i >= 0; i--)
        {
            final Process process = running.get(i);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        Runtime.getRuntime().removeShutdownHook(destroyOnExit);
    }

    @Test
    void shouldCrossTwoOrdersAndShowTradesBalancesAndOpenOrdersFromTheShell() throws Exception
    {
        dir = Files.createDirectories(new File("target/walk-through-" + System.nanoTime()).toPath()).toFile();
        Runtime.getRuntime().addShutdownHook(destroyOnExit);
        cluster = "--base-port=" + FreePorts.clusterBasePort(3);
        for (int member = 0; member < 3; member++)
        {
            start(new File(dir, "node-" + member + ".out"), NO_ENV, NodeMain.class, "--member-id",
                Integer.toString(member), "--hosts", HOSTS, cluster, "--dir", new File(dir, "n" + member).getPath(),
                "--idle", "backoff", "--metrics-port", "0", "--heartbeat-timeout-ms", "5000", "--dev");
        }
        awaitLeader();

        // Set-up, as an admin: two accounts, instrument 7 (base asset 1, quote asset 2), funds.
        admin("create-account", "1");
        admin("create-account", "2");
        admin("add-instrument", "7", "1", "2", "1", "1", "100", "1000", "500");
        admin("deposit", "1", "2", "100000");
        admin("deposit", "2", "1", "1000");

        final String users = new File(dir, "users.txt").getPath();
        assertExit(0, run(GatewayMain.class, NO_ENV, ALICE_STDIN,
            "add-user", "--users", users, "--username", "alice", "--account", "1", "--iterations", "10000"));
        assertExit(0, run(GatewayMain.class, BOB_ENV, "",
            "add-user", "--users", users, "--username", "bob", "--account", "2", "--password-env", "BOB_PW",
            "--iterations", "10000"));
        final File gatewayOut = new File(dir, "gateway.out");
        final int port = FreePorts.tcpPort();
        start(gatewayOut, NO_ENV, GatewayMain.class, "--users", users, "--hosts", HOSTS, cluster,
            "--port", Integer.toString(port), "--udp-port", "0", "--md-port", "0", "--metrics-port", "0", "--idle", "backoff",
            "--aeron-dir", new File(dir, "gateway-aeron").getPath());
        awaitLine(gatewayOut, "gateway: listening on");
        final String gateway = "--port=" + port;

        // Bob's sell rests; he follows it until it trades.
        final File bobSellOut = new File(dir, "bob-sell.out");
        final Process bobSell = start(bobSellOut, BOB_ENV, OrderMain.class, "new", "--username", "bob",
            "--password-env", "BOB_PW", gateway, "--instrument", "7", "--side", "SELL", "--price", "100", "--qty", "4",
            "--cl-ord-id", "1001", "--follow-ms", "60000");
        awaitLine(bobSellOut, "resting:");

        // Alice's buy crosses it: both sides print the trade, at the maker's price.
        final Run aliceBuy = run(OrderMain.class, NO_ENV, ALICE_STDIN, "new", "--username", "alice", gateway,
            "--instrument", "7", "--side", "BUY", "--price", "101", "--qty", "4", "--cl-ord-id", "2001");
        assertExit(0, aliceBuy);
        assertEquals(List.of(
            "sent new clOrdId=2001",
            "report NEW order=2 clOrdId=2001 instrument=7 side=BUY status=NEW px=101 qty=4 leaves=4 cum=0",
            "report TRADE order=2 clOrdId=2001 instrument=7 side=BUY status=FILLED px=101 qty=4 leaves=0 cum=4 " +
                "lastPx=100 lastQty=4 tradeId=1"), aliceBuy.lines());
        assertTrue(bobSell.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS), "bob's order new ended");
        assertEquals(0, bobSell.exitValue());
        assertEquals(List.of(
            "sent new clOrdId=1001",
            "report NEW order=1 clOrdId=1001 instrument=7 side=SELL status=NEW px=100 qty=4 leaves=4 cum=0",
            "resting: following order=1 until it is filled or canceled",
            "report TRADE order=1 clOrdId=1001 instrument=7 side=SELL status=FILLED px=100 qty=4 leaves=0 cum=4 " +
                "lastPx=100 lastQty=4 tradeId=1"), read(bobSellOut).lines().toList());

        // Alice bids below the market: it rests, reserving 95 x 2 of the quote asset.
        assertExit(0, run(OrderMain.class, NO_ENV, ALICE_STDIN, "new", "--username", "alice", gateway,
            "--instrument", "7", "--side", "BUY", "--price", "95", "--qty", "2", "--cl-ord-id", "2002"));
        final Run aliceAccount = run(AccountMain.class, NO_ENV, ALICE_STDIN, "--username", "alice", gateway);
        assertExit(0, aliceAccount);
        assertEquals(List.of(
            "account 1 open-orders=1",
            "balance asset=1 available=4 reserved=0",
            "balance asset=2 available=99410 reserved=190",
            "order id=3 clOrdId=2002 instrument=7 side=BUY tif=GTC px=95 qty=2 leaves=2 cum=0"), aliceAccount.lines());
        final Run bobAccount = run(AccountMain.class, BOB_ENV, "", "--username", "bob", "--password-env", "BOB_PW",
            gateway);
        assertExit(0, bobAccount);
        assertEquals(List.of(
            "account 2 open-orders=0",
            "balance asset=1 available=996 reserved=0",
            "balance asset=2 available=400 reserved=0"), bobAccount.lines());

        // A user sees only its own account (the gateway stamps it): bob cannot see alice's order; an admin sees any.
        final Run bobPeeks = run(OrderMain.class, BOB_ENV, "", "status", "--username", "bob", "--password-env",
            "BOB_PW", gateway, "--order-id", "3");
        assertExit(1, bobPeeks);
        assertTrue(bobPeeks.output().contains("status=REJECTED") && bobPeeks.output().contains("reason=UNKNOWN_ORDER"),
            bobPeeks.output());
        final Run aliceStatus = run(OrderMain.class, NO_ENV, ALICE_STDIN, "status", "--username", "alice", gateway,
            "--cl-ord-id", "2002");
        assertExit(0, aliceStatus);
        assertEquals(List.of("report ORDER_STATUS order=3 clOrdId=2002 instrument=7 side=BUY status=NEW px=95 qty=2 " +
            "leaves=2 cum=0"), aliceStatus.lines());
        final Run adminAccount = run(AdminMain.class, NO_ENV, "", "account", "1", "--hosts", HOSTS, cluster);
        assertExit(0, adminAccount);
        assertEquals(aliceAccount.lines(), adminAccount.lines());

        // A refusal: exit 1 with the reason. Bad usage: one line, exit 2.
        final Run tooBig = run(OrderMain.class, NO_ENV, ALICE_STDIN, "new", "--username", "alice", gateway,
            "--instrument", "7", "--side", "BUY", "--price", "100", "--qty", "5000", "--cl-ord-id", "2003");
        assertExit(1, tooBig);
        assertTrue(tooBig.output().contains("report REJECTED") &&
            tooBig.output().contains("reason=INSUFFICIENT_FUNDS"), tooBig.output());
        final Run noQuantity = run(OrderMain.class, NO_ENV, "", "new", "--username", "alice", gateway,
            "--instrument", "7", "--side", "BUY", "--price", "100");
        assertExit(2, noQuantity);
        assertEquals(1, noQuantity.lines().size(), noQuantity.output());
        final Run passwordAsArgument = run(AccountMain.class, NO_ENV, "", "--username", "alice", "--password", "x");
        assertExit(2, passwordAsArgument);
        assertEquals(1, passwordAsArgument.lines().size(), passwordAsArgument.output());
    }

    private void admin(final String... verbAndArgs) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of(verbAndArgs));
        args.addAll(List.of("--hosts", HOSTS, cluster, "--timeout-s", "30"));
        Run result = run(AdminMain.class, NO_ENV, "", args.toArray(new String[0]));
        for (int retry = 0; retry < 3 && result.output().contains("cluster connect timeout"); retry++)
        {
            // Not connected, so nothing was sent: a loaded machine may still be electing a leader.
            result = run(AdminMain.class, NO_ENV, "", args.toArray(new String[0]));
        }
        assertExit(0, result);
        assertEquals("admin: " + verbAndArgs[0] + " ok", result.output().trim());
    }

    private void awaitLeader() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS);
        while (true)
        {
            for (int member = 0; member < 3; member++)
            {
                if (read(new File(dir, "node-" + member + ".out")).contains("\"to\":\"LEADER\""))
                {
                    return;
                }
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "no leader elected");
            Thread.sleep(50);
        }
    }

    private static void assertExit(final int expected, final Run run)
    {
        assertEquals(expected, run.exitCode(), run.output());
    }

    private static List<String> command(final boolean shortLived, final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(JVM_OPENS);
        if (shortLived)
        {
            // A command that runs for a second: C1 only starts faster, which on two shared cores is most of the test.
            command.add("-XX:TieredStopAtLevel=1");
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), main.getName()));
        Collections.addAll(command, args);
        return command;
    }

    /**
     * A process that keeps running (stopped in {@link #stop()}), its stdout and stderr in {@code out}.
     */
    private Process start(final File out, final Map<String, String> env, final Class<?> main, final String... args)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command(false, main, args)).redirectErrorStream(true)
            .redirectOutput(out);
        builder.environment().putAll(env);
        final Process process = builder.start();
        process.getOutputStream().close();
        running.add(process);
        return process;
    }

    /**
     * A command run to its end, with {@code stdin} as its input.
     */
    private Run run(final Class<?> main, final Map<String, String> env, final String stdin, final String... args)
        throws Exception
    {
        final File out = new File(dir, "run-" + (runs++) + "-" + main.getSimpleName() + ".out");
        final ProcessBuilder builder = new ProcessBuilder(command(true, main, args)).redirectErrorStream(true)
            .redirectOutput(out);
        builder.environment().putAll(env);
        final Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return new Run(-1, read(out));
        }
        return new Run(process.exitValue(), read(out));
    }

    private static void awaitLine(final File out, final String prefix) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS);
        while (read(out).lines().noneMatch((line) -> line.startsWith(prefix)))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "no line '" + prefix + "' in " + out + ": " + read(out));
            Thread.sleep(50);
        }
    }

    private static String read(final File file)
    {
        try
        {
            return file.exists() ? Files.readString(file.toPath()) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private void destroyAll()
    {
        for (final Process process : running)
        {
            process.destroyForcibly();
        }
    }
}
