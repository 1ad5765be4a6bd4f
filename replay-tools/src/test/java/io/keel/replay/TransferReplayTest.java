package io.keel.replay;

import io.keel.codecs.TransferStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log with transfer steps in it (a completed transfer out, a credit in, one left pending across a snapshot, and
 * repeats) replays to the state hashes the node recorded, from the log's start and from the snapshot: transfer state
 * is engine state like any other, rebuilt alike by every replay.
 */
@Timeout(120)
class TransferReplayTest
{
    private ScriptedCluster cluster;

    @AfterEach
    void close()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldVerifyALogWithTransfersFromItsStartAndFromASnapshot()
    {
        cluster = new ScriptedCluster("transfer-replay");
        cluster.adminCommand("CreateAccount", (c, id) -> c.createAccount(id, 1));
        cluster.adminCommand("Deposit", (c, id) -> c.deposit(id, 1, ScriptedCluster.QUOTE, 1_000));
        transfer(TransferStep.DEBIT, 10, 300, 0, 1);
        transfer(TransferStep.DEBIT, 10, 300, 0, 1); // a repeat: already applied
        transfer(TransferStep.CONFIRM, 10, 300, 0, 1);
        transfer(TransferStep.CREDIT, 11, 50, 1, 0); // as the destination of another transfer
        transfer(TransferStep.DEBIT, 12, 25, 0, 1); // left pending across the snapshot
        cluster.adminCommand("StateHashRequest", (c, id) -> c.requestStateHash(id));
        cluster.awaitHashLines(1);
        cluster.adminCommand("SnapshotRequest", (c, id) -> c.requestSnapshot(id));
        cluster.awaitHashLines(2);
        transfer(TransferStep.CONFIRM, 12, 25, 0, 1);
        transfer(TransferStep.DEBIT, 13, 5, 0, 1);
        cluster.adminCommand("StateHashRequest", (c, id) -> c.requestStateHash(id));
        cluster.awaitHashLines(3);
        cluster.stop();

        final ReplayCli.Result verify = ReplayCli.replay("verify", cluster.nodeDir().getPath());
        assertEquals(0, verify.exit(), verify.toString());
        assertTrue(verify.lastLine().contains(" hashes-checked=3 snapshots-checked=1 "), verify.toString());
        assertTrue(verify.lastLine().endsWith(" ok"), verify.toString());
        final ReplayCli.Result fromSnapshot = ReplayCli.replay("verify", cluster.nodeDir().getPath(), "--from-snapshot");
        assertEquals(0, fromSnapshot.exit(), fromSnapshot.toString());
        final ReplayCli.Result dump = ReplayCli.replay("dump", cluster.nodeDir().getPath(), "--type", "Transfer");
        assertEquals(0, dump.exit(), dump.toString());
        assertTrue(dump.toString().contains("CONFIRM"), dump.toString());
    }

    private void transfer(final TransferStep step, final long transferId, final long amount, final int from, final int to)
    {
        cluster.adminCommand("Transfer", (c, id) ->
            c.transfer(id, transferId, 1, ScriptedCluster.QUOTE, amount, step, from, to));
    }
}
