package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.DropCopyConsumer;
import io.keel.node.KeelNode;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23's "done when": clients trade with fills through a gateway, the leader is killed mid-run, and afterwards a
 * drop copy started from the start yields exactly the reports every client saw — per session the same seqNos, no gap,
 * no repeat, in log order, with the same bytes.
 */
@Timeout(120)
class DropCopyGatewayTest
{
    private static final int INSTRUMENT = 1;
    private static final int ORDERS_PER_CLIENT = 150;
    private static final long PRICE = GatewayTestEnv.REFERENCE_PRICE;
    private static final long RATE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private GatewayTestEnv env;
    private DropCopyConsumer consumer;

    @AfterEach
    void stop()
    {
        if (consumer != null)
        {
            consumer.close();
        }
        if (env != null)
        {
            env.close();
        }
    }

    /** A report as a client received it, or as drop copy delivered it: seqNo and the message body. */
    record Seen(long seqNo, int templateId, byte[] body)
    {
    }

    /**
     * One client: orders of 1 lot at the reference price (buys for one, sells for the other, so they fill), an
     * UNAVAILABLE retried with the same clOrdId; records every numbered report it receives.
     */
    private static final class Trader implements KeelClientListener
    {
        final Side side;
        final KeelClient client;
        final List<Seen> seen = new ArrayList<>();
        final LongHashSet acked = new LongHashSet();
        final LongHashSet toRetry = new LongHashSet();
        long sessionId;
        long nextClOrdId = 1;
        long otherRejects;

        Trader(final GatewayTestEnv env, final int account, final Side side)
        {
            this.side = side;
            client = env.client(env.clientContext(account, this).resendTimeoutMs(2_000));
        }

        void sendNext()
        {
            if (nextClOrdId <= ORDERS_PER_CLIENT &&
                client.newOrder(nextClOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, PRICE, 1))
            {
                nextClOrdId++;
            }
            if (!toRetry.isEmpty())
            {
                final long clOrdId = toRetry.iterator().nextValue();
                if (client.newOrder(clOrdId, INSTRUMENT, side, OrdType.LIMIT, TimeInForce.GTC, PRICE, 1))
                {
                    toRetry.remove(clOrdId);
                }
            }
        }

        boolean done()
        {
            return nextClOrdId > ORDERS_PER_CLIENT && acked.size() == ORDERS_PER_CLIENT && client.inFlight() == 0 &&
                toRetry.isEmpty();
        }

        public void onLoggedOn(final long sessionId, final long accountId, final long nextSeqNo)
        {
            this.sessionId = sessionId;
        }

        public void onExecutionReport(final ExecutionReportDecoder report)
        {
            acked.add(report.clOrdId());
            record(report.seqNo(), ExecutionReportDecoder.TEMPLATE_ID, report.buffer(), report.offset(),
                ExecutionReportDecoder.BLOCK_LENGTH);
        }

        public void onCancelReject(final CancelRejectDecoder reject)
        {
            record(reject.seqNo(), CancelRejectDecoder.TEMPLATE_ID, reject.buffer(), reject.offset(),
                CancelRejectDecoder.BLOCK_LENGTH);
        }

        public void onMassCancelReport(final MassCancelReportDecoder report)
        {
            record(report.seqNo(), MassCancelReportDecoder.TEMPLATE_ID, report.buffer(), report.offset(),
                MassCancelReportDecoder.BLOCK_LENGTH);
        }

        public void onBusinessReject(final BusinessRejectDecoder reject)
        {
            if (reject.reason() == RejectReason.UNAVAILABLE && reject.refTemplateId() == 10)
            {
                toRetry.add(reject.clOrdId()); // the gateway's, while there is no leader: not an engine report
            }
            else
            {
                otherRejects++;
            }
        }

        private void record(final long seqNo, final int templateId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final byte[] body = new byte[length];
            buffer.getBytes(offset, body);
            seen.add(new Seen(seqNo, templateId, body));
        }
    }

    @Test
    void shouldYieldExactlyTheReportsEveryClientSawAfterALeaderKill()
    {
        env = GatewayTestEnv.start("drop-copy", 3);
        env.startGateway((config) -> {});
        final Trader buyer = new Trader(env, 1, Side.BUY);
        final Trader seller = new Trader(env, 2, Side.SELL);
        final KeelNode leader = env.cluster().awaitLeader(10_000);

        boolean killed = false;
        long nextSendNs = System.nanoTime();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(buyer.done() && seller.done()))
        {
            assertTrue(System.nanoTime() - deadline < 0, "traders did not finish: " + buyer.acked.size() + "/" +
                seller.acked.size() + " acknowledged");
            if (System.nanoTime() - nextSendNs >= 0)
            {
                nextSendNs += RATE_INTERVAL_NS;
                buyer.sendNext();
                seller.sendNext();
            }
            if (!killed && buyer.nextClOrdId > ORDERS_PER_CLIENT / 3)
            {
                env.cluster().stopNode(leader.memberId());
                killed = true;
            }
            if (buyer.client.poll() + seller.client.poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        // The last fills' reports to the other side.
        final long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_000);
        while (System.nanoTime() - settle < 0)
        {
            buyer.client.poll();
            seller.client.poll();
            GatewayTestEnv.sleep(1);
        }
        assertEquals(0, buyer.otherRejects + seller.otherRejects);
        assertTrue(env.cluster().awaitLeader(10_000).memberId() != leader.memberId(), "a new leader");

        // After the run: drop copy from the start, until it holds as many reports as the clients saw.
        final Map<Long, List<Seen>> dropCopy = new HashMap<>();
        final List<long[]> places = new ArrayList<>();
        consumer = new DropCopyConsumer(new DropCopyConsumer.Context()
            .ingressEndpoints(env.cluster().ingressEndpoints())
            .credentials(Principal.dropCopyCredentials("audit", Principal.DEV_SECRET))
            .aeronDir(new File(env.dir(), "drop-copy-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .from(DropCopyConsumer.FROM_START, 0)
            .handler((logPosition, index, time, sessionId, seqNo, buffer, offset, length) ->
            {
                final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
                final byte[] body = new byte[header.blockLength()];
                buffer.getBytes(offset + MessageHeaderDecoder.ENCODED_LENGTH, body);
                dropCopy.computeIfAbsent(sessionId, (k) -> new ArrayList<>()).add(new Seen(seqNo, header.templateId(), body));
                places.add(new long[]{logPosition, index});
            })).start();
        final int expected = buyer.seen.size() + seller.seen.size();
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(consumer.isLive() && places.size() >= expected) && System.nanoTime() - until < 0)
        {
            if (consumer.poll() == 0)
            {
                GatewayTestEnv.sleep(1);
            }
        }
        System.out.println("drop copy: " + places.size() + " reports, clients saw " + expected + ", requests " +
            consumer.requests() + ", gaps " + consumer.gaps());
        assertTrue(consumer.isLive(), "drop copy live: " + consumer.state() + " " + consumer.failure());

        assertEquals(Map.of(buyer.sessionId, buyer.seen.size(), seller.sessionId, seller.seen.size()),
            Map.of(buyer.sessionId, sizeOf(dropCopy, buyer.sessionId), seller.sessionId, sizeOf(dropCopy, seller.sessionId)),
            "reports per session: drop copy as the clients");
        assertEquals(2, dropCopy.size(), "no other session");
        for (final Trader trader : new Trader[]{buyer, seller})
        {
            final List<Seen> copied = dropCopy.get(trader.sessionId);
            for (int i = 0; i < trader.seen.size(); i++)
            {
                final Seen client = trader.seen.get(i);
                final Seen copy = copied.get(i);
                assertEquals(i + 1, client.seqNo(), "the client saw seqNos 1, 2, 3... (session " + trader.sessionId + ")");
                assertEquals(client.seqNo(), copy.seqNo(), "seqNo " + (i + 1) + " of session " + trader.sessionId);
                assertEquals(client.templateId(), copy.templateId(), "type of seqNo " + client.seqNo());
                assertArrayEquals(client.body(), copy.body(), "bytes of seqNo " + client.seqNo());
            }
        }
        for (int i = 1; i < places.size(); i++)
        {
            final long[] a = places.get(i - 1);
            final long[] b = places.get(i);
            assertTrue(b[0] > a[0] || b[0] == a[0] && b[1] == a[1] + 1, "log order at report " + i);
        }
    }

    private static int sizeOf(final Map<Long, List<Seen>> bySession, final long sessionId)
    {
        final List<Seen> seen = bySession.get(sessionId);
        return seen == null ? 0 : seen.size();
    }
}
