package io.keel.gateway;

/**
 * A user's session in one market segment's cluster, as this gateway serves it. Each segment's engine opens, closes
 * and numbers the session on its own (1, 2, 3, …); every seqNo here is that segment's own, and the gateway composes
 * the segment into what it sends the client ({@link io.keel.codecs.SegmentSeqNo}).
 */
final class SessionSegment
{
    /**
     * Where the session stands with the segment's cluster, as this gateway last told it and heard back.
     */
    enum ClusterState
    {
        /** Not served here: no connection, or its close was told to the cluster. */
        IDLE,
        /** A SessionOpen is to be sent (again, after a new leader or cluster session) or was sent; no answer yet. */
        OPENING,
        /** The cluster said OPEN: this gateway serves the session. */
        OPEN
    }

    final int segment;
    ClusterState clusterState = ClusterState.IDLE;
    /** A SessionOpen waits to be offered (the cluster was unreachable when it was due). */
    boolean openToSend;
    /** A SessionClose waits to be offered; dropped if the user logs on again first. */
    boolean closeToSend;
    /** The first seqNo the client has not been sent: reports below it are duplicates, above it a gap. 0: not yet known. */
    long nextExpectedSeqNo = 1;
    /** The cluster's journal is sending reports from nextExpectedSeqNo; nothing is asked again until it ends. */
    boolean replayPending;
    long replayRequestedNs;
    /** A client's ResendRequest being served from the journal: reports up to here are sent although not new. */
    long clientResendFrom;
    long clientResendTo;
    /**
     * A client's ResendRequest that came before the segment opened the session (a background open after a logon):
     * served when it opens. 0 = none.
     */
    long heldResendFrom;
    long heldResendTo;

    SessionSegment(final int segment)
    {
        this.segment = segment;
    }

    void resetForLogon(final long nextExpectedSeqNo)
    {
        this.nextExpectedSeqNo = nextExpectedSeqNo;
        clientResendFrom = 0;
        clientResendTo = 0;
        heldResendFrom = 0;
        heldResendTo = 0;
    }
}
