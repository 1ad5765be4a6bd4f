package io.keel.engine;

import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.DepositDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.WithdrawDecoder;
import io.keel.engine.Events.AdminResponse;
import org.junit.jupiter.api.Test;

import static io.keel.engine.TestBed.BTC;
import static io.keel.engine.TestBed.ETH;
import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accounts, deposits, withdrawals and the balances that trading moves.
 */
class AccountsTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create();

    @Test
    void shouldCreateAccountAndAnswerWithCorrelationAndTemplate()
    {
        bed.events.clear();
        bed.engine.createAccount(77, ALICE, 5_000);

        assertEquals(new AdminResponse(77, CreateAccountDecoder.TEMPLATE_ID, RejectReason.NONE, 5_000), bed.events.lastAdmin());
        assertTrue(bed.engine.hasAccount(ALICE));
        assertEquals(1, bed.engine.accountCount());
        assertEquals(0, bed.balance(ALICE, USD));
    }

    @Test
    void shouldRejectExistingAccount()
    {
        bed.createAccount(ALICE);

        assertEquals(RejectReason.ACCOUNT_EXISTS, bed.createAccount(ALICE));
        assertEquals(1, bed.engine.accountCount());
    }

    @Test
    void shouldRejectNonPositiveAccountId()
    {
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.createAccount(0));
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.createAccount(-5));
        assertFalse(bed.engine.hasAccount(0));
    }

    @Test
    void shouldRejectAccountsBeyondMaxAccounts()
    {
        final TestBed small = TestBed.create(new EngineContext().maxAccounts(2));
        small.createAccount(1);
        small.createAccount(2);

        assertEquals(RejectReason.ACCOUNT_LIMIT_REACHED, small.createAccount(3));
        assertFalse(small.engine.hasAccount(3));
    }

    @Test
    void shouldDepositAndWithdraw()
    {
        bed.createAccount(ALICE);
        bed.events.clear();
        bed.engine.deposit(8, ALICE, USD, 1_000, bed.tick());
        assertEquals(new AdminResponse(8, DepositDecoder.TEMPLATE_ID, RejectReason.NONE, bed.time), bed.events.lastAdmin());

        bed.events.clear();
        bed.engine.withdraw(9, ALICE, USD, 400, bed.tick());
        assertEquals(new AdminResponse(9, WithdrawDecoder.TEMPLATE_ID, RejectReason.NONE, bed.time), bed.events.lastAdmin());

        assertEquals(600, bed.balance(ALICE, USD));
    }

    @Test
    void shouldRejectDepositToUnknownAccount()
    {
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.deposit(ALICE, USD, 10));
        assertEquals(RejectReason.UNKNOWN_ACCOUNT, bed.withdraw(ALICE, USD, 10));
    }

    @Test
    void shouldRejectInvalidAsset()
    {
        final TestBed small = TestBed.create(new EngineContext().maxAssets(8));
        small.createAccount(ALICE);

        assertEquals(RejectReason.INVALID_ASSET, small.deposit(ALICE, -1, 10));
        assertEquals(RejectReason.INVALID_ASSET, small.deposit(ALICE, 8, 10));
        assertEquals(RejectReason.INVALID_ASSET, small.withdraw(ALICE, 8, 10));
        assertEquals(RejectReason.NONE, small.deposit(ALICE, 7, 10));
        assertEquals(10, small.balance(ALICE, 7));
    }

    @Test
    void shouldRejectNonPositiveOrOverflowingAmount()
    {
        bed.createAccount(ALICE);
        bed.createAccount(BOB);

        assertEquals(RejectReason.INVALID_AMOUNT, bed.deposit(ALICE, USD, 0));
        assertEquals(RejectReason.INVALID_AMOUNT, bed.deposit(ALICE, USD, -10));
        assertEquals(RejectReason.INVALID_AMOUNT, bed.withdraw(ALICE, USD, 0));
        assertEquals(RejectReason.NONE, bed.deposit(ALICE, USD, Long.MAX_VALUE - 5));
        assertEquals(RejectReason.INVALID_AMOUNT, bed.deposit(BOB, USD, 10), "the asset's total would overflow");
        assertEquals(0, bed.balance(BOB, USD));
    }

    @Test
    void shouldRejectWithdrawalOfMoreThanAvailable()
    {
        bed.account(ALICE, 1_000, 10);

        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.withdraw(ALICE, USD, 1_001));
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.withdraw(ALICE, ETH, 1));
        assertEquals(1_000, bed.balance(ALICE, USD));
    }

    @Test
    void shouldNotWithdrawWhatOpenOrdersReserve()
    {
        bed.account(ALICE, 1_000, 10);
        final long bid = bed.buy(ALICE, 11, 100, 6);
        bed.sell(ALICE, 12, 200, 4);

        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.withdraw(ALICE, USD, 401));
        assertEquals(RejectReason.INSUFFICIENT_FUNDS, bed.withdraw(ALICE, BTC, 7));
        assertEquals(RejectReason.NONE, bed.withdraw(ALICE, USD, 400));
        assertEquals(RejectReason.NONE, bed.withdraw(ALICE, BTC, 6));

        bed.cancel(ALICE, 13, bid);
        assertEquals(600, bed.reserved(ALICE, USD) + bed.available(ALICE, USD));
        assertEquals(RejectReason.NONE, bed.withdraw(ALICE, USD, 600));
        assertEquals(0, bed.balance(ALICE, USD));
    }

    @Test
    void shouldMoveBothLegsOnEveryFillAndConserveTotals()
    {
        bed.account(ALICE, 10_000, 0).account(BOB, 0, 100);
        bed.sell(BOB, 21, 101, 30);
        bed.sell(BOB, 22, 103, 30);

        bed.buy(ALICE, 11, 103, 50);

        // 30 at 101 and 20 at 103; the buy reserved at 103 and got 2 per unit back on the first 30.
        assertEquals(10_000 - 30 * 101 - 20 * 103, bed.balance(ALICE, USD));
        assertEquals(50, bed.balance(ALICE, BTC));
        assertEquals(0, bed.reserved(ALICE, USD));
        assertEquals(30 * 101 + 20 * 103, bed.balance(BOB, USD));
        assertEquals(50, bed.balance(BOB, BTC));
        assertEquals(10, bed.reserved(BOB, BTC));
        assertEquals(10_000, bed.balance(ALICE, USD) + bed.balance(BOB, USD));
        assertEquals(100, bed.balance(ALICE, BTC) + bed.balance(BOB, BTC));
    }

    @Test
    void shouldReportZeroBalanceForUnknownAccountOrAsset()
    {
        bed.account(ALICE, 10, 0);

        assertEquals(0, bed.balance(99, USD));
        assertEquals(0, bed.balance(ALICE, 4_000));
        assertEquals(0, bed.reserved(ALICE, -1));
    }
}
