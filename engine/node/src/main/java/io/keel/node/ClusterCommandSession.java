package io.keel.node;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.AddInstrumentEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.CreateAccountEncoder;
import io.keel.codecs.DepositEncoder;
import io.keel.codecs.HaltInstrumentEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.SessionCloseEncoder;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionOpenEncoder;
import io.keel.codecs.SessionReplayEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.PurgeRequestEncoder;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.ResumeInstrumentEncoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.SnapshotRequestEncoder;
import io.keel.codecs.StateHashRequestEncoder;
import io.keel.codecs.SetLimitsEncoder;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TransferEncoder;
import io.keel.codecs.TransferStep;
import io.keel.codecs.WithdrawEncoder;
import io.keel.common.ClusterCredentialsSupplier;
import io.keel.common.IdleProfile;
import io.keel.common.InvokedAeron;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A cluster session for a gateway or an admin tool: encodes Keel commands, offers them on
 * ingress, and hands egress to a handler. Reconnects when the cluster closed the session (for
 * example after a leader change it could not follow). Single-threaded: call it from one thread.
 * <p>
 * The session lives only while its owner calls {@link #poll()} (or offers) well inside the cluster's
 * session timeout (10 s by default): a session left alone that long is closed by the cluster, and what
 * is offered into it before the close is seen is lost. Owners poll it from the loop that does their
 * other work (see {@code keel demo}); {@link #maxPollGapNs()} tells how long it was ever left alone.
 */
public final class ClusterCommandSession implements AutoCloseable
{
    /**
     * Receives every egress message (an SBE message of the Keel schema).
     */
    @FunctionalInterface
    public interface MessageHandler
    {
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    private final String ingressEndpoints;
    private final byte[] credentials;
    private final File aeronDir;
    private final IdleProfile idleProfile;
    private final MessageHandler handler;
    private final IdleStrategy idle;
    private final MediaDriver driver;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final NewOrderEncoder newOrder = new NewOrderEncoder();
    private final SessionOpenEncoder sessionOpen = new SessionOpenEncoder();
    private final SessionCloseEncoder sessionClose = new SessionCloseEncoder();
    private final SessionReplayEncoder sessionReplay = new SessionReplayEncoder();
    private final CancelOrderEncoder cancelOrder = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replaceOrder = new ReplaceOrderEncoder();
    private final MassCancelEncoder massCancel = new MassCancelEncoder();
    private final CreateAccountEncoder createAccount = new CreateAccountEncoder();
    private final DepositEncoder deposit = new DepositEncoder();
    private final WithdrawEncoder withdraw = new WithdrawEncoder();
    private final AddInstrumentEncoder addInstrument = new AddInstrumentEncoder();
    private final HaltInstrumentEncoder halt = new HaltInstrumentEncoder();
    private final ResumeInstrumentEncoder resume = new ResumeInstrumentEncoder();
    private final SnapshotRequestEncoder snapshotRequest = new SnapshotRequestEncoder();
    private final AccountRequestEncoder accountRequest = new AccountRequestEncoder();
    private final StateHashRequestEncoder stateHashRequest = new StateHashRequestEncoder();
    private final SetLimitsEncoder setLimits = new SetLimitsEncoder();
    private final TransferEncoder transfer = new TransferEncoder();
    private final PurgeRequestEncoder purgeRequest = new PurgeRequestEncoder();
    /** With the driver on the caller's thread: the client shared by every session, and the duty cycles to invoke. */
    private final Aeron aeron;
    private final InvokedAeron invoked;
    private String egressHost = "localhost";
    private AeronCluster cluster;
    private long lastKeepAliveNs;
    private long lastServiceNs;
    private long maxPollGapNs;
    private long reconnects;
    private long leaderChanges;

    /**
     * @param aeronDir an aeron dir of its own: the client runs an embedded media driver there,
     *                 so it outlives any node.
     */
    public ClusterCommandSession(
        final String ingressEndpoints,
        final byte[] credentials,
        final File aeronDir,
        final IdleProfile idleProfile,
        final MessageHandler handler)
    {
        this(ingressEndpoints, credentials, aeronDir, idleProfile, handler, false);
    }

    /**
     * @param aeronDir             an aeron dir of its own: the client runs an embedded media driver there,
     *                             so it outlives any node.
     * @param driverOnCallerThread the embedded driver and the Aeron client's conductor do their work inside
     *                             {@link #poll()} and {@link #offer}, on the caller's thread (as the gateway's
     *                             do), instead of on threads of their own: call {@link #poll()} continuously.
     */
    public ClusterCommandSession(
        final String ingressEndpoints,
        final byte[] credentials,
        final File aeronDir,
        final IdleProfile idleProfile,
        final MessageHandler handler,
        final boolean driverOnCallerThread)
    {
        this.ingressEndpoints = ingressEndpoints;
        this.credentials = credentials;
        this.aeronDir = aeronDir;
        this.idleProfile = idleProfile;
        this.handler = handler;
        idle = idleProfile.newIdleStrategy();
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.getAbsolutePath())
            .threadingMode(driverOnCallerThread ? ThreadingMode.INVOKER : idleProfile.threadingMode())
            .sharedIdleStrategy(idleProfile.newIdleStrategy())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(256 * 1024)
            .ipcTermBufferLength(256 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            aeron = driverOnCallerThread ? Aeron.connect(InvokedAeron.clientContext(driver)) : null;
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
        invoked = new InvokedAeron(aeron);
    }

    /**
     * @param egressHost the address the cluster's nodes reach this client at (its egress binds there); {@code localhost}
     *                   (the default) only with every node on this machine. Takes effect at the next {@link #connect()}.
     */
    public ClusterCommandSession egressHost(final String egressHost)
    {
        this.egressHost = egressHost;
        return this;
    }

    /**
     * Connect, waiting up to the Aeron message timeout.
     *
     * @throws io.aeron.exceptions.AeronException when the cluster refuses or cannot be reached.
     */
    public ClusterCommandSession connect()
    {
        final EgressListener listener = new EgressListener()
        {
            public void onMessage(
                final long clusterSessionId,
                final long timestamp,
                final DirectBuffer buffer,
                final int offset,
                final int length,
                final io.aeron.logbuffer.Header header)
            {
                handler.onMessage(buffer, offset, length);
            }

            public void onNewLeader(
                final long clusterSessionId, final long leadershipTermId, final int leaderMemberId, final String ingressEndpoints)
            {
                leaderChanges++;
            }
        };
        CloseHelper.quietClose(cluster);
        final AeronCluster.Context context = new AeronCluster.Context();
        if (aeron != null)
        {
            context.aeron(aeron).ownsAeronClient(false).agentInvoker(invoked.driver());
        }
        cluster = AeronCluster.connect(context
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ingressChannel("aeron:udp?term-length=256k")
            .ingressEndpoints(ingressEndpoints)
            .egressChannel("aeron:udp?endpoint=" + egressHost + ":0|term-length=1m")
            .egressListener(listener)
            .idleStrategy(idleProfile.newIdleStrategy())
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .credentialsSupplier(new ClusterCredentialsSupplier(credentials)));
        lastKeepAliveNs = System.nanoTime(); // determinism-ok: client side
        lastServiceNs = lastKeepAliveNs;
        return this;
    }

    public boolean isConnected()
    {
        return cluster != null && !cluster.isClosed();
    }

    public long reconnects()
    {
        return reconnects;
    }

    /**
     * How often the cluster told this session of a new leader: a cue to resend what is unanswered.
     */
    public long leaderChanges()
    {
        return leaderChanges;
    }

    public int leaderMemberId()
    {
        return cluster == null ? -1 : cluster.leaderMemberId();
    }

    /**
     * The longest time the connected session went without a {@link #poll()} or an offer: near the cluster's
     * session timeout means the owner starves it.
     */
    public long maxPollGapNs()
    {
        return maxPollGapNs;
    }

    /**
     * Poll egress and keep the session alive; reconnects if the cluster closed the session.
     *
     * @return work done.
     */
    public int poll()
    {
        int work = invoked.invoke();
        if (!isConnected())
        {
            reconnects++;
            connect();
        }
        work += cluster.pollEgress();
        keepAlive();
        return work;
    }

    /**
     * Called on every poll and offer: a keep-alive once a second, whichever of them the owner calls.
     */
    private void keepAlive()
    {
        final long nowNs = System.nanoTime(); // determinism-ok: client side
        maxPollGapNs = Math.max(maxPollGapNs, nowNs - lastServiceNs);
        lastServiceNs = nowNs;
        if (isConnected() && nowNs - lastKeepAliveNs > TimeUnit.SECONDS.toNanos(1))
        {
            if (cluster.sendKeepAlive())
            {
                lastKeepAliveNs = nowNs;
            }
        }
    }

    /**
     * Offer an encoded message, polling egress while back-pressured, for up to timeoutNs.
     *
     * @return true when the cluster took it.
     */
    public boolean offer(final DirectBuffer message, final int offset, final int length, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs; // determinism-ok: client side
        while (true)
        {
            if (isConnected() && cluster.offer(message, offset, length) > 0)
            {
                keepAlive();
                idle.reset();
                return true;
            }
            if (System.nanoTime() - deadline > 0) // determinism-ok: client side
            {
                idle.reset();
                return false;
            }
            try
            {
                poll();
            }
            catch (final RuntimeException ex)
            {
                // No leader yet: keep trying until the deadline.
                idle.idle();
            }
            idle.idle(0);
        }
    }

    private boolean send(final int bodyLength)
    {
        return offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength, TimeUnit.SECONDS.toNanos(10));
    }

    public boolean newOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention stp,
        final long price,
        final long quantity,
        final long expireTime)
    {
        newOrder.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .clOrdId(clOrdId)
            .instrumentId(instrumentId)
            .side(side)
            .ordType(ordType)
            .timeInForce(timeInForce)
            .selfTradePrevention(stp)
            .price(price)
            .quantity(quantity)
            .expireTime(expireTime)
            .execInst().clear().postOnly(postOnly);
        return send(newOrder.encodedLength());
    }

    /**
     * As a gateway: serve this client session from now on (its user's password was verified); answered with a
     * SessionStatus.
     */
    public boolean openSession(
        final long sessionId,
        final long accountId,
        final boolean cancelOnDisconnect,
        final long graceTime,
        final long nextExpectedSeqNo)
    {
        sessionOpen.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .cancelOnDisconnect(cancelOnDisconnect ? BooleanType.TRUE : BooleanType.FALSE)
            .graceTime(graceTime)
            .nextExpectedSeqNo(nextExpectedSeqNo);
        return send(sessionOpen.encodedLength());
    }

    /**
     * As a gateway: the client of this session logged out or went away.
     */
    public boolean closeSession(final long sessionId, final SessionCloseReason reason)
    {
        sessionClose.wrapAndApplyHeader(buffer, 0, header).sessionId(sessionId).reason(reason);
        return send(sessionClose.encodedLength());
    }

    /**
     * As a gateway: send this session's reports fromSeqNo..toSeqNo (0: the latest) again from the journal.
     */
    public boolean replay(final long sessionId, final long fromSeqNo, final long toSeqNo)
    {
        sessionReplay.wrapAndApplyHeader(buffer, 0, header).sessionId(sessionId).fromSeqNo(fromSeqNo).toSeqNo(toSeqNo);
        return send(sessionReplay.encodedLength());
    }

    public boolean cancelOrder(
        final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
        final int instrumentId)
    {
        cancelOrder.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId);
        return send(cancelOrder.encodedLength());
    }

    public boolean replaceOrder(
        final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
        final int instrumentId, final long price, final long quantity)
    {
        replaceOrder.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId)
            .price(price)
            .quantity(quantity);
        return send(replaceOrder.encodedLength());
    }

    public boolean massCancel(
        final long sessionId, final long accountId, final long clOrdId, final MassCancelScope scope, final int instrumentId)
    {
        massCancel.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(sessionId)
            .accountId(accountId)
            .clOrdId(clOrdId)
            .scope(scope)
            .instrumentId(instrumentId);
        return send(massCancel.encodedLength());
    }

    /**
     * Admin: any account's balances and open orders, answered with AccountStatus pages carrying the correlation id.
     */
    public boolean accountStatus(final long correlationId, final long accountId)
    {
        accountRequest.wrapAndApplyHeader(buffer, 0, header).sessionId(0).accountId(accountId).requestId(correlationId);
        return send(accountRequest.encodedLength());
    }

    public boolean createAccount(final long correlationId, final long accountId)
    {
        createAccount.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).accountId(accountId);
        return send(createAccount.encodedLength());
    }

    public boolean deposit(final long correlationId, final long accountId, final int assetId, final long amount)
    {
        deposit.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).accountId(accountId).assetId(assetId).amount(amount);
        return send(deposit.encodedLength());
    }

    public boolean withdraw(final long correlationId, final long accountId, final int assetId, final long amount)
    {
        withdraw.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).accountId(accountId).assetId(assetId).amount(amount);
        return send(withdraw.encodedLength());
    }

    public boolean addInstrument(
        final long correlationId,
        final int instrumentId,
        final int baseAssetId,
        final int quoteAssetId,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps)
    {
        addInstrument.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .instrumentId(instrumentId)
            .baseAssetId(baseAssetId)
            .quoteAssetId(quoteAssetId)
            .tickSize(tickSize)
            .lotSize(lotSize)
            .referencePrice(referencePrice)
            .priceBandBps(priceBandBps)
            .marketProtectionBps(marketProtectionBps);
        return send(addInstrument.encodedLength());
    }

    public boolean halt(final long correlationId, final int instrumentId)
    {
        halt.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).instrumentId(instrumentId);
        return send(halt.encodedLength());
    }

    public boolean resume(final long correlationId, final int instrumentId)
    {
        resume.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).instrumentId(instrumentId);
        return send(resume.encodedLength());
    }

    /**
     * Change the engine limits through the log (see {@code EngineLimits}); {@code EngineLimits.KEEP} (0) keeps a value,
     * all KEEP asks for the limits in force. Answered with a Limits message.
     */
    public boolean setLimits(
        final long correlationId,
        final int maxOrders,
        final int maxOpenOrdersPerAccount,
        final long gtdHorizon,
        final long idempotencyHorizon,
        final int maxClOrdIds)
    {
        setLimits.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .maxOrders(maxOrders == 0 ? SetLimitsEncoder.maxOrdersNullValue() : maxOrders)
            .maxOpenOrdersPerAccount(
                maxOpenOrdersPerAccount == 0 ? SetLimitsEncoder.maxOpenOrdersPerAccountNullValue() : maxOpenOrdersPerAccount)
            .gtdHorizon(gtdHorizon == 0 ? SetLimitsEncoder.gtdHorizonNullValue() : gtdHorizon)
            .idempotencyHorizon(idempotencyHorizon == 0 ? SetLimitsEncoder.idempotencyHorizonNullValue() : idempotencyHorizon)
            .maxClOrdIds(maxClOrdIds == 0 ? SetLimitsEncoder.maxClOrdIdsNullValue() : maxClOrdIds);
        return send(setLimits.encodedLength());
    }

    /**
     * Admin: one step of a transfer between segments (or a QUERY of one id, or a LIST of the pending ones above
     * {@code transferId}), answered with a TransferStatus (a LIST: a TransferList) carrying the correlation id.
     */
    public boolean transfer(
        final long correlationId,
        final long transferId,
        final long accountId,
        final int assetId,
        final long amount,
        final TransferStep step,
        final int fromSegment,
        final int toSegment)
    {
        transfer.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .transferId(transferId)
            .accountId(accountId)
            .assetId(assetId)
            .amount(amount)
            .step(step)
            .fromSegment(fromSegment)
            .toSegment(toSegment);
        return send(transfer.encodedLength());
    }

    /**
     * Ask the leader to take a snapshot, through the log.
     */
    public boolean requestSnapshot(final long correlationId)
    {
        snapshotRequest.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId);
        return send(snapshotRequest.encodedLength());
    }

    /**
     * Every node records its state hash at this request's log position; the answer carries it.
     */
    public boolean requestStateHash(final long correlationId)
    {
        stateHashRequest.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId);
        return send(stateHashRequest.encodedLength());
    }

    /**
     * Every member purges its log, old snapshots and journal to its newest snapshot at or before both bounds (see
     * {@code keel admin purge}: the bound on the position must not pass any member's log position).
     */
    public boolean requestPurge(final long correlationId, final long beforePosition, final long beforeTime)
    {
        purgeRequest.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .beforePosition(beforePosition)
            .beforeTime(beforeTime);
        return send(purgeRequest.encodedLength());
    }

    public void close()
    {
        CloseHelper.closeAll(cluster);
        invoked.linger(TimeUnit.MILLISECONDS.toNanos(50)); // no driver thread sends the session's close
        CloseHelper.closeAll(aeron, driver);
    }
}
