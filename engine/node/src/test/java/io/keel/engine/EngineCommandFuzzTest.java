package io.keel.engine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keel.codecs.AddInstrumentEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.CreateAccountEncoder;
import io.keel.codecs.DepositEncoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.HaltInstrumentEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.ResumeInstrumentEncoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionLostEncoder;
import io.keel.codecs.SetLimitsEncoder;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.WithdrawEncoder;
import io.keel.node.CommandDecoder;
import io.keel.node.CommandResult;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary sequences of decoded commands — orders, cancels, replaces, mass cancels, session
 * losses, deposits, withdrawals, halts, new accounts and instruments, limits changed, time passing, and raw bytes —
 * through {@link CommandDecoder}, the path log bytes take into the engine: nothing throws,
 * {@link Engine#verifyInvariants()} holds after every command (reservations, no negatives, per-asset
 * conservation), every report is sane, and a snapshot loaded into a fresh engine has the same hash.
 * Field values come from small ranges so that ids, prices and clOrdIds collide often.
 * <p>
 * {@code mvn test} replays the inputs under {@code EngineCommandFuzzTestInputs/}; to fuzz:
 * {@code JAZZER_FUZZ=1 mvn test -pl engine -Dtest=EngineCommandFuzzTest}.
 */
class EngineCommandFuzzTest
{
    private static final int ACCOUNTS = 4;
    private static final int INSTRUMENTS = 2;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final NewOrderEncoder newOrder = new NewOrderEncoder();
    private final CancelOrderEncoder cancel = new CancelOrderEncoder();
    private final ReplaceOrderEncoder replace = new ReplaceOrderEncoder();
    private final MassCancelEncoder massCancel = new MassCancelEncoder();
    private final SessionLostEncoder sessionLost = new SessionLostEncoder();
    private final DepositEncoder deposit = new DepositEncoder();
    private final WithdrawEncoder withdraw = new WithdrawEncoder();
    private final HaltInstrumentEncoder halt = new HaltInstrumentEncoder();
    private final ResumeInstrumentEncoder resume = new ResumeInstrumentEncoder();
    private final CreateAccountEncoder createAccount = new CreateAccountEncoder();
    private final AddInstrumentEncoder addInstrument = new AddInstrumentEncoder();
    private final SetLimitsEncoder setLimits = new SetLimitsEncoder();

    /**
     * Checks what the engine says about each order as it says it.
     */
    private static final class SaneReports implements EngineListener
    {
        public void onSessionStatus(
            final long gatewayLink,
            final long sessionId,
            final long accountId,
            final int gatewayId,
            final io.keel.codecs.SessionState state,
            final io.keel.codecs.RejectReason reason,
            final long nextSeqNo,
            final long time)
        {
        }

        long reports;

        public void onExecutionReport(
            final OrderView order, final ExecType execType, final RejectReason reason, final long execId, final long time)
        {
            reports++;
            assertTrue(order.leavesQty() >= 0 && order.cumQty() >= 0, "negative quantities: " + order);
        }

        public void onFill(
            final OrderView order, final long execId, final long lastPrice, final long lastQty, final long tradeId,
            final long time)
        {
            reports++;
            assertTrue(order.leavesQty() >= 0 && order.cumQty() >= 0, "negative quantities: " + order);
            assertTrue(lastQty >= 0, "negative fill: " + order + " lastQty=" + lastQty);
        }

        public void onCancelReject(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
            final int instrumentId, final CancelRejectResponseTo responseTo, final RejectReason reason, final long time)
        {
            assertTrue(reason != RejectReason.NONE, "a cancel reject names its reason");
        }

        public void onMassCancelReport(
            final long sessionId, final long seqNo, final long accountId, final long clOrdId, final MassCancelScope scope,
            final int instrumentId, final int canceledCount, final RejectReason reason, final long time)
        {
            assertTrue(canceledCount >= 0);
        }

        public void onTrade(
            final int instrumentId, final long mdSeqNo, final long tradeId, final long price, final long quantity,
            final Side aggressorSide, final long time)
        {
            assertTrue(quantity > 0 && price > 0, "trade " + quantity + "@" + price);
        }

        public void onBookUpdate(
            final int instrumentId, final long mdSeqNo, final Side side, final long price, final long quantity,
            final int orderCount, final long time)
        {
            assertTrue(quantity >= 0 && orderCount >= 0);
        }

        public void onAdminResponse(final long correlationId, final int refTemplateId, final RejectReason result, final long time)
        {
        }
    }

    @FuzzTest(maxDuration = "5s")
    void everyCommandSequenceKeepsTheInvariants(final FuzzedDataProvider data)
    {
        final SaneReports listener = new SaneReports();
        // ~160 commands' time of horizon against a bound of 64 requests: both expiry and THROTTLED happen.
        final Engine engine = new Engine(
            new EngineContext().maxOrders(4_096).initialOrders(64).maxClOrdIds(64).idempotencyHorizonMs(8_000), listener);
        final CommandDecoder dispatcher = new CommandDecoder(engine);
        long time = 1_000;
        long correlationId = 1;
        for (int instrument = 1; instrument <= INSTRUMENTS; instrument++)
        {
            apply(dispatcher, engine, encodeAddInstrument(correlationId++, instrument, 1, 2, 1, 1, 100, 2_000, 500), time);
        }
        for (int account = 1; account <= ACCOUNTS; account++)
        {
            apply(dispatcher, engine, encodeCreateAccount(correlationId++, account), time);
            apply(dispatcher, engine, encodeDeposit(correlationId++, account, 1, 1_000), time);
            apply(dispatcher, engine, encodeDeposit(correlationId++, account, 2, 100_000), time);
        }

        int commands = 0;
        while (data.remainingBytes() > 0 && commands++ < 500)
        {
            time += data.consumeInt(0, 100);
            final int length;
            switch (data.consumeInt(0, 14))
            {
                case 0:
                case 1:
                case 2:
                case 3:
                    length = encodeNewOrder(data);
                    break;
                case 4:
                case 5:
                    length = encodeCancel(data);
                    break;
                case 6:
                    length = encodeReplace(data);
                    break;
                case 7:
                    length = encodeMassCancel(data);
                    break;
                case 8:
                    length = encodeSessionLost(data);
                    break;
                case 9:
                    length = data.consumeBoolean() ?
                        encodeDeposit(correlationId++, account(data), data.consumeInt(0, 3), data.consumeLong(-10, 10_000)) :
                        encodeWithdraw(correlationId++, data);
                    break;
                case 10:
                    length = encodeHaltOrResume(correlationId++, data);
                    break;
                case 11:
                    length = data.consumeBoolean() ? encodeCreateAccount(correlationId++, data.consumeInt(0, ACCOUNTS + 2)) :
                        encodeAddInstrument(correlationId++, data.consumeInt(0, INSTRUMENTS + 2), data.consumeInt(0, 3),
                            data.consumeInt(0, 3), data.consumeLong(0, 3), data.consumeLong(0, 3), data.consumeLong(-1, 200),
                            data.consumeInt(-1, 20_000), data.consumeInt(-1, 20_000));
                    break;
                case 12:
                    engine.onTime(time);
                    engine.verifyInvariants();
                    continue;
                case 13:
                    // Limits change mid-flow, out of range too (refused whole): orders then meet
                    // ACCOUNT_ORDER_LIMIT, ORDER_LIMIT_REACHED and INVALID_EXPIRE_TIME with what is already there.
                    length = encodeSetLimits(correlationId++, data);
                    break;
                default:
                    // Raw bytes, as a corrupted or hostile log entry would be.
                    final byte[] raw = data.consumeBytes(data.consumeInt(0, 96));
                    final CommandResult result = dispatcher.decode(new UnsafeBuffer(raw), 0, raw.length, time);
                    assertTrue(result != CommandResult.SKIPPED, "decode result " + result);
                    engine.verifyInvariants();
                    continue;
            }
            apply(dispatcher, engine, length, time);
        }

        // A snapshot loaded into a fresh engine is the same state; the idempotency limits come with it.
        final Engine copy = new Engine(new EngineContext().maxOrders(4_096).initialOrders(64), new SaneReports());
        final SnapshotLoader loader = new SnapshotLoader(copy);
        engine.writeSnapshot(loader);
        assertTrue(loader.isComplete(), "snapshot complete");
        copy.verifyInvariants();
        assertEquals(engine.stateHash(), copy.stateHash(), "a snapshot restores the same state");
        assertEquals(engine.openOrderCount(), copy.openOrderCount());
    }

    private void apply(final CommandDecoder dispatcher, final Engine engine, final int length, final long time)
    {
        final byte[] message = new byte[length];
        buffer.getBytes(0, message);
        assertEquals(CommandResult.APPLIED, dispatcher.decode(new UnsafeBuffer(message), 0, length, time));
        engine.verifyInvariants();
    }

    private static long account(final FuzzedDataProvider data)
    {
        return data.consumeInt(0, ACCOUNTS + 1);
    }

    private static int instrument(final FuzzedDataProvider data)
    {
        return data.consumeInt(0, INSTRUMENTS + 1);
    }

    private static long session(final FuzzedDataProvider data)
    {
        return data.consumeInt(0, 3);
    }

    private static <T> T pick(final FuzzedDataProvider data, final T[] values)
    {
        return values[data.consumeInt(0, values.length - 1)];
    }

    private int encodeNewOrder(final FuzzedDataProvider data)
    {
        newOrder.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session(data))
            .accountId(account(data))
            .clOrdId(data.consumeInt(0, 40))
            .instrumentId(instrument(data))
            .side(pick(data, Side.values()))
            .ordType(pick(data, OrdType.values()))
            .timeInForce(pick(data, TimeInForce.values()))
            .selfTradePrevention(pick(data, SelfTradePrevention.values()))
            .price(data.consumeBoolean() ? data.consumeLong(80, 120) : data.consumeLong())
            .quantity(data.consumeBoolean() ? data.consumeLong(0, 20) : data.consumeLong())
            .expireTime(data.consumeLong(0, 5_000))
            .execInst().clear().postOnly(data.consumeBoolean());
        return MessageHeaderEncoder.ENCODED_LENGTH + newOrder.encodedLength();
    }

    private int encodeCancel(final FuzzedDataProvider data)
    {
        cancel.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session(data))
            .accountId(account(data))
            .clOrdId(data.consumeInt(0, 40))
            .origClOrdId(data.consumeInt(0, 40))
            .orderId(data.consumeInt(0, 60))
            .instrumentId(instrument(data));
        return MessageHeaderEncoder.ENCODED_LENGTH + cancel.encodedLength();
    }

    private int encodeReplace(final FuzzedDataProvider data)
    {
        replace.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session(data))
            .accountId(account(data))
            .clOrdId(data.consumeInt(0, 40))
            .origClOrdId(data.consumeInt(0, 40))
            .orderId(data.consumeInt(0, 60))
            .instrumentId(instrument(data))
            .price(data.consumeBoolean() ? data.consumeLong(80, 120) : data.consumeLong())
            .quantity(data.consumeBoolean() ? data.consumeLong(0, 20) : data.consumeLong());
        return MessageHeaderEncoder.ENCODED_LENGTH + replace.encodedLength();
    }

    private int encodeMassCancel(final FuzzedDataProvider data)
    {
        massCancel.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session(data))
            .accountId(account(data))
            .clOrdId(data.consumeInt(0, 40))
            .scope(pick(data, MassCancelScope.values()))
            .instrumentId(instrument(data));
        return MessageHeaderEncoder.ENCODED_LENGTH + massCancel.encodedLength();
    }

    private int encodeSessionLost(final FuzzedDataProvider data)
    {
        sessionLost.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session(data))
            .accountId(account(data))
            .graceTime(data.consumeLong(0, 5_000));
        return MessageHeaderEncoder.ENCODED_LENGTH + sessionLost.encodedLength();
    }

    private int encodeWithdraw(final long correlationId, final FuzzedDataProvider data)
    {
        withdraw.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .accountId(account(data))
            .assetId(data.consumeInt(0, 3))
            .amount(data.consumeLong(-10, 200_000));
        return MessageHeaderEncoder.ENCODED_LENGTH + withdraw.encodedLength();
    }

    private int encodeHaltOrResume(final long correlationId, final FuzzedDataProvider data)
    {
        if (data.consumeBoolean())
        {
            halt.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).instrumentId(instrument(data));
            return MessageHeaderEncoder.ENCODED_LENGTH + halt.encodedLength();
        }
        resume.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).instrumentId(instrument(data));
        return MessageHeaderEncoder.ENCODED_LENGTH + resume.encodedLength();
    }

    private int encodeSetLimits(final long correlationId, final FuzzedDataProvider data)
    {
        setLimits.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId)
            .maxOrders(data.consumeBoolean() ? SetLimitsEncoder.maxOrdersNullValue() : data.consumeInt(-1, 64))
            .maxOpenOrdersPerAccount(data.consumeBoolean() ?
                SetLimitsEncoder.maxOpenOrdersPerAccountNullValue() : data.consumeInt(-1, 8))
            .gtdHorizon(data.consumeBoolean() ? SetLimitsEncoder.gtdHorizonNullValue() : data.consumeLong(-1, 5_000))
            .idempotencyHorizon(data.consumeBoolean() ?
                SetLimitsEncoder.idempotencyHorizonNullValue() : data.consumeLong(-1, 20_000))
            .maxClOrdIds(data.consumeBoolean() ? SetLimitsEncoder.maxClOrdIdsNullValue() : data.consumeInt(-1, 128));
        return MessageHeaderEncoder.ENCODED_LENGTH + setLimits.encodedLength();
    }

    private int encodeCreateAccount(final long correlationId, final long accountId)
    {
        createAccount.wrapAndApplyHeader(buffer, 0, header).correlationId(correlationId).accountId(accountId);
        return MessageHeaderEncoder.ENCODED_LENGTH + createAccount.encodedLength();
    }

    private int encodeDeposit(final long correlationId, final long accountId, final int assetId, final long amount)
    {
        deposit.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).accountId(accountId).assetId(assetId).amount(amount);
        return MessageHeaderEncoder.ENCODED_LENGTH + deposit.encodedLength();
    }

    private int encodeAddInstrument(
        final long correlationId, final int instrumentId, final int base, final int quote, final long tick, final long lot,
        final long referencePrice, final int bandBps, final int protectionBps)
    {
        addInstrument.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .instrumentId(instrumentId)
            .baseAssetId(base)
            .quoteAssetId(quote)
            .tickSize(tick)
            .lotSize(lot)
            .referencePrice(referencePrice)
            .priceBandBps(bandBps)
            .marketProtectionBps(protectionBps);
        return MessageHeaderEncoder.ENCODED_LENGTH + addInstrument.encodedLength();
    }
}
