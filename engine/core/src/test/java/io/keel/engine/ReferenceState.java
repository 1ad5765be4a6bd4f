package io.keel.engine;

import io.keel.codecs.ExecType;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Events.AdminResponse;
import io.keel.engine.Events.BookUpdate;
import io.keel.engine.Events.Event;
import io.keel.engine.Events.Exec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The state of {@link ReferenceEngine} and everything about it that is not order matching:
 * accounts, instruments, the clOrdId window, admin commands, event helpers and queries.
 */
abstract class ReferenceState
{
    static final long MAX_PRICE = 100_000_000_000_000L;
    static final int MAX_BPS = 10_000;
    static final int ADD_INSTRUMENT = 43;
    static final int CREATE_ACCOUNT = 40;
    static final int DEPOSIT = 41;
    static final int WITHDRAW = 42;
    static final int HALT = 44;
    static final int RESUME = 45;

    final int maxOrders;
    final int maxAccounts;
    final int maxInstruments;
    final int maxAssets;
    final long horizon;
    final int maxRecords;
    /** The engine's recent requests of every account, oldest first. */
    final java.util.ArrayDeque<WindowEntry> window = new java.util.ArrayDeque<>();

    final List<Event> out = new ArrayList<>();
    final TreeMap<Long, Acct> accounts = new TreeMap<>();
    final TreeMap<Integer, Inst> instruments = new TreeMap<>();
    final TreeMap<Integer, Long> netDeposits = new TreeMap<>();
    /** Every resting order of every book, in no particular order. */
    final List<Ord> resting = new ArrayList<>();
    long nextOrderId = 1;
    long nextTradeId = 1;
    long nextExecId = 1;
    long lastTime;
    long nextArrival = 1;

    static final class Acct
    {
        final long id;
        final TreeMap<Integer, Long> total = new TreeMap<>();

        Acct(final long id)
        {
            this.id = id;
        }

        long total(final int asset)
        {
            return total.getOrDefault(asset, 0L);
        }
    }

    static final class WindowEntry
    {
        long accountId;
        long clOrdId;
        long orderId;
        int instrumentId;
        Side side;
        OrdType ordType;
        TimeInForce timeInForce;
        OrdStatus ordStatus;
        RejectReason rejectReason;
        long price;
        long quantity;
        long cumQty;
        long time;
    }

    static final class Inst
    {
        int id;
        int base;
        int quote;
        long tick;
        long lot;
        long reference;
        int bandBps;
        int protectionBps;
        boolean halted;
        long mdSeqNo;
    }

    static final class Ord
    {
        long orderId;
        long clOrdId;
        long accountId;
        long sessionId;
        int instrumentId;
        Side side;
        OrdType ordType;
        TimeInForce timeInForce;
        boolean postOnly;
        SelfTradePrevention stp;
        long price;
        long quantity;
        long leavesQty;
        long cumQty;
        long expireTime;
        /** Time priority: smaller came first. */
        long arrival;

        boolean isBuy()
        {
            return side == Side.BUY;
        }

        OrdStatus status()
        {
            if (leavesQty == 0 && cumQty > 0)
            {
                return OrdStatus.FILLED;
            }
            return cumQty > 0 ? OrdStatus.PARTIALLY_FILLED : OrdStatus.NEW;
        }
    }

    ReferenceState(final EngineContext context)
    {
        context.conclude();
        maxOrders = context.maxOrders();
        maxAccounts = context.maxAccounts();
        maxInstruments = context.maxInstruments();
        maxAssets = context.maxAssets();
        horizon = context.idempotencyHorizonMs();
        maxRecords = context.maxClOrdIds();
    }

    List<Event> drain()
    {
        final List<Event> copy = new ArrayList<>(out);
        out.clear();
        return copy;
    }

    // ------------------------------------------------------------------ queries

    /**
     * One side of a book, best first, then by arrival.
     */
    List<Ord> side(final int instrumentId, final Side side)
    {
        final List<Ord> orders = new ArrayList<>();
        for (final Ord o : resting)
        {
            if (o.instrumentId == instrumentId && o.side == side)
            {
                orders.add(o);
            }
        }
        final Comparator<Ord> byPrice = Comparator.comparingLong(o -> o.price);
        orders.sort((side == Side.BUY ? byPrice.reversed() : byPrice).thenComparingLong(o -> o.arrival));
        return orders;
    }

    long reserved(final long accountId, final int asset)
    {
        long sum = 0;
        for (final Ord o : resting)
        {
            if (o.accountId == accountId)
            {
                final Inst inst = instruments.get(o.instrumentId);
                if (o.isBuy() && inst.quote == asset)
                {
                    sum = Math.addExact(sum, Math.multiplyExact(o.price, o.leavesQty));
                }
                else if (!o.isBuy() && inst.base == asset)
                {
                    sum = Math.addExact(sum, o.leavesQty);
                }
            }
        }
        return sum;
    }

    long balance(final long accountId, final int asset)
    {
        final Acct acct = accounts.get(accountId);
        return acct == null ? 0 : acct.total(asset);
    }

    long available(final Acct acct, final int asset)
    {
        return acct.total(asset) - reserved(acct.id, asset);
    }

    long[] aggregate(final int instrumentId, final Side side, final long price)
    {
        long quantity = 0;
        int count = 0;
        for (final Ord o : resting)
        {
            if (o.instrumentId == instrumentId && o.side == side && o.price == price)
            {
                quantity += o.leavesQty;
                count++;
            }
        }
        return new long[] {quantity, count};
    }

    Ord live(final long orderId)
    {
        for (final Ord o : resting)
        {
            if (o.orderId == orderId)
            {
                return o;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ events

    void exec(
        final Ord o, final OrdType ordType, final ExecType execType, final OrdStatus status, final RejectReason reason,
        final long clOrdId, final long origClOrdId, final long lastPrice, final long lastQty, final long tradeId, final long time)
    {
        out.add(new Exec(
            o.sessionId, o.accountId, o.orderId, clOrdId, origClOrdId, nextExecId++, o.instrumentId, execType, status, o.side,
            ordType, o.timeInForce, reason, o.price, o.quantity,
            execType == ExecType.CANCELED || execType == ExecType.EXPIRED ? 0 : o.leavesQty, o.cumQty, lastPrice, lastQty, tradeId, time));
    }

    void bookUpdate(final Inst inst, final Side side, final long price, final long time)
    {
        final long[] agg = aggregate(inst.id, side, price);
        out.add(new BookUpdate(inst.id, ++inst.mdSeqNo, side, price, agg[0], (int)agg[1], time));
    }

    void admin(final long correlationId, final int template, final RejectReason result, final long time)
    {
        out.add(new AdminResponse(correlationId, template, result, time));
    }

    // ------------------------------------------------------------------ admin

    public void createAccount(final long correlationId, final long accountId, final long time)
    {
        advanceTime(time);
        RejectReason result = RejectReason.NONE;
        if (accountId <= 0)
        {
            result = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (accounts.containsKey(accountId))
        {
            result = RejectReason.ACCOUNT_EXISTS;
        }
        else if (accounts.size() >= maxAccounts)
        {
            result = RejectReason.ACCOUNT_LIMIT_REACHED;
        }
        else
        {
            accounts.put(accountId, new Acct(accountId));
        }
        admin(correlationId, CREATE_ACCOUNT, result, time);
    }

    public void deposit(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        advanceTime(time);
        final Acct acct = accounts.get(accountId);
        RejectReason result = RejectReason.NONE;
        if (acct == null)
        {
            result = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (assetId < 0 || assetId >= maxAssets)
        {
            result = RejectReason.INVALID_ASSET;
        }
        else if (amount <= 0 ||
            BigInteger.valueOf(netDeposits.getOrDefault(assetId, 0L)).add(BigInteger.valueOf(amount)).bitLength() > 63)
        {
            result = RejectReason.INVALID_AMOUNT;
        }
        else
        {
            acct.total.merge(assetId, amount, Math::addExact);
            netDeposits.merge(assetId, amount, Math::addExact);
        }
        admin(correlationId, DEPOSIT, result, time);
    }

    public void withdraw(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        advanceTime(time);
        final Acct acct = accounts.get(accountId);
        RejectReason result = RejectReason.NONE;
        if (acct == null)
        {
            result = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (assetId < 0 || assetId >= maxAssets)
        {
            result = RejectReason.INVALID_ASSET;
        }
        else if (amount <= 0)
        {
            result = RejectReason.INVALID_AMOUNT;
        }
        else if (available(acct, assetId) < amount)
        {
            result = RejectReason.INSUFFICIENT_FUNDS;
        }
        else
        {
            acct.total.merge(assetId, -amount, Math::addExact);
            netDeposits.merge(assetId, -amount, Math::addExact);
        }
        admin(correlationId, WITHDRAW, result, time);
    }

    public void addInstrument(
        final long correlationId, final int instrumentId, final int baseAssetId, final int quoteAssetId, final long tickSize,
        final long lotSize, final long referencePrice, final int priceBandBps, final int marketProtectionBps, final long time)
    {
        advanceTime(time);
        RejectReason result = RejectReason.NONE;
        if (instruments.containsKey(instrumentId))
        {
            result = RejectReason.INSTRUMENT_EXISTS;
        }
        else if (instruments.size() >= maxInstruments)
        {
            result = RejectReason.INSTRUMENT_LIMIT_REACHED;
        }
        else if (baseAssetId < 0 || baseAssetId >= maxAssets || quoteAssetId < 0 || quoteAssetId >= maxAssets)
        {
            result = RejectReason.INVALID_ASSET;
        }
        else if (instrumentId <= 0 || baseAssetId == quoteAssetId || tickSize <= 0 || lotSize <= 0 || referencePrice <= 0 ||
            referencePrice > MAX_PRICE || referencePrice % tickSize != 0 || priceBandBps < 0 || priceBandBps > MAX_BPS ||
            marketProtectionBps < 0 || marketProtectionBps > MAX_BPS)
        {
            result = RejectReason.INVALID_INSTRUMENT;
        }
        else
        {
            final Inst inst = new Inst();
            inst.id = instrumentId;
            inst.base = baseAssetId;
            inst.quote = quoteAssetId;
            inst.tick = tickSize;
            inst.lot = lotSize;
            inst.reference = referencePrice;
            inst.bandBps = priceBandBps;
            inst.protectionBps = marketProtectionBps;
            instruments.put(instrumentId, inst);
        }
        admin(correlationId, ADD_INSTRUMENT, result, time);
    }

    public void halt(final long correlationId, final int instrumentId, final long time)
    {
        advanceTime(time);
        final Inst inst = instruments.get(instrumentId);
        if (inst != null)
        {
            inst.halted = true;
        }
        admin(correlationId, HALT, inst == null ? RejectReason.UNKNOWN_INSTRUMENT : RejectReason.NONE, time);
    }

    public void resume(final long correlationId, final int instrumentId, final long time)
    {
        advanceTime(time);
        final Inst inst = instruments.get(instrumentId);
        if (inst != null)
        {
            inst.halted = false;
        }
        admin(correlationId, RESUME, inst == null ? RejectReason.UNKNOWN_INSTRUMENT : RejectReason.NONE, time);
    }

    // ------------------------------------------------------------------ clOrdId window

    /**
     * The order is done: its reservation goes with it (reservations are derived from the book);
     * every remembered clOrdId of the order now reports its final state.
     */
    void finished(final Ord o, final OrdStatus status)
    {
        for (final WindowEntry e : window)
        {
            if (e.orderId == o.orderId)
            {
                e.ordStatus = status;
                e.cumQty = o.cumQty;
                e.quantity = o.quantity;
                e.price = o.price;
            }
        }
    }

    /**
     * The account's request with this clOrdId, if younger than the horizon.
     */
    WindowEntry find(final Acct acct, final long clOrdId, final long time)
    {
        for (final WindowEntry e : window)
        {
            if (e.accountId == acct.id && e.clOrdId == clOrdId && time - e.time < horizon)
            {
                return e;
            }
        }
        return null;
    }

    Ord liveByClOrdId(final Acct acct, final long clOrdId)
    {
        for (final Ord o : resting)
        {
            if (o.accountId == acct.id && o.clOrdId == clOrdId)
            {
                return o;
            }
        }
        return null;
    }

    /**
     * A live order's current clOrdId, or a request's within the horizon: report it again.
     */
    boolean answerRepeat(final long sessionId, final Acct acct, final long clOrdId, final long time)
    {
        final Ord o = liveByClOrdId(acct, clOrdId);
        if (o != null)
        {
            out.add(new Exec(
                sessionId, o.accountId, o.orderId, clOrdId, 0, nextExecId++, o.instrumentId, ExecType.ORDER_STATUS, o.status(),
                o.side, OrdType.LIMIT, o.timeInForce, RejectReason.NONE, o.price, o.quantity, o.leavesQty, o.cumQty, 0, 0, 0,
                time));
            return true;
        }
        final WindowEntry e = find(acct, clOrdId, time);
        if (e != null)
        {
            reportAgain(sessionId, acct, e, time);
        }
        return e != null;
    }

    /**
     * Forget what is a horizon old; then whether one more request can be remembered.
     */
    boolean hasRoom(final long time)
    {
        while (!window.isEmpty() && time - window.peekFirst().time >= horizon)
        {
            window.removeFirst();
        }
        return window.size() < maxRecords;
    }

    void remember(
        final Acct acct, final long clOrdId, final long orderId, final int instrumentId, final Side side, final OrdType ordType,
        final TimeInForce tif, final OrdStatus status, final RejectReason reason, final long price, final long quantity,
        final long cumQty, final long time)
    {
        final WindowEntry e = new WindowEntry();
        e.accountId = acct.id;
        e.clOrdId = clOrdId;
        e.orderId = orderId;
        e.instrumentId = instrumentId;
        e.side = side;
        e.ordType = ordType;
        e.timeInForce = tif;
        e.ordStatus = status;
        e.rejectReason = reason;
        e.price = price;
        e.quantity = quantity;
        e.cumQty = cumQty;
        e.time = time;
        window.add(e);
    }

    void reportAgain(final long sessionId, final Acct acct, final WindowEntry e, final long time)
    {
        final Ord o = e.orderId == 0 ? null : live(e.orderId);
        if (o != null)
        {
            out.add(new Exec(
                sessionId, o.accountId, o.orderId, e.clOrdId, 0, nextExecId++, o.instrumentId, ExecType.ORDER_STATUS, o.status(),
                o.side, e.ordType, o.timeInForce, RejectReason.NONE, o.price, o.quantity, o.leavesQty, o.cumQty, 0, 0, 0, time));
            return;
        }
        out.add(new Exec(
            sessionId, acct.id, e.orderId, e.clOrdId, 0, nextExecId++, e.instrumentId,
            e.ordStatus == OrdStatus.REJECTED ? ExecType.REJECTED : ExecType.ORDER_STATUS, e.ordStatus, e.side, e.ordType,
            e.timeInForce, e.rejectReason, e.price, e.quantity, 0, e.cumQty, 0, 0, 0, time));
    }

    /**
     * Expire what is due, then take the command's time.
     */
    abstract void advanceTime(long time);
}
