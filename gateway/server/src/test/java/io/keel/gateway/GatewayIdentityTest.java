package io.keel.gateway;

import io.keel.client.KeelClient;
import io.keel.codecs.ExecType;
import io.keel.codecs.OrdType;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.IdleProfile;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway id belongs to one live gateway: a second gateway presenting it is refused by the cluster (decided from
 * the log, on every node) and the first keeps its route, its clients and their reports.
 */
class GatewayIdentityTest
{
    private static final int ACCOUNT = 1;
    private GatewayTestEnv env;
    private Gateway twin;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(twin);
        if (env != null)
        {
            env.close();
        }
    }

    @Test
    @Timeout(90)
    void shouldRefuseASecondGatewayWithALiveGatewaysIdWhileTheFirstKeepsItsClientsReports()
    {
        env = GatewayTestEnv.start("gateway-identity", 1);
        final Gateway first = env.startGateway((config) -> {});
        final Reports reports = new Reports();
        final KeelClient client = env.client(env.clientContext(first, ACCOUNT, reports));
        env.pollUntil(() -> client.newOrder(1, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT, TimeInForce.GTC,
            900, 1), 10_000, "first order", client);
        env.pollUntil(() -> reports.count(ExecType.NEW) == 1, 10_000, "first report", client);

        twin = Gateway.launch(new GatewayContext()
            .gatewayId(first.config().gatewayId())
            .port(0)
            .udpPort(0)
            .clusterEndpoints(env.cluster().ingressEndpoints())
            .credentialsFile(env.usersFile())
            .aeronDir(new File(env.dir(), "twin-aeron"))
            .idleProfile(IdleProfile.BACKOFF)
            .marketDataPort(0)
            .clusterConnectTimeoutMs(2_000)
            .conclude());
        env.await(() -> twin.healthText().contains("closed by the cluster: gateway id " + first.config().gatewayId()),
            20_000, "the twin told why the cluster closed it: " + twin.healthText());

        // The first gateway's client trades on, and every report reaches it, in order, through the first gateway.
        for (int i = 2; i <= 10; i++)
        {
            final int clOrdId = i;
            env.pollUntil(() -> client.newOrder(clOrdId, GatewayTestEnv.INSTRUMENT, Side.BUY, OrdType.LIMIT,
                TimeInForce.GTC, 900, 1), 10_000, "order " + i, client);
        }
        env.pollUntil(() -> reports.count(ExecType.NEW) == 10, 10_000, "reports after the twin came", client);
        assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), reports.seqNos, "every report once, in order");
        assertTrue(first.isReady(), first.healthText());
        assertFalse(twin.isReady(), twin.healthText());
        assertEquals(List.of(), reports.businessRejects, "no reject");

        // Once the first is gone for good, the id is free: the twin is admitted at its next attempt.
        env.stopGateway();
        env.await(twin::isReady, 20_000, "the twin admitted once the id is free: " + twin.healthText());
    }
}
