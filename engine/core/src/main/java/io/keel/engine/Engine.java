package io.keel.engine;

import io.keel.codecs.AddInstrumentDecoder;
import io.keel.codecs.CreateAccountDecoder;
import io.keel.codecs.DepositDecoder;
import io.keel.codecs.HaltInstrumentDecoder;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.RejectReason;
import io.keel.codecs.ResumeInstrumentDecoder;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.SessionCloseReason;
import io.keel.codecs.SessionState;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import io.keel.codecs.WithdrawDecoder;

/**
 * The deterministic state machine: instruments with their books, spot accounts, and the order
 * lifecycle. Its only inputs are the calls below, each with the cluster time of its log entry;
 * its only outputs go to the {@link EngineListener}, in order. Single-threaded, allocation-free
 * in steady state, and it knows nothing of Aeron or sockets.
 *
 * <p>A façade: each call advances time (expiring due GTD orders) and hands the command to the
 * part that owns it: {@link Accounts}, {@link Instruments}, {@link OrderEntry} (new, replace),
 * {@link OrderLifecycle} (cancel, mass cancel, expiry), with {@link Idempotency} and
 * {@link OrderValidation} between them.
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
    /**
     * Price levels per BookSnapshot message at most: a book of any depth goes out in pages this long (about 21 KB
     * encoded), so no output outgrows the egress's largest message on one node and not on another.
     */
    public static final int BOOK_SNAPSHOT_PAGE_LEVELS = 1_000;

    private final EngineContext ctx;
    final EventEmitter emitter;
    final OrderPool pool;
    final OrderIndex orders;
    final ExpiryQueue expiries;
    final ClOrdIdWindow window;
    final EngineLimits limits;
    final Accounts accounts;
    final Instruments instruments;
    final OrderLifecycle lifecycle;
    final Matcher matcher;
    final OrderEntry entry;
    final Idempotency idempotency;
    final Sessions sessions;
    final Transfers transfers;
    private final AccountQuery query;
    final EngineClock clock;

    public Engine(final EngineContext ctx, final EngineListener listener)
    {
        this.ctx = ctx.conclude();
        emitter = new EventEmitter(listener);
        sessions = new Sessions(emitter);
        emitter.sessions(sessions);
        // The pool may grow to any order limit an admin sets; the limit in force, not the pool, says no.
        pool = new OrderPool(ctx.initialOrders(), EngineLimits.MAX_ORDERS_MAX);
        orders = new OrderIndex(ctx.maxOrders());
        expiries = new ExpiryQueue(ctx.maxOrders());
        accounts = new Accounts(ctx);
        transfers = new Transfers(ctx, accounts);
        instruments = new Instruments(ctx, accounts);
        window = new ClOrdIdWindow(ctx.idempotencyHorizonMs(), ctx.maxClOrdIds(), ctx.initialClOrdIds());
        limits = new EngineLimits(ctx, window);
        idempotency = new Idempotency(window, orders, emitter);
        lifecycle = new OrderLifecycle(accounts, instruments, pool, orders, expiries, idempotency, emitter);
        matcher = new Matcher(lifecycle, emitter);
        entry = new OrderEntry(accounts, instruments, pool, orders, idempotency, lifecycle, matcher, emitter, limits);
        query = new AccountQuery(accounts, instruments, orders, idempotency, emitter);
        clock = new EngineClock(sessions, lifecycle);
    }

    public Engine(final EngineListener listener)
    {
        this(new EngineContext(), listener);
    }

    public EngineContext context()
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
        clock.advance(time);
        emitter.adminResponse(correlationId, CreateAccountDecoder.TEMPLATE_ID, accounts.create(accountId), time);
    }

    public void deposit(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        clock.advance(time);
        emitter.adminResponse(correlationId, DepositDecoder.TEMPLATE_ID, accounts.deposit(accountId, assetId, amount), time);
    }

    public void withdraw(final long correlationId, final long accountId, final int assetId, final long amount, final long time)
    {
        clock.advance(time);
        emitter.adminResponse(correlationId, WithdrawDecoder.TEMPLATE_ID, accounts.withdraw(accountId, assetId, amount), time);
    }

    /**
     * One step of a transfer between market segments, or a query (see {@link Transfers}): DEBIT (in the source
     * segment), CREDIT (in the destination), CONFIRM (in the source, once the credit is done), QUERY (what this
     * segment holds under the id), LIST (the pending transfers above {@code transferId}, a page). Answered to the
     * admin with the outcome (ALREADY_APPLIED for a repeat, which changes nothing); nothing goes to any session's
     * reports.
     */
    public void transfer(
        final long correlationId,
        final long transferId,
        final long accountId,
        final int assetId,
        final long amount,
        final TransferStep step,
        final int fromSegment,
        final int toSegment,
        final long time)
    {
        clock.advance(time);
        final RejectReason result;
        switch (step == null ? TransferStep.NULL_VAL : step)
        {
            case DEBIT:
                result = transfers.debit(transferId, accountId, assetId, amount, fromSegment, toSegment);
                break;
            case CREDIT:
                result = transfers.credit(transferId, accountId, assetId, amount, fromSegment, toSegment);
                break;
            case CONFIRM:
                result = transfers.confirm(transferId, accountId, assetId, amount, fromSegment, toSegment);
                break;
            case QUERY:
                result = transfers.query(transferId);
                break;
            case LIST:
                emitter.transferList(correlationId, transferId, transfers, time);
                return;
            default:
                transfers.last = null;
                result = RejectReason.INVALID_MESSAGE;
                break;
        }
        emitter.transferStatus(correlationId, transferId, step == null ? TransferStep.NULL_VAL : step, result, transfers,
            accountId, assetId, amount, fromSegment, toSegment, time);
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
        clock.advance(time);
        final RejectReason result = instruments.add(
            instrumentId, baseAssetId, quoteAssetId, tickSize, lotSize, referencePrice, priceBandBps, marketProtectionBps);
        emitter.adminResponse(correlationId, AddInstrumentDecoder.TEMPLATE_ID, result, time);
        if (result == RejectReason.NONE)
        {
            // The announcement: gateways make a book for an instrument when the engine says it exists, never when a
            // client names one.
            emitter.bookSnapshot(instrumentId, instruments.get(instrumentId), time);
        }
    }

    /**
     * Change the limits that change outcomes ({@link EngineLimits}; {@link EngineLimits#KEEP} keeps a value, all KEEP
     * shows them), answered with the limits in force. A value out of range refuses it all (INVALID_AMOUNT); a limit
     * lowered below what is in use keeps what is there and refuses what is new.
     */
    public void setLimits(
        final long correlationId,
        final long maxOrders,
        final long maxOpenOrdersPerAccount,
        final long gtdHorizon,
        final long idempotencyHorizon,
        final long maxClOrdIds,
        final long time)
    {
        clock.advance(time);
        final RejectReason result = limits.set(
            maxOrders, maxOpenOrdersPerAccount, gtdHorizon, idempotencyHorizon, maxClOrdIds, orders, expiries);
        emitter.limits(correlationId, result, limits, time);
    }

    /**
     * The limits in force (cold; the service thread's, like every query).
     */
    public EngineLimits limits()
    {
        return limits;
    }

    public void halt(final long correlationId, final int instrumentId, final long time)
    {
        clock.advance(time);
        emitter.adminResponse(correlationId, HaltInstrumentDecoder.TEMPLATE_ID, instruments.setHalted(instrumentId, true), time);
    }

    public void resume(final long correlationId, final int instrumentId, final long time)
    {
        clock.advance(time);
        emitter.adminResponse(
            correlationId, ResumeInstrumentDecoder.TEMPLATE_ID, instruments.setHalted(instrumentId, false), time);
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
        clock.advance(time);
        // Unknown enum values arrive as NULL_VAL (or null from Java callers); both are rejected.
        entry.newOrder(
            sessionId, accountId, clOrdId, instrumentId, side == null ? Side.NULL_VAL : side,
            ordType == null ? OrdType.NULL_VAL : ordType, timeInForce == null ? TimeInForce.NULL_VAL : timeInForce,
            postOnly, selfTradePrevention == null ? SelfTradePrevention.NULL_VAL : selfTradePrevention, price, quantity,
            expireTime, time);
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
        clock.advance(time);
        lifecycle.cancelOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, time);
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
        clock.advance(time);
        entry.replaceOrder(sessionId, accountId, clOrdId, origClOrdId, orderId, instrumentId, price, quantity, time);
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
        clock.advance(time);
        lifecycle.massCancel(sessionId, accountId, clOrdId, scope, instrumentId, time);
    }

    // ------------------------------------------------------------------ sessions

    /**
     * A gateway verified a user's password: it serves the session from now on (see {@link Sessions}). Answered with
     * a session status to that gateway: OPEN with the seqNo of the session's next report, or REFUSED with a reason
     * (unknown account, an account other than the session's, {@code nextExpectedSeqNo} beyond the reports produced,
     * the session limit). A session open at another gateway is taken from it, and that gateway is told (EVICTED).
     *
     * @param gatewayLink the gateway's connection to the cluster: requests about the session are taken from it only.
     */
    public void openSession(
        final long gatewayLink,
        final int gatewayId,
        final long sessionId,
        final long accountId,
        final boolean cancelOnDisconnect,
        final long graceTime,
        final long nextExpectedSeqNo,
        final long time)
    {
        clock.advance(time);
        sessions.open(gatewayLink, gatewayId, sessionId, accountId, cancelOnDisconnect, graceTime, nextExpectedSeqNo,
            accounts.exists(accountId), time);
    }

    /**
     * The serving gateway says its client logged out or went away: with cancel-on-disconnect, the session's orders
     * are cancelled when its grace runs out (at once with no grace), unless it is back before. From any other
     * gateway: refused, nothing changes.
     */
    public void closeSession(final long gatewayLink, final long sessionId, final SessionCloseReason reason, final long time)
    {
        clock.advance(time);
        final Sessions.Session session = sessions.close(gatewayLink, sessionId, reason, time);
        if (session != null)
        {
            lifecycle.sessionLost(session.sessionId, session.accountId, time);
        }
    }

    /**
     * A gateway's connection to the cluster closed: every session it served is disconnected as if its client had
     * gone (cancel-on-disconnect included), in session id order.
     */
    public void gatewayLost(final long gatewayLink, final long time)
    {
        if (!sessions.servesAny(gatewayLink))
        {
            // An admin's or an idle gateway's close: no command for the engine, not even a tick of its time.
            return;
        }
        clock.linkLost(gatewayLink, time);
    }

    /**
     * The gateway link a session is served through now, or 0 when it is not open.
     */
    public long sessionLink(final long sessionId)
    {
        return sessions.linkOf(sessionId);
    }

    /** Returned by {@link #sessionAccountVia} for a session not open through that link. */
    public static final long NOT_SERVED = Long.MIN_VALUE;

    /**
     * The account a session trades for, if it is open through this gateway link (one look-up per command), else
     * {@link #NOT_SERVED}.
     */
    public long sessionAccountVia(final long sessionId, final long gatewayLink)
    {
        final Sessions.Session session = sessions.get(sessionId);
        return session == null || session.state != SessionState.OPEN || session.gatewayLink != gatewayLink ?
            NOT_SERVED : session.accountId;
    }

    /**
     * The seqNo the session's next report will get (1 for a session the engine does not keep).
     */
    public long sessionNextSeqNo(final long sessionId)
    {
        final Sessions.Session session = sessions.get(sessionId);
        return session == null ? 1 : session.nextSeqNo;
    }

    /**
     * A client session with cancel-on-disconnect went away: cancel its live orders, reporting a
     * CANCELED per order (no MassCancelReport: nobody asked). The gateway-timed form of version 2;
     * sessions opened in the log use {@link #closeSession} and {@link #gatewayLost}.
     */
    public void sessionLost(final long sessionId, final long accountId, final long time)
    {
        clock.advance(time);
        lifecycle.sessionLost(sessionId, accountId, time);
    }

    /**
     * A gateway's MarketDataRequest: emit the instrument's whole aggregated book as market data (a gateway
     * resynchronising its copy after a gap), in pages of at most {@link #BOOK_SNAPSHOT_PAGE_LEVELS} levels. Instrument
     * 0 asks for every instrument's book, in id order (a gateway learning which instruments exist), ended by an
     * AdminResponse NONE to the asker with the instrument id as correlation id. An unknown instrument gets only an
     * AdminResponse UNKNOWN_INSTRUMENT to the asker: no market data, so no gateway makes a book for it. Changes no
     * state.
     */
    public void bookSnapshot(final int instrumentId, final long time)
    {
        clock.advance(time);
        emitter.marketDataRequest(instrumentId, instruments, time);
    }

    /**
     * An order's state for the asking session (an OrderStatusRequest); see {@link AccountQuery}. Changes no
     * order or balance.
     */
    public void orderStatus(final long sessionId, final long accountId, final long clOrdId, final long orderId, final long time)
    {
        clock.advance(time);
        query.orderStatus(sessionId, accountId, clOrdId, orderId, time);
    }

    /**
     * An account's balances and open orders, paged (an AccountRequest); sessionId 0 answers an admin. Changes no
     * state but time.
     */
    public void accountStatus(final long sessionId, final long accountId, final long requestId, final long time)
    {
        clock.advance(time);
        query.accountStatus(sessionId, accountId, requestId, time);
    }

    /**
     * Advance cluster time with no command: expires GTD orders due by then.
     */
    public void onTime(final long time)
    {
        clock.advance(time);
    }

    /**
     * Cluster time of the next GTD expiry or cancel-on-disconnect deadline (perhaps of an order or session gone or
     * back since), or Long.MAX_VALUE: the node asks to be woken then with {@link #onTime}.
     */
    public long nextExpiryTime()
    {
        return Math.min(expiries.peekTime(), sessions.nextDeadline());
    }

    // ------------------------------------------------------------------ queries (cold)

    public long balance(final long accountId, final int assetId)
    {
        return accounts.balance(accountId, assetId);
    }

    public long reserved(final long accountId, final int assetId)
    {
        return accounts.reserved(accountId, assetId);
    }

    /**
     * Transfers debited here and not confirmed.
     */
    public int pendingTransferCount()
    {
        return transfers.pendingCount;
    }

    /**
     * Funds of an asset held by pending transfers (cold: a pass over them).
     */
    public long pendingTransferAmount(final int assetId)
    {
        return transfers.pendingAmount(assetId);
    }

    /**
     * What this engine holds under a transfer id: NONE, PENDING, COMPLETED or CREDITED.
     */
    public TransferState transferState(final long transferId)
    {
        final Transfers.Transfer transfer = transfers.byId.get(transferId);
        return transfer == null ? TransferState.NONE : transfer.state;
    }

    /**
     * What the accounts must hold of an asset in sum: deposits less withdrawals, less debits, plus credits.
     */
    public long netDeposits(final int assetId)
    {
        return assetId >= 0 && assetId < accounts.netDeposits.length ? accounts.netDeposits[assetId] : 0;
    }

    public boolean hasAccount(final long accountId)
    {
        return accounts.exists(accountId);
    }

    public boolean hasInstrument(final int instrumentId)
    {
        return instruments.exists(instrumentId);
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
        return instruments.count;
    }

    public long lastTime()
    {
        return clock.lastTime;
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
}
