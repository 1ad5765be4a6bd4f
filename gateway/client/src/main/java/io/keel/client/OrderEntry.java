package io.keel.client;

import io.keel.codecs.AccountRequestEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.OrderStatusRequestEncoder;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Order entry: each request encoded by a flyweight over one reused buffer, then sent on the session. Orders, cancels,
 * replaces and mass cancels are kept in flight until answered; status and account queries are reads, sent once.
 * The gateway stamps sessionId and accountId, so they go as 0.
 * <p>
 * The buffer is this class's own: a send that is back-pressured reads, and what it reads may make the session or the
 * market data send too; they must not write over the request still being offered.
 */
final class OrderEntry
{
    private final ClientSession session;
    private final SessionReports reports;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final NewOrderEncoder newOrderEncoder = new NewOrderEncoder();
    private final CancelOrderEncoder cancelOrderEncoder = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replaceOrderEncoder = new ReplaceOrderEncoder();
    private final MassCancelEncoder massCancelEncoder = new MassCancelEncoder();
    private final OrderStatusRequestEncoder orderStatusEncoder = new OrderStatusRequestEncoder();
    private final AccountRequestEncoder accountRequestEncoder = new AccountRequestEncoder();

    OrderEntry(final ClientSession session, final SessionReports reports)
    {
        this.session = session;
        this.reports = reports;
    }

    boolean newOrder(
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
        newOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .instrumentId(instrumentId)
            .side(side)
            .ordType(ordType)
            .timeInForce(timeInForce)
            .selfTradePrevention(selfTradePrevention)
            .price(price)
            .quantity(quantity)
            .expireTime(expireTime)
            .execInst().clear().postOnly(postOnly);
        return sendTracked(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + newOrderEncoder.encodedLength());
    }

    boolean cancelOrder(final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId)
    {
        cancelOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId);
        return sendTracked(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + cancelOrderEncoder.encodedLength());
    }

    boolean replaceOrder(
        final long clOrdId, final long origClOrdId, final long orderId, final int instrumentId, final long price,
        final long quantity)
    {
        replaceOrderEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .origClOrdId(origClOrdId)
            .orderId(orderId)
            .instrumentId(instrumentId)
            .price(price)
            .quantity(quantity);
        return sendTracked(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + replaceOrderEncoder.encodedLength());
    }

    boolean massCancel(final long clOrdId, final MassCancelScope scope, final int instrumentId)
    {
        massCancelEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .scope(scope)
            .instrumentId(instrumentId);
        return sendTracked(clOrdId, MessageHeaderEncoder.ENCODED_LENGTH + massCancelEncoder.encodedLength());
    }

    boolean orderStatus(final long clOrdId, final long orderId)
    {
        if (!session.isLoggedOn())
        {
            return false;
        }
        orderStatusEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .clOrdId(clOrdId)
            .orderId(orderId);
        return session.write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + orderStatusEncoder.encodedLength());
    }

    boolean accountStatus(final long requestId)
    {
        if (!session.isLoggedOn())
        {
            return false;
        }
        accountRequestEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .sessionId(0)
            .accountId(0)
            .requestId(requestId);
        return session.write(message, 0, MessageHeaderEncoder.ENCODED_LENGTH + accountRequestEncoder.encodedLength());
    }

    /**
     * Kept in flight before it is sent, so a report can never answer a request not yet tracked; once tracked it
     * counts as sent even if this write fails, because the next logon sends it again.
     */
    private boolean sendTracked(final long clOrdId, final int length)
    {
        if (!session.isLoggedOn() || !reports.track(clOrdId, message, 0, length, System.nanoTime()))
        {
            return false;
        }
        session.write(message, 0, length);
        return true;
    }
}
