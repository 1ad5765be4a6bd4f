package io.keel.chaos;

/**
 * The kinds of disagreement the history checker reports, each with the name it prints.
 */
enum Anomaly
{
    /** A request sent and never answered, and not in the engine either. */
    NEVER_ANSWERED("never-answered"),
    /** Acknowledged and open as far as the client's reports go, then gone with no report saying why. */
    VANISHED("vanished"),
    /** The engine rests an order the client was told had ended, or rests it otherwise than reported. */
    RESTS_OTHERWISE("rests-otherwise"),
    /** The engine says an order filled more than the TRADE reports the client received. */
    FILL_NOT_DELIVERED("fill-not-delivered"),
    /** An order the client first heard of through a later report: its NEW never arrived. */
    NEW_NOT_DELIVERED("new-not-delivered"),
    /** A TRADE report received twice (one execId), or fills received beyond what the engine says. */
    DUPLICATE_FILL("duplicate-fill"),
    /** A clOrdId that became two orders (two orderIds, two NEW reports, two resting). */
    DUPLICATE_ORDER("duplicate-order"),
    /** The engine rests an order its client never saw acknowledged, or that no client asked for. */
    PHANTOM("phantom"),
    /** A report contradicting itself (status against leaves and cum) or an earlier report. */
    CONTRADICTORY_STATUS("contradictory-status"),
    /** Numbered reports of a session that skip a seqNo. */
    SEQ_GAP("seq-gap"),
    /** A seqNo handed to the listener twice, or out of order. */
    SEQ_REPEAT("seq-repeat"),
    /** A report that should carry the engine's seqNo and carries none. */
    UNNUMBERED("unnumbered"),
    /** A report about an order the client never sent. */
    UNKNOWN_REPORT("unknown-report"),
    /** An account's balances differ from its deposits plus the fills its client received. */
    BALANCE("balance"),
    /** The engine's own invariants, or the totals of both assets against the deposits. */
    INVARIANT("invariant"),
    /** Market data replayed from a node's log differs from its final books. */
    MARKET_DATA("market-data"),
    /** Across market segments: balances plus money in flight between segments differ from what was deposited. */
    MONEY("money");

    private final String label;

    Anomaly(final String label)
    {
        this.label = label;
    }

    String label()
    {
        return label;
    }
}
