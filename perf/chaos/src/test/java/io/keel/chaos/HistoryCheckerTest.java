package io.keel.chaos;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history checker against small hand-built histories: two clients (accounts 1 and 2) trading one instrument,
 * each anomaly planted once; a clean history passes.
 */
class HistoryCheckerTest
{
    private static final long BASE = 1_000;
    private static final long QUOTE = 1_000_000;

    private final HistoryBuilder c1 = new HistoryBuilder(1);
    private final HistoryBuilder c2 = new HistoryBuilder(2);
    private final EngineEndState engine = new EngineEndState("engine");

    /**
     * c1 buys 5@100 (rests); c2 sells 3@100 IOC and takes 3 of it; c1 sells 2@105 and cancels it; the end-of-run
     * ORDER_STATUS confirms c1's resting buy.
     */
    private ChaosOrder cleanHistory()
    {
        final ChaosOrder buy = c1.order(Side.BUY, TimeInForce.GTC, 100, 5);
        final ChaosOrder sell = c2.order(Side.SELL, TimeInForce.IOC, 100, 3);
        c1.acked(buy, 1);
        c2.acked(sell, 2).trade(sell, 11, 3, 100, 3);
        c1.trade(buy, 12, 3, 100, 3);
        final ChaosOrder ask = c1.order(Side.SELL, TimeInForce.GTC, 105, 2);
        c1.acked(ask, 3).canceled(ask, 0);
        c1.status(buy, OrdStatus.PARTIALLY_FILLED, 2, 3);
        engine.rest(1, buy.clOrdId, 1, 1, Side.BUY, 100, 5, 2)
            .balances(1, BASE + 3, QUOTE - 300)
            .balances(2, BASE - 3, QUOTE + 300);
        return buy;
    }

    private CheckResult check()
    {
        return HistoryChecker.check(engine, List.of(c1.session, c2.session), BASE, QUOTE);
    }

    private static void assertKinds(final CheckResult result, final Anomaly... kinds)
    {
        assertEquals(Set.of(kinds), result.kinds.keySet(), String.join("\n", result.violations));
    }

    private static void assertMessage(final CheckResult result, final String... parts)
    {
        for (final String violation : result.violations)
        {
            boolean all = true;
            for (final String part : parts)
            {
                all &= violation.contains(part);
            }
            if (all)
            {
                return;
            }
        }
        throw new AssertionError("no violation says " + List.of(parts) + ": " + result.violations);
    }

    @Test
    void shouldPassCleanHistory()
    {
        cleanHistory();
        c2.session.received(0, "BUSINESS_REJECT clOrdId=9 reason=UNAVAILABLE"); // a gateway's own, unnumbered

        final CheckResult result = check();

        assertKinds(result);
        assertEquals(0, result.lost + result.duplicated + result.reportsLost);
        assertEquals(2, result.accountsChecked);
    }

    @Test
    void shouldFlagAcknowledgedOrderThatVanishesWithoutReport()
    {
        cleanHistory();
        final ChaosOrder bid = c1.order(Side.BUY, TimeInForce.GTC, 99, 4);
        c1.acked(bid, 4);
        // The engine dropped it silently: only the end-of-run answer says it is gone.
        c1.status(bid, OrdStatus.NEW, 0, 0);

        final CheckResult result = check();

        assertKinds(result, Anomaly.VANISHED, Anomaly.CONTRADICTORY_STATUS);
        assertMessage(result, "vanished: c1 clOrdId=3 BUY GTC 4@99 orderId=4", "acknowledged and open",
            "ORDER_STATUS status=NEW leaves=0 cum=0", "no CANCELED, EXPIRED or TRADE report");
        assertMessage(result, "contradictory-status", "status NEW needs leaves > 0");
        assertEquals(1, result.lost);
        assertEquals(1, result.reportsLost);
    }

    @Test
    void shouldTakeUnknownOrderAnswerAsNoNewsForAnEndedOrder()
    {
        cleanHistory();
        final ChaosOrder ask = c1.session.orders.get(1);
        c1.status(ask, OrdStatus.REJECTED, 0, 0); // the engine has forgotten the canceled order

        assertKinds(check());
    }

    @Test
    void shouldFlagOpenOrderTheEngineDoesNotKnow()
    {
        cleanHistory();
        final ChaosOrder bid = c1.order(Side.BUY, TimeInForce.GTC, 99, 4);
        c1.acked(bid, 4).status(bid, OrdStatus.REJECTED, 0, 0);

        final CheckResult result = check();

        assertKinds(result, Anomaly.VANISHED);
        assertMessage(result, "vanished: c1 clOrdId=3", "then the engine does not know it: ORDER_STATUS status=REJECTED");
    }

    @Test
    void shouldFlagAcknowledgedOrderMissingFromEngineWithoutAnyAnswer()
    {
        cleanHistory();
        final ChaosOrder bid = c1.order(Side.BUY, TimeInForce.GTC, 99, 4);
        c1.acked(bid, 4);

        final CheckResult result = check();

        assertKinds(result, Anomaly.VANISHED);
        assertMessage(result, "c1 clOrdId=3", "engine does not rest it and no report said it ended");
        assertEquals(1, result.lost);
    }

    @Test
    void shouldFlagLostFillReport()
    {
        final ChaosOrder buy = c1.order(Side.BUY, TimeInForce.GTC, 100, 5);
        final ChaosOrder sell = c2.order(Side.SELL, TimeInForce.IOC, 100, 3);
        c1.acked(buy, 1);
        c2.acked(sell, 2).trade(sell, 11, 3, 100, 3);
        c1.skip(); // the maker's TRADE 3@100 never arrives
        c1.status(buy, OrdStatus.PARTIALLY_FILLED, 2, 3);
        engine.rest(1, buy.clOrdId, 1, 1, Side.BUY, 100, 5, 2)
            .balances(1, BASE + 3, QUOTE - 300)
            .balances(2, BASE - 3, QUOTE + 300);

        final CheckResult result = check();

        assertKinds(result, Anomaly.FILL_NOT_DELIVERED, Anomaly.SEQ_GAP, Anomaly.BALANCE);
        assertMessage(result, "fill-not-delivered: c1 clOrdId=1", "ORDER_STATUS status=PARTIALLY_FILLED leaves=2 cum=3",
            "received TRADE reports for 0: 3 filled without a report");
        assertMessage(result, "balance: engine account 1 holds base 1003 quote 999700",
            "make base 1000 quote 1000000");
        assertEquals(1, result.reportsLost, "one report: the gap and the missing fill are the same loss");
    }

    @Test
    void shouldFlagLostFinalFillAsNotDeliveredRatherThanVanished()
    {
        final ChaosOrder buy = c1.order(Side.BUY, TimeInForce.GTC, 100, 3);
        final ChaosOrder sell = c2.order(Side.SELL, TimeInForce.IOC, 100, 3);
        c1.acked(buy, 1);
        c2.acked(sell, 2).trade(sell, 11, 3, 100, 3);
        c1.skip();
        c1.status(buy, OrdStatus.FILLED, 0, 3);
        engine.balances(1, BASE + 3, QUOTE - 300).balances(2, BASE - 3, QUOTE + 300);

        final CheckResult result = check();

        assertKinds(result, Anomaly.FILL_NOT_DELIVERED, Anomaly.SEQ_GAP, Anomaly.BALANCE);
        assertEquals(0, result.lost);
    }

    @Test
    void shouldFlagSeqGap()
    {
        cleanHistory();
        c2.skip().skip().other("CANCEL_REJECT clOrdId=7 orderId=2");

        final CheckResult result = check();

        assertKinds(result, Anomaly.SEQ_GAP);
        assertMessage(result, "seq-gap: c2: seqNo 5 (CANCEL_REJECT clOrdId=7 orderId=2) after seqNo 2",
            "seqNos 3..4 never received");
        assertEquals(2, result.reportsLost);
    }

    @Test
    void shouldFlagSeqGapAtTheStart()
    {
        cleanHistory();
        final HistoryBuilder c3 = new HistoryBuilder(3);
        c3.seqNo(3).other("CANCEL_REJECT clOrdId=1 orderId=0");
        engine.balances(3, BASE, QUOTE);

        final CheckResult result = HistoryChecker.check(engine, List.of(c1.session, c2.session, c3.session), BASE, QUOTE);

        assertKinds(result, Anomaly.SEQ_GAP);
        assertMessage(result, "c3: seqNo 3", "after the start: seqNos 1..2 never received");
    }

    @Test
    void shouldFlagSeqRepeat()
    {
        cleanHistory();
        c2.seqNo(2).other("CANCEL_REJECT clOrdId=7 orderId=2");

        final CheckResult result = check();

        assertKinds(result, Anomaly.SEQ_REPEAT);
        assertMessage(result, "seq-repeat: c2: seqNo 2 (CANCEL_REJECT clOrdId=7 orderId=2) received after seqNo 2",
            "a second time");
        assertEquals(1, result.duplicated);
    }

    @Test
    void shouldFlagRenumberedRepeatOfFillAsRepeatAndDuplicateFill()
    {
        final ChaosOrder buy = cleanHistory();
        c1.seqNo(2).trade(buy, 12, 3, 100, 3); // a gateway that numbers afresh sends the fill again

        final CheckResult result = check();

        assertKinds(result, Anomaly.SEQ_REPEAT, Anomaly.DUPLICATE_FILL);
        assertMessage(result, "duplicate-fill: c1 clOrdId=1", "TRADE execId 12 received again");
    }

    @Test
    void shouldFlagDuplicatedFill()
    {
        final ChaosOrder buy = c1.order(Side.BUY, TimeInForce.GTC, 100, 5);
        final ChaosOrder sell = c2.order(Side.SELL, TimeInForce.IOC, 100, 3);
        c1.acked(buy, 1);
        c2.acked(sell, 2).trade(sell, 11, 3, 100, 3);
        c1.trade(buy, 12, 3, 100, 3).trade(buy, 13, 3, 100, 3); // a second fill the engine never applied
        engine.rest(1, buy.clOrdId, 1, 1, Side.BUY, 100, 5, 2)
            .balances(1, BASE + 3, QUOTE - 300)
            .balances(2, BASE - 3, QUOTE + 300);

        final CheckResult result = check();

        assertKinds(result, Anomaly.DUPLICATE_FILL, Anomaly.BALANCE);
        assertMessage(result, "duplicate-fill: c1 clOrdId=1", "TRADE status=PARTIALLY_FILLED leaves=2 cum=3",
            "received TRADE reports for 6: 3 too many");
        assertEquals(1, result.duplicated);
    }

    @Test
    void shouldFlagPhantomRestingOrderNoClientSent()
    {
        cleanHistory();
        engine.rest(99, 42, 2, 1, Side.SELL, 110, 1, 1);

        final CheckResult result = check();

        assertKinds(result, Anomaly.PHANTOM);
        assertMessage(result, "phantom: engine rests orderId=99 account=2 clOrdId=42", "which no client sent");
        assertEquals(1, result.duplicated);
    }

    @Test
    void shouldFlagPhantomRestingOrderItsClientNeverSawAcknowledged()
    {
        cleanHistory();
        final ChaosOrder ask = c2.order(Side.SELL, TimeInForce.GTC, 110, 1);
        engine.rest(4, ask.clOrdId, 2, 1, Side.SELL, 110, 1, 1);

        final CheckResult result = check();

        assertKinds(result, Anomaly.PHANTOM);
        assertMessage(result, "phantom: engine rests orderId=4 account=2 clOrdId=2", "c2 sent but never saw acknowledged");
        assertEquals(1, result.reportsLost);
    }

    @Test
    void shouldFlagContradictoryStatus()
    {
        final ChaosOrder buy = cleanHistory();
        c1.status(buy, OrdStatus.FILLED, 2, 3);

        final CheckResult result = check();

        assertKinds(result, Anomaly.CONTRADICTORY_STATUS);
        assertMessage(result, "contradictory-status: c1 clOrdId=1", "ORDER_STATUS status=FILLED leaves=2 cum=3",
            "status FILLED needs leaves = 0 and cum > 0");
    }

    @Test
    void shouldFlagOrderReopenedAfterItEnded()
    {
        cleanHistory();
        final ChaosOrder ask = c1.session.orders.get(1);
        c1.status(ask, OrdStatus.NEW, 2, 0);
        engine.rest(3, ask.clOrdId, 1, 1, Side.SELL, 105, 2, 2);

        final CheckResult result = check();

        assertKinds(result, Anomaly.CONTRADICTORY_STATUS);
        assertMessage(result, "c1 clOrdId=2", "open again after it ended (CANCELED");
    }

    @Test
    void shouldFlagOrderStillRestingAfterItsReportsEndedIt()
    {
        cleanHistory();
        final ChaosOrder ask = c1.session.orders.get(1);
        engine.rest(3, ask.clOrdId, 1, 1, Side.SELL, 105, 2, 2);

        final CheckResult result = check();

        assertKinds(result, Anomaly.RESTS_OTHERWISE);
        assertMessage(result, "engine still rests orderId=3", "though its reports ended it: CANCELED");
        assertEquals(1, result.lost);
    }

    @Test
    void shouldFlagRequestNeverAnswered()
    {
        cleanHistory();
        c2.order(Side.SELL, TimeInForce.GTC, 110, 1);

        final CheckResult result = check();

        assertKinds(result, Anomaly.NEVER_ANSWERED);
        assertMessage(result, "never-answered: c2 clOrdId=2", "never answered");
        assertEquals(1, result.lost);
    }

    @Test
    void shouldFlagFillReportedBeforeAnyNew()
    {
        final ChaosOrder buy = c1.order(Side.BUY, TimeInForce.IOC, 100, 3);
        final ChaosOrder sell = c2.order(Side.SELL, TimeInForce.GTC, 100, 3);
        c2.acked(sell, 1);
        buy.orderId = 2;
        c1.skip().trade(buy, 11, 3, 100, 3);
        c2.trade(sell, 12, 3, 100, 3);
        engine.balances(1, BASE + 3, QUOTE - 300).balances(2, BASE - 3, QUOTE + 300);

        final CheckResult result = check();

        assertKinds(result, Anomaly.NEW_NOT_DELIVERED, Anomaly.SEQ_GAP);
        assertMessage(result, "new-not-delivered: c1 clOrdId=1", "the first report is TRADE", "no NEW acknowledged it");
        assertEquals(1, result.reportsLost);
    }

    @Test
    void shouldFlagBalanceThatTheFillsDoNotExplain()
    {
        cleanHistory();
        engine.balances(2, BASE - 4, QUOTE + 400);

        final CheckResult result = check();

        assertKinds(result, Anomaly.BALANCE, Anomaly.INVARIANT);
        assertMessage(result, "balance: engine account 2 holds base 996 quote 1000400", "(differences -1 and 100)");
        assertMessage(result, "invariant: engine totals base 1999 quote 2000100");
    }

    @Test
    void shouldFlagUnnumberedExecutionReportAndUnknownReport()
    {
        cleanHistory();
        c2.session.received(0, "TRADE clOrdId=2 orderId=2");
        c2.session.unknownReports.add("CANCELED clOrdId=77 orderId=77 seqNo=4");

        final CheckResult result = check();

        assertKinds(result, Anomaly.UNNUMBERED, Anomaly.UNKNOWN_REPORT);
    }

    @Test
    void shouldFlagOneClOrdIdReportedUnderTwoOrderIds()
    {
        cleanHistory();
        final ChaosOrder bid = c2.order(Side.BUY, TimeInForce.GTC, 90, 1);
        c2.acked(bid, 5).report(bid, ExecType.NEW, OrdStatus.NEW, 6, 0, 1, 0, 0, 0);
        engine.rest(5, bid.clOrdId, 2, 1, Side.BUY, 90, 1, 1).rest(6, bid.clOrdId, 2, 1, Side.BUY, 90, 1, 1);

        final CheckResult result = check();

        assertKinds(result, Anomaly.DUPLICATE_ORDER);
        assertMessage(result, "reported as orderId 5 and then as 6");
        assertMessage(result, "engine rests two orders for one clOrdId");
        assertTrue(result.duplicated >= 2);
    }
}
