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
 * Decoders are flyweights valid only during the call. Each report arrives once, in sequence, even
 * across reconnects. Implement what you need; the rest do nothing.
 */
public interface KeelClientListener
{
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
     * A request refused before or by the engine: UNAVAILABLE (no cluster leader: retry with the same
     * clOrdId), THROTTLED, or an engine reason.
     */
    default void onBusinessReject(BusinessRejectDecoder reject)
    {
    }

    default void onMassCancelReport(MassCancelReportDecoder report)
    {
    }

    /**
     * One page of the answer to {@link KeelClient#accountStatus(long)}; pageNo == pageCount is the last. Not numbered.
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
     * The gateway could not accept a message (the connection stays up unless a Logout follows).
     */
    default void onSessionReject(int refTemplateId, RejectReason reason, String text)
    {
    }

    /**
     * The gateway is closing the connection, and why.
     */
    default void onLogout(LogoutReason reason, String text)
    {
    }

    /**
     * The connection is gone; with auto-reconnect the client logs on again by itself.
     */
    default void onDisconnected(String reason)
    {
    }
}
