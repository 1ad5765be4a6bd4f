package io.keel.engine;

import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.CancelOrderDecoder;
import io.keel.codecs.CodecEnums;
import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.DepositDecoder;
import io.keel.codecs.HaltInstrumentDecoder;
import io.keel.codecs.MassCancelDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageValidator;
import io.keel.codecs.NewOrderDecoder;
import io.keel.codecs.OrderStatusRequestDecoder;
import io.keel.codecs.ReplaceOrderDecoder;
import io.keel.codecs.ResumeInstrumentDecoder;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.SessionLostDecoder;
import io.keel.codecs.WithdrawDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes one SBE command with reused flyweights and applies it to the engine: the single
 * place where log bytes become engine calls, shared by the cluster service and offline replay.
 */
public final class CommandDispatcher
{
    /** Applied to the engine. */
    public static final int APPLIED = 0;
    /** Not a Keel engine command (other schema or template): the caller decides. */
    public static final int NOT_A_COMMAND = 1;
    /** Shorter than its header and block, or from a newer schema version: not applied. */
    public static final int MALFORMED = 2;

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

    public CommandDispatcher(final Engine engine)
    {
        this.engine = engine;
    }

    /**
     * @return {@link #APPLIED}, {@link #NOT_A_COMMAND} or {@link #MALFORMED}.
     */
    public int dispatch(final DirectBuffer buffer, final int offset, final int length, final long time)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return MALFORMED;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return NOT_A_COMMAND;
        }
        final int version = header.version();
        final int blockLength = header.blockLength();
        if (version > MessageHeaderDecoder.SCHEMA_VERSION || length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            return MALFORMED;
        }
        // Shorter than the template's block (the codecs' own table): fields would be read past it.
        if (blockLength < MessageValidator.minBlockLength(header.templateId()))
        {
            return MALFORMED;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;

        switch (header.templateId())
        {
            case NewOrderDecoder.TEMPLATE_ID:
                final NewOrderDecoder o = newOrder.wrap(buffer, body, blockLength, version);
                engine.newOrder(
                    o.sessionId(), o.accountId(), o.clOrdId(), o.instrumentId(), CodecEnums.side(o.sideRaw()),
                    CodecEnums.ordType(o.ordTypeRaw()), CodecEnums.timeInForce(o.timeInForceRaw()), o.execInst().postOnly(),
                    CodecEnums.selfTradePrevention(o.selfTradePreventionRaw()), o.price(), o.quantity(), o.expireTime(), time);
                return APPLIED;

            case CancelOrderDecoder.TEMPLATE_ID:
                final CancelOrderDecoder c = cancelOrder.wrap(buffer, body, blockLength, version);
                engine.cancelOrder(
                    c.sessionId(), c.accountId(), c.clOrdId(), c.origClOrdId(), c.orderId(), c.instrumentId(), time);
                return APPLIED;

            case ReplaceOrderDecoder.TEMPLATE_ID:
                final ReplaceOrderDecoder r = replaceOrder.wrap(buffer, body, blockLength, version);
                engine.replaceOrder(
                    r.sessionId(), r.accountId(), r.clOrdId(), r.origClOrdId(), r.orderId(), r.instrumentId(), r.price(),
                    r.quantity(), time);
                return APPLIED;

            case MassCancelDecoder.TEMPLATE_ID:
                final MassCancelDecoder m = massCancel.wrap(buffer, body, blockLength, version);
                engine.massCancel(m.sessionId(), m.accountId(), m.clOrdId(), CodecEnums.massCancelScope(m.scopeRaw()),
                    m.instrumentId(), time);
                return APPLIED;

            case MarketDataRequestDecoder.TEMPLATE_ID:
                engine.bookSnapshot(marketDataRequest.wrap(buffer, body, blockLength, version).instrumentId(), time);
                return APPLIED;

            case OrderStatusRequestDecoder.TEMPLATE_ID:
                final OrderStatusRequestDecoder q = orderStatusRequest.wrap(buffer, body, blockLength, version);
                engine.orderStatus(q.sessionId(), q.accountId(), q.clOrdId(), q.orderId(), time);
                return APPLIED;

            case AccountRequestDecoder.TEMPLATE_ID:
                final AccountRequestDecoder ar = accountRequest.wrap(buffer, body, blockLength, version);
                engine.accountStatus(ar.sessionId(), ar.accountId(), ar.requestId(), time);
                return APPLIED;

            case SessionLostDecoder.TEMPLATE_ID:
                final SessionLostDecoder s = sessionLost.wrap(buffer, body, blockLength, version);
                engine.sessionLost(s.sessionId(), s.accountId(), time);
                return APPLIED;

            default:
                return dispatchAdmin(buffer, body, blockLength, version, time);
        }
    }

    private int dispatchAdmin(final DirectBuffer buffer, final int body, final int blockLength, final int version, final long time)
    {
        switch (header.templateId())
        {
            case CreateAccountDecoder.TEMPLATE_ID:
                final CreateAccountDecoder ca = createAccount.wrap(buffer, body, blockLength, version);
                engine.createAccount(ca.correlationId(), ca.accountId(), time);
                return APPLIED;

            case DepositDecoder.TEMPLATE_ID:
                final DepositDecoder d = deposit.wrap(buffer, body, blockLength, version);
                engine.deposit(d.correlationId(), d.accountId(), d.assetId(), d.amount(), time);
                return APPLIED;

            case WithdrawDecoder.TEMPLATE_ID:
                final WithdrawDecoder w = withdraw.wrap(buffer, body, blockLength, version);
                engine.withdraw(w.correlationId(), w.accountId(), w.assetId(), w.amount(), time);
                return APPLIED;

            case AddInstrumentDecoder.TEMPLATE_ID:
                final AddInstrumentDecoder a = addInstrument.wrap(buffer, body, blockLength, version);
                engine.addInstrument(
                    a.correlationId(), a.instrumentId(), a.baseAssetId(), a.quoteAssetId(), a.tickSize(), a.lotSize(),
                    a.referencePrice(), a.priceBandBps(), a.marketProtectionBps(), time);
                return APPLIED;

            case HaltInstrumentDecoder.TEMPLATE_ID:
                final HaltInstrumentDecoder h = halt.wrap(buffer, body, blockLength, version);
                engine.halt(h.correlationId(), h.instrumentId(), time);
                return APPLIED;

            case ResumeInstrumentDecoder.TEMPLATE_ID:
                final ResumeInstrumentDecoder re = resume.wrap(buffer, body, blockLength, version);
                engine.resume(re.correlationId(), re.instrumentId(), time);
                return APPLIED;

            default:
                return NOT_A_COMMAND;
        }
    }
}
