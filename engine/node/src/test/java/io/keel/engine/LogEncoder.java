package io.keel.engine;

import io.keel.codecs.AddInstrumentEncoder;
import io.keel.codecs.CancelOrderEncoder;
import io.keel.codecs.CreateAccountEncoder;
import io.keel.codecs.DepositEncoder;
import io.keel.codecs.HaltInstrumentEncoder;
import io.keel.codecs.MassCancelEncoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.NewOrderEncoder;
import io.keel.codecs.ReplaceOrderEncoder;
import io.keel.codecs.ResumeInstrumentEncoder;
import io.keel.codecs.SessionLostEncoder;
import io.keel.codecs.WithdrawEncoder;
import io.keel.engine.Command.AddInstrument;
import io.keel.engine.Command.CancelOrder;
import io.keel.engine.Command.CreateAccount;
import io.keel.engine.Command.Deposit;
import io.keel.engine.Command.Halt;
import io.keel.engine.Command.MassCancel;
import io.keel.engine.Command.NewOrder;
import io.keel.engine.Command.OnTime;
import io.keel.engine.Command.ReplaceOrder;
import io.keel.engine.Command.Resume;
import io.keel.engine.Command.SessionLost;
import io.keel.engine.Command.Withdraw;
import io.keel.node.CommandDecoder;
import io.keel.node.CommandResult;
import io.keel.node.EventEncoder;
import io.keel.node.OutputSink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;


/**
 * Commands as the SBE bytes a cluster log would carry, applied through {@link CommandDecoder};
 * outputs recorded as the bytes {@link EventEncoder} produces.
 */
final class LogEncoder
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    /**
     * @return the encoded message, or null for a bare timer tick (no message, {@link Engine#onTime}).
     */
    byte[] encode(final Command command)
    {
        final int length;
        if (command instanceof NewOrder c)
        {
            final NewOrderEncoder e = new NewOrderEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sessionId(c.sessionId()).accountId(c.accountId()).clOrdId(c.clOrdId()).instrumentId(c.instrumentId())
                .side(c.side()).ordType(c.ordType()).timeInForce(c.timeInForce());
            e.execInst().clear().postOnly(c.postOnly());
            e.selfTradePrevention(c.selfTradePrevention()).price(c.price()).quantity(c.quantity()).expireTime(c.expireTime());
            length = e.encodedLength();
        }
        else if (command instanceof CancelOrder c)
        {
            length = new CancelOrderEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sessionId(c.sessionId()).accountId(c.accountId()).clOrdId(c.clOrdId()).origClOrdId(c.origClOrdId())
                .orderId(c.orderId()).instrumentId(c.instrumentId()).encodedLength();
        }
        else if (command instanceof ReplaceOrder c)
        {
            length = new ReplaceOrderEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sessionId(c.sessionId()).accountId(c.accountId()).clOrdId(c.clOrdId()).origClOrdId(c.origClOrdId())
                .orderId(c.orderId()).instrumentId(c.instrumentId()).price(c.price()).quantity(c.quantity()).encodedLength();
        }
        else if (command instanceof MassCancel c)
        {
            length = new MassCancelEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sessionId(c.sessionId()).accountId(c.accountId()).clOrdId(c.clOrdId()).scope(c.scope())
                .instrumentId(c.instrumentId()).encodedLength();
        }
        else if (command instanceof SessionLost c)
        {
            length = new SessionLostEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sessionId(c.sessionId()).accountId(c.accountId()).graceTime(0).encodedLength();
        }
        else if (command instanceof CreateAccount c)
        {
            length = new CreateAccountEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).accountId(c.accountId()).encodedLength();
        }
        else if (command instanceof Deposit c)
        {
            length = new DepositEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).accountId(c.accountId()).assetId(c.assetId()).amount(c.amount()).encodedLength();
        }
        else if (command instanceof Withdraw c)
        {
            length = new WithdrawEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).accountId(c.accountId()).assetId(c.assetId()).amount(c.amount()).encodedLength();
        }
        else if (command instanceof AddInstrument c)
        {
            length = new AddInstrumentEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).instrumentId(c.instrumentId()).baseAssetId(c.baseAssetId())
                .quoteAssetId(c.quoteAssetId()).tickSize(c.tickSize()).lotSize(c.lotSize()).referencePrice(c.referencePrice())
                .priceBandBps(c.priceBandBps()).marketProtectionBps(c.marketProtectionBps()).encodedLength();
        }
        else if (command instanceof Halt c)
        {
            length = new HaltInstrumentEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).instrumentId(c.instrumentId()).encodedLength();
        }
        else if (command instanceof Resume c)
        {
            length = new ResumeInstrumentEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(c.correlationId()).instrumentId(c.instrumentId()).encodedLength();
        }
        else if (command instanceof OnTime)
        {
            return null;
        }
        else
        {
            throw new IllegalArgumentException("no encoding for " + command);
        }
        return Arrays.copyOf(buffer.byteArray(), MessageHeaderEncoder.ENCODED_LENGTH + length);
    }

    /**
     * Apply one command as the cluster service would: its log message through the dispatcher, or
     * a timer tick.
     */
    static void apply(final CommandDecoder dispatcher, final Engine engine, final byte[] message, final Command command)
    {
        if (message == null)
        {
            engine.onTime(command.time());
            return;
        }
        final CommandResult result = dispatcher.decode(new UnsafeBuffer(message), 0, message.length, command.time());
        if (result != CommandResult.APPLIED)
        {
            throw new AssertionError("dispatcher did not apply " + command + ": " + result);
        }
    }

    /**
     * Every encoded output in order, each prefixed by its audience and routing id.
     */
    static final class Recorded implements OutputSink
    {
        /** Audience byte and routing id before each recorded message. */
        static final int PREFIX_LENGTH = 9;

        final List<byte[]> outputs = new ArrayList<>();

        public void onSessionOutput(final long sessionId, final long seqNo, final DirectBuffer buffer, final int offset, final int length)
        {
            add('S', sessionId, buffer, offset, length);
        }

        public void onMarketData(final int instrumentId, final DirectBuffer buffer, final int offset, final int length)
        {
            add('M', instrumentId, buffer, offset, length);
        }

        public void onAdminOutput(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            add('A', correlationId, buffer, offset, length);
        }

        private void add(final char audience, final long id, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[9 + length];
            final UnsafeBuffer view = new UnsafeBuffer(bytes);
            view.putByte(0, (byte)audience);
            view.putLong(1, id);
            buffer.getBytes(offset, bytes, 9, length);
            outputs.add(bytes);
        }

        List<byte[]> drain()
        {
            final List<byte[]> copy = new ArrayList<>(outputs);
            outputs.clear();
            return copy;
        }
    }

    static boolean sameBytes(final List<byte[]> a, final List<byte[]> b)
    {
        if (a.size() != b.size())
        {
            return false;
        }
        for (int i = 0; i < a.size(); i++)
        {
            if (!Arrays.equals(a.get(i), b.get(i)))
            {
                return false;
            }
        }
        return true;
    }
}
