package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Engine;
import io.keel.node.KeelNode;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader dies while clients trade through the gateway. The gateway follows the new leader,
 * orders sent while there is none are refused at once as UNAVAILABLE and sent again by the client
 * with the same clOrdId, requests lost with the old leader are resent after the timeout, and in the
 * end every order the clients meant to place exists exactly once — counted in the engines of all
 * three members, whose state hashes agree.
 */
@Timeout(180)
class GatewayFailoverTest
{
    private static final int INSTRUMENT = 1;
    private static final int ORDERS_PER_CLIENT = 600;
    private static final long RATE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private GatewayTestEnv env;

    @AfterEach
    void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    /**
     * One trading client: places resting buys of 1 lot at prices that never cross (so each order
     * that exists is visible in the final book), and retries an UNAVAILABLE with the same clOrdId.
     */
    private static final class Trader implements KeelClientListener
    {
        final int account;
        final KeelClient client;
        final LongHashSet accepted = new LongHashSet();
        final Long2LongHashMap newReports = new Long2LongHashMap(0);
        final LongHashSet toRetry = new LongHashSet();
        long unavailable;
        long otherRejects;
        long nextClOrdId = 1;
        long expectedReserved;

        Trader(final GatewayTestEnv env, final int account)
        {
            this.account = account;
            client = env.client(env.clientContext(account, this).resendTimeoutMs(2_000));
        }

        long price(final long clOrdId)
        {
            return 600 + (clOrdId % 300);
        }

        void sendNext()
        {
            final long clOrdId = nextClOrdId;
            if (client.newOrder(clOrdId, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, price(clOrdId), 1))
            {
                nextClOrdId++;
                expectedReserved += price(clOrdId);
            }
        }

        void retryUnavailable()
        {
            if (!toRetry.isEmpty())
            {
                final LongHashSet.LongIterator it = toRetry.iterator();
                final long clOrdId = it.nextValue();
                if (client.newOrder(clOrdId, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC, price(clOrdId), 1))
                {
                    toRetry.remove(clOrdId);
                }
            }
        }

        boolean done()
        {
            return nextClOrdId > ORDERS_PER_CLIENT && accepted.size() == ORDERS_PER_CLIENT && client.inFlight() == 0 &&
                toRetry.isEmpty();
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            if (report.execType() == ExecType.NEW)
            {
                newReports.put(report.clOrdId(), newReports.get(report.clOrdId()) + 1);
                accepted.add(report.clOrdId());
            }
            else if (report.execType() == ExecType.ORDER_STATUS)
            {
                accepted.add(report.clOrdId()); // the answer to a resent order that already existed
            }
            else
            {
                otherRejects++;
            }
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            if (reject.reason() == RejectReason.UNAVAILABLE && reject.refTemplateId() == 10)
            {
                unavailable++;
                toRetry.add(reject.clOrdId());
            }
            else
            {
                otherRejects++;
            }
        }
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenTheLeaderDiesWhileClientsTrade()
    {
        env = GatewayTestEnv.start("failover", 3);
        final Gateway gateway = env.startGateway((config) -> {});
        final Trader a = new Trader(env, 1);
        final Trader b = new Trader(env, 2);

        final KeelNode leader = env.cluster().awaitLeader(10_000);
        boolean killed = false;
        long nextSendNs = System.nanoTime();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(a.done() && b.done()))
        {
            assertTrue(System.nanoTime() - deadline < 0, "traders did not finish: a=" + a.accepted.size() +
                " b=" + b.accepted.size() + " in flight " + a.client.inFlight() + "/" + b.client.inFlight());
            final long now = System.nanoTime();
            if (now - nextSendNs >= 0)
            {
                nextSendNs += RATE_INTERVAL_NS;
                if (a.nextClOrdId <= ORDERS_PER_CLIENT)
                {
                    a.sendNext();
                }
                if (b.nextClOrdId <= ORDERS_PER_CLIENT)
                {
                    b.sendNext();
                }
                a.retryUnavailable();
                b.retryUnavailable();
            }
            if (!killed && a.nextClOrdId > ORDERS_PER_CLIENT / 3)
            {
                env.cluster().stopNode(leader.memberId());
                killed = true;
            }
            final int work = a.client.poll() + b.client.poll();
            if (work == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }

        final KeelNode newLeader = env.cluster().awaitLeader(10_000);
        assertTrue(newLeader.memberId() != leader.memberId());
        System.out.println("failover: unavailable a=" + a.unavailable + " b=" + b.unavailable + " resent a=" +
            a.client.resent() + " b=" + b.client.resent() + " gateway unavailable=" + gateway.unavailableRejects());
        assertEquals(0, a.otherRejects + b.otherRejects);
        for (final Trader trader : new Trader[]{a, b})
        {
            trader.newReports.forEach((clOrdId, count) -> assertEquals(1, count, "NEW reports for clOrdId " + clOrdId));
        }

        // The restarted old leader catches up; then all three must agree.
        env.cluster().startNode(leader.memberId(), false);
        final Long[] hashes = env.stateHashes();
        assertNotNull(hashes[0]);
        assertEquals(hashes[0], hashes[1]);
        assertEquals(hashes[0], hashes[2]);

        final Engine[] engines = env.stopClusterAndInspect();
        for (final Engine engine : engines)
        {
            engine.verifyInvariants();
            assertEquals(2 * ORDERS_PER_CLIENT, engine.openOrderCount(), "every order exactly once");
            assertEquals(a.expectedReserved, engine.reserved(a.account, GatewayTestEnv.QUOTE));
            assertEquals(b.expectedReserved, engine.reserved(b.account, GatewayTestEnv.QUOTE));
        }
    }
}
