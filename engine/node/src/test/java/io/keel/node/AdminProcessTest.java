package io.keel.node;

import io.keel.common.ClusterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keel admin} as an operator runs it (its own process, every member listed with {@code --hosts})
 * against member processes: it reaches the leader whichever member is down, and when none answers it says
 * so in one line naming every endpoint it tried.
 */
class AdminProcessTest
{
    @RegisterExtension
    final ClusterHarness harness = new ClusterHarness();

    @Test
    @Timeout(150)
    void shouldReachLeaderWithMemberZeroStoppedAndFailInOneLineWithNoneUp() throws Exception
    {
        final NodeProcesses nodes = harness.processes(3);
        nodes.startAll();
        final NodeProcesses.AdminRun first = adminUntilOk(nodes, 60_000, "create-account", "1");
        assertTrue(first.output().contains("admin: create-account ok"), first.output());
        // Every member up: the purge asks each member's archive, then goes through the log (no snapshot yet, so the
        // members purge nothing; LogRetentionTest purges for real).
        final NodeProcesses.AdminRun purge = nodes.admin(30_000, "purge", "--before", "latest");
        assertEquals(0, purge.exitCode(), purge.output());
        assertTrue(purge.output().contains("admin: purge ok before-position="), purge.output());

        // Member 0 (whose ingress is the first endpoint listed) stops: leader or not, the others answer.
        harness.allowLeaderHeartbeatTimeout(0);
        harness.allowErrors(
            "a member stopped while it led: the others' recording of its log ends (ClusterEvent WARN)",
            (e) -> e.source().endsWith("/consensus") &&
                e.text().equals("io.aeron.cluster.client.ClusterEvent: WARN - log recording stopped: eos=true"));
        nodes.captureErrorLogs(harness.gate());
        assertNotNull(nodes.terminate(0, 15_000), "member 0 stops on SIGTERM: " + nodes.output(0));
        final NodeProcesses.AdminRun withoutZero = adminUntilOk(nodes, 30_000, "deposit", "1", "2", "1000");
        assertTrue(withoutZero.output().contains("admin: deposit ok"), withoutZero.output());
        // A member down: no purge, one line naming it (it could be stranded behind what the others purge).
        final NodeProcesses.AdminRun refused = nodes.admin(30_000, "purge", "--before", "latest");
        assertEquals(1, refused.exitCode(), refused.output());
        assertEquals(1, refused.output().trim().split("\n").length, refused.output());
        assertTrue(refused.output().startsWith("keel admin: purge refused: member 0 (localhost:"), refused.output());
        final NodeProcesses.AdminRun misuse = nodes.admin(30_000, "purge", "--before", "yesterday");
        assertEquals(2, misuse.exitCode(), misuse.output());
        assertTrue(misuse.output().startsWith("keel admin: --before must be latest, a log position, "), misuse.output());
        final NodeProcesses.AdminRun hash = nodes.admin(30_000, "state-hash");
        assertEquals(0, hash.exitCode(), hash.output());

        // Nobody home: one line naming the endpoints tried, exit 1, no stack trace.
        harness.allowLeaderHeartbeatTimeout(1);
        harness.allowLeaderHeartbeatTimeout(2);
        nodes.captureErrorLogs(harness.gate());
        assertNotNull(nodes.terminate(1, 15_000), "member 1 stops: " + nodes.output(1));
        assertNotNull(nodes.terminate(2, 15_000), "member 2 stops: " + nodes.output(2));
        final NodeProcesses.AdminRun none = nodes.admin(30_000, "state-hash");
        final String endpoints = ClusterLayout.ingressEndpoints(
            java.util.Collections.nCopies(3, "localhost"), harness.basePort());
        assertEquals(1, none.exitCode(), none.output());
        final String[] lines = none.output().trim().split("\n");
        assertEquals(1, lines.length, none.output());
        assertTrue(lines[0].startsWith("keel admin: no cluster leader answered within "), none.output());
        assertTrue(lines[0].contains(" at ingress " + endpoints + " "), none.output());
        assertFalse(none.output().contains("Exception"), none.output());
    }

    /**
     * Run the admin command until it succeeds: a new leader may still be elected (a run during the election
     * ends with exit 1 and one line, which is what it should say then).
     */
    private static NodeProcesses.AdminRun adminUntilOk(final NodeProcesses nodes, final long timeoutMs, final String... args)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final NodeProcesses.AdminRun run = nodes.admin(timeoutMs, args);
            if (run.exitCode() == 0 || System.nanoTime() - deadline > 0)
            {
                assertEquals(0, run.exitCode(), run.output());
                return run;
            }
            System.out.println("[admin] retrying after: " + run.output().trim());
            ClusterHarness.sleep(500);
        }
    }
}
