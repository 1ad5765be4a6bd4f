package io.keel.chaos;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conservation check across segments against hand-built end states: two segments, accounts 1 and 2 funded in
 * both, a trade in segment 1 moving money between them, transfers between the segments. A clean state passes (also
 * with a transfer still in flight); each planted bug — a transfer credited twice, a debit that vanished, a credit
 * nobody debited, a fill applied to one side only — fails.
 */
class MoneyConservationTest
{
    private static final int BASE = 1;
    private static final int QUOTE = 2;

    /**
     * Deposits 1000 base and 100000 quote per account per segment; in segment 1, account 1 buys 10 base from account 2
     * for 1000 quote; transfer 7 moves 5000 quote of account 1 from segment 0 to segment 1 (complete).
     */
    private static MoneyConservation clean()
    {
        final MoneyConservation money = new MoneyConservation(2);
        for (int segment = 0; segment < 2; segment++)
        {
            for (long account = 1; account <= 2; account++)
            {
                money.deposit(segment, account, BASE, 1_000).deposit(segment, account, QUOTE, 100_000);
            }
        }
        money.balance(0, 1, BASE, 1_000).balance(0, 1, QUOTE, 95_000)
            .balance(0, 2, BASE, 1_000).balance(0, 2, QUOTE, 100_000)
            .balance(1, 1, BASE, 1_010).balance(1, 1, QUOTE, 104_000)
            .balance(1, 2, BASE, 990).balance(1, 2, QUOTE, 101_000)
            .transfer(new MoneyConservation.Transfer(7, 1, QUOTE, 5_000, 0, 1, true, true))
            .moved(1, BASE, 10).moved(1, QUOTE, -1_000).moved(2, BASE, -10).moved(2, QUOTE, 1_000);
        return money;
    }

    @Test
    void shouldPassWhenEveryTransferAndTradeConservesMoney()
    {
        final CheckResult result = clean().check();
        assertTrue(result.passed(), String.join("\n", result.violations));
        assertEquals(4, result.accountsChecked);
    }

    @Test
    void shouldPassWithATransferDebitedAndNotYetCredited()
    {
        final MoneyConservation money = clean();
        // Transfer 8: 2000 quote of account 2 debited in segment 1, its credit in segment 0 not applied yet.
        money.balance(1, 2, QUOTE, -2_000).transfer(new MoneyConservation.Transfer(8, 2, QUOTE, 2_000, 1, 0, true, false));
        final CheckResult result = money.check();
        assertTrue(result.passed(), String.join("\n", result.violations));
        assertEquals(1, money.inFlight());
    }

    @Test
    void shouldFailWhenATransferIsCreditedTwice()
    {
        // The planted bug: segment 1 applied transfer 7's credit a second time.
        final MoneyConservation money = clean().balance(1, 1, QUOTE, 5_000);
        final CheckResult result = money.check();
        assertFalse(result.passed());
        assertTrue(result.violations.stream().anyMatch((v) -> v.contains("asset 2") && v.contains("5000 created")),
            String.join("\n", result.violations));
        assertTrue(result.violations.stream().anyMatch((v) -> v.contains("account 1 asset 2") && v.contains("difference 5000")),
            String.join("\n", result.violations));
    }

    @Test
    void shouldFailWhenADebitIsLostInFlight()
    {
        // Debited in segment 1 (the balance shows it) but no segment knows the transfer any more: the money is gone.
        final MoneyConservation money = clean().balance(1, 2, QUOTE, -2_000);
        final CheckResult result = money.check();
        assertFalse(result.passed());
        assertTrue(result.violations.stream().anyMatch((v) -> v.contains("2000 lost")), String.join("\n", result.violations));
    }

    @Test
    void shouldFailWhenACreditWasNeverDebited()
    {
        final MoneyConservation money = clean().balance(0, 2, BASE, 300)
            .transfer(new MoneyConservation.Transfer(9, 2, BASE, 300, 1, 0, false, true));
        final CheckResult result = money.check();
        assertFalse(result.passed());
        assertTrue(result.violations.stream().anyMatch((v) -> v.contains("transfer 9") && v.contains("never debited")),
            String.join("\n", result.violations));
    }

    @Test
    void shouldFailPerAccountWhenTotalsBalanceButAnAccountIsWrong()
    {
        // Account 1's fill credited to account 2 instead: the asset totals still hold, the accounts do not.
        final MoneyConservation money = clean().balance(1, 1, BASE, -10).balance(1, 2, BASE, 10);
        final CheckResult result = money.check();
        assertFalse(result.passed());
        assertEquals(2, result.count(Anomaly.MONEY), String.join("\n", result.violations));
    }
}
