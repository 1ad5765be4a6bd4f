package io.keel.engine;

import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;

/**
 * One engine input, as a value: random streams are lists of these, applied to the engine and to
 * the reference model alike, and printed when a property fails.
 */
sealed interface Command
{
    long time();

    void applyTo(Venue venue);

    /**
     * What both the engine and the reference model accept.
     */
    interface Venue
    {
        void createAccount(long correlationId, long accountId, long time);

        void deposit(long correlationId, long accountId, int assetId, long amount, long time);

        void withdraw(long correlationId, long accountId, int assetId, long amount, long time);

        void addInstrument(
            long correlationId, int instrumentId, int baseAssetId, int quoteAssetId, long tickSize, long lotSize,
            long referencePrice, int priceBandBps, int marketProtectionBps, long time);

        void halt(long correlationId, int instrumentId, long time);

        void resume(long correlationId, int instrumentId, long time);

        void newOrder(
            long sessionId, long accountId, long clOrdId, int instrumentId, Side side, OrdType ordType,
            TimeInForce timeInForce, boolean postOnly, SelfTradePrevention selfTradePrevention, long price, long quantity,
            long expireTime, long time);

        void cancelOrder(long sessionId, long accountId, long clOrdId, long origClOrdId, long orderId, int instrumentId, long time);

        void replaceOrder(
            long sessionId, long accountId, long clOrdId, long origClOrdId, long orderId, int instrumentId, long price,
            long quantity, long time);

        void massCancel(long sessionId, long accountId, long clOrdId, MassCancelScope scope, int instrumentId, long time);

        void sessionLost(long sessionId, long accountId, long time);

        void onTime(long time);
    }

    /**
     * The engine as a venue.
     */
    static Venue venue(final Engine engine)
    {
        return new Venue()
        {
            public void createAccount(final long correlationId, final long accountId, final long time)
            {
                engine.createAccount(correlationId, accountId, time);
            }

            public void deposit(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
            {
                engine.deposit(correlationId, accountId, assetId, amount, time);
            }

            public void withdraw(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
            {
                engine.withdraw(correlationId, accountId, assetId, amount, time);
            }

            public void addInstrument(
                final long correlationId, final int instrumentId, final int baseAssetId, final int quoteAssetId,
                final long tickSize, final long lotSize, final long referencePrice, final int priceBandBps,
                final int marketProtectionBps, final long time)
            {
                engine.addInstrument(
                    correlationId, instrumentId, baseAssetId, quoteAssetId, tickSize, lotSize, referencePrice, priceBandBps,
                    marketProtectionBps, time);
            }

            public void halt(final long correlationId, final int instrumentId, final long time)
            {
                engine.halt(correlationId, instrumentId, time);
            }

            public void resume(final long correlationId, final int instrumentId, final long time)
            {
                engine.resume(correlationId, instrumentId, time);
            }

            public void newOrder(
                final long sessionId, final long accountId, final long clOrdId, final int instrumentId, final Side side,
                final OrdType ordType, final TimeInForce timeInForce, final boolean postOnly,
                final SelfTradePrevention selfTradePrevention, final long price, final long quantity, final long expireTime,
                final long time)
            {
                engine.newOrder(
                    sessionId, accountId, clOrdId, instrumentId, side, ordType, timeInForce, postOnly, selfTradePrevention,
                    price, quantity, expireTime, time);
            }

            public void cancelOrder(
                final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
                final int instrumentId, final long time)
            {
                engine.cancelOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, time);
            }

            public void replaceOrder(
                final long sessionId, final long accountId, final long clOrdId, final long origClOrdId, final long orderId,
                final int instrumentId, final long price, final long quantity, final long time)
            {
                engine.replaceOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, price, quantity, time);
            }

            public void massCancel(
                final long sessionId, final long accountId, final long clOrdId, final MassCancelScope scope,
                final int instrumentId, final long time)
            {
                engine.massCancel(sessionId, accountId, clOrdId, scope, instrumentId, time);
            }

            public void sessionLost(final long sessionId, final long accountId, final long time)
            {
                engine.sessionLost(sessionId, accountId, time);
            }

            public void onTime(final long time)
            {
                engine.onTime(time);
            }
        };
    }

    record CreateAccount(long correlationId, long accountId, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.createAccount(correlationId, accountId, time);
        }
    }

    record Deposit(long correlationId, long accountId, int assetId, long amount, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.deposit(correlationId, accountId, assetId, amount, time);
        }
    }

    record Withdraw(long correlationId, long accountId, int assetId, long amount, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.withdraw(correlationId, accountId, assetId, amount, time);
        }
    }

    record AddInstrument(
        long correlationId, int instrumentId, int baseAssetId, int quoteAssetId, long tickSize, long lotSize,
        long referencePrice, int priceBandBps, int marketProtectionBps, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.addInstrument(
                correlationId, instrumentId, baseAssetId, quoteAssetId, tickSize, lotSize, referencePrice, priceBandBps,
                marketProtectionBps, time);
        }
    }

    record Halt(long correlationId, int instrumentId, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.halt(correlationId, instrumentId, time);
        }
    }

    record Resume(long correlationId, int instrumentId, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.resume(correlationId, instrumentId, time);
        }
    }

    record NewOrder(
        long sessionId, long accountId, long clOrdId, int instrumentId, Side side, OrdType ordType, TimeInForce timeInForce,
        boolean postOnly, SelfTradePrevention selfTradePrevention, long price, long quantity, long expireTime, long time)
        implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.newOrder(
                sessionId, accountId, clOrdId, instrumentId, side, ordType, timeInForce, postOnly, selfTradePrevention, price,
                quantity, expireTime, time);
        }
    }

    record CancelOrder(long sessionId, long accountId, long clOrdId, long origClOrdId, long orderId, int instrumentId, long time)
        implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.cancelOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, time);
        }
    }

    record ReplaceOrder(
        long sessionId, long accountId, long clOrdId, long origClOrdId, long orderId, int instrumentId, long price,
        long quantity, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.replaceOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, price, quantity, time);
        }
    }

    record MassCancel(long sessionId, long accountId, long clOrdId, MassCancelScope scope, int instrumentId, long time)
        implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.massCancel(sessionId, accountId, clOrdId, scope, instrumentId, time);
        }
    }

    record SessionLost(long sessionId, long accountId, long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.sessionLost(sessionId, accountId, time);
        }
    }

    record OnTime(long time) implements Command
    {
        public void applyTo(final Venue venue)
        {
            venue.onTime(time);
        }
    }
}
