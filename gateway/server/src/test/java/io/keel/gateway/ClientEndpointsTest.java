package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client given several gateways ({@code endpoints}) in front of one real cluster: it passes over a dead endpoint, and
 * when the gateway serving it closes, it reconnects after a backoff to the next one and resumes its session there with
 * every report once and in order, the ones produced while it was away included.
 */
@Timeout(120)
class ClientEndpointsTest
{
    private static final int INSTRUMENT = 4;

    private GatewayTestEnv env;

    @AfterEach
    void stop()
    {
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    void shouldPassOverADeadEndpointThenResumeWithoutAGapAtTheNextGatewayWhenItsGatewayCloses()
    {
        env = GatewayTestEnv.start("client-endpoints", 1);
        final Gateway first = env.startGateway((config) -> {});
        final Gateway second = env.launchExtraGateway(9, (config) -> {});
        final String dead = "127.0.0.1:" + FreePorts.tcpPort();
        final String firstEndpoint = "127.0.0.1:" + first.port();
        final String secondEndpoint = "127.0.0.1:" + second.port();

        final Reports maker = new Reports();
        final KeelClient makerClient = env.client(env.clientContext(first, 1, maker)
            .endpoints(dead + "," + firstEndpoint + "," + secondEndpoint)
            .reconnectIntervalMs(100)
            .maxReconnectIntervalMs(1_000));
        assertEquals(1, maker.reconnecting.size(), maker.reconnecting.toString());
        final Reports.Reconnecting passedOver = maker.reconnecting.get(0);
        assertEquals(dead, passedOver.endpoint());
        assertEquals(0, passedOver.delayMs(), "the next endpoint at once");
        assertTrue(passedOver.reason().startsWith("cannot connect to " + dead), passedOver.reason());
        assertEquals(1, first.logons());
        assertEquals(0, second.logons());

        for (int clOrdId = 1; clOrdId <= 3; clOrdId++)
        {
            makerClient.newOrder(clOrdId, INSTRUMENT, Side.SELL, OrdType.LIMIT, TimeInForce.GTC, 1_000, 2);
        }
        env.pollUntil(() -> maker.count(ExecType.NEW) == 3, 10_000, "resting sells", makerClient);

        // Its gateway goes; before the client notices, two of its orders trade at the other gateway.
        env.stopGateway();
        final Reports taker = new Reports();
        final KeelClient takerClient = env.client(env.clientContext(second, 2, taker));
        takerClient.newOrder(10, INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.IOC, 1_000, 4);
        env.pollUntil(() -> taker.count(ExecType.TRADE) == 2, 10_000, "taker fills", takerClient);

        // The client finds its connection gone, waits one step, and logs on at the gateway after the lost one (not
        // the dead one at the top of the list), where the fills it missed come first.
        env.pollUntil(() -> maker.count(ExecType.TRADE) == 2, 10_000, "missed fills at the next gateway", makerClient);
        assertEquals(1, makerClient.reconnects());
        assertEquals(2, maker.reconnecting.size(), maker.reconnecting.toString());
        final Reports.Reconnecting lost = maker.reconnecting.get(1);
        assertEquals(firstEndpoint, lost.endpoint());
        assertTrue(lost.delayMs() >= 80 && lost.delayMs() <= 120, "one step of backoff: " + lost.delayMs());
        assertEquals(2, second.logons(), "the taker and the resumed maker");

        makerClient.cancelOrder(4, 3, 0, INSTRUMENT);
        env.pollUntil(() -> maker.has(4, ExecType.CANCELED), 10_000, "live reports at the next gateway", makerClient);
        final List<Long> seqNos = maker.seqNos;
        assertEquals(LongStream.rangeClosed(seqNos.get(0), seqNos.get(seqNos.size() - 1)).boxed().toList(), seqNos,
            "every report once, in order: " + maker.execs);
        assertEquals(6, seqNos.size(), "3 NEW, 2 TRADE, 1 CANCELED: " + maker.execs);
        makerClient.logout();
        takerClient.logout();
    }
}
