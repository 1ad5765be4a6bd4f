package io.keel.node;

import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import io.keel.common.ClusterUnreachableException;
import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator of transfers between market segments: an admin session to each segment's cluster, and the steps of
 * a transfer sent in order (see the engine's {@code Transfers}): DEBIT in the source, CREDIT in the destination,
 * CONFIRM in the source. Each step is idempotent by its transfer id, so every request is simply sent again until
 * answered (a lost answer, a leader change, a reconnect), and a coordinator that dies anywhere leaves at worst a
 * PENDING transfer in its source segment, which {@link #recover()} completes: it asks every segment for its pending
 * transfers and credits (a repeat where the credit was done) then confirms each. Recovery keeps no state of its own.
 * <p>
 * Transfer ids are the caller's, and must grow (a clock or a counter): a segment refuses an id at or below the ones it
 * has forgotten (README "Balances across segments"). Not thread-safe; cold path.
 */
public final class SegmentTransfers implements AutoCloseable
{
    /**
     * What a transfer came to.
     */
    public enum Outcome
    {
        /** Debited, credited and confirmed (perhaps earlier, by another call or a recovery). */
        COMPLETED,
        /** Refused before anything moved (the reason says why). */
        REFUSED,
        /** Debited in the source and held there, not completed (the reason says why): transfer-recover completes it. */
        PENDING,
        /** The source never answered the debit: nothing moved, or it is pending; transfer-recover settles it. */
        UNKNOWN
    }

    /**
     * One transfer's outcome, and the reason when it is not COMPLETED.
     */
    public record TransferOutcome(
        long transferId,
        long accountId,
        int assetId,
        long amount,
        int fromSegment,
        int toSegment,
        Outcome outcome,
        RejectReason reason,
        String detail)
    {
        /**
         * {@code transfer id=ID account=A asset=X amount=N from=S to=T state=COMPLETED} (then the reason).
         */
        public String line()
        {
            return "transfer id=" + transferId + " account=" + accountId + " asset=" + assetId + " amount=" + amount +
                " from=" + fromSegment + " to=" + toSegment + " state=" + outcome +
                (reason != null && reason != RejectReason.NONE ? " reason=" + reason : "") +
                (detail != null && !detail.isEmpty() ? " (" + detail + ")" : "");
        }

        public boolean isCompleted()
        {
            return outcome == Outcome.COMPLETED;
        }
    }

    /**
     * A segment's answer to one step or query: the result and what the segment holds under the id.
     */
    public record StepResult(
        RejectReason result,
        TransferState state,
        long accountId,
        int assetId,
        long amount,
        int fromSegment,
        int toSegment,
        int pendingCount)
    {
        /**
         * Applied now or before: the coordinator may go on.
         */
        public boolean isDone()
        {
            return result == RejectReason.NONE || result == RejectReason.ALREADY_APPLIED;
        }
    }

    /**
     * A transfer pending in its source segment (one entry of a LIST).
     */
    public record PendingTransfer(long transferId, long accountId, int assetId, long amount, int fromSegment, int toSegment)
    {
    }

    /**
     * Where the segments are and how to reach them, Aeron style.
     */
    public static final class Context
    {
        private SegmentMap segmentMap;
        private byte[] credentials;
        private File aeronDirBase;
        private IdleProfile idleProfile = IdleProfile.BACKOFF;
        private String egressHost = "localhost";
        private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(15);
        private long retryIntervalNs = TimeUnit.SECONDS.toNanos(2);
        private boolean ownsAeronDirBase;

        public Context conclude()
        {
            if (segmentMap == null)
            {
                throw new IllegalArgumentException("a segment map is required");
            }
            if (credentials == null)
            {
                throw new IllegalArgumentException("admin credentials are required");
            }
            if (requestTimeoutNs <= 0 || retryIntervalNs <= 0)
            {
                throw new IllegalArgumentException("timeouts must be > 0");
            }
            if (aeronDirBase == null)
            {
                try
                {
                    aeronDirBase = Files.createTempDirectory("keel-transfers-").toFile();
                    ownsAeronDirBase = true;
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
            return this;
        }

        public Context segmentMap(final SegmentMap segmentMap)
        {
            this.segmentMap = segmentMap;
            return this;
        }

        public SegmentMap segmentMap()
        {
            return segmentMap;
        }

        /**
         * The admin's credentials, as {@code AdminMain} takes them ({@code AdminCredentialsOptions.credentials()}).
         */
        public Context credentials(final byte[] credentials)
        {
            this.credentials = credentials;
            return this;
        }

        /**
         * A directory under which each segment's client gets its own Aeron directory (default: a temporary one,
         * deleted on close).
         */
        public Context aeronDirBase(final File aeronDirBase)
        {
            this.aeronDirBase = aeronDirBase;
            return this;
        }

        public Context idleProfile(final IdleProfile idleProfile)
        {
            this.idleProfile = idleProfile;
            return this;
        }

        public Context egressHost(final String egressHost)
        {
            this.egressHost = egressHost;
            return this;
        }

        /**
         * How long one request is sent again and again before its segment counts as unreachable.
         */
        public Context requestTimeoutNs(final long requestTimeoutNs)
        {
            this.requestTimeoutNs = requestTimeoutNs;
            return this;
        }

        /**
         * How long to wait for an answer before sending a request again.
         */
        public Context retryIntervalNs(final long retryIntervalNs)
        {
            this.retryIntervalNs = retryIntervalNs;
            return this;
        }
    }

    private final Context ctx;
    private final SegmentSessions sessions;

    public SegmentTransfers(final Context ctx)
    {
        this.ctx = ctx.conclude();
        sessions = new SegmentSessions(ctx.segmentMap, ctx.credentials, ctx.aeronDirBase, ctx.idleProfile, ctx.egressHost,
            ctx.requestTimeoutNs, ctx.retryIntervalNs);
    }

    public SegmentMap segmentMap()
    {
        return ctx.segmentMap;
    }

    /**
     * Move {@code amount} of an asset of one account from one segment to another: DEBIT, CREDIT, CONFIRM. Safe to
     * call again with the same id (after a crash, say): the steps already applied answer "already applied".
     *
     * @throws IllegalArgumentException for a segment the map does not have, or from == to.
     */
    public TransferOutcome transfer(
        final long transferId,
        final long accountId,
        final int assetId,
        final long amount,
        final int fromSegment,
        final int toSegment)
    {
        ctx.segmentMap.segment(fromSegment);
        ctx.segmentMap.segment(toSegment);
        if (fromSegment == toSegment)
        {
            throw new IllegalArgumentException("a transfer goes between two segments: from=" + fromSegment + " to=" +
                toSegment);
        }
        final PendingTransfer transfer = new PendingTransfer(transferId, accountId, assetId, amount, fromSegment, toSegment);
        try
        {
            // The destination must have the account, or the debited funds would wait in the source for it.
            if (accountTotals(toSegment, accountId) == null)
            {
                return outcome(transfer, Outcome.REFUSED, RejectReason.UNKNOWN_ACCOUNT,
                    "no account " + accountId + " in segment " + toSegment);
            }
        }
        catch (final ClusterUnreachableException ex)
        {
            return outcome(transfer, Outcome.REFUSED, RejectReason.UNAVAILABLE, ex.getMessage());
        }
        final StepResult debit;
        try
        {
            debit = step(fromSegment, TransferStep.DEBIT, transferId, accountId, assetId, amount, fromSegment, toSegment);
        }
        catch (final ClusterUnreachableException ex)
        {
            return outcome(transfer, Outcome.UNKNOWN, RejectReason.UNAVAILABLE, ex.getMessage());
        }
        if (!debit.isDone())
        {
            return outcome(transfer, Outcome.REFUSED, debit.result(), "debit refused in segment " + fromSegment);
        }
        if (debit.state() == TransferState.COMPLETED)
        {
            return outcome(transfer, Outcome.COMPLETED, RejectReason.NONE, "completed before");
        }
        return complete(transfer);
    }

    /**
     * Complete every transfer pending in any segment (debited, not confirmed): CREDIT in its destination (a repeat
     * where it was credited), then CONFIRM in its source.
     *
     * @return one outcome per pending transfer found, COMPLETED or PENDING with the reason.
     * @throws ClusterUnreachableException when a segment does not answer the list.
     */
    public List<TransferOutcome> recover()
    {
        final List<TransferOutcome> outcomes = new ArrayList<>();
        for (int segment = 0; segment < ctx.segmentMap.segmentCount(); segment++)
        {
            for (final PendingTransfer transfer : pending(segment))
            {
                try
                {
                    outcomes.add(complete(transfer));
                }
                catch (final ClusterUnreachableException ex)
                {
                    outcomes.add(outcome(transfer, Outcome.PENDING, RejectReason.UNAVAILABLE, ex.getMessage()));
                }
            }
        }
        return outcomes;
    }

    private TransferOutcome complete(final PendingTransfer t)
    {
        final StepResult credit;
        try
        {
            credit = step(t.toSegment(), TransferStep.CREDIT, t.transferId(), t.accountId(), t.assetId(), t.amount(),
                t.fromSegment(), t.toSegment());
        }
        catch (final ClusterUnreachableException ex)
        {
            return outcome(t, Outcome.PENDING, RejectReason.UNAVAILABLE, "held in segment " + t.fromSegment() + ": " +
                ex.getMessage());
        }
        if (!credit.isDone())
        {
            return outcome(t, Outcome.PENDING, credit.result(), "credit refused in segment " + t.toSegment() +
                "; the funds are held in segment " + t.fromSegment());
        }
        final StepResult confirm;
        try
        {
            confirm = step(t.fromSegment(), TransferStep.CONFIRM, t.transferId(), t.accountId(), t.assetId(), t.amount(),
                t.fromSegment(), t.toSegment());
        }
        catch (final ClusterUnreachableException ex)
        {
            return outcome(t, Outcome.PENDING, RejectReason.UNAVAILABLE, "credited, not confirmed: " + ex.getMessage());
        }
        return confirm.isDone() ? outcome(t, Outcome.COMPLETED, RejectReason.NONE, null) :
            outcome(t, Outcome.PENDING, confirm.result(), "credited, confirm refused in segment " + t.fromSegment());
    }

    private static TransferOutcome outcome(
        final PendingTransfer t, final Outcome outcome, final RejectReason reason, final String detail)
    {
        return new TransferOutcome(t.transferId(), t.accountId(), t.assetId(), t.amount(), t.fromSegment(), t.toSegment(),
            outcome, reason, detail);
    }

    /**
     * Send one step (or a QUERY) to a segment, again until it answers.
     *
     * @throws ClusterUnreachableException when it does not answer within the request timeout.
     */
    public StepResult step(
        final int segment,
        final TransferStep step,
        final long transferId,
        final long accountId,
        final int assetId,
        final long amount,
        final int fromSegment,
        final int toSegment)
    {
        return (StepResult)sessions.request(segment, (client, correlationId) ->
            client.transfer(correlationId, transferId, accountId, assetId, amount, step, fromSegment, toSegment));
    }

    /**
     * What a segment holds under a transfer id.
     */
    public StepResult query(final int segment, final long transferId)
    {
        return step(segment, TransferStep.QUERY, transferId, 0, 0, 0, 0, 0);
    }

    /**
     * Every transfer pending in a segment, by id (page after page).
     */
    public List<PendingTransfer> pending(final int segment)
    {
        final List<PendingTransfer> all = new ArrayList<>();
        long after = 0;
        do
        {
            final long from = after;
            sessions.listPage.clear();
            after = (Long)sessions.request(segment, (client, correlationId) ->
                client.transfer(correlationId, from, 0, 0, 0, TransferStep.LIST, 0, 0));
            all.addAll(sessions.listPage);
        }
        while (after != 0);
        return all;
    }

    /**
     * An account's total holdings per asset in a segment (available plus reserved), or null when the segment has no
     * such account.
     */
    public Map<Integer, Long> accountTotals(final int segment, final long accountId)
    {
        sessions.accountTotals.clear();
        final RejectReason result = (RejectReason)sessions.request(segment,
            (client, correlationId) -> client.accountStatus(correlationId, accountId));
        return result == RejectReason.NONE ? new HashMap<>(sessions.accountTotals) : null;
    }

    /**
     * What conservation keeps constant for one account and asset: its holdings in every segment plus the transfers
     * pending in a source that their destination has not credited. Read segment after segment, so exact only while no
     * transfer or trade of the account moves (a checker quiesces first). A destination that has forgotten a credited
     * id (see README "Balances across segments", the bounds) would count that transfer twice.
     */
    public long conservedTotal(final long accountId, final int assetId)
    {
        long total = 0;
        for (int segment = 0; segment < ctx.segmentMap.segmentCount(); segment++)
        {
            total += balance(segment, accountId, assetId);
            for (final PendingTransfer pending : pending(segment))
            {
                if (pending.accountId() == accountId && pending.assetId() == assetId &&
                    query(pending.toSegment(), pending.transferId()).state() != TransferState.CREDITED)
                {
                    total += pending.amount();
                }
            }
        }
        return total;
    }

    /**
     * An account's total holding of one asset in a segment (0 for an account it does not have).
     */
    public long balance(final int segment, final long accountId, final int assetId)
    {
        final Map<Integer, Long> totals = accountTotals(segment, accountId);
        return totals == null ? 0 : totals.getOrDefault(assetId, 0L);
    }

    public void close()
    {
        CloseHelper.closeAll(sessions);
        if (ctx.ownsAeronDirBase)
        {
            IoUtil.delete(ctx.aeronDirBase, true);
        }
    }
}
