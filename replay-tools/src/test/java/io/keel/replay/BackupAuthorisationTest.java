package io.keel.replay;

import io.aeron.cluster.ClusterBackup;
import io.keel.common.FreePorts;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.EmbeddedCluster;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only a {@code backup:<name>} principal may copy the log: a gateway's credentials (right secret, wrong role) are
 * authenticated but not authorised, and the backup never gets a byte; the backup's own credentials follow at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class BackupAuthorisationTest
{
    private File dir;
    private EmbeddedCluster cluster;
    private BackupNode backup;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(backup, cluster);
        if (dir != null)
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    void shouldLetOnlyABackupPrincipalCopyTheLog()
    {
        dir = new File("target/backup-tests/authorisation-" + System.nanoTime()).getAbsoluteFile();
        final int basePort = FreePorts.clusterBasePort(2);
        cluster = EmbeddedCluster.launch(1, new File(dir, "cluster"), basePort, IdleProfile.BACKOFF,
            (config) -> config.heartbeatTimeoutMs(1_500));
        cluster.awaitLeader(15_000);

        backup = BackupNode.launch(context(basePort, "as-gateway", Principal.gatewayCredentials(1, Principal.DEV_SECRET)));
        TradingDesk.sleepMs(4_000); // several queries (1 s response timeout), each refused
        assertNotEquals(ClusterBackup.State.BACKING_UP, backup.state(), backup.describe());
        assertEquals(-1, backup.sourceMemberId(), "no member answered: " + backup.describe());
        assertTrue(backup.livePosition() <= 0, backup.describe());
        backup.close();

        backup = BackupNode.launch(context(basePort, "as-backup", Principal.backupCredentials("test", Principal.DEV_SECRET)));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!backup.isReady())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("the backup principal does not follow: " + backup.describe());
            }
            TradingDesk.sleepMs(20);
        }
    }

    private BackupContext context(final int basePort, final String name, final byte[] credentials)
    {
        return new BackupContext()
            .hosts(List.of("localhost"))
            .basePort(basePort)
            .dir(new File(dir, name))
            .credentials(credentials)
            .queryIntervalMs(1_000)
            .coolDownMs(300)
            .responseTimeoutMs(1_000)
            .pollIntervalMs(100);
    }
}
