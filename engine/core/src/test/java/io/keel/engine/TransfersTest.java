package io.keel.engine;

import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers between segments, with one engine per segment and this test as the coordinator: any sequence of steps
 * a coordinator may send (a CREDIT only after its DEBIT was taken, a CONFIRM only after its CREDIT was), with
 * repeats, late duplicates, misrouted and mismatched steps and snapshot reloads between them, conserves money across
 * the segments at every step; repeats change nothing; the bounds answer as documented.
 */
class TransfersTest
{
    private static final int SEGMENTS = 3;
    private static final int ASSET = 1;
    private static final long[] ACCOUNTS = {1, 2};
    private static final long DEPOSIT = 1_000;

    /** The last TransferStatus and TransferList an engine answered. */
    static final class Answers implements EngineListener
    {
        RejectReason result;
        TransferState state;
        int pendingCount;
        final List<long[]> listed = new ArrayList<>();
        long nextTransferId;

        public void onTransferStatus(
            final long correlationId, final long transferId, final TransferStep step, final RejectReason result,
            final TransferState state, final long accountId, final int assetId, final long amount, final int fromSegment,
            final int toSegment, final int pendingCount, final long time)
        {
            this.result = result;
            this.state = state;
            this.pendingCount = pendingCount;
        }

        public void onTransferListBegin(
            final long correlationId, final RejectReason result, final int pendingCount, final long nextTransferId,
            final int count, final long time)
        {
            listed.clear();
            this.nextTransferId = nextTransferId;
        }

        public void onTransferListEntry(
            final long transferId, final long accountId, final int assetId, final long amount, final int fromSegment,
            final int toSegment)
        {
            listed.add(new long[]{transferId, accountId, assetId, amount, fromSegment, toSegment});
        }

        public void onExecutionReport(
            final OrderView order, final io.keel.codecs.ExecType execType, final RejectReason reason, final long execId,
            final long time)
        {
        }

        public void onFill(
            final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId, final long time)
        {
        }

        public void onCancelReject(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId, final long origClOrdId,
            final long orderId, final int instrumentId, final io.keel.codecs.CancelRejectResponseTo responseTo,
            final RejectReason reason, final long time)
        {
        }

        public void onMassCancelReport(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId,
            final io.keel.codecs.MassCancelScope scope, final int instrumentId, final int canceledCount,
            final RejectReason reason, final long time)
        {
        }

        public void onSessionStatus(
            final long gatewayLink, final long sessionId, final long accountId, final int gatewayId,
            final io.keel.codecs.SessionState state, final RejectReason reason, final long nextSeqNo, final long time)
        {
        }

        public void onTrade(
            final int instrumentId, final long mdSeqNo, final long tradeId, final long price, final long quantity,
            final io.keel.codecs.Side aggressorSide, final long time)
        {
        }

        public void onBookUpdate(
            final int instrumentId, final long mdSeqNo, final io.keel.codecs.Side side, final long price,
            final long quantity, final int orderCount, final long time)
        {
        }

        public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
        {
        }
    }

    /** A transfer's content: account, amount, from, to. */
    record Content(long accountId, long amount, int from, int to)
    {
    }

    private final EngineContext context = small().maxPendingTransfers(4).maxRememberedTransfers(6);
    private final Engine[] engines = new Engine[SEGMENTS];
    private final Answers[] answers = new Answers[SEGMENTS];
    private long time = 1;

    private void setUp()
    {
        for (int s = 0; s < SEGMENTS; s++)
        {
            answers[s] = new Answers();
            engines[s] = new Engine(context, answers[s]);
            for (final long account : ACCOUNTS)
            {
                engines[s].createAccount(0, account, time);
                engines[s].deposit(0, account, ASSET, DEPOSIT, time);
            }
        }
    }

    /**
     * An engine sized for a few accounts (quick to make, hundreds of times per property), with the default transfer
     * bounds: a snapshot's bounds must win over them.
     */
    private static EngineContext small()
    {
        return new EngineContext().maxOrders(64).initialOrders(16).maxClOrdIds(64).initialClOrdIds(16).maxAccounts(64);
    }

    private RejectReason step(final int segment, final TransferStep step, final long id, final Content c)
    {
        engines[segment].transfer(7, id, c.accountId, ASSET, c.amount, step, c.from, c.to, ++time);
        engines[segment].verifyInvariants();
        return answers[segment].result;
    }

    static long conservedTotal(final Engine[] engines, final int asset)
    {
        return conservedTotal(engines, asset, java.util.Set.of());
    }

    /**
     * Over every segment: balances plus the pending transfers their destination has not credited (by its state, or
     * by the coordinator's knowledge: a destination may have forgotten a credited id, see {@link Transfers}).
     */
    static long conservedTotal(final Engine[] engines, final int asset, final java.util.Set<Long> creditedIds)
    {
        long total = 0;
        for (final Engine engine : engines)
        {
            for (final Transfers.Transfer t : engine.transfers.byId.values())
            {
                if (t.state == TransferState.PENDING && t.assetId == asset &&
                    engines[t.toSegment].transferState(t.transferId) != TransferState.CREDITED &&
                    !creditedIds.contains(t.transferId))
                {
                    total += t.amount;
                }
            }
            for (final Account account : engine.accounts.byId.values())
            {
                total += account.assetCapacity() > asset ? account.total(asset) : 0;
            }
        }
        return total;
    }

    private long expectedTotal()
    {
        return SEGMENTS * ACCOUNTS.length * DEPOSIT;
    }

    @Property(tries = 200)
    void shouldConserveMoneyThroughAnySequenceOfStepsRepeatsAndReloads(
        @ForAll @Size(min = 1, max = 80) final List<@IntRange(min = 0, max = 9999) Integer> ops)
    {
        setUp();
        final Map<Long, Content> contents = new HashMap<>();
        final Map<Long, Boolean> debited = new HashMap<>();
        final Map<Long, Boolean> credited = new HashMap<>();
        final List<Object[]> sent = new ArrayList<>(); // late duplicates: {segment, step, id, content}
        long nextId = 1;
        for (final int op : ops)
        {
            final int kind = op % 10;
            final int pick = op / 10;
            final long id = contents.isEmpty() || kind == 0 ? nextId : 1 + pick % (nextId - 1 > 0 ? nextId - 1 : 1);
            if (kind == 0 || !contents.containsKey(id))
            {
                // A new transfer, debited in its source.
                final int from = pick % SEGMENTS;
                final int to = (from + 1 + pick % (SEGMENTS - 1)) % SEGMENTS;
                final Content c = new Content(ACCOUNTS[pick % 2], 1 + pick % 700, from, to);
                contents.put(nextId, c);
                final RejectReason r = step(from, TransferStep.DEBIT, nextId, c);
                debited.put(nextId, r == RejectReason.NONE);
                sent.add(new Object[]{from, TransferStep.DEBIT, nextId, c});
                nextId++;
            }
            else
            {
                final Content c = contents.get(id);
                switch (kind)
                {
                    case 1, 2 ->
                    {
                        if (debited.get(id))
                        {
                            final RejectReason r = step(c.to, TransferStep.CREDIT, id, c);
                            if (r == RejectReason.NONE || r == RejectReason.ALREADY_APPLIED)
                            {
                                credited.put(id, true);
                            }
                            sent.add(new Object[]{c.to, TransferStep.CREDIT, id, c});
                        }
                    }
                    case 3 ->
                    {
                        if (credited.getOrDefault(id, false))
                        {
                            final RejectReason r = step(c.from, TransferStep.CONFIRM, id, c);
                            assertTrue(r == RejectReason.NONE || r == RejectReason.ALREADY_APPLIED ||
                                r == RejectReason.TRANSFER_FORGOTTEN, "confirm after credit: " + r);
                            sent.add(new Object[]{c.from, TransferStep.CONFIRM, id, c});
                        }
                    }
                    case 4, 5 ->
                    {
                        // A late duplicate of anything sent before.
                        final Object[] again = sent.get(pick % sent.size());
                        final Content ac = (Content)again[3];
                        final long before = conservedTotal(engines, ASSET, credited.keySet());
                        final long balance = balanceOf(ac.accountId);
                        final RejectReason r = step((int)again[0], (TransferStep)again[1], (long)again[2], ac);
                        if (r == RejectReason.ALREADY_APPLIED)
                        {
                            assertEquals(balance, balanceOf(ac.accountId), "a repeat changes no balance");
                        }
                        assertEquals(before, conservedTotal(engines, ASSET, credited.keySet()));
                    }
                    case 6 ->
                    {
                        // The same id with other content where a segment holds it: refused. Where it holds nothing, a
                        // misrouted CONFIRM: refused. Nothing moves either way.
                        final int segment = pick % SEGMENTS;
                        final long balance = balanceOf(c.accountId);
                        if (engines[segment].transferState(id) != TransferState.NONE)
                        {
                            final Content other = new Content(c.accountId, c.amount + 1, c.from, c.to);
                            final TransferStep s = pick % 2 == 0 ? TransferStep.DEBIT : TransferStep.CREDIT;
                            assertEquals(RejectReason.TRANSFER_MISMATCH, step(segment, s, id, other));
                        }
                        else
                        {
                            final RejectReason r = step(segment, TransferStep.CONFIRM, id, c);
                            assertTrue(r == RejectReason.UNKNOWN_TRANSFER || r == RejectReason.TRANSFER_FORGOTTEN, r::name);
                        }
                        assertEquals(balance, balanceOf(c.accountId));
                    }
                    case 7 ->
                    {
                        final int segment = pick % SEGMENTS;
                        engines[segment].transfer(9, 0, 0, 0, 0, TransferStep.LIST, 0, 0, ++time);
                        assertEquals(engines[segment].pendingTransferCount(),
                            Math.min(answers[segment].listed.size(), Transfers.LIST_PAGE));
                    }
                    default ->
                    {
                        // A segment restarts from its snapshot: the same state, byte for byte.
                        final int segment = pick % SEGMENTS;
                        final long hash = engines[segment].stateHash();
                        final Engine reloaded = new Engine(small(), answers[segment]);
                        assertTrue(Snapshots.load(Snapshots.of(engines[segment]), reloaded));
                        assertEquals(hash, reloaded.stateHash());
                        reloaded.verifyInvariants();
                        engines[segment] = reloaded;
                    }
                }
            }
            assertEquals(expectedTotal(), conservedTotal(engines, ASSET, credited.keySet()), "money conserved after op " + op);
        }
        // Recovery: every pending transfer is credited (a repeat where it was) and confirmed.
        for (int s = 0; s < SEGMENTS; s++)
        {
            for (final long id : engines[s].transfers.sortedPendingIds(0))
            {
                final Transfers.Transfer t = engines[s].transfers.byId.get(id);
                final Content c = new Content(t.accountId, t.amount, t.fromSegment, t.toSegment);
                final RejectReason credit = step(t.toSegment, TransferStep.CREDIT, id, c);
                if (credit == RejectReason.NONE || credit == RejectReason.ALREADY_APPLIED)
                {
                    assertEquals(RejectReason.NONE, step(s, TransferStep.CONFIRM, id, c));
                }
                assertEquals(expectedTotal(), conservedTotal(engines, ASSET, credited.keySet()));
            }
        }
    }

    private long balanceOf(final long accountId)
    {
        long sum = 0;
        for (final Engine engine : engines)
        {
            sum += engine.balance(accountId, ASSET);
        }
        return sum;
    }

    @Test
    void shouldMoveFundsOnceAndAnswerRepeatsAsAlreadyApplied()
    {
        setUp();
        final Content c = new Content(1, 300, 0, 1);
        assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, 10, c));
        assertEquals(TransferState.PENDING, answers[0].state);
        assertEquals(1, answers[0].pendingCount);
        assertEquals(DEPOSIT - 300, engines[0].balance(1, ASSET));
        assertEquals(300, engines[0].pendingTransferAmount(ASSET));
        assertEquals(RejectReason.ALREADY_APPLIED, step(0, TransferStep.DEBIT, 10, c));
        assertEquals(DEPOSIT - 300, engines[0].balance(1, ASSET));

        assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, 10, c));
        assertEquals(RejectReason.ALREADY_APPLIED, step(1, TransferStep.CREDIT, 10, c));
        assertEquals(DEPOSIT + 300, engines[1].balance(1, ASSET));
        assertEquals(TransferState.CREDITED, engines[1].transferState(10));

        assertEquals(RejectReason.NONE, step(0, TransferStep.CONFIRM, 10, c));
        assertEquals(TransferState.COMPLETED, answers[0].state);
        assertEquals(0, answers[0].pendingCount);
        assertEquals(RejectReason.ALREADY_APPLIED, step(0, TransferStep.CONFIRM, 10, c));
        // A late DEBIT repeat after the confirm: already applied, never a second debit.
        assertEquals(RejectReason.ALREADY_APPLIED, step(0, TransferStep.DEBIT, 10, c));
        assertEquals(TransferState.COMPLETED, answers[0].state);
        assertEquals(DEPOSIT - 300, engines[0].balance(1, ASSET));
        assertEquals(expectedTotal(), conservedTotal(engines, ASSET));

        engines[0].transfer(1, 10, 0, 0, 0, TransferStep.QUERY, 0, 0, ++time);
        assertEquals(RejectReason.NONE, answers[0].result);
        assertEquals(TransferState.COMPLETED, answers[0].state);
        engines[2].transfer(1, 10, 0, 0, 0, TransferStep.QUERY, 0, 0, ++time);
        assertEquals(RejectReason.UNKNOWN_TRANSFER, answers[2].result);
    }

    @Test
    void shouldRefuseMismatchesMisroutesAndBadRequests()
    {
        setUp();
        final Content c = new Content(1, 300, 0, 1);
        assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, 10, c));
        assertEquals(RejectReason.TRANSFER_MISMATCH, step(0, TransferStep.DEBIT, 10, new Content(1, 301, 0, 1)));
        assertEquals(RejectReason.TRANSFER_MISMATCH, step(0, TransferStep.DEBIT, 10, new Content(2, 300, 0, 1)));
        assertEquals(RejectReason.TRANSFER_MISMATCH, step(0, TransferStep.CREDIT, 10, c), "a credit where it was debited");
        assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, 10, c));
        assertEquals(RejectReason.TRANSFER_MISMATCH, step(1, TransferStep.CONFIRM, 10, c), "a confirm where it was credited");
        assertEquals(RejectReason.TRANSFER_MISMATCH, step(0, TransferStep.CONFIRM, 10, new Content(1, 299, 0, 1)));
        assertEquals(RejectReason.UNKNOWN_TRANSFER, step(0, TransferStep.CONFIRM, 11, c));
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, step(0, TransferStep.DEBIT, 12, new Content(1, DEPOSIT, 0, 1)));
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, step(0, TransferStep.DEBIT, 12, new Content(99, 1, 0, 1)));
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, step(1, TransferStep.CREDIT, 12, new Content(99, 1, 0, 1)));
        assertEquals(RejectReason.INVALID_AMOUNT, step(0, TransferStep.DEBIT, 12, new Content(1, 0, 0, 1)));
        assertEquals(RejectReason.INVALID_AMOUNT, step(0, TransferStep.DEBIT, 12, new Content(1, -5, 0, 1)));
        assertEquals(RejectReason.INVALID_MESSAGE, step(0, TransferStep.DEBIT, 0, c));
        assertEquals(RejectReason.INVALID_MESSAGE, step(0, TransferStep.DEBIT, 12, new Content(1, 1, 0, 0)));
        assertEquals(RejectReason.INVALID_MESSAGE, step(0, TransferStep.NULL_VAL, 12, c));
        // Refusals leave nothing behind: id 12 is still free.
        assertEquals(TransferState.NONE, engines[0].transferState(12));
        assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, 12, new Content(1, 1, 0, 2)));
        assertEquals(expectedTotal(), conservedTotal(engines, ASSET));
    }

    @Test
    void shouldRefuseDebitsPastThePendingBoundAndForgetTheOldestRememberedIdSafely()
    {
        setUp();
        for (long id = 1; id <= 4; id++)
        {
            assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, id, new Content(1, 10, 0, 1)));
        }
        assertEquals(RejectReason.TRANSFER_LIMIT_REACHED, step(0, TransferStep.DEBIT, 5, new Content(1, 10, 0, 1)));
        assertEquals(DEPOSIT - 40, engines[0].balance(1, ASSET));

        // The destination remembers 6 credited ids; the 7th credit forgets id 1 (the oldest).
        for (long id = 1; id <= 4; id++)
        {
            assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, id, new Content(1, 10, 0, 1)));
            assertEquals(RejectReason.NONE, step(0, TransferStep.CONFIRM, id, new Content(1, 10, 0, 1)));
        }
        assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, 5, new Content(1, 10, 0, 1)), "room again");
        for (long id = 20; id <= 22; id++)
        {
            assertEquals(RejectReason.NONE, step(2, TransferStep.DEBIT, id, new Content(2, 10, 2, 1)));
            assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, id, new Content(2, 10, 2, 1)));
        }
        assertEquals(TransferState.NONE, engines[1].transferState(1));
        assertEquals(1, engines[1].transfers.forgottenUpTo);
        final long balance = engines[1].balance(1, ASSET);
        // A late repeat of the forgotten credit is refused, never applied again.
        assertEquals(RejectReason.TRANSFER_FORGOTTEN, step(1, TransferStep.CREDIT, 1, new Content(1, 10, 0, 1)));
        assertEquals(balance, engines[1].balance(1, ASSET));
        assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, 5, new Content(1, 10, 0, 1)), "an id above it is new");
        assertEquals(expectedTotal(), conservedTotal(engines, ASSET));

        // The bounds and the forgotten mark travel in the snapshot.
        final Engine reloaded = new Engine(new EngineContext(), new Answers());
        assertTrue(Snapshots.load(Snapshots.of(engines[1]), reloaded));
        assertEquals(engines[1].stateHash(), reloaded.stateHash());
        assertEquals(6, reloaded.transfers.maxRemembered);
        assertEquals(4, reloaded.transfers.maxPending);
        assertEquals(engines[1].transfers.forgottenUpTo, reloaded.transfers.forgottenUpTo);
    }

    @Test
    void shouldWriteNoTransferStateForAnEngineThatNeverSawOne()
    {
        final Engine plain = new Engine(new Answers());
        plain.createAccount(0, 1, 1);
        final int before = Snapshots.of(plain).size();
        plain.transfer(1, 5, 0, 0, 0, TransferStep.QUERY, 0, 0, 2);
        assertEquals(before, Snapshots.of(plain).size(), "a query changes nothing");
        plain.deposit(0, 1, ASSET, 10, 3);
        plain.transfer(1, 5, 1, ASSET, 4, TransferStep.DEBIT, 0, 1, 4);
        assertEquals(before + 1, Snapshots.of(plain).size());
    }

    @Test
    void shouldPageTheListOfPendingTransfersById()
    {
        final Answers listener = new Answers();
        final Engine engine = new Engine(new EngineContext().maxPendingTransfers(200), listener);
        engine.createAccount(0, 1, 1);
        engine.deposit(0, 1, ASSET, 1_000, 1);
        for (long id = 150; id > 0; id--)
        {
            engine.transfer(1, id, 1, ASSET, 1, TransferStep.DEBIT, 0, 1, 2);
            assertEquals(RejectReason.NONE, listener.result);
        }
        final List<Long> seen = new ArrayList<>();
        long after = 0;
        do
        {
            engine.transfer(1, after, 0, 0, 0, TransferStep.LIST, 0, 0, 3);
            assertTrue(listener.listed.size() <= Transfers.LIST_PAGE);
            listener.listed.forEach((t) -> seen.add(t[0]));
            after = listener.nextTransferId;
        }
        while (after != 0);
        assertEquals(150, seen.size());
        for (int i = 0; i < seen.size(); i++)
        {
            assertEquals(i + 1, seen.get(i));
        }
    }

    /**
     * The checker can fail: a coordinator bug planted here (a recovery that credits a second time under a new id)
     * makes the total differ, and a checker that ignores pending transfers sees a debit as money lost.
     */
    @Test
    void shouldCatchAPlantedDoubleCreditAndAPlantedCheckerThatIgnoresPending()
    {
        setUp();
        final Content c = new Content(1, 300, 0, 1);
        assertEquals(RejectReason.NONE, step(0, TransferStep.DEBIT, 10, c));
        long ignoringPending = 0;
        for (final Engine engine : engines)
        {
            ignoringPending += engine.balance(1, ASSET) + engine.balance(2, ASSET);
        }
        assertNotEquals(expectedTotal(), ignoringPending, "a checker blind to pending transfers fails mid-transfer");
        assertEquals(expectedTotal(), conservedTotal(engines, ASSET));

        assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, 10, c));
        assertEquals(RejectReason.NONE, step(1, TransferStep.CREDIT, 10_000 + 10, c)); // the planted bug
        assertEquals(RejectReason.NONE, step(0, TransferStep.CONFIRM, 10, c));
        assertNotEquals(expectedTotal(), conservedTotal(engines, ASSET), "the conservation check catches it");
        assertThrows(AssertionError.class, () -> assertEquals(expectedTotal(), conservedTotal(engines, ASSET)));
    }
}
