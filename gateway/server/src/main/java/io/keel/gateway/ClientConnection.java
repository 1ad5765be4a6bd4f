package io.keel.gateway;

import org.agrona.DirectBuffer;

/**
 * One client connection as the session layer sees it, whatever the transport: its logon state,
 * liveness timers and throttle, and the two things a transport must do — send one SBE message,
 * and drop the connection after what is queued has been written.
 */
abstract class ClientConnection
{
    enum State
    {
        /** Connected; the first message must be a Logon, within the logon timeout. */
        AWAITING_LOGON,
        /** Logon received, credentials being checked off the duty cycle. */
        LOGON_PENDING,
        /** Logged on. */
        ACTIVE,
        /** Being dropped: nothing more is read or handled. */
        CLOSING
    }

    final long connectionId;
    /**
     * Where the client is, as logs and limits see it: the socket's peer, or the client a proxy's PROXY protocol header
     * names (set by the transport before the session layer hears of the connection).
     */
    String remoteAddress;
    /** The proxy the client came through (the socket's peer), or null for a direct connection. */
    String proxyAddress;
    /** The client's {@link AddressKey}, what per-address bounds count by; {@link AddressKey#NONE} when unknown. */
    long addressKey = AddressKey.NONE;
    /** A refused logon's answer is due then (its backoff); 0 when none is waiting. */
    long logonRefusalDueNs;
    State state = State.AWAITING_LOGON;
    long connectedNs;
    long lastReceivedNs;
    long lastSentNs;
    long heartbeatIntervalNs;
    long heartbeatTimeoutNs;
    Session session;
    TokenBucket throttle;
    long throttleWindowStartNs;
    int throttledInWindow;
    String closeReason;

    ClientConnection(final long connectionId, final String remoteAddress)
    {
        this.connectionId = connectionId;
        this.remoteAddress = remoteAddress;
    }

    /**
     * Queue one SBE message (header and body) for the client.
     *
     * @return false when it could not be queued; the transport then drops the connection as a slow consumer.
     */
    abstract boolean send(DirectBuffer buffer, int offset, int length);

    /**
     * Queue one SBE message with a long written over it at {@code patchOffset} (a report's seqNo composed with its
     * segment). This default copies into a buffer of the connection's own first; a transport that queues into its own
     * buffer writes the long there instead.
     *
     * @return false when it could not be queued, as {@link #send}.
     */
    boolean sendPatched(
        final DirectBuffer buffer, final int offset, final int length, final int patchOffset, final long value)
    {
        if (patchScratch == null)
        {
            patchScratch = new org.agrona.ExpandableArrayBuffer(512);
        }
        patchScratch.putBytes(0, buffer, offset, length);
        patchScratch.putLong(patchOffset, value, java.nio.ByteOrder.LITTLE_ENDIAN);
        return send(patchScratch, 0, length);
    }

    private org.agrona.ExpandableArrayBuffer patchScratch;

    /**
     * Write what is queued, then close; the session layer hears of it through
     * {@link SessionLayer#onDisconnected(ClientConnection)}.
     */
    abstract void disconnect(String reason);

    /**
     * @return true once {@link #disconnect} (or a refusal) was asked: the connection no longer holds a slot.
     */
    abstract boolean isCloseRequested();

    /**
     * @return when the transport admitted the connection ({@code System.nanoTime}): the oldest idle one is evicted
     * first when the slots for connections logging on are full.
     */
    abstract long admittedNs();

    final boolean isOpen()
    {
        return state != State.CLOSING;
    }

    public String toString()
    {
        return "connection " + connectionId + " from " + remoteAddress;
    }
}
