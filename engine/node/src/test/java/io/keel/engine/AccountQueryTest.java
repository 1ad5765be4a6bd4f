package io.keel.engine;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.node.EventEncoder;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Order status and account queries: canonical order, paging, routing by asker, and no change to state.
 */
class AccountQueryTest
{
    private static final long SESSION = (1L << 32) | 7;
    private static final long ALICE = 1;
    private static final int BASE = 1;
    private static final int QUOTE = 2;
    private static final int INSTRUMENT = 7;

    private final List<String> sessionOutputs = new ArrayList<>();
    private final List<String> adminOutputs = new ArrayList<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AccountStatusDecoder status = new AccountStatusDecoder();
    private final ExecutionReportDecoder report = new ExecutionReportDecoder();
    private final Engine engine = new Engine(new EventEncoder(new OutputSink()
    {
        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
            sessionOutputs.add(sessionId + " " + describe(buffer, offset));
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (header.wrap(buffer, offset).templateId() == AccountStatusDecoder.TEMPLATE_ID)
            {
                adminOutputs.add(correlationId + " " + describe(buffer, offset));
            }
        }
    }));

    AccountQueryTest()
    {
        engine.createAccount(1, ALICE, 1);
        engine.deposit(2, ALICE, QUOTE, 1_000_000, 1);
        engine.deposit(3, ALICE, BASE, 50, 1);
        engine.addInstrument(4, INSTRUMENT, BASE, QUOTE, 1, 1, 100, 0, 0, 1);
    }

    @Test
    void shouldListBalancesByAssetAndOrdersInBookOrder()
    {
        newOrder(10, Side.BUY, 90, 5);
        newOrder(11, Side.SELL, 110, 3);
        newOrder(12, Side.BUY, 95, 2);
        final long hash = engine.stateHash();
        sessionOutputs.clear();

        engine.accountStatus(SESSION, ALICE, 77, 1);

        assertEquals(List.of(SESSION + " status 77 page 1/1 NONE open=3 " +
            "[1 47 3, 2 999360 640] [3:12 BUY 95 2, 1:10 BUY 90 5, 2:11 SELL 110 3]"), sessionOutputs);
        assertEquals(hash, engine.stateHash(), "a query at the same time changes nothing");
    }

    @Test
    void shouldPageLargeAnswersDeterministically()
    {
        final int orders = AccountQuery.PAGE_ENTRIES * 2;
        for (int i = 0; i < orders; i++)
        {
            newOrder(100 + i, Side.BUY, 1 + i % 50, 1);
        }
        sessionOutputs.clear();

        engine.accountStatus(SESSION, ALICE, 5, 2);

        assertEquals(3, sessionOutputs.size());
        assertEquals(true, sessionOutputs.get(0).contains("page 1/3"));
        assertEquals(true, sessionOutputs.get(2).contains("page 3/3 NONE open=" + orders));
    }

    @Test
    void shouldAnswerAnAdminThroughTheAdminOutput()
    {
        engine.accountStatus(0, ALICE, 9, 2);
        engine.accountStatus(0, 42, 10, 2);

        assertEquals(List.of("9 status 9 page 1/1 NONE open=0 [1 50 0, 2 1000000 0] []",
            "10 status 10 page 1/1 UNKNOWN_ACCOUNT open=0 [] []"), adminOutputs);
    }

    @Test
    void shouldReportOrderStatusByClOrdIdOrderIdAndUnknown()
    {
        newOrder(10, Side.BUY, 90, 5);
        sessionOutputs.clear();

        engine.orderStatus(SESSION, ALICE, 10, 0, 2);
        engine.orderStatus(SESSION, ALICE, 0, 1, 2);
        engine.orderStatus(SESSION, ALICE, 999, 0, 2);
        engine.orderStatus(SESSION, 42, 10, 0, 2);

        assertEquals(List.of(
            SESSION + " report ORDER_STATUS NEW 10 NONE",
            SESSION + " report ORDER_STATUS NEW 10 NONE",
            SESSION + " report ORDER_STATUS REJECTED 999 UNKNOWN_ORDER",
            SESSION + " report ORDER_STATUS REJECTED 10 UNKNOWN_ACCOUNT"), sessionOutputs);
    }

    private void newOrder(final long clOrdId, final Side side, final long price, final long quantity)
    {
        engine.newOrder(SESSION, ALICE, clOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, false,
            SelfTradePrevention.NONE, price, quantity, 0, 1);
    }

    private String describe(final DirectBuffer buffer, final int offset)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == ExecutionReportDecoder.TEMPLATE_ID)
        {
            report.wrapAndApplyHeader(buffer, offset, header);
            final ExecType execType = report.execType();
            final OrdStatus ordStatus = report.ordStatus();
            return "report " + execType + " " + ordStatus + " " + report.clOrdId() + " " + report.rejectReason();
        }
        status.wrapAndApplyHeader(buffer, offset, header);
        final StringBuilder sb = new StringBuilder("status " + status.requestId() + " page " + status.pageNo() + "/" +
            status.pageCount() + " " + status.result() + " open=" + status.openOrderCount() + " [");
        String separator = "";
        for (final AccountStatusDecoder.BalancesDecoder b : status.balances())
        {
            sb.append(separator).append(b.assetId()).append(' ').append(b.available()).append(' ').append(b.reserved());
            separator = ", ";
        }
        sb.append("] [");
        separator = "";
        for (final AccountStatusDecoder.OrdersDecoder o : status.orders())
        {
            sb.append(separator).append(o.orderId()).append(':').append(o.clOrdId()).append(' ').append(o.side())
                .append(' ').append(o.price()).append(' ').append(o.leavesQty());
            separator = ", ";
        }
        return sb.append(']').toString();
    }
}
