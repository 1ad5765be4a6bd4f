package io.keel.node;

import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.CancelOrderDecoder;
import io.keel.codecs.CodecEnums;
import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.DepositDecoder;
import io.keel.codecs.DropCopyRequestDecoder;
import io.keel.codecs.HaltInstrumentDecoder;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MassCancelDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageValidator;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrderStatusRequestDecoder;
import io.keel.codecs.PurgeRequestDecoder;
import io.keel.codecs.ReplaceOrderDecoder;
import io.keel.codecs.ResumeInstrumentDecoder;
import io.keel.codecs.BooleanType;
import io.keel.codecs.SessionCloseDecoder;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionLostDecoder;
import io.keel.codecs.SessionOpenDecoder;
import io.keel.codecs.SessionReplayDecoder;
import io.keel.codecs.SetLimitsDecoder;
import io.keel.codecs.SnapshotRequestDecoder;
import io.keel.codecs.StateHashRequestDecoder;
import io.keel.codecs.TransferDecoder;
import io.keel.codecs.TransferStep;
import io.keel.codecs.WithdrawDecoder;
import io.keel.engine.Engine;
import io.keel.engine.EngineLimits;
import org.agrona.DirectBuffer;

/**
 * The one place log bytes become engine calls: the header is read once, the body once with a
 * reused flyweight, and the engine gets plain values (primitives and codec enums, unknown enum
 * values as NULL_VAL). {@link LogApplier} wraps the header, checks who may send it, then applies;
 * tests and tools without sessions call {@link #decode}.
 *
 * <p>A new command is one flyweight field and one case in {@link #apply}'s switch (and, if only
 * some sessions may send it, its template range in {@link LogApplier}).
 */
public final class CommandDecoder
{
    private final Engine engine;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final NewOrderDecoder newOrder = new NewOrderDecoder();
    private final CancelOrderDecoder cancelOrder = new CancelOrderDecoder();
    private final ReplaceOrderDecoder replaceOrder = new ReplaceOrderDecoder();
    private final MassCancelDecoder massCancel = new MassCancelDecoder();
    private final SessionLostDecoder sessionLost = new SessionLostDecoder();
    private final MarketDataRequestDecoder marketDataRequest = new MarketDataRequestDecoder();
    private final OrderStatusRequestDecoder orderStatusRequest = new OrderStatusRequestDecoder();
    private final AccountRequestDecoder accountRequest = new AccountRequestDecoder();
    private final CreateAccountDecoder createAccount = new CreateAccountDecoder();
    private final DepositDecoder deposit = new DepositDecoder();
    private final WithdrawDecoder withdraw = new WithdrawDecoder();
    private final AddInstrumentDecoder addInstrument = new AddInstrumentDecoder();
    private final HaltInstrumentDecoder halt = new HaltInstrumentDecoder();
    private final ResumeInstrumentDecoder resume = new ResumeInstrumentDecoder();
    private final SnapshotRequestDecoder snapshotRequest = new SnapshotRequestDecoder();
    private final StateHashRequestDecoder stateHashRequest = new StateHashRequestDecoder();
    private final SessionOpenDecoder sessionOpen = new SessionOpenDecoder();
    private final SessionCloseDecoder sessionClose = new SessionCloseDecoder();
    private final SessionReplayDecoder sessionReplay = new SessionReplayDecoder();
    private final SetLimitsDecoder setLimits = new SetLimitsDecoder();
    private final PurgeRequestDecoder purgeRequest = new PurgeRequestDecoder();
    private final DropCopyRequestDecoder dropCopyRequest = new DropCopyRequestDecoder();
    private final TransferDecoder transfer = new TransferDecoder();
    private static final TransferStep[] TRANSFER_STEPS = TransferStep.values();
    private long correlationId;
    private long purgeBeforePosition;
    private long purgeBeforeTime;
    private long gatewayLink;
    private int gatewayId;
    private long replaySessionId;
    private long replayFromSeqNo;
    private long replayToSeqNo;

    public CommandDecoder(final Engine engine)
    {
        this.engine = engine;
    }

    /**
     * A whole message from a trusted source (no session roles): header, then {@link #apply}.
     */
    public CommandResult decode(final DirectBuffer buffer, final int offset, final int length, final long time)
    {
        if (!wrapHeader(buffer, offset, length))
        {
            return CommandResult.INVALID;
        }
        if (!isKeelSchema())
        {
            return CommandResult.UNSUPPORTED;
        }
        return apply(buffer, offset, length, time);
    }

    /**
     * Read the message header.
     *
     * @return false when the message is shorter than a header (nothing was read).
     */
    boolean wrapHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return false;
        }
        header.wrap(buffer, offset);
        return true;
    }

    boolean isKeelSchema()
    {
        return header.schemaId() == MessageHeaderDecoder.SCHEMA_ID;
    }

    int templateId()
    {
        return header.templateId();
    }

    /**
     * Who sends the next message: a gateway's cluster session (its link) and gateway id; 0 for others.
     */
    void sender(final long gatewayLink, final int gatewayId)
    {
        this.gatewayLink = gatewayLink;
        this.gatewayId = gatewayId;
    }

    /**
     * The session of the last {@link CommandResult#SESSION_OPENED} or {@link CommandResult#REPLAY_REQUEST}.
     */
    long replaySessionId()
    {
        return replaySessionId;
    }

    /**
     * First seqNo to send again (0: none); the range ends at {@link #replayToSeqNo()} (0: the latest).
     */
    long replayFromSeqNo()
    {
        return replayFromSeqNo;
    }

    long replayToSeqNo()
    {
        return replayToSeqNo;
    }

    /**
     * The last {@link CommandResult#DROP_COPY_REQUEST}, wrapped: valid until the next message is applied.
     */
    DropCopyRequestDecoder dropCopyRequest()
    {
        return dropCopyRequest;
    }

    /**
     * The correlation id of the last snapshot or state-hash request, for the node's answer.
     */
    long correlationId()
    {
        return correlationId;
    }

    /**
     * Decode the body of the message whose header {@link #wrapHeader} read, and apply it.
     */
    CommandResult apply(final DirectBuffer buffer, final int offset, final int length, final long time)
    {
        final int version = header.version();
        final int blockLength = header.blockLength();
        final int templateId = header.templateId();
        // Newer than this build, or shorter than its block or the template's (the codecs' own
        // table): fields would be read past the message.
        if (version > MessageHeaderDecoder.SCHEMA_VERSION || length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength ||
            blockLength < MessageValidator.minBlockLength(templateId))
        {
            return CommandResult.INVALID;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;

        switch (templateId)
        {
            case NewOrderDecoder.TEMPLATE_ID:
                final NewOrderDecoder o = newOrder.wrap(buffer, body, blockLength, version);
                engine.newOrder(
                    o.sessionId(), o.accountId(), o.clOrdId(), o.instrumentId(), CodecEnums.side(o.sideRaw()),
                    CodecEnums.ordType(o.ordTypeRaw()), CodecEnums.timeInForce(o.timeInForceRaw()), o.execInst().postOnly(),
                    CodecEnums.selfTradePrevention(o.selfTradePreventionRaw()), o.price(), o.quantity(), o.expireTime(), time);
                return CommandResult.APPLIED;

            case CancelOrderDecoder.TEMPLATE_ID:
                final CancelOrderDecoder c = cancelOrder.wrap(buffer, body, blockLength, version);
                engine.cancelOrder(
                    c.sessionId(), c.accountId(), c.clOrdId(), c.origClOrdId(), c.orderId(), c.instrumentId(), time);
                return CommandResult.APPLIED;

            case ReplaceOrderDecoder.TEMPLATE_ID:
                final ReplaceOrderDecoder r = replaceOrder.wrap(buffer, body, blockLength, version);
                engine.replaceOrder(
                    r.sessionId(), r.accountId(), r.clOrdId(), r.origClOrdId(), r.orderId(), r.instrumentId(), r.price(),
                    r.quantity(), time);
                return CommandResult.APPLIED;

            case MassCancelDecoder.TEMPLATE_ID:
                final MassCancelDecoder m = massCancel.wrap(buffer, body, blockLength, version);
                engine.massCancel(m.sessionId(), m.accountId(), m.clOrdId(), CodecEnums.massCancelScope(m.scopeRaw()),
                    m.instrumentId(), time);
                return CommandResult.APPLIED;

            case MarketDataRequestDecoder.TEMPLATE_ID:
                engine.bookSnapshot(marketDataRequest.wrap(buffer, body, blockLength, version).instrumentId(), time);
                return CommandResult.APPLIED;

            case OrderStatusRequestDecoder.TEMPLATE_ID:
                final OrderStatusRequestDecoder q = orderStatusRequest.wrap(buffer, body, blockLength, version);
                engine.orderStatus(q.sessionId(), q.accountId(), q.clOrdId(), q.orderId(), time);
                return CommandResult.APPLIED;

            case AccountRequestDecoder.TEMPLATE_ID:
                final AccountRequestDecoder ar = accountRequest.wrap(buffer, body, blockLength, version);
                engine.accountStatus(ar.sessionId(), ar.accountId(), ar.requestId(), time);
                return CommandResult.APPLIED;

            case SessionLostDecoder.TEMPLATE_ID:
                final SessionLostDecoder s = sessionLost.wrap(buffer, body, blockLength, version);
                engine.sessionLost(s.sessionId(), s.accountId(), time);
                return CommandResult.APPLIED;

            case SessionOpenDecoder.TEMPLATE_ID:
                final SessionOpenDecoder so = sessionOpen.wrap(buffer, body, blockLength, version);
                final long openedId = so.sessionId();
                final long expected = so.nextExpectedSeqNo();
                engine.openSession(gatewayLink, gatewayId, openedId, so.accountId(),
                    so.cancelOnDisconnectRaw() == BooleanType.TRUE.value(), so.graceTime(), expected, time);
                if (gatewayLink == 0 || engine.sessionLink(openedId) != gatewayLink || expected == 0 ||
                    expected >= engine.sessionNextSeqNo(openedId))
                {
                    return CommandResult.APPLIED;
                }
                // Opened here, with reports the client has not seen: they follow the status, from the journal.
                replaySessionId = openedId;
                replayFromSeqNo = expected;
                replayToSeqNo = 0;
                return CommandResult.SESSION_OPENED;

            case SessionCloseDecoder.TEMPLATE_ID:
                final SessionCloseDecoder sc = sessionClose.wrap(buffer, body, blockLength, version);
                final SessionCloseReason closeReason = CodecEnums.sessionCloseReason(sc.reasonRaw());
                engine.closeSession(gatewayLink, sc.sessionId(), closeReason, time);
                return CommandResult.APPLIED;

            case SessionReplayDecoder.TEMPLATE_ID:
                final SessionReplayDecoder sr = sessionReplay.wrap(buffer, body, blockLength, version);
                replaySessionId = sr.sessionId();
                replayFromSeqNo = sr.fromSeqNo();
                replayToSeqNo = sr.toSeqNo();
                return CommandResult.REPLAY_REQUEST;

            case CreateAccountDecoder.TEMPLATE_ID:
                final CreateAccountDecoder ca = createAccount.wrap(buffer, body, blockLength, version);
                engine.createAccount(ca.correlationId(), ca.accountId(), time);
                return CommandResult.APPLIED;

            case DepositDecoder.TEMPLATE_ID:
                final DepositDecoder d = deposit.wrap(buffer, body, blockLength, version);
                engine.deposit(d.correlationId(), d.accountId(), d.assetId(), d.amount(), time);
                return CommandResult.APPLIED;

            case WithdrawDecoder.TEMPLATE_ID:
                final WithdrawDecoder w = withdraw.wrap(buffer, body, blockLength, version);
                engine.withdraw(w.correlationId(), w.accountId(), w.assetId(), w.amount(), time);
                return CommandResult.APPLIED;

            case AddInstrumentDecoder.TEMPLATE_ID:
                final AddInstrumentDecoder a = addInstrument.wrap(buffer, body, blockLength, version);
                engine.addInstrument(
                    a.correlationId(), a.instrumentId(), a.baseAssetId(), a.quoteAssetId(), a.tickSize(), a.lotSize(),
                    a.referencePrice(), a.priceBandBps(), a.marketProtectionBps(), time);
                return CommandResult.APPLIED;

            case HaltInstrumentDecoder.TEMPLATE_ID:
                final HaltInstrumentDecoder h = halt.wrap(buffer, body, blockLength, version);
                engine.halt(h.correlationId(), h.instrumentId(), time);
                return CommandResult.APPLIED;

            case ResumeInstrumentDecoder.TEMPLATE_ID:
                final ResumeInstrumentDecoder re = resume.wrap(buffer, body, blockLength, version);
                engine.resume(re.correlationId(), re.instrumentId(), time);
                return CommandResult.APPLIED;

            case SetLimitsDecoder.TEMPLATE_ID:
                final SetLimitsDecoder l = setLimits.wrap(buffer, body, blockLength, version);
                engine.setLimits(l.correlationId(),
                    keep(l.maxOrders(), SetLimitsDecoder.maxOrdersNullValue()),
                    keep(l.maxOpenOrdersPerAccount(), SetLimitsDecoder.maxOpenOrdersPerAccountNullValue()),
                    keep(l.gtdHorizon(), SetLimitsDecoder.gtdHorizonNullValue()),
                    keep(l.idempotencyHorizon(), SetLimitsDecoder.idempotencyHorizonNullValue()),
                    keep(l.maxClOrdIds(), SetLimitsDecoder.maxClOrdIdsNullValue()), time);
                return CommandResult.APPLIED;

            case TransferDecoder.TEMPLATE_ID:
                final TransferDecoder t = transfer.wrap(buffer, body, blockLength, version);
                engine.transfer(t.correlationId(), t.transferId(), t.accountId(), t.assetId(), t.amount(),
                    transferStep(t.stepRaw()), t.fromSegment(), t.toSegment(), time);
                return CommandResult.APPLIED;

            // Node commands: no engine change here, the live node acts on them.
            case SnapshotRequestDecoder.TEMPLATE_ID:
                correlationId = snapshotRequest.wrap(buffer, body, blockLength, version).correlationId();
                return CommandResult.SNAPSHOT_REQUEST;

            case StateHashRequestDecoder.TEMPLATE_ID:
                correlationId = stateHashRequest.wrap(buffer, body, blockLength, version).correlationId();
                return CommandResult.STATE_HASH_REQUEST;

            case PurgeRequestDecoder.TEMPLATE_ID:
                final PurgeRequestDecoder p = purgeRequest.wrap(buffer, body, blockLength, version);
                correlationId = p.correlationId();
                purgeBeforePosition = p.beforePosition();
                purgeBeforeTime = p.beforeTime();
                return CommandResult.PURGE_REQUEST;
            case DropCopyRequestDecoder.TEMPLATE_ID:
                dropCopyRequest.wrap(buffer, body, blockLength, version);
                return CommandResult.DROP_COPY_REQUEST;

            default:
                return CommandResult.UNSUPPORTED;
        }
    }

    /**
     * The last purge request's bound on the snapshot's log position.
     */
    long purgeBeforePosition()
    {
        return purgeBeforePosition;
    }

    /**
     * The last purge request's bound on the snapshot's cluster time.
     */
    long purgeBeforeTime()
    {
        return purgeBeforeTime;
    }

    /**
     * An unknown step arrives as NULL_VAL, which the engine refuses (no allocation, no exception).
     */
    private static TransferStep transferStep(final short raw)
    {
        for (final TransferStep step : TRANSFER_STEPS)
        {
            if (step.value() == raw)
            {
                return step;
            }
        }
        return TransferStep.NULL_VAL;
    }

    /**
     * An optional field left null keeps the limit's value.
     */
    private static long keep(final long value, final long nullValue)
    {
        return value == nullValue ? EngineLimits.KEEP : value;
    }
}
