package io.keel.engine;

import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.CancelRejectResponseTo;
import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.DepositDecoder;
import io.keel.codecs.ExecType;
import io.keel.codecs.HaltInstrumentDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdStatus;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ResumeInstrumentDecoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.WithdrawDecoder;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The deterministic state machine: instruments with their books, spot accounts, and the order
 * lifecycle. Its only inputs are the calls below, each with the cluster time of its log entry;
 * its only outputs go to the {@link EngineListener}, in order. Single-threaded, allocation-free
 * in steady state, and it knows nothing of Aeron or sockets.
 *
 * <p>Units: a price is quote-asset units per base unit, a quantity base-asset units; buying
 * {@code qty} at {@code price} costs {@code price * qty} quote units. A buy reserves
 * {@code limitPrice * leavesQty} quote, a sell reserves {@code leavesQty} base.
 */
public final class Engine
{
    /** Largest accepted price or reference price: keeps band arithmetic inside a long. */
    public static final long MAX_PRICE = 100_000_000_000_000L;
    /** Largest accepted band in basis points (100 %). */
    public static final int MAX_BPS = 10_000;
    /** Returned by price queries when a side is empty. */
    public static final long NULL_PRICE = Long.MIN_VALUE;

    private final Context ctx;
    final EventEmitter emitter;
    final Matcher matcher;
    final OrderPool pool;
    final OrderIndex orders;
    final Long2ObjectHashMap<Account> accounts = new Long2ObjectHashMap<>();
    final Int2ObjectHashMap<Instrument> instruments = new Int2ObjectHashMap<>();
    final ExpiryQueue expiries = new ExpiryQueue();
    final ClOrdIdWindow window;
    private final AccountQuery query = new AccountQuery(this);
    /** Accounts by the low bits of their id, checked: the order path's look-up, no hashing. */
    private final Account[] accountSlots;
    private final int accountMask;
    /** Instruments by ascending id, the canonical order for iteration that reaches output. */
    Instrument[] instrumentsById = new Instrument[16];
    int instrumentCount;
    /** Net deposits per asset: what the sum of every account's total must equal. */
    long[] netDeposits;
    int assetCapacity = 16;
    long nextOrderId = 1;
    long lastTime;

    public Engine(final Context ctx, final EngineListener listener)
    {
        this.ctx = ctx.conclude();
        emitter = new EventEmitter(listener);
        matcher = new Matcher(this, emitter);
        pool = new OrderPool(ctx.initialOrders(), ctx.maxOrders());
        window = new ClOrdIdWindow(ctx.clOrdIdWindow(), accounts);
        accountSlots = new Account[org.agrona.BitUtil.findNextPositivePowerOfTwo(Math.min(ctx.maxAccounts(), 1 << 17))];
        accountMask = accountSlots.length - 1;
        // 64K slots (256 KiB) stay in cache; the few orders outliving 64K newer ones overflow to a map.
        orders = new OrderIndex(org.agrona.BitUtil.findNextPositivePowerOfTwo(Math.min(ctx.maxOrders(), 1 << 16)));
        netDeposits = new long[assetCapacity];
    }

    public Engine(final EngineListener listener)
    {
        this(new Context(), listener);
    }

    public Context context()
    {
        return ctx;
    }

    /**
     * Replace the listener, e.g. to mute outputs while a snapshot loads.
     */
    public void listener(final EngineListener listener)
    {
        emitter.listener(listener);
    }

    public EngineListener listener()
    {
        return emitter.listener();
    }

    // ------------------------------------------------------------------ admin

    public void createAccount(final long correlationId, final long accountId, final long time)
    {
        advanceTime(time);
        final RejectReason result;
        if (accountId <= 0)
        {
            result = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (accounts.containsKey(accountId))
        {
            result = RejectReason.ACCOUNT_EXISTS;
        }
        else if (accounts.size() >= ctx.maxAccounts())
        {
            result = RejectReason.ACCOUNT_LIMIT_REACHED;
        }
        else
        {
            addAccount(accountId);
            result = RejectReason.NONE;
        }
        emitter.adminResponse(correlationId, CreateAccountDecoder.TEMPLATE_ID, result, time);
    }

    public void deposit(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        advanceTime(time);
        final Account account = accounts.get(accountId);
        RejectReason result = validateTransfer(account, assetId, amount);
        if (result == RejectReason.NONE)
        {
            ensureAssetCapacity(assetId + 1);
            if (netDeposits[assetId] > Long.MAX_VALUE - amount)
            {
                result = RejectReason.INVALID_AMOUNT;
            }
            else
            {
                account.balances[assetId << 1] += amount;
                netDeposits[assetId] += amount;
            }
        }
        emitter.adminResponse(correlationId, DepositDecoder.TEMPLATE_ID, result, time);
    }

    public void withdraw(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        advanceTime(time);
        final Account account = accounts.get(accountId);
        RejectReason result = validateTransfer(account, assetId, amount);
        if (result == RejectReason.NONE)
        {
            if (assetId >= assetCapacity || account.available(assetId) < amount)
            {
                result = RejectReason.INSUFFICIENT_FUNDS;
            }
            else
            {
                account.balances[assetId << 1] -= amount;
                netDeposits[assetId] -= amount;
            }
        }
        emitter.adminResponse(correlationId, WithdrawDecoder.TEMPLATE_ID, result, time);
    }

    private RejectReason validateTransfer(final Account account, final int assetId, final long amount)
    {
        if (account == null)
        {
            return RejectReason.UNKNOWN_ACCOUNT;
        }
        if (!isValidAsset(assetId))
        {
            return RejectReason.INVALID_ASSET;
        }
        return amount <= 0 ? RejectReason.INVALID_AMOUNT : RejectReason.NONE;
    }

    public void addInstrument(
        final long correlationId,
        final int instrumentId,
        final int baseAssetId,
        final int quoteAssetId,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps,
        final long time)
    {
        advanceTime(time);
        final RejectReason result;
        if (instruments.containsKey(instrumentId))
        {
            result = RejectReason.INSTRUMENT_EXISTS;
        }
        else if (instrumentCount >= ctx.maxInstruments())
        {
            result = RejectReason.INSTRUMENT_LIMIT_REACHED;
        }
        else if (!isValidAsset(baseAssetId) || !isValidAsset(quoteAssetId))
        {
            result = RejectReason.INVALID_ASSET;
        }
        else if (instrumentId <= 0 || baseAssetId == quoteAssetId || tickSize <= 0 || lotSize <= 0 ||
            referencePrice <= 0 || referencePrice > MAX_PRICE || referencePrice % tickSize != 0 ||
            priceBandBps < 0 || priceBandBps > MAX_BPS || marketProtectionBps < 0 || marketProtectionBps > MAX_BPS)
        {
            result = RejectReason.INVALID_INSTRUMENT;
        }
        else
        {
            ensureAssetCapacity(Math.max(baseAssetId, quoteAssetId) + 1);
            addInstrument(new Instrument(
                instrumentId, baseAssetId, quoteAssetId, tickSize, lotSize, referencePrice, priceBandBps,
                marketProtectionBps));
            result = RejectReason.NONE;
        }
        emitter.adminResponse(correlationId, AddInstrumentDecoder.TEMPLATE_ID, result, time);
    }

    public void halt(final long correlationId, final int instrumentId, final long time)
    {
        setHalted(correlationId, instrumentId, true, HaltInstrumentDecoder.TEMPLATE_ID, time);
    }

    public void resume(final long correlationId, final int instrumentId, final long time)
    {
        setHalted(correlationId, instrumentId, false, ResumeInstrumentDecoder.TEMPLATE_ID, time);
    }

    private void setHalted(
        final long correlationId, final int instrumentId, final boolean halted, final int templateId, final long time)
    {
        advanceTime(time);
        final Instrument instrument = instruments.get(instrumentId);
        if (instrument != null)
        {
            instrument.halted = halted;
        }
        emitter.adminResponse(
            correlationId, templateId, instrument == null ? RejectReason.UNKNOWN_INSTRUMENT : RejectReason.NONE, time);
    }

    // ------------------------------------------------------------------ order entry

    /**
     * A new order. Every outcome is reported: REJECTED (nothing else follows), EXPIRED for a
     * fill-or-kill that cannot fill, or NEW followed by its TRADEs and, for IOC, market or a
     * self-trade stop, a final CANCELED. A clOrdId the account used recently gets its original
     * outcome again (REJECTED, or ORDER_STATUS with the order's state) and no new order.
     *
     * @param price      ignored for MARKET; MARKET trades no further than the instrument's
     *                   market protection band from its reference price.
     * @param expireTime GTD only: the cluster time at which it expires.
     */
    public void newOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final int instrumentId,
        final Side sideOrNull,
        final OrdType ordTypeOrNull,
        final TimeInForce timeInForceOrNull,
        final boolean postOnly,
        final SelfTradePrevention selfTradePreventionOrNull,
        final long price,
        final long quantity,
        final long expireTime,
        final long time)
    {
        advanceTime(time);
        // Unknown enum values arrive as NULL_VAL (or null from Java callers); both are rejected below.
        final Side side = sideOrNull == null ? Side.NULL_VAL : sideOrNull;
        final OrdType ordType = ordTypeOrNull == null ? OrdType.NULL_VAL : ordTypeOrNull;
        final TimeInForce timeInForce = timeInForceOrNull == null ? TimeInForce.NULL_VAL : timeInForceOrNull;
        final SelfTradePrevention selfTradePrevention = selfTradePreventionOrNull == null ?
            SelfTradePrevention.NULL_VAL : selfTradePreventionOrNull;
        final Account account = account(accountId);
        if (account == null)
        {
            emitter.detachedReport(
                sessionId, accountId, 0, clOrdId, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side, ordType,
                timeInForce, RejectReason.UNKNOWN_ACCOUNT, price, quantity, 0, time);
            return;
        }

        final int duplicateRow = findRequest(account, clOrdId);
        if (duplicateRow != ClOrdIdWindow.NOT_FOUND)
        {
            reportRecordedOutcome(sessionId, duplicateRow, time);
            return;
        }

        final Instrument instrument = instruments.get(instrumentId);
        final boolean market = ordType == OrdType.MARKET;
        final long limitPrice = market && instrument != null && isValidSide(side) ?
            instrument.bandPrice(marketProtectionBps(instrument), side == Side.BUY) : price;
        RejectReason reason = validateNewOrder(
            instrument, side, ordType, timeInForce, postOnly, selfTradePrevention, limitPrice, quantity, expireTime, time);
        if (reason == RejectReason.NONE)
        {
            reason = checkFunds(account, instrument, side, limitPrice, quantity, 0);
        }
        if (reason == RejectReason.NONE && postOnly && crosses(instrument, side, limitPrice))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        final Order order = reason == RejectReason.NONE ? pool.acquire() : null;
        if (reason == RejectReason.NONE && order == null)
        {
            reason = RejectReason.ORDER_LIMIT_REACHED;
        }
        if (reason != RejectReason.NONE)
        {
            remember(
                account, clOrdId, 0, instrumentId, side, ordType, timeInForce, OrdStatus.REJECTED, reason, price, quantity, 0);
            emitter.detachedReport(
                sessionId, accountId, 0, clOrdId, instrumentId, ExecType.REJECTED, OrdStatus.REJECTED, side, ordType,
                timeInForce, reason, price, quantity, 0, time);
            return;
        }

        order.orderId = nextOrderId++;
        order.clOrdId = clOrdId;
        order.accountId = accountId;
        order.sessionId = sessionId;
        order.instrumentId = instrumentId;
        order.side = side;
        order.timeInForce = timeInForce;
        order.postOnly = postOnly;
        order.selfTradePrevention = selfTradePrevention;
        order.price = limitPrice;
        order.quantity = quantity;
        order.leavesQty = quantity;
        order.cumQty = 0;
        order.expireTime = timeInForce == TimeInForce.GTD ? expireTime : 0;
        order.account = account;
        order.instrument = instrument;

        if (timeInForce == TimeInForce.FOK && !matcher.canFillCompletely(instrument, order))
        {
            remember(
                account, clOrdId, order.orderId, instrumentId, side, ordType, timeInForce, OrdStatus.EXPIRED,
                RejectReason.FOK_NOT_FILLABLE, limitPrice, quantity, 0);
            emitter.orderReport(
                order, ordType, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.FOK_NOT_FILLABLE, clOrdId, 0, 0, 0, 0, time);
            pool.release(order);
            return;
        }

        reserve(order, instrument);
        order.windowRow = remember(
            account, clOrdId, order.orderId, instrumentId, side, ordType, timeInForce, OrdStatus.NEW, RejectReason.NONE,
            limitPrice, quantity, 0);
        orders.put(order);
        emitter.orderReport(order, ordType, ExecType.NEW, RejectReason.NONE, time);

        final boolean stopped = matcher.match(instrument, order, ordType, time);
        restOrFinish(instrument, order, ordType, stopped, time);
    }

    /**
     * Cancel a live order of this account, found by orderId or, when that is 0, by origClOrdId.
     * Allowed while the instrument is halted.
     */
    public void cancelOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final long time)
    {
        advanceTime(time);
        final Account account = account(accountId);
        final Order order = account == null ? null : locate(account, orderId, origClOrdId, instrumentId);
        if (order == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.CANCEL,
                account == null ? RejectReason.UNKNOWN_ACCOUNT : RejectReason.UNKNOWN_ORDER, time);
            return;
        }

        final Instrument instrument = order.instrument;
        removeFromBook(instrument, order, time);
        order.sessionId = sessionId; // the answer goes to whoever asked, as for a replace
        emitter.orderReport(
            order, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, clOrdId, order.clOrdId,
            0, 0, 0, time);
        finishCanceled(order);
    }

    /**
     * Change a live order's price and/or total quantity. Same price with quantity down keeps
     * time priority; a price change or quantity up goes to the back of the level and may trade.
     * The order takes the request's clOrdId. Reported as REPLACED (then any TRADEs), or
     * CancelReject with the order unchanged.
     */
    public void replaceOrder(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final long origClOrdId,
        final long orderId,
        final int instrumentId,
        final long price,
        final long quantity,
        final long time)
    {
        advanceTime(time);
        final Account account = account(accountId);
        if (account == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ACCOUNT, time);
            return;
        }
        final int duplicateRow = findRequest(account, clOrdId);
        if (duplicateRow != ClOrdIdWindow.NOT_FOUND)
        {
            reportRecordedOutcome(sessionId, duplicateRow, time);
            return;
        }
        final Order order = locate(account, orderId, origClOrdId, instrumentId);
        if (order == null)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, CancelRejectResponseTo.REPLACE,
                RejectReason.UNKNOWN_ORDER, time);
            return;
        }

        final Instrument instrument = order.instrument;
        RejectReason reason = RejectReason.NONE;
        if (instrument.halted)
        {
            reason = RejectReason.INSTRUMENT_HALTED;
        }
        else if (!isValidPrice(instrument, price))
        {
            reason = RejectReason.INVALID_PRICE;
        }
        else if (quantity <= order.cumQty || !isValidQuantity(instrument, quantity))
        {
            reason = RejectReason.INVALID_QUANTITY;
        }
        else if (price != order.price && instrument.isOutsideBand(price))
        {
            // Only a new price is checked: reducing an order the market moved away from stays possible.
            reason = RejectReason.PRICE_OUTSIDE_BAND;
        }
        else
        {
            reason = checkFunds(account, instrument, order.side, price, quantity - order.cumQty, order.reserved);
        }
        if (reason == RejectReason.NONE && order.postOnly && crosses(instrument, order.side, price))
        {
            reason = RejectReason.POST_ONLY_WOULD_TAKE;
        }
        if (reason != RejectReason.NONE)
        {
            emitter.cancelReject(
                sessionId, accountId, clOrdId, origClOrdId, order.orderId, order.instrumentId,
                CancelRejectResponseTo.REPLACE, reason, time);
            return;
        }

        final boolean keepsPriority = price == order.price && quantity <= order.quantity;
        final long previousClOrdId = order.clOrdId;
        final PriceLevel level = order.level;
        final BookSide bookSide = instrument.side(order.side);
        if (keepsPriority)
        {
            level.quantity -= order.leavesQty;
        }
        else
        {
            removeFromBook(instrument, order, time);
        }

        release(order, instrument);
        order.price = price;
        order.quantity = quantity;
        order.leavesQty = quantity - order.cumQty;
        order.sessionId = sessionId;
        order.clOrdId = clOrdId;
        reserve(order, instrument);
        order.windowRow = remember(
            account, clOrdId, order.orderId, order.instrumentId, order.side, OrdType.LIMIT, order.timeInForce,
            EventEmitter.statusOf(order), RejectReason.NONE, price, quantity, order.cumQty);

        emitter.orderReport(
            order, OrdType.LIMIT, ExecType.REPLACED, EventEmitter.statusOf(order), RejectReason.NONE, clOrdId,
            previousClOrdId, 0, 0, 0, time);
        if (keepsPriority)
        {
            level.quantity += order.leavesQty;
            emitter.bookUpdate(instrument, bookSide.side, level, time);
            return;
        }

        final boolean stopped = matcher.match(instrument, order, OrdType.LIMIT, time);
        restOrFinish(instrument, order, OrdType.LIMIT, stopped, time);
    }

    /**
     * Cancel every live order of the account (ACCOUNT), of the requesting session (SESSION), or
     * of the account on one instrument (INSTRUMENT): a CANCELED report per order, then one
     * MassCancelReport with the count.
     */
    public void massCancel(
        final long sessionId,
        final long accountId,
        final long clOrdId,
        final MassCancelScope scope,
        final int instrumentId,
        final long time)
    {
        advanceTime(time);
        RejectReason reason = RejectReason.NONE;
        if (!accounts.containsKey(accountId))
        {
            reason = RejectReason.UNKNOWN_ACCOUNT;
        }
        else if (scope != MassCancelScope.SESSION && scope != MassCancelScope.ACCOUNT &&
            scope != MassCancelScope.INSTRUMENT)
        {
            reason = RejectReason.INVALID_MASS_CANCEL_SCOPE;
        }
        else if (scope == MassCancelScope.INSTRUMENT && !instruments.containsKey(instrumentId))
        {
            reason = RejectReason.UNKNOWN_INSTRUMENT;
        }

        int canceled = 0;
        if (reason == RejectReason.NONE)
        {
            final long sessionFilter = scope == MassCancelScope.SESSION ? sessionId : 0;
            final int instrumentFilter = scope == MassCancelScope.INSTRUMENT ? instrumentId : 0;
            canceled = cancelAll(accountId, sessionFilter, instrumentFilter, time);
        }
        emitter.massCancelReport(sessionId, accountId, clOrdId, scope, instrumentId, canceled, reason, time);
    }

    /**
     * A client session with cancel-on-disconnect went away: cancel its live orders, reporting a
     * CANCELED per order (no MassCancelReport: nobody asked).
     */
    public void sessionLost(final long sessionId, final long accountId, final long time)
    {
        advanceTime(time);
        if (accounts.containsKey(accountId))
        {
            cancelAll(accountId, sessionId, 0, time);
        }
    }

    /**
     * Emit the instrument's whole aggregated book as market data (a gateway resynchronising its
     * copy after a gap, or serving its first subscriber). Changes no state.
     */
    public void bookSnapshot(final int instrumentId, final long time)
    {
        advanceTime(time);
        emitter.bookSnapshot(instrumentId, instruments.get(instrumentId), time);
    }

    /**
     * An order's state for the asking session (an OrderStatusRequest); see {@link AccountQuery}. Changes no
     * order or balance.
     */
    public void orderStatus(final long sessionId, final long accountId, final long clOrdId, final long orderId, final long time)
    {
        advanceTime(time);
        query.orderStatus(sessionId, accountId, clOrdId, orderId, time);
    }

    /**
     * An account's balances and open orders, paged (an AccountRequest); sessionId 0 answers an admin. Changes no
     * state but time.
     */
    public void accountStatus(final long sessionId, final long accountId, final long requestId, final long time)
    {
        advanceTime(time);
        query.accountStatus(sessionId, accountId, requestId, time);
    }

    /**
     * Advance cluster time with no command: expires GTD orders due by then.
     */
    public void onTime(final long time)
    {
        advanceTime(time);
    }

    /**
     * Cluster time of the next GTD expiry (perhaps of an order already gone), or Long.MAX_VALUE.
     */
    public long nextExpiryTime()
    {
        return expiries.peekTime();
    }

    // ------------------------------------------------------------------ queries (cold)

    public long balance(final long accountId, final int assetId)
    {
        final Account account = accounts.get(accountId);
        return account == null || assetId < 0 || assetId >= account.assetCapacity() ? 0 : account.total(assetId);
    }

    public long reserved(final long accountId, final int assetId)
    {
        final Account account = accounts.get(accountId);
        return account == null || assetId < 0 || assetId >= account.assetCapacity() ? 0 : account.reserved(assetId);
    }

    public boolean hasAccount(final long accountId)
    {
        return accounts.containsKey(accountId);
    }

    public boolean hasInstrument(final int instrumentId)
    {
        return instruments.containsKey(instrumentId);
    }

    public boolean isHalted(final int instrumentId)
    {
        final Instrument instrument = instruments.get(instrumentId);
        return instrument != null && instrument.halted;
    }

    public long referencePrice(final int instrumentId)
    {
        final Instrument instrument = instruments.get(instrumentId);
        return instrument == null ? NULL_PRICE : instrument.referencePrice;
    }

    /**
     * Best price on a side, or {@link #NULL_PRICE} when that side is empty.
     */
    public long bestPrice(final int instrumentId, final Side side)
    {
        final Instrument instrument = instruments.get(instrumentId);
        final PriceLevel best = instrument == null ? null : instrument.side(side).best();
        return best == null ? NULL_PRICE : best.price;
    }

    public int openOrderCount()
    {
        return orders.size();
    }

    public int accountCount()
    {
        return accounts.size();
    }

    public int instrumentCount()
    {
        return instrumentCount;
    }

    public long lastTime()
    {
        return lastTime;
    }

    public interface LevelVisitor
    {
        void onLevel(long price, long quantity, int orderCount);
    }

    public interface OrderVisitor
    {
        void onOrder(long orderId, long clOrdId, long accountId, long sessionId, long price, long quantity, long leavesQty);
    }

    /**
     * Levels of one side, best first.
     */
    public void forEachLevel(final int instrumentId, final Side side, final LevelVisitor visitor)
    {
        final Instrument instrument = instruments.get(instrumentId);
        if (instrument != null)
        {
            final BookSide book = instrument.side(side);
            for (int depth = 0; depth < book.levelCount(); depth++)
            {
                final PriceLevel level = book.level(depth);
                visitor.onLevel(level.price, level.quantity, level.orderCount);
            }
        }
    }

    /**
     * Resting orders of one side in priority order.
     */
    public void forEachOrder(final int instrumentId, final Side side, final OrderVisitor visitor)
    {
        final Instrument instrument = instruments.get(instrumentId);
        if (instrument != null)
        {
            final BookSide book = instrument.side(side);
            for (int depth = 0; depth < book.levelCount(); depth++)
            {
                for (Order o = book.level(depth).head; o != null; o = o.next)
                {
                    visitor.onOrder(o.orderId, o.clOrdId, o.accountId, o.sessionId, o.price, o.quantity, o.leavesQty);
                }
            }
        }
    }

    /**
     * 64-bit hash of the canonical snapshot: equal on every node that applied the same log.
     */
    public long stateHash()
    {
        return StateHash.of(this);
    }

    /**
     * Write the canonical snapshot as SBE messages.
     */
    public void writeSnapshot(final SnapshotSink sink)
    {
        SnapshotWriter.write(this, sink);
    }

    /**
     * Throws {@link IllegalStateException} naming the first broken invariant: conservation of
     * every asset, reservations equal to the open orders', no negative balance, books not
     * crossed, level aggregates equal to their orders.
     */
    public void verifyInvariants()
    {
        Invariants.verify(this);
    }

    // ------------------------------------------------------------------ internals

    void advanceTime(final long time)
    {
        if (time > lastTime)
        {
            lastTime = time;
        }
        while (expiries.peekTime() <= time)
        {
            final long expireTime = expiries.peekTime();
            final long orderId = expiries.peekOrderId();
            expiries.pop();
            final Order order = orders.get(orderId);
            if (order != null && order.timeInForce == TimeInForce.GTD && order.expireTime == expireTime)
            {
                removeFromBook(order.instrument, order, time);
                emitter.orderReport(
                    order, OrdType.LIMIT, ExecType.EXPIRED, OrdStatus.EXPIRED, RejectReason.NONE, order.clOrdId, 0,
                    0, 0, 0, time);
                finishWithStatus(order, OrdStatus.EXPIRED);
            }
        }
    }

    private void restOrFinish(
        final Instrument instrument, final Order order, final OrdType ordType, final boolean stopped, final long time)
    {
        if (order.leavesQty == 0 && !stopped)
        {
            finish(order);
        }
        else if (stopped || ordType == OrdType.MARKET || order.timeInForce == TimeInForce.IOC ||
            order.timeInForce == TimeInForce.FOK)
        {
            final RejectReason reason = stopped ? RejectReason.SELF_TRADE_PREVENTED :
                ordType == OrdType.MARKET && order.cumQty == 0 ? RejectReason.NO_LIQUIDITY : RejectReason.NONE;
            emitter.orderReport(
                order, ordType, ExecType.CANCELED, OrdStatus.CANCELED, reason, order.clOrdId, 0, 0, 0, 0, time);
            finishCanceled(order);
        }
        else
        {
            final BookSide book = instrument.side(order.side);
            final PriceLevel level = book.levelFor(order.price);
            level.append(order);
            emitter.bookUpdate(instrument, book.side, level, time);
            if (order.timeInForce == TimeInForce.GTD)
            {
                expiries.add(order.expireTime, order.orderId);
            }
        }
    }

    private int cancelAll(final long accountId, final long sessionFilter, final int instrumentFilter, final long time)
    {
        int canceled = 0;
        for (int i = 0; i < instrumentCount; i++)
        {
            final Instrument instrument = instrumentsById[i];
            if (instrumentFilter == 0 || instrument.instrumentId == instrumentFilter)
            {
                canceled += cancelAll(instrument, instrument.bids, accountId, sessionFilter, time);
                canceled += cancelAll(instrument, instrument.asks, accountId, sessionFilter, time);
            }
        }
        return canceled;
    }

    private int cancelAll(
        final Instrument instrument, final BookSide book, final long accountId, final long sessionFilter, final long time)
    {
        int canceled = 0;
        // Best level first; a removed level only shifts the ones already visited.
        for (int depth = 0; depth < book.levelCount(); )
        {
            final PriceLevel level = book.level(depth);
            final int levelsBefore = book.levelCount();
            for (Order order = level.head; order != null; )
            {
                final Order next = order.next;
                if (order.accountId == accountId && (sessionFilter == 0 || order.sessionId == sessionFilter))
                {
                    removeFromBook(instrument, order, time);
                    emitter.orderReport(
                        order, OrdType.LIMIT, ExecType.CANCELED, OrdStatus.CANCELED, RejectReason.NONE, order.clOrdId,
                        0, 0, 0, 0, time);
                    finishCanceled(order);
                    canceled++;
                }
                order = next;
            }
            if (book.levelCount() == levelsBefore)
            {
                depth++;
            }
        }
        return canceled;
    }

    /**
     * Take a resting order off its level and publish the level's new aggregate.
     */
    private void removeFromBook(final Instrument instrument, final Order order, final long time)
    {
        final PriceLevel level = order.level;
        final BookSide book = instrument.side(order.side);
        level.remove(order);
        emitter.bookUpdate(instrument, book.side, level, time);
        if (level.isEmpty())
        {
            book.removeLevel(level);
        }
    }

    private Order locate(final Account account, final long orderId, final long origClOrdId, final int instrumentId)
    {
        Order order = null;
        if (orderId != 0)
        {
            order = orders.get(orderId);
        }
        else
        {
            final int row = window.find(account, origClOrdId);
            if (row != ClOrdIdWindow.NOT_FOUND)
            {
                order = orders.get(window.orderId(row));
            }
        }
        if (order == null || order.accountId != account.accountId ||
            (instrumentId != 0 && instrumentId != order.instrumentId))
        {
            return null;
        }
        return order;
    }

    /**
     * A repeated clOrdId: say again what happened to the first request, without acting.
     */
    void reportRecordedOutcome(final long sessionId, final int row, final long time)
    {
        final ClOrdIdWindow w = window;
        final long orderId = w.orderId(row);
        final Order live = orderId == 0 ? null : orders.get(orderId);
        if (live != null)
        {
            emitter.statusReport(live, w.ordType(row), w.clOrdId(row), sessionId, time);
            return;
        }
        // A replaced order's final state is recorded under its latest clOrdId: report that one's.
        final int latest = orderId == 0 ? row : w.latestRowOf(orderId, row);
        final OrdStatus status = w.ordStatus(latest);
        emitter.detachedReport(
            sessionId, w.accountId(row), orderId, w.clOrdId(row), w.instrumentId(row),
            status == OrdStatus.REJECTED ? ExecType.REJECTED : ExecType.ORDER_STATUS, status, w.side(row),
            w.ordType(row), w.timeInForce(row), w.rejectReason(latest), w.price(latest), w.quantity(latest),
            w.cumQty(latest), time);
    }

    /**
     * The window row of an earlier request with this clOrdId, or NOT_FOUND. A clOrdId above
     * the account's highest cannot be a repeat: the usual, increasing case costs no look-up.
     */
    int findRequest(final Account account, final long clOrdId)
    {
        return clOrdId > account.maxClOrdId ? ClOrdIdWindow.NOT_FOUND : window.find(account, clOrdId);
    }

    private int remember(
        final Account account,
        final long clOrdId,
        final long orderId,
        final int instrumentId,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final OrdStatus ordStatus,
        final RejectReason reason,
        final long price,
        final long quantity,
        final long cumQty)
    {
        if (clOrdId > account.maxClOrdId)
        {
            account.maxClOrdId = clOrdId;
        }
        return window.add(
            account, clOrdId, orderId, instrumentId, side, ordType, timeInForce, ordStatus, reason, price,
            quantity, cumQty);
    }

    private RejectReason validateNewOrder(
        final Instrument instrument,
        final Side side,
        final OrdType ordType,
        final TimeInForce timeInForce,
        final boolean postOnly,
        final SelfTradePrevention selfTradePrevention,
        final long price,
        final long quantity,
        final long expireTime,
        final long time)
    {
        if (instrument == null)
        {
            return RejectReason.UNKNOWN_INSTRUMENT;
        }
        if (!isValidSide(side))
        {
            return RejectReason.INVALID_SIDE;
        }
        if (ordType != OrdType.LIMIT && ordType != OrdType.MARKET)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (timeInForce == null || timeInForce == TimeInForce.NULL_VAL ||
            (ordType == OrdType.MARKET && timeInForce != TimeInForce.IOC && timeInForce != TimeInForce.FOK) ||
            (postOnly && timeInForce != TimeInForce.GTC && timeInForce != TimeInForce.GTD))
        {
            return RejectReason.INVALID_TIME_IN_FORCE;
        }
        if (postOnly && ordType != OrdType.LIMIT)
        {
            return RejectReason.INVALID_ORDER_TYPE;
        }
        if (selfTradePrevention == null || selfTradePrevention == SelfTradePrevention.NULL_VAL)
        {
            return RejectReason.INVALID_SELF_TRADE_PREVENTION;
        }
        if (!isValidQuantity(instrument, quantity))
        {
            return RejectReason.INVALID_QUANTITY;
        }
        if (!isValidPrice(instrument, price))
        {
            return RejectReason.INVALID_PRICE;
        }
        if (timeInForce == TimeInForce.GTD && expireTime <= time)
        {
            return RejectReason.INVALID_EXPIRE_TIME;
        }
        if (instrument.halted)
        {
            return RejectReason.INSTRUMENT_HALTED;
        }
        if (ordType == OrdType.LIMIT && instrument.isOutsideBand(price))
        {
            return RejectReason.PRICE_OUTSIDE_BAND;
        }
        return RejectReason.NONE;
    }

    /**
     * Can the account reserve what an order of this size needs, counting what it already holds?
     */
    private static RejectReason checkFunds(
        final Account account,
        final Instrument instrument,
        final Side side,
        final long price,
        final long leavesQty,
        final long alreadyReserved)
    {
        if (side == Side.BUY)
        {
            final long high = Math.multiplyHigh(price, leavesQty);
            final long notional = price * leavesQty;
            if (high != 0 || notional < 0)
            {
                return RejectReason.NOTIONAL_OVERFLOW;
            }
            return notional - alreadyReserved > account.available(instrument.quoteAssetId) ?
                RejectReason.INSUFFICIENT_FUNDS : RejectReason.NONE;
        }
        return leavesQty - alreadyReserved > account.available(instrument.baseAssetId) ?
            RejectReason.INSUFFICIENT_POSITION : RejectReason.NONE;
    }

    private static void reserve(final Order order, final Instrument instrument)
    {
        final Account account = order.account;
        if (order.isBuy())
        {
            order.reserved = order.price * order.leavesQty;
            account.balances[(instrument.quoteAssetId << 1) + 1] += order.reserved;
        }
        else
        {
            order.reserved = order.leavesQty;
            account.balances[(instrument.baseAssetId << 1) + 1] += order.reserved;
        }
    }

    private static void release(final Order order, final Instrument instrument)
    {
        final int asset = order.isBuy() ? instrument.quoteAssetId : instrument.baseAssetId;
        order.account.balances[(asset << 1) + 1] -= order.reserved;
        order.reserved = 0;
    }

    private static boolean crosses(final Instrument instrument, final Side side, final long price)
    {
        final PriceLevel best = instrument.opposite(side).best();
        return best != null && (side == Side.BUY ? price >= best.price : price <= best.price);
    }

    private static int marketProtectionBps(final Instrument instrument)
    {
        return instrument.marketProtectionBps > 0 ? instrument.marketProtectionBps : MAX_BPS;
    }

    private static boolean isValidSide(final Side side)
    {
        return side == Side.BUY || side == Side.SELL;
    }

    private static boolean isValidPrice(final Instrument instrument, final long price)
    {
        // Tick and lot of 1 are common: skip the division for them.
        return price > 0 && price <= MAX_PRICE && (instrument.tickSize == 1 || price % instrument.tickSize == 0);
    }

    private static boolean isValidQuantity(final Instrument instrument, final long quantity)
    {
        return quantity > 0 && (instrument.lotSize == 1 || quantity % instrument.lotSize == 0);
    }

    private boolean isValidAsset(final int assetId)
    {
        return assetId >= 0 && assetId < ctx.maxAssets();
    }

    /**
     * The order is done (filled): release what it still reserves and forget it.
     */
    void finish(final Order order)
    {
        finishWithStatus(order, EventEmitter.statusOf(order));
    }

    void finishCanceled(final Order order)
    {
        finishWithStatus(order, OrdStatus.CANCELED);
    }

    private void finishWithStatus(final Order order, final OrdStatus status)
    {
        release(order, order.instrument);
        if (window.holds(order.windowRow, order.clOrdId, order.orderId))
        {
            window.finish(order.windowRow, status, order.price, order.quantity, order.cumQty);
        }
        orders.remove(order);
        pool.release(order);
    }

    private Account account(final long accountId)
    {
        final Account account = accountSlots[(int)accountId & accountMask];
        return account != null && account.accountId == accountId ? account : accounts.get(accountId);
    }

    Account addAccount(final long accountId)
    {
        final Account account = new Account(accountId, assetCapacity);
        accounts.put(accountId, account);
        final int slot = (int)accountId & accountMask;
        if (accountSlots[slot] == null)
        {
            accountSlots[slot] = account;
        }
        return account;
    }

    void addInstrument(final Instrument instrument)
    {
        instruments.put(instrument.instrumentId, instrument);
        if (instrumentCount == instrumentsById.length)
        {
            instrumentsById = java.util.Arrays.copyOf(instrumentsById, instrumentCount * 2);
        }
        int i = instrumentCount++;
        while (i > 0 && instrumentsById[i - 1].instrumentId > instrument.instrumentId)
        {
            instrumentsById[i] = instrumentsById[i - 1];
            i--;
        }
        instrumentsById[i] = instrument;
    }

    void ensureAssetCapacity(final int capacity)
    {
        if (capacity > assetCapacity)
        {
            assetCapacity = Math.max(capacity, Math.min(assetCapacity * 2, ctx.maxAssets()));
            netDeposits = java.util.Arrays.copyOf(netDeposits, assetCapacity);
            for (final Account account : accounts.values())
            {
                account.ensureAssetCapacity(assetCapacity);
            }
        }
    }

    /**
     * Engine limits. Defaults suit a laptop; production sizes them to its book.
     */
    public static final class Context
    {
        public static final int MAX_ORDERS_DEFAULT = 1_000_000;
        public static final int INITIAL_ORDERS_DEFAULT = 16 * 1024;
        public static final int MAX_ACCOUNTS_DEFAULT = 100_000;
        public static final int MAX_INSTRUMENTS_DEFAULT = 10_000;
        public static final int MAX_ASSETS_DEFAULT = 4096;
        public static final int CLORDID_WINDOW_DEFAULT = 256 * 1024;
        public static final int CLORDID_WINDOW_MAX = 64 * 1024 * 1024;

        private int maxOrders = MAX_ORDERS_DEFAULT;
        private int initialOrders = INITIAL_ORDERS_DEFAULT;
        private int maxAccounts = MAX_ACCOUNTS_DEFAULT;
        private int maxInstruments = MAX_INSTRUMENTS_DEFAULT;
        private int maxAssets = MAX_ASSETS_DEFAULT;
        private int clOrdIdWindow = CLORDID_WINDOW_DEFAULT;
        private boolean concluded;

        public Context conclude()
        {
            if (!concluded)
            {
                requirePositive("maxOrders", maxOrders);
                requirePositive("maxAccounts", maxAccounts);
                requirePositive("maxInstruments", maxInstruments);
                requirePositive("maxAssets", maxAssets);
                requirePositive("clOrdIdWindow", clOrdIdWindow);
                if (clOrdIdWindow > CLORDID_WINDOW_MAX)
                {
                    throw new IllegalArgumentException("clOrdIdWindow must be <= " + CLORDID_WINDOW_MAX + ": " + clOrdIdWindow);
                }
                if (initialOrders < 0)
                {
                    throw new IllegalArgumentException("initialOrders must be >= 0: " + initialOrders);
                }
                initialOrders = Math.min(initialOrders, maxOrders);
                concluded = true;
            }
            return this;
        }

        private static void requirePositive(final String name, final int value)
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException(name + " must be > 0: " + value);
            }
        }

        public int maxOrders()
        {
            return maxOrders;
        }

        /**
         * Most orders live at once (resting plus the one being matched).
         */
        public Context maxOrders(final int maxOrders)
        {
            this.maxOrders = maxOrders;
            return this;
        }

        public int initialOrders()
        {
            return initialOrders;
        }

        /**
         * Orders preallocated at start; the pool grows in chunks up to maxOrders.
         */
        public Context initialOrders(final int initialOrders)
        {
            this.initialOrders = initialOrders;
            return this;
        }

        public int maxAccounts()
        {
            return maxAccounts;
        }

        public Context maxAccounts(final int maxAccounts)
        {
            this.maxAccounts = maxAccounts;
            return this;
        }

        public int maxInstruments()
        {
            return maxInstruments;
        }

        public Context maxInstruments(final int maxInstruments)
        {
            this.maxInstruments = maxInstruments;
            return this;
        }

        public int maxAssets()
        {
            return maxAssets;
        }

        /**
         * Asset ids run from 0 to maxAssets - 1.
         */
        public Context maxAssets(final int maxAssets)
        {
            this.maxAssets = maxAssets;
            return this;
        }

        public int clOrdIdWindow()
        {
            return clOrdIdWindow;
        }

        /**
         * How many recent order requests (all accounts together) are remembered so a retried
         * clOrdId gets its original outcome; 64 bytes each.
         */
        public Context clOrdIdWindow(final int clOrdIdWindow)
        {
            this.clOrdIdWindow = clOrdIdWindow;
            return this;
        }
    }
}
