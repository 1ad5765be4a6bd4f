package io.keel.client;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BookSnapshotDecoder;
import io.keel.codecs.BookUpdateDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.CancelRejectDecoder;
import io.keel.codecs.ExecutionReportDecoder;
import io.keel.codecs.LogoutReason;
import io.keel.codecs.MassCancelReportDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TradeDecoder;

/**
 * What a {@link KeelClient} hands its user, on the thread that calls {@link KeelClient#poll()}.
 * Decoders are flyweights valid only during the call. Each numbered report (seqNo from 1, the engine's) arrives once
 * and in seqNo order, across reconnects to the same or another gateway; reports the gateway makes itself (seqNo 0:
 * THROTTLED, UNAVAILABLE) arrive as they come. Implement what you need; the rest do nothing.
 */
public interface KeelClientListener
{
    /**
     * @param nextSeqNo the seqNo the engine gives this session's next report; the reports from the client's
     *                  {@link KeelClient#nextExpectedSeqNo()} up to it follow.
     */
    default void onLoggedOn(long sessionId, long accountId, long nextSeqNo)
    {
    }

    default void onExecutionReport(ExecutionReportDecoder report)
    {
    }

    default void onCancelReject(CancelRejectDecoder reject)
    {
    }

    /**
     * A request refused before or by the engine: THROTTLED or UNAVAILABLE by the gateway (seqNo 0), or an engine
     * reason. A request refused UNAVAILABLE is sent again by the client with the same clOrdId
     * ({@link #onRequestUnavailable}); its refusal arrives here only when the retries are used up.
     */
    default void onBusinessReject(BusinessRejectDecoder reject)
    {
    }

    /**
     * A request in flight was refused UNAVAILABLE (the gateway cannot reach the cluster, as during a failover).
     *
     * @param clOrdId  the request's.
     * @param attempt  how often it has now been refused UNAVAILABLE.
     * @param givingUp false: it stays in flight and is sent again, unchanged, after a backoff of 100 ms doubling up to
     *                 1 s; true: the retries ({@link KeelClient.Context#maxUnavailableRetries(int)}) are used up, it
     *                 leaves the in-flight requests and the BusinessReject follows to {@link #onBusinessReject}.
     */
    default void onRequestUnavailable(long clOrdId, int attempt, boolean givingUp)
    {
    }

    default void onMassCancelReport(MassCancelReportDecoder report)
    {
    }

    /**
     * One page of the answer to {@link KeelClient#accountStatus(long)}; pageNo == pageCount is the last. Numbered like
     * the reports (seqNo), so pages arrive once and in order with them.
     */
    default void onAccountStatus(AccountStatusDecoder status)
    {
    }

    /**
     * The whole book of a subscribed instrument: the first message after subscribing, and again
     * after any gap. Apply it with {@link L2Book#apply(BookSnapshotDecoder)}; increments follow in order.
     */
    default void onBookSnapshot(BookSnapshotDecoder snapshot)
    {
    }

    default void onBookUpdate(BookUpdateDecoder update)
    {
    }

    default void onTrade(TradeDecoder trade)
    {
    }

    /**
     * The gateway could not accept a message (the connection stays up unless a Logout follows). RESEND_UNAVAILABLE:
     * reports this session missed are no longer held (retention); the text names them, the client's sequence has
     * already moved on to the first one held ({@link KeelClient#nextExpectedSeqNo()}), and the ones before will never
     * arrive: ask for order or account status to reconcile.
     */
    default void onSessionReject(int refTemplateId, RejectReason reason, String text)
    {
    }

    /**
     * The gateway is closing the connection, and why. SESSION_MOVED: the same user logged on at another gateway (or
     * connection), which serves the session now; this client does not reconnect by itself
     * ({@link KeelClient#state()} is {@link SessionState#MOVED}) — {@link KeelClient#connect()} takes it back.
     */
    default void onLogout(LogoutReason reason, String text)
    {
    }

    /**
     * The connection is gone; with auto-reconnect the client logs on again by itself (not after SESSION_MOVED).
     */
    default void onDisconnected(String reason)
    {
    }

    /**
     * A connection attempt failed, or a connection was lost, and the client will try again: at the next endpoint of
     * {@link KeelClient.Context#endpoints(String)}, after {@code delayMs}. Told for each endpoint that
     * {@link KeelClient#connect()} passes over, and with auto-reconnect for every lost connection and failed attempt
     * (the delay then grows from {@link KeelClient.Context#reconnectIntervalMs(long)} to
     * {@link KeelClient.Context#maxReconnectIntervalMs(long)} with each cycle of endpoints that all failed). Not told
     * when the client stops: SESSION_MOVED, logout, close, or auto-reconnect off.
     *
     * @param endpoint {@code host:port} that failed or was lost.
     * @param delayMs  until the next attempt; 0 when the next endpoint is tried at once.
     * @param reason   one line: why the attempt failed or the connection ended.
     */
    default void onReconnecting(String endpoint, long delayMs, String reason)
    {
    }
}
