package io.keel.chaos;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-leaders check reads the nodes' own lines: a legal history (an isolated old leader and a new one
 * in a later term) passes; the planted bugs — two members closing an election as leader of one term, a
 * divergence line — are problems.
 */
class LeaderAuditTest
{
    private static String closed(final int member, final String role, final long term)
    {
        return "{\"time\":\"t\",\"component\":\"node\",\"event\":\"election-closed\",\"member\":" + member +
            ",\"role\":\"" + role + "\",\"leadershipTermId\":" + term + ",\"commitPosition\":96,\"elections\":1}";
    }

    @Test
    void shouldAcceptOneLeaderPerTermAcrossNodesAndRestarts() throws Exception
    {
        final File dir = new File("target/leader-audit-" + System.nanoTime());
        dir.mkdirs();
        Files.write(new File(dir, "node-0-0.log").toPath(), List.of(closed(0, "LEADER", 0), "noise",
            closed(0, "FOLLOWER", 1)), StandardCharsets.UTF_8);
        Files.write(new File(dir, "node-1-1.log").toPath(), List.of(closed(1, "FOLLOWER", 0), closed(1, "LEADER", 1)),
            StandardCharsets.UTF_8);
        // member 0 restarted after kill -9: a new log file, leader again in term 2
        Files.write(new File(dir, "node-0-5.log").toPath(), List.of(closed(0, "LEADER", 2)), StandardCharsets.UTF_8);
        Files.write(new File(dir, "gateway-1-3.log").toPath(), List.of(closed(7, "LEADER", 1)), StandardCharsets.UTF_8);

        final LeaderAudit audit = LeaderAudit.of(dir);

        assertEquals(List.of(), audit.problems());
        assertEquals(3, audit.leadersByTerm.size());
        assertEquals("3 terms seen (term:leader 0:0 1:1 2:0); divergence: none", audit.summary());
    }

    @Test
    void shouldReportTwoLeadersInOneTermAndAnyDivergence()
    {
        final LeaderAudit audit = new LeaderAudit();
        audit.accept(closed(0, "LEADER", 4));
        audit.accept(closed(2, "LEADER", 4));
        audit.accept(closed(1, "LEADER", 5));
        audit.accept("{\"event\":\"divergence\",\"member\":1,\"logPosition\":4096,\"expected\":\"1\",\"actual\":\"2\"}");

        assertEquals(List.of("two leaders in leadership term 4: members [0, 2]",
            "divergence detector fired: member 1 at log position 4096"), audit.problems());
        assertTrue(audit.summary().contains("divergence: 1 nodes"), audit.summary());
    }
}
