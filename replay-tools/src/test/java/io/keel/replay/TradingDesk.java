package io.keel.replay;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionIds;
import io.keel.codecs.SessionStatusDecoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.AccountStatusPrinter;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.ClusterCommandSession;
import org.agrona.CloseHelper;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An admin and a gateway on a cluster (in-process cluster clients, as keel admin and keel gateway connect): accounts
 * 1 (buyer) and 2 (seller) on instrument 7, an open-loop order flow at a fixed rate, account queries answered by
 * the engine, state-hash requests.
 */
final class TradingDesk implements AutoCloseable
{
    static final int INSTRUMENT = 7;
    static final int BASE = 1;
    static final int QUOTE = 2;
    static final long BUYER = 1;
    static final long SELLER = 2;

    /**
     * A state hash as the cluster answered it.
     */
    record Hash(long position, long value)
    {
    }

    private final ClusterCommandSession admin;
    private final ClusterCommandSession gateway;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final AccountStatusDecoder accountStatus = new AccountStatusDecoder();
    private final ExecutionReportDecoder report = new ExecutionReportDecoder();
    private final SessionStatusDecoder sessionStatus = new SessionStatusDecoder();
    private long nextCorrelationId = 1_000;
    private long answeredCorrelationId;
    private Hash lastHash;
    private long accountRequestId;
    private AccountStatusPrinter printer;
    private ByteArrayOutputStream printed;
    private boolean accountComplete;
    private long acks;
    private long rejects;
    private long trades;
    private long sessionStatuses;
    private long clOrdId;

    TradingDesk(final String ingressEndpoints, final File clientDir, final int gatewayId, final long firstClOrdId)
    {
        this.clOrdId = firstClOrdId;
        admin = new ClusterCommandSession(ingressEndpoints, Principal.adminCredentials("test", Principal.DEV_SECRET),
            new File(clientDir, "admin-" + System.nanoTime()), IdleProfile.BACKOFF, this::onAdminMessage).connect();
        gateway = new ClusterCommandSession(ingressEndpoints,
            Principal.gatewayCredentials(gatewayId, Principal.DEV_SECRET),
            new File(clientDir, "gateway-" + System.nanoTime()), IdleProfile.BACKOFF, this::onGatewayMessage).connect();
    }

    void setUpMarket()
    {
        adminCommand((id) -> admin.createAccount(id, BUYER));
        adminCommand((id) -> admin.createAccount(id, SELLER));
        adminCommand((id) -> admin.addInstrument(id, INSTRUMENT, BASE, QUOTE, 1, 1, 100, 5_000, 5_000));
        adminCommand((id) -> admin.deposit(id, BUYER, QUOTE, 1_000_000_000L));
        adminCommand((id) -> admin.deposit(id, SELLER, BASE, 10_000_000L));
    }

    /**
     * This gateway serves the account's client session from now on (a logon; at another gateway than before, the
     * session moves), without cancel-on-disconnect: orders outlive the connection.
     */
    void logOn(final long account)
    {
        final long before = sessionStatuses;
        check(gateway.openSession(session(account), account, false, 0, 0), "session open");
        await("session status of account " + account, () -> sessionStatuses > before, 10_000);
    }

    /**
     * Orders at {@code ratePerSecond} for {@code seconds}, open loop: resting bids of the buyer below 100 and asks
     * of the seller above 100, and every tenth a bid crossing the best ask (a trade). The sampler runs every ms.
     *
     * @return orders sent.
     */
    long orderFlow(final int ratePerSecond, final double seconds, final Runnable sampler)
    {
        final long startNs = System.nanoTime();
        final long total = (long)(ratePerSecond * seconds);
        long sent = 0;
        while (sent < total)
        {
            final long due = (long)((System.nanoTime() - startNs) * (double)ratePerSecond / TimeUnit.SECONDS.toNanos(1));
            while (sent < Math.min(due, total))
            {
                final long n = sent++;
                if (n % 10 == 9)
                {
                    order(BUYER, Side.BUY, 110, 1);
                }
                else if (n % 2 == 0)
                {
                    order(BUYER, Side.BUY, 90 + n % 9, 1 + n % 3);
                }
                else
                {
                    order(SELLER, Side.SELL, 101 + n % 9, 1 + n % 4);
                }
            }
            gateway.poll();
            admin.poll();
            sampler.run();
            sleepMs(1);
        }
        return sent;
    }

    /**
     * A bid that crosses the book: a trade for the buyer.
     */
    void order(final long account, final Side side, final long price, final long quantity)
    {
        check(gateway.newOrder(session(account), account, ++clOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC,
            false, SelfTradePrevention.NONE, price, quantity, 0), "order");
    }

    long acks()
    {
        return acks;
    }

    long rejects()
    {
        return rejects;
    }

    long trades()
    {
        return trades;
    }

    /**
     * Poll until every order sent so far is acknowledged (one NEW each).
     */
    void awaitAcks(final long orders)
    {
        await(orders + " orders acknowledged", () -> acks + rejects >= orders, 30_000);
    }

    /**
     * The account as the engine answers it (balances, open orders), one line each.
     */
    String account(final long account)
    {
        accountRequestId = nextCorrelationId++;
        printed = new ByteArrayOutputStream();
        printer = new AccountStatusPrinter(new PrintStream(printed, true, StandardCharsets.UTF_8));
        accountComplete = false;
        check(admin.accountStatus(accountRequestId, account), "account request");
        await("account " + account, () -> accountComplete, 10_000);
        return printed.toString(StandardCharsets.UTF_8);
    }

    Hash stateHash()
    {
        final long before = lastHash == null ? -1 : lastHash.position();
        adminCommand(admin::requestStateHash);
        if (lastHash == null || lastHash.position() == before)
        {
            throw new IllegalStateException("no state hash answer");
        }
        return lastHash;
    }

    void snapshot()
    {
        adminCommand(admin::requestSnapshot);
    }

    void poll()
    {
        gateway.poll();
        admin.poll();
    }

    void await(final String what, final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            poll();
            sleepMs(1);
        }
    }

    private interface AdminSend
    {
        boolean send(long correlationId);
    }

    private void adminCommand(final AdminSend send)
    {
        final long correlationId = nextCorrelationId++;
        check(send.send(correlationId), "admin command");
        await("admin answer " + correlationId, () -> answeredCorrelationId == correlationId, 10_000);
    }

    private void onAdminMessage(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            adminResponse.wrapAndApplyHeader(buffer, offset, header);
            if (adminResponse.refTemplateId() == io.keel.codecs.StateHashRequestDecoder.TEMPLATE_ID)
            {
                lastHash = new Hash(adminResponse.logPosition(), adminResponse.value());
            }
            answeredCorrelationId = adminResponse.correlationId();
        }
        else if (header.templateId() == AccountStatusDecoder.TEMPLATE_ID)
        {
            accountStatus.wrapAndApplyHeader(buffer, offset, header);
            if (accountStatus.requestId() == accountRequestId && printer.onPage(accountStatus))
            {
                accountComplete = true;
            }
        }
    }

    private void onGatewayMessage(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == ExecutionReportDecoder.TEMPLATE_ID)
        {
            report.wrapAndApplyHeader(buffer, offset, header);
            if (report.execType() == ExecType.NEW)
            {
                acks++;
            }
            else if (report.execType() == ExecType.REJECTED)
            {
                rejects++;
            }
            else if (report.execType() == ExecType.TRADE && report.side() == Side.BUY)
            {
                trades++;
            }
        }
        else if (header.templateId() == SessionStatusDecoder.TEMPLATE_ID)
        {
            sessionStatuses++;
        }
    }

    private static long session(final long account)
    {
        return SessionIds.clientSessionId(1, (int)account);
    }

    private static void check(final boolean sent, final String what)
    {
        if (!sent)
        {
            throw new IllegalStateException(what + " not taken by the cluster");
        }
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public void close()
    {
        CloseHelper.quietCloseAll(gateway, admin);
    }
}
