package io.keel.node;

import io.aeron.security.AuthenticationException;
import io.keel.common.AdminCredentialsOptions;
import io.keel.common.Cli;
import io.keel.common.ClusterCredentialsSupplier;
import io.keel.common.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each gateway and admin tool proves a secret of its own by challenge and response; a node takes the development
 * secret only with --dev.
 */
class ClusterCredentialsTest
{
    private static final String GATEWAY_1 = "gw1-0123456789abcdef";
    private static final String GATEWAY_2 = "gw2-0123456789abcdef";
    private static final String OPS = "ops-0123456789abcdef";

    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(90)
    void shouldAdmitEachPrincipalOnlyWithItsOwnSecret() throws Exception
    {
        final Path file = credentialsFile("gateway:1 " + GATEWAY_1, "gateway:2 " + GATEWAY_2, "admin:ops " + OPS);
        final EmbeddedCluster cluster = harness.launchCluster(1, (config) -> config
            .credentials(ClusterCredentials.load(file, false)).development(false));
        final KeelNode leader = cluster.awaitLeader(10_000);
        final String endpoints = cluster.ingressEndpoints();

        final byte[][] refused = {
            Principal.adminCredentials("ops", Principal.DEV_SECRET),  // the development secret: no --dev
            Principal.gatewayCredentials(1, Principal.DEV_SECRET),
            Principal.adminCredentials("ops", GATEWAY_1),             // a gateway's secret does not make an admin
            Principal.gatewayCredentials(2, GATEWAY_1),               // nor another gateway
            Principal.gatewayCredentials(3, GATEWAY_1),               // an id not listed at all
            Principal.adminCredentials("root", OPS),                  // an admin name not listed
        };
        for (int i = 0; i < refused.length; i++)
        {
            final TestClient intruder = harness.client("intruder-" + i, endpoints, refused[i]);
            assertThrows(AuthenticationException.class, intruder::connect,
                new String(refused[i], StandardCharsets.UTF_8));
            harness.closeClient(intruder);
        }
        assertEquals(refused.length, leader.rejectedSessions(), "the leader counted every refusal");

        final TestClient admin = harness.client("admin", endpoints, Principal.adminCredentials("ops", OPS)).connect();
        admin.setUpMarket(7, 1);
        final TestClient gateway1 = harness.client("gw1", endpoints, Principal.gatewayCredentials(1, GATEWAY_1)).connect();
        final TestClient gateway2 = harness.client("gw2", endpoints, Principal.gatewayCredentials(2, GATEWAY_2)).connect();
        assertTrue(gateway1.client().isConnected() && gateway2.client().isConnected());
        assertNotNull(admin.requestStateHash());
    }

    @Test
    void shouldNeverPutTheSecretOnTheWire()
    {
        final byte[] credentials = Principal.gatewayCredentials(7, GATEWAY_1);
        final ClusterCredentialsSupplier supplier = new ClusterCredentialsSupplier(credentials);
        assertArrayEquals("gateway:7".getBytes(StandardCharsets.UTF_8), supplier.encodedCredentials());

        final byte[] challenge = new byte[Principal.CHALLENGE_LENGTH];
        Arrays.fill(challenge, (byte)5);
        final byte[] answer = supplier.onChallenge(challenge);
        assertEquals(32, answer.length);
        assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains(GATEWAY_1));
        assertArrayEquals(Principal.challengeResponse(GATEWAY_1.getBytes(StandardCharsets.UTF_8), challenge,
            "gateway:7".getBytes(StandardCharsets.UTF_8)), answer);
        // Bound to the challenge and to the principal: no replay for another challenge or another gateway.
        challenge[0]++;
        assertFalse(Arrays.equals(answer, supplier.onChallenge(challenge)));
        challenge[0]--;
        assertFalse(Arrays.equals(answer, new ClusterCredentialsSupplier(
            Principal.gatewayCredentials(8, GATEWAY_1)).onChallenge(challenge)));
    }

    @Test
    void shouldRefuseBadCredentialsFilesNamingTheLine() throws Exception
    {
        assertRefused("line 2: the secret of gateway:1 is shorter than 16", "# comment", "gateway:1 short");
        assertRefused("line 1: gateway:1 has the development secret", "gateway:1 " + Principal.DEV_SECRET);
        assertRefused("line 2: admin:ops has the same secret as gateway:1", "gateway:1 " + GATEWAY_1,
            "admin:ops " + GATEWAY_1);
        assertRefused("line 2: gateway:1 is listed twice", "gateway:1 " + GATEWAY_1, "gateway:1 " + GATEWAY_2);
        assertRefused("principal must be gateway:<1..65535>, admin:<name>, backup:<name> or dropcopy:<name>, not gateway:07", "gateway:07 " + GATEWAY_1);
        assertRefused("principal must be", "trader:1 " + GATEWAY_1);
        assertRefused("line 1: expected '<principal> <secret>'", "gateway:1");
        assertRefused("lists no principal", "# nothing");

        final ClusterCredentials devAllowed = ClusterCredentials.load(
            credentialsFile("gateway:1 " + Principal.DEV_SECRET), true);
        assertNotNull(devAllowed.secretOf("gateway:1"));
        assertNull(devAllowed.secretOf("gateway:2"));
        final ClusterCredentials development = ClusterCredentials.development();
        assertNotNull(development.secretOf("gateway:9"));
        assertNull(development.secretOf("gateway:0"));
        assertNull(development.secretOf("gateway:+9"));
        assertNull(development.secretOf("admin:"));
    }

    @Test
    void shouldExitWithOneLineWhenStartedWithTheDevelopmentSecretAndNoDev()
    {
        final String[] stderr = new String[1];
        final int exit = runCapturingStderr(stderr, () -> Cli.run(new NodeMain(), "keel node",
            "--dir", harness.dir().toPath().resolve("no-dev").toString(), "--metrics-port", "0"));
        assertEquals(Cli.EXIT_USAGE, exit);
        assertEquals(1, stderr[0].strip().lines().count(), stderr[0]);
        assertTrue(stderr[0].startsWith("keel node: refusing to start with the development secret"), stderr[0]);
        assertFalse(Files.exists(harness.dir().toPath().resolve("no-dev")), "nothing was created");
    }

    @Test
    void shouldWriteCredentialsANodeAcceptsAndNeverOverwriteThem() throws Exception
    {
        final Path dir = harness.dir().toPath().resolve("creds");
        final String[] stderr = new String[1];
        assertEquals(0, runCapturingStderr(stderr, () -> Cli.run(new CredentialsMain(), "keel credentials",
            "new", "--dir", dir.toString(), "--gateways", "1,2", "--admins", "ops", "--drop-copies", "risk")));
        final ClusterCredentials loaded = ClusterCredentials.load(dir.resolve("cluster.credentials"), false);
        assertEquals(4, loaded.size());
        final String risk = Files.readString(dir.resolve("dropcopy-risk.secret")).strip();
        assertArrayEquals(risk.getBytes(StandardCharsets.UTF_8), loaded.secretOf("dropcopy:risk"));
        final String gateway2 = Files.readString(dir.resolve("gateway-2.secret")).strip();
        assertArrayEquals(gateway2.getBytes(StandardCharsets.UTF_8), loaded.secretOf("gateway:2"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("admin-ops.secret"))));

        final AdminCredentialsOptions options = new AdminCredentialsOptions();
        new picocli.CommandLine(options).parseArgs("--secret-file", dir.resolve("admin-ops.secret").toString());
        assertEquals("admin:ops:" + Files.readString(dir.resolve("admin-ops.secret")).strip(),
            new String(options.credentials(), StandardCharsets.UTF_8));

        assertEquals(Cli.EXIT_USAGE, runCapturingStderr(stderr, () -> Cli.run(new CredentialsMain(),
            "keel credentials", "new", "--dir", dir.toString(), "--gateways", "3")));
        assertTrue(stderr[0].contains("exists: not overwritten"), stderr[0]);
        assertEquals(gateway2, Files.readString(dir.resolve("gateway-2.secret")).strip());
    }

    private void assertRefused(final String expected, final String... lines) throws Exception
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ClusterCredentials.load(credentialsFile(lines), false));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    private Path credentialsFile(final String... lines) throws Exception
    {
        final Path file = Files.createTempFile(harness.dir().toPath(), "cluster", ".credentials");
        Files.write(file, List.of(lines));
        return file;
    }

    private static int runCapturingStderr(final String[] stderr, final java.util.function.IntSupplier command)
    {
        final PrintStream original = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            return command.getAsInt();
        }
        finally
        {
            System.setErr(original);
            stderr[0] = captured.toString(StandardCharsets.UTF_8);
        }
    }
}
