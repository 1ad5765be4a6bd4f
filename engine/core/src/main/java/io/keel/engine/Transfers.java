package io.keel.engine;

import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferState;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Funds moving between market segments: each segment's engine applies its steps of a transfer from its own log,
 * knowing nothing of the other segments (a coordinator sends the steps). A transfer is
 * <ol>
 * <li>DEBIT in the source: the amount leaves the account's available balance (and the segment's net deposits) and
 * is held PENDING under the transfer id;</li>
 * <li>CREDIT in the destination: the amount is added to the account there, once per id (the id is remembered as
 * CREDITED);</li>
 * <li>CONFIRM in the source: the credit is known done, the pending transfer becomes COMPLETED (its id remembered, so
 * a late DEBIT repeat is "already applied", never a second debit).</li>
 * </ol>
 * Money is conserved at every instant: over all segments, balances plus the pending transfers their destination has
 * not credited are constant, and a crash between the steps leaves a PENDING transfer that recovery completes (CREDIT
 * repeats are no-ops). Every step is idempotent: the same id with the same content answers
 * {@link RejectReason#ALREADY_APPLIED} and changes nothing; the same id with other content (or the step of another
 * role, e.g. a DEBIT of an id this segment credited) is refused, {@link RejectReason#TRANSFER_MISMATCH}.
 * <p>
 * Bounds, both carried by the snapshot:
 * <ul>
 * <li>{@code maxPending} PENDING transfers at most: a DEBIT past it is refused ({@link RejectReason#TRANSFER_LIMIT_REACHED},
 * nothing moves) until recovery confirms some;</li>
 * <li>{@code maxRemembered} COMPLETED or CREDITED ids at most, a window oldest first: at the bound the oldest is
 * forgotten and {@code forgottenUpTo} rises to its id. From then on an id this engine does not know and that is
 * at or below {@code forgottenUpTo} is refused ({@link RejectReason#TRANSFER_FORGOTTEN}, nothing moves), because it
 * may be a late repeat of a forgotten transfer. So forgetting never applies a step twice; what it costs: transfer
 * ids must grow (a coordinator's clock or counter), and a transfer left PENDING in its source while its destination
 * credits {@code maxRemembered} later transfers with higher ids cannot be credited by recovery any more (the
 * destination cannot tell it from a forgotten one): its funds stay held PENDING in the source, never lost or doubled,
 * and recovery reports it for an operator. Run recovery after any coordinator crash; the window is 65,536 ids.</li>
 * </ul>
 * Cold path (admin commands): a transfer allocates its record.
 */
final class Transfers
{
    /** PENDING transfers at most, by default. */
    static final int MAX_PENDING_DEFAULT = 1024;
    /** COMPLETED or CREDITED ids remembered at most, by default (about 4 MiB when full). */
    static final int MAX_REMEMBERED_DEFAULT = 65_536;
    /** Pending transfers per answer to a LIST, at most (a page of about 2 KiB). */
    static final int LIST_PAGE = 64;

    /**
     * What this segment holds under one id.
     */
    static final class Transfer
    {
        final long transferId;
        final long accountId;
        final int assetId;
        final long amount;
        final int fromSegment;
        final int toSegment;
        TransferState state;

        Transfer(
            final long transferId,
            final long accountId,
            final int assetId,
            final long amount,
            final int fromSegment,
            final int toSegment,
            final TransferState state)
        {
            this.transferId = transferId;
            this.accountId = accountId;
            this.assetId = assetId;
            this.amount = amount;
            this.fromSegment = fromSegment;
            this.toSegment = toSegment;
            this.state = state;
        }

        boolean sameContent(final long accountId, final int assetId, final long amount, final int from, final int to)
        {
            return this.accountId == accountId && this.assetId == assetId && this.amount == amount &&
                fromSegment == from && toSegment == to;
        }
    }

    private final Accounts accounts;
    /** Every PENDING, COMPLETED and CREDITED transfer this engine holds. */
    final Long2ObjectHashMap<Transfer> byId = new Long2ObjectHashMap<>();
    /** COMPLETED and CREDITED ids, oldest first: a ring that grows up to {@link #maxRemembered}. */
    private long[] remembered = new long[64];
    private int rememberedHead;
    int rememberedCount;
    int pendingCount;
    long forgottenUpTo;
    int maxPending;
    int maxRemembered;
    /** The transfer the last step found or made (null: none): what its answer describes. */
    Transfer last;

    Transfers(final EngineContext ctx, final Accounts accounts)
    {
        this.accounts = accounts;
        maxPending = ctx.maxPendingTransfers();
        maxRemembered = ctx.maxRememberedTransfers();
    }

    RejectReason debit(
        final long transferId, final long accountId, final int assetId, final long amount, final int from, final int to)
    {
        last = null;
        if (transferId <= 0 || from == to || from < 0 || to < 0)
        {
            return RejectReason.INVALID_MESSAGE;
        }
        final Transfer known = byId.get(transferId);
        if (known != null)
        {
            last = known;
            return known.state != TransferState.CREDITED && known.sameContent(accountId, assetId, amount, from, to) ?
                RejectReason.ALREADY_APPLIED : RejectReason.TRANSFER_MISMATCH;
        }
        if (transferId <= forgottenUpTo)
        {
            return RejectReason.TRANSFER_FORGOTTEN;
        }
        final Account account = accounts.get(accountId);
        final RejectReason valid = accounts.validateTransfer(account, assetId, amount);
        if (valid != RejectReason.NONE)
        {
            return valid;
        }
        if (pendingCount >= maxPending)
        {
            return RejectReason.TRANSFER_LIMIT_REACHED;
        }
        if (assetId >= accounts.assetCapacity || account.available(assetId) < amount)
        {
            return RejectReason.INSUFFICIENT_FUNDS;
        }
        account.balances[assetId << 1] -= amount;
        accounts.netDeposits[assetId] -= amount;
        last = new Transfer(transferId, accountId, assetId, amount, from, to, TransferState.PENDING);
        byId.put(transferId, last);
        pendingCount++;
        return RejectReason.NONE;
    }

    RejectReason credit(
        final long transferId, final long accountId, final int assetId, final long amount, final int from, final int to)
    {
        last = null;
        if (transferId <= 0 || from == to || from < 0 || to < 0)
        {
            return RejectReason.INVALID_MESSAGE;
        }
        final Transfer known = byId.get(transferId);
        if (known != null)
        {
            last = known;
            return known.state == TransferState.CREDITED && known.sameContent(accountId, assetId, amount, from, to) ?
                RejectReason.ALREADY_APPLIED : RejectReason.TRANSFER_MISMATCH;
        }
        if (transferId <= forgottenUpTo)
        {
            return RejectReason.TRANSFER_FORGOTTEN;
        }
        final Account account = accounts.get(accountId);
        final RejectReason valid = accounts.validateTransfer(account, assetId, amount);
        if (valid != RejectReason.NONE)
        {
            return valid;
        }
        accounts.ensureAssetCapacity(assetId + 1);
        if (accounts.netDeposits[assetId] > Long.MAX_VALUE - amount)
        {
            return RejectReason.INVALID_AMOUNT;
        }
        account.balances[assetId << 1] += amount;
        accounts.netDeposits[assetId] += amount;
        last = new Transfer(transferId, accountId, assetId, amount, from, to, TransferState.CREDITED);
        byId.put(transferId, last);
        remember(transferId);
        return RejectReason.NONE;
    }

    /**
     * The credit is done: forget the pending transfer, remember its id as COMPLETED. The request's content is checked
     * when it names an account (0: the id alone).
     */
    RejectReason confirm(
        final long transferId, final long accountId, final int assetId, final long amount, final int from, final int to)
    {
        last = null;
        if (transferId <= 0)
        {
            return RejectReason.INVALID_MESSAGE;
        }
        final Transfer known = byId.get(transferId);
        if (known == null)
        {
            return transferId <= forgottenUpTo ? RejectReason.TRANSFER_FORGOTTEN : RejectReason.UNKNOWN_TRANSFER;
        }
        last = known;
        if (known.state == TransferState.CREDITED ||
            accountId != 0 && !known.sameContent(accountId, assetId, amount, from, to))
        {
            return RejectReason.TRANSFER_MISMATCH;
        }
        if (known.state == TransferState.COMPLETED)
        {
            return RejectReason.ALREADY_APPLIED;
        }
        known.state = TransferState.COMPLETED;
        pendingCount--;
        remember(transferId);
        return RejectReason.NONE;
    }

    RejectReason query(final long transferId)
    {
        last = byId.get(transferId);
        if (last != null)
        {
            return RejectReason.NONE;
        }
        return transferId > 0 && transferId <= forgottenUpTo ? RejectReason.TRANSFER_FORGOTTEN : RejectReason.UNKNOWN_TRANSFER;
    }

    /**
     * Add an id to the window, forgetting the oldest at the bound (see the class comment).
     */
    private void remember(final long transferId)
    {
        if (rememberedCount == maxRemembered)
        {
            final long oldest = remembered[rememberedHead];
            rememberedHead = (rememberedHead + 1) % remembered.length;
            rememberedCount--;
            byId.remove(oldest);
            forgottenUpTo = Math.max(forgottenUpTo, oldest);
        }
        if (rememberedCount == remembered.length)
        {
            grow();
        }
        remembered[(rememberedHead + rememberedCount) % remembered.length] = transferId;
        rememberedCount++;
    }

    private void grow()
    {
        final long[] bigger = new long[Math.max(remembered.length * 2, 64)];
        for (int i = 0; i < rememberedCount; i++)
        {
            bigger[i] = remembered[(rememberedHead + i) % remembered.length];
        }
        remembered = bigger;
        rememberedHead = 0;
    }

    /**
     * The i-th remembered id, oldest first.
     */
    long rememberedAt(final int i)
    {
        return remembered[(rememberedHead + i) % remembered.length];
    }

    /**
     * Restore one remembered transfer from a snapshot (oldest first).
     */
    void restoreRemembered(final Transfer transfer)
    {
        byId.put(transfer.transferId, transfer);
        if (rememberedCount == remembered.length)
        {
            grow();
        }
        remembered[(rememberedHead + rememberedCount) % remembered.length] = transfer.transferId;
        rememberedCount++;
    }

    void restorePending(final Transfer transfer)
    {
        byId.put(transfer.transferId, transfer);
        pendingCount++;
    }

    /**
     * The PENDING ids above {@code afterId}, ascending (cold: a snapshot or a LIST).
     */
    long[] sortedPendingIds(final long afterId)
    {
        final long[] ids = new long[pendingCount];
        int n = 0;
        for (final Transfer transfer : byId.values())
        {
            if (transfer.state == TransferState.PENDING && transfer.transferId > afterId)
            {
                ids[n++] = transfer.transferId;
            }
        }
        final long[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * Funds of an asset held PENDING (debited here, not confirmed).
     */
    long pendingAmount(final int assetId)
    {
        long sum = 0;
        for (final Transfer transfer : byId.values())
        {
            if (transfer.state == TransferState.PENDING && transfer.assetId == assetId)
            {
                sum += transfer.amount;
            }
        }
        return sum;
    }

    /**
     * True when there is nothing to snapshot (no transfer ever, default bounds): older snapshots stay byte-equal.
     */
    boolean isPristine()
    {
        return byId.isEmpty() && forgottenUpTo == 0 && maxPending == MAX_PENDING_DEFAULT &&
            maxRemembered == MAX_REMEMBERED_DEFAULT;
    }
}
