package io.keel.client;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Keel's client library, over TCP (optionally TLS, {@link Context#tls(boolean)}) or Aeron UDP
 * ({@link Context#transport(Transport)}): connect and log on, send orders, poll reports and market data. The session
 * behaves the same over either transport, and at any of the gateways of {@link Context#endpoints(String)}: a lost
 * connection is made again, with backoff, at the next one.
 * <p>
 * Nothing is lost across a dropped connection or a cluster failover: every request stays in flight
 * until a report answers its clOrdId, and is sent again unchanged after a reconnect, when it has
 * gone unanswered for {@link Context#resendTimeoutMs(long)}, or after a backoff when the gateway
 * refused it UNAVAILABLE (up to {@link Context#maxUnavailableRetries(int)} times); the engine answers
 * a repeated clOrdId with the original outcome, so each order exists once.
 * <p>
 * The engine numbers every report to the session (seqNo from 1), the same at every gateway, and the client keeps the
 * next one it expects ({@link #nextExpectedSeqNo()}) across reconnects: a logon to this or any other gateway asks for
 * everything from it, and each report reaches the listener once and in order. An application that stores the number
 * can start a new client where the last one stopped ({@link Context#nextExpectedSeqNo(long)}).
 * <p>
 * Single-threaded: call every method from one thread. Sending and polling allocate nothing.
 * <p>
 * This class is the API; the work is done by {@link ClientSession} (connection, logon, heartbeats, reconnects),
 * {@link SessionReports} (numbered reports, requests in flight, resends), {@link OrderEntry} (request encoding) and
 * {@link ClientMarketData} (subscriptions and book sequencing).
 */
public final class KeelClient implements AutoCloseable
{
    /**
     * Client settings, with defaults good for a local gateway.
     */
    public static final class Context
    {
        private Transport transport = Transport.TCP;
        private String host = "127.0.0.1";
        private int port = 9100;
        private int udpPort = 9101;
        private String aeronDir;
        private String responseHost;
        private String username;
        private String password;
        private KeelClientListener listener = new KeelClientListener()
        {
        };
        private int heartbeatIntervalMs = 1_000;
        private boolean cancelOnDisconnect;
        private boolean autoReconnect = true;
        private long connectTimeoutMs = 5_000;
        private long resendTimeoutMs = 3_000;
        private long reconnectIntervalMs = 200;
        private long maxReconnectIntervalMs = 5_000;
        private String endpoints;
        private boolean tls;
        private boolean batchSends;
        private Path trustCertificate;
        private Path trustStore;
        private char[] trustStorePassword;
        private String tlsServerName;
        /** What {@link #conclude()} made of the options above. */
        private Endpoint[] endpointList;
        private ClientTls clientTls;
        private int maxInFlight = 64 * 1024;
        private int maxUnavailableRetries = 20;
        private long nextExpectedSeqNo;
        /** Segments other than the last nextExpectedSeqNo's, from {@link #nextExpectedSeqNos(long...)}. */
        private long[] nextExpectedSeqNos = new long[0];

        public Context conclude()
        {
            if (username == null || password == null)
            {
                throw new IllegalArgumentException("username and password are required");
            }
            if (transport == null)
            {
                throw new IllegalArgumentException("transport is required");
            }
            if (transport == Transport.TCP && (port <= 0 || port > 65535))
            {
                throw new IllegalArgumentException("port must be in 1..65535: " + port);
            }
            if (transport == Transport.UDP && (udpPort <= 0 || udpPort > 65535))
            {
                throw new IllegalArgumentException("udpPort must be in 1..65535: " + udpPort);
            }
            if (responseHost != null && !io.keel.codecs.AeronUdp.isValidEndpoint(responseHost + ":1"))
            {
                throw new IllegalArgumentException("responseHost must be a host name or address: " + responseHost);
            }
            if (heartbeatIntervalMs <= 0 || connectTimeoutMs <= 0 || maxInFlight <= 0 || resendTimeoutMs < 0)
            {
                throw new IllegalArgumentException("heartbeat, connect timeout and max in flight must be > 0");
            }
            if (maxUnavailableRetries < 0)
            {
                throw new IllegalArgumentException("maxUnavailableRetries must be >= 0: " + maxUnavailableRetries);
            }
            if (nextExpectedSeqNo < 0)
            {
                throw new IllegalArgumentException("nextExpectedSeqNo must be >= 0: " + nextExpectedSeqNo);
            }
            if (reconnectIntervalMs <= 0 || maxReconnectIntervalMs < reconnectIntervalMs)
            {
                throw new IllegalArgumentException("need 0 < reconnectIntervalMs <= maxReconnectIntervalMs: " +
                    reconnectIntervalMs + ", " + maxReconnectIntervalMs);
            }
            endpointList = endpoints != null ? Endpoint.parseList(endpoints) :
                new Endpoint[]{new Endpoint(host, transport == Transport.UDP ? udpPort : port)};
            concludeTls();
            return this;
        }

        private void concludeTls()
        {
            if (tls && transport != Transport.TCP)
            {
                throw new IllegalArgumentException("tls is for Transport.TCP only (Aeron UDP stays on a private " +
                    "network; TLS terminates in the proxy in front of the gateways' TCP ports)");
            }
            if (!tls && (trustCertificate != null || trustStore != null || tlsServerName != null))
            {
                throw new IllegalArgumentException("trustCertificate, trustStore and tlsServerName need tls(true)");
            }
            if (trustCertificate != null && trustStore != null)
            {
                throw new IllegalArgumentException("trust either trustCertificate or trustStore, not both");
            }
            if (tlsServerName != null && tlsServerName.isBlank())
            {
                throw new IllegalArgumentException("tlsServerName is blank");
            }
            clientTls = tls ?
                new ClientTls(ClientTls.sslContext(trustCertificate, trustStore, trustStorePassword), tlsServerName) :
                null;
        }

        /**
         * @param transport TCP (default) to {@link #port(int)}, or Aeron UDP to {@link #udpPort(int)}.
         */
        public Context transport(final Transport transport)
        {
            this.transport = transport;
            return this;
        }

        /**
         * @param udpPort the gateway's Aeron UDP port ({@code --udp-port}), for {@link Transport#UDP}.
         */
        public Context udpPort(final int udpPort)
        {
            this.udpPort = udpPort;
            return this;
        }

        /**
         * @param aeronDir directory of a running media driver to use for {@link Transport#UDP}; null (default)
         * launches an embedded driver per client, in a temp dir of its own, closed with the client.
         */
        public Context aeronDir(final String aeronDir)
        {
            this.aeronDir = aeronDir;
            return this;
        }

        /**
         * @param responseHost address the gateway sends to over {@link Transport#UDP}; null (default) = the local
         * address that routes to the gateway.
         */
        public Context responseHost(final String responseHost)
        {
            this.responseHost = responseHost;
            return this;
        }

        /**
         * @param host of the one gateway (default 127.0.0.1), when no {@link #endpoints(String)} are given.
         */
        public Context host(final String host)
        {
            this.host = host;
            return this;
        }

        /**
         * @param port the gateway's TCP port (default 9100), when no {@link #endpoints(String)} are given.
         */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @param endpoints {@code host:port,host:port,...} (IPv6 in brackets: {@code [::1]:9100}) of the gateways, or
         *                  of one load balancer in front of them; the ports are TCP ports, or UDP ports for
         *                  {@link Transport#UDP}. Replaces {@link #host(String)} and the port. Every connect and
         *                  reconnect goes to the endpoint after the one that last failed or was lost, so a dead one is
         *                  passed over; any gateway serves the session, and it resumes without a gap.
         */
        public Context endpoints(final String endpoints)
        {
            this.endpoints = endpoints;
            return this;
        }

        /**
         * @param tls speak TLS (1.3 or 1.2) over TCP, to a proxy that terminates it in front of the gateways
         *            (HAProxy). The server's certificate must be trusted ({@link #trustCertificate(Path)},
         *            {@link #trustStore(Path, char[])}, or the JVM's default trust) and name the endpoint's host or
         *            {@link #tlsServerName(String)}. A handshake that fails ends the attempt at that endpoint with
         *            the reason. Not with {@link Transport#UDP}.
         */
        public Context tls(final boolean tls)
        {
            this.tls = tls;
            return this;
        }

        /**
         * @param pemFile a PEM certificate to trust alone (a self-signed one, or a private CA's), instead of the
         *                JVM's default trust; read by {@link #conclude()}.
         */
        public Context trustCertificate(final Path pemFile)
        {
            this.trustCertificate = pemFile;
            return this;
        }

        /**
         * @param trustStore a JKS or PKCS12 trust store to trust instead of the JVM's default; read by
         *                   {@link #conclude()}.
         * @param password   of the trust store, or null for none.
         */
        public Context trustStore(final Path trustStore, final char[] password)
        {
            this.trustStore = trustStore;
            this.trustStorePassword = password;
            return this;
        }

        /**
         * @param tlsServerName the name sent in the handshake (SNI) and that the certificate must carry; null (default)
         *                      = each endpoint's host. For endpoints given as addresses while the certificate names a
         *                      host.
         */
        public Context tlsServerName(final String tlsServerName)
        {
            this.tlsServerName = tlsServerName;
            return this;
        }

        public Context username(final String username)
        {
            this.username = username;
            return this;
        }

        public Context password(final String password)
        {
            this.password = password;
            return this;
        }

        public Context listener(final KeelClientListener listener)
        {
            this.listener = listener;
            return this;
        }

        public Context heartbeatIntervalMs(final int heartbeatIntervalMs)
        {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        /**
         * @param cancelOnDisconnect the engine cancels this session's orders when its connection is lost.
         */
        public Context cancelOnDisconnect(final boolean cancelOnDisconnect)
        {
            this.cancelOnDisconnect = cancelOnDisconnect;
            return this;
        }

        /**
         * @param autoReconnect {@link #poll()} reconnects and logs on again after a lost connection.
         */
        public Context autoReconnect(final boolean autoReconnect)
        {
            this.autoReconnect = autoReconnect;
            return this;
        }

        /**
         * @param connectTimeoutMs longest wait for one endpoint to connect (TLS handshake included) and answer the
         *                         logon (default 5,000).
         */
        public Context connectTimeoutMs(final long connectTimeoutMs)
        {
            this.connectTimeoutMs = connectTimeoutMs;
            return this;
        }

        /**
         * @param reconnectIntervalMs the first wait after a lost connection (default 200), doubled after each cycle
         *                            of endpoints that all failed, up to {@link #maxReconnectIntervalMs(long)}, each
         *                            wait spread ±20 %; back to this after a logon.
         */
        public Context reconnectIntervalMs(final long reconnectIntervalMs)
        {
            this.reconnectIntervalMs = reconnectIntervalMs;
            return this;
        }

        /**
         * @param maxReconnectIntervalMs where the doubling of {@link #reconnectIntervalMs(long)} stops (default 5,000).
         */
        public Context maxReconnectIntervalMs(final long maxReconnectIntervalMs)
        {
            this.maxReconnectIntervalMs = maxReconnectIntervalMs;
            return this;
        }

        /**
         * @param batchSends false (default): every request is written to the connection as it is made, one system
         *                   call each — the lowest latency for one order at a time. true: requests are appended to the
         *                   send buffer and written together by the next {@link KeelClient#poll()} or
         *                   {@link KeelClient#flush()} (or when the buffer is full): one system call for a burst, for
         *                   senders of many requests between polls (pipelining, mass entry). TCP and TLS; Aeron UDP
         *                   batches in its driver either way.
         */
        public Context batchSends(final boolean batchSends)
        {
            this.batchSends = batchSends;
            return this;
        }

        public boolean batchSends()
        {
            return batchSends;
        }

        /**
         * @param resendTimeoutMs a request unanswered this long is sent again; 0 = only after reconnects.
         */
        public Context resendTimeoutMs(final long resendTimeoutMs)
        {
            this.resendTimeoutMs = resendTimeoutMs;
            return this;
        }

        public Context maxInFlight(final int maxInFlight)
        {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * @param maxUnavailableRetries how often a request the gateway refuses UNAVAILABLE (it cannot reach the
         *                              cluster) is sent again, with the same clOrdId, after a backoff of 100 ms
         *                              doubling up to 1 s, before the refusal is delivered (default 20, about 17 s);
         *                              0 delivers the first refusal.
         */
        public Context maxUnavailableRetries(final int maxUnavailableRetries)
        {
            this.maxUnavailableRetries = maxUnavailableRetries;
            return this;
        }

        /**
         * @param nextExpectedSeqNo where a previous client of this user's session stopped
         *                          ({@link KeelClient#nextExpectedSeqNo()}, stored by the application): the first
         *                          logon, at any gateway, asks for every report from it. 0 (default): nothing from
         *                          before this client; reports start with the engine's next. A number beyond every
         *                          report the engine produced is refused (LogonResult.INVALID_SEQ_NO) and reset to 0.
         */
        public Context nextExpectedSeqNo(final long nextExpectedSeqNo)
        {
            this.nextExpectedSeqNo = nextExpectedSeqNo;
            return this;
        }

        /**
         * @param nextExpectedSeqNos behind a gateway with several market segments: where a previous client stopped in
         *                           each segment ({@link KeelClient#nextExpectedSeqNos()}, one seqNo per segment seen,
         *                           each carrying its segment in its top bits). The logon names segment 0's (or the
         *                           lowest segment's); every other segment is asked for what it missed with a
         *                           ResendRequest once logged on.
         */
        public Context nextExpectedSeqNos(final long... nextExpectedSeqNos)
        {
            this.nextExpectedSeqNos = nextExpectedSeqNos.clone();
            return this;
        }
    }

    private final SessionReports reports;
    private final ClientMarketData marketData;
    private final ClientSession session;
    private final OrderEntry orderEntry;

    public KeelClient(final Context ctx)
    {
        ctx.conclude();
        reports = new SessionReports(
            ctx.listener,
            ctx.maxInFlight,
            ctx.resendTimeoutMs,
            ctx.maxUnavailableRetries,
            concat(ctx.nextExpectedSeqNos, ctx.nextExpectedSeqNo),
            this::requestResend,
            SystemNanoClock.INSTANCE);
        marketData = new ClientMarketData(ctx.listener, this::sendIfLoggedOn);
        session = new ClientSession(
            ctx.listener,
            reports,
            marketData,
            ctx.username,
            ctx.password,
            ctx.heartbeatIntervalMs,
            ctx.cancelOnDisconnect,
            ctx.autoReconnect,
            ctx.connectTimeoutMs,
            new EndpointRotation(ctx.endpointList, new ReconnectBackoff(
                TimeUnit.MILLISECONDS.toNanos(ctx.reconnectIntervalMs),
                TimeUnit.MILLISECONDS.toNanos(ctx.maxReconnectIntervalMs),
                jitterSeed(ctx.username)), ctx.listener),
            (transportListener) -> newTransport(ctx, transportListener));
        orderEntry = new OrderEntry(session, reports);
    }

    private static ClientTransport newTransport(final Context ctx, final ClientTransport.Listener listener)
    {
        if (ctx.transport == Transport.UDP)
        {
            return new UdpClientTransport(ctx.aeronDir, ctx.responseHost, listener);
        }
        return ctx.clientTls != null ?
            new TlsClientTransport(ctx.clientTls, listener, ctx.batchSends) : new TcpClientTransport(listener, ctx.batchSends);
    }

    /**
     * Clients of different users, and of one user in different processes, spread their reconnects differently; no
     * clock is read.
     */
    private static long jitterSeed(final String username)
    {
        return ((long)username.hashCode() << 32) ^ ProcessHandle.current().pid();
    }

    /**
     * Connect and log on, waiting up to the connect timeout; receive the reports missed since
     * {@link #nextExpectedSeqNo()}; then send again whatever was in flight. After SESSION_MOVED this takes the session
     * back from wherever it went. With several {@link Context#endpoints(String)}, each is tried once, from the one
     * after the last that failed or was lost: one that cannot be reached, fails the TLS handshake or answers
     * UNAVAILABLE is passed over (the listener hears of it, {@link KeelClientListener#onReconnecting}); a refused
     * logon is thrown at once.
     *
     * @throws KeelClientException when no endpoint can be reached, or the logon is refused; for INVALID_SEQ_NO
     *                             {@link #nextExpectedSeqNo()} is reset to 0, so connecting again succeeds (without
     *                             the reports before it).
     */
    public KeelClient connect()
    {
        session.connect();
        return this;
    }

    public boolean isLoggedOn()
    {
        return session.isLoggedOn();
    }

    /**
     * @return where the session stands; {@link SessionState#MOVED} when another logon of this user took it.
     */
    public SessionState state()
    {
        return session.state();
    }

    public long sessionId()
    {
        return session.sessionId();
    }

    public long accountId()
    {
        return session.accountId();
    }

    /**
     * @return requests sent and not yet answered.
     */
    public int inFlight()
    {
        return reports.inFlight();
    }

    public long reconnects()
    {
        return session.reconnects();
    }

    /**
     * @return requests sent again (after reconnects, resend timeouts or UNAVAILABLE refusals).
     */
    public long resent()
    {
        return reports.resent();
    }

    /**
     * @return the seqNo of the next report this client will deliver; reports before it have been delivered (or were
     * no longer held). Store it to resume elsewhere with {@link Context#nextExpectedSeqNo(long)}; 0 before the first
     * logon of a client started without one.
     */
    public long nextExpectedSeqNo()
    {
        return reports.nextExpectedSeqNo();
    }

    /**
     * @return the seqNo of the next report expected from one market segment (its segment in the top bits), 0 when
     * none is known; with one segment, segment 0's is {@link #nextExpectedSeqNo()}.
     */
    public long nextExpectedSeqNo(final int segment)
    {
        return reports.nextExpectedSeqNo(segment);
    }

    /**
     * @return the next seqNo expected from every segment seen: store them to resume elsewhere with
     * {@link Context#nextExpectedSeqNos(long...)}.
     */
    public long[] nextExpectedSeqNos()
    {
        return reports.nextExpectedSeqNos();
    }

    /**
     * @return how many market segments stand behind the gateway (its LogonResponse; 1 before the first logon or from a
     * gateway that knows no segments). An account query gets one complete answer from each.
     */
    public int segments()
    {
        return reports.segments();
    }

    private static long[] concat(final long[] seqNos, final long seqNo)
    {
        final long[] all = java.util.Arrays.copyOf(seqNos, seqNos.length + 1);
        all[seqNos.length] = seqNo; // the single-number form wins for its segment
        return all;
    }

    /**
     * Read and dispatch what has arrived, keep the session alive, resend what went unanswered, and
     * reconnect if the connection was lost (with auto-reconnect).
     *
     * @return work done.
     */
    public int poll()
    {
        return session.poll(System.nanoTime());
    }

    /**
     * Write what {@link Context#batchSends(boolean) batched sends} appended since the last poll, now.
     *
     * @return work done.
     */
    public int flush()
    {
        return session.flush();
    }

    // ------------------------------------------------------------------ requests

    /**
     * @return false when not logged on or too many requests are in flight (nothing was sent).
     */
    public boolean newOrder(
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final long price,
        final long quantity)
    {
        return orderEntry.newOrder(clOrdId, instrumentId, side, ordType, timeInForce, false, SelfTradePrevention.NONE,
            price, quantity, 0);
    }

    public boolean newOrder(
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention selfTradePrevention,
        final long price,
        final long quantity,
        final long expireTime)
    {
        return orderEntry.newOrder(
            clOrdId, instrumentId, side, ordType, timeInForce, postOnly, selfTradePrevention, price, quantity,
            expireTime);
    }

    /**
     * Cancel by orderId, or by origClOrdId when orderId is 0.
     */
    public boolean cancelOrder(final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId)
    {
        return orderEntry.cancelOrder(clOrdId, origClOrdId, orderId, instrumentId);
    }

    /**
     * Replace price and total quantity, by orderId, or by origClOrdId when orderId is 0.
     */
    public boolean replaceOrder(
        final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId, final long price,
        final long quantity)
    {
        return orderEntry.replaceOrder(clOrdId, origClOrdId, orderId, instrumentId, price, quantity);
    }

    public boolean massCancel(final long clOrdId, final MassCancelScope scope, final int instrumentId)
    {
        return orderEntry.massCancel(clOrdId, scope, instrumentId);
    }

    /**
     * Ask for an order's state, by orderId (live orders), or by any clOrdId it had when orderId is 0: answered with
     * an ExecutionReport ORDER_STATUS, or ordStatus REJECTED with UNKNOWN_ORDER. A read, so it is not kept in flight:
     * after a lost connection, ask again.
     */
    public boolean orderStatus(final long clOrdId, final long orderId)
    {
        return orderEntry.orderStatus(clOrdId, orderId);
    }

    /**
     * Ask for this session's account: balances and open orders arrive as
     * {@link KeelClientListener#onAccountStatus(AccountStatusDecoder)} pages carrying requestId. Not kept in flight.
     */
    public boolean accountStatus(final long requestId)
    {
        return orderEntry.accountStatus(requestId);
    }

    /**
     * Receive an instrument's market data (or stop): a BookSnapshot, then BookUpdate and Trade
     * messages in mdSeqNo order. Kept across reconnects; a gap brings a fresh snapshot.
     */
    public boolean subscribe(final int instrumentId, final boolean subscribe)
    {
        return marketData.request(instrumentId, subscribe);
    }

    /**
     * Ask for reports again, by seqNo; toSeqNo 0 = up to the latest. Already seen ones are not redelivered. (A gap is
     * asked for by the client itself.)
     */
    public boolean requestResend(final long fromSeqNo, final long toSeqNo)
    {
        return session.requestResend(fromSeqNo, toSeqNo);
    }

    /**
     * Log out and close the connection (no auto-reconnect after this), and what the transport owns (an embedded
     * media driver).
     */
    public void logout()
    {
        session.logout();
    }

    /**
     * Close the connection without logging out, as a network failure would. With auto-reconnect
     * the next {@link #poll()} logs on again and recovers what was missed.
     */
    public void dropConnection()
    {
        session.dropConnection();
    }

    public void close()
    {
        session.close();
    }

    // The session is made after the market data and reports it serves, so they reach it through this client.
    private boolean sendIfLoggedOn(final DirectBuffer buffer, final int offset, final int length)
    {
        return session.sendIfLoggedOn(buffer, offset, length);
    }
}
