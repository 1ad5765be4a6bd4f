package io.keel.engine;

import org.junit.jupiter.api.Test;

import static io.keel.engine.TestBed.USD;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * verifyInvariants() is what the properties and the differential test lean on, so it must fail
 * when state is wrong. State is corrupted through package-private fields: there is no public way.
 */
class InvariantsTest
{
    private static final long ALICE = 1;
    private static final long BOB = 2;

    private final TestBed bed = TestBed.create().account(ALICE, 10_000, 100).account(BOB, 10_000, 100);
    private final long bid = bed.buy(ALICE, 11, 99, 10);
    private final long ask = bed.sell(BOB, 21, 101, 10);

    private void assertBroken(final String expectedWords)
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, bed.engine::verifyInvariants);
        assertTrue(ex.getMessage().contains(expectedWords), ex.getMessage());
    }

    @Test
    void shouldPassForStateTheEngineBuilt()
    {
        assertDoesNotThrow(bed.engine::verifyInvariants);
    }

    @Test
    void shouldDetectAssetCreatedFromNothing()
    {
        bed.engine.accounts.get(ALICE).balances[USD << 1] += 1;

        assertBroken("conservation");
    }

    @Test
    void shouldDetectReservationNotBackedByOpenOrders()
    {
        bed.engine.accounts.get(ALICE).balances[(USD << 1) + 1] += 1;

        assertBroken("open orders need");
    }

    @Test
    void shouldDetectNegativeBalanceEvenWhenTotalsAreConserved()
    {
        bed.engine.accounts.get(ALICE).balances[USD << 1] -= 20_000;
        bed.engine.accounts.get(BOB).balances[USD << 1] += 20_000;

        assertBroken("account " + ALICE);
    }

    @Test
    void shouldDetectCrossedBook()
    {
        final Order order = bed.engine.orders.get(ask);
        order.level.price = 98;
        order.price = 98;

        assertBroken("crossed");
    }

    @Test
    void shouldDetectLevelAggregateThatDisagreesWithItsOrders()
    {
        bed.engine.orders.get(bid).level.quantity += 1;

        assertBroken("aggregates");
    }
}
