package io.keel.client;

import org.agrona.DirectBuffer;

/**
 * The I/O under a {@link KeelClient}: one connection at a time, carrying whole SBE messages. The session logic —
 * logon, sequence numbers, resends, reconnects, heartbeats — stays in {@link ClientSession} and {@link SessionReports},
 * the same over every transport.
 * Single-threaded; {@link #offer}, {@link #flush} and {@link #poll} allocate nothing.
 */
interface ClientTransport extends AutoCloseable
{
    /**
     * What the transport hands up.
     */
    interface Listener
    {
        /**
         * One validated SBE message from the gateway.
         */
        boolean onMessage(DirectBuffer buffer, int offset, int length, int templateId);

        /**
         * The connection is lost (or the gateway sent something undecodable); the listener disconnects.
         */
        void onLost(String reason);
    }

    /**
     * Open a connection, waiting until it can carry a Logon.
     *
     * @param endpoint   to connect to.
     * @param deadlineNs {@link System#nanoTime()} to give up at.
     * @throws KeelClientException when the gateway cannot be reached, with a one-line reason naming the endpoint.
     */
    void open(Endpoint endpoint, long deadlineNs);

    /**
     * @return what the Logon's responseChannel says: {@code host:port} the gateway answers to, or "" when the
     * connection itself carries the answers (TCP).
     */
    String responseEndpoint();

    boolean isOpen();

    /**
     * Send, or queue, one SBE message.
     *
     * @return 1 when taken; 0 when back-pressured (poll, then try again); -1 when the connection is lost.
     */
    int offer(DirectBuffer buffer, int offset, int length);

    /**
     * @return work done writing what is queued.
     */
    int flush();

    /**
     * Read what has arrived and hand each message to the listener.
     *
     * @return messages or bytes read (0 for none); -1 when the connection is lost.
     */
    int poll();

    /**
     * Close the connection; the transport may open another.
     */
    void disconnect();

    /**
     * Close the connection and everything the transport owns.
     */
    void close();
}
