package io.keel.client;

/**
 * Where a {@link ClientSession} stands. The transport says whether a connection is open; this says what the session
 * on it may do, so requests are refused until the gateway has accepted the logon.
 */
enum SessionState
{
    /**
     * No connection; {@link ClientSession#poll(long)} reconnects when auto-reconnect is on.
     */
    DISCONNECTED,

    /**
     * Connected, Logon sent, no LogonResponse yet: nothing but the logon may be sent.
     */
    LOGGING_ON,

    /**
     * The gateway accepted the logon: requests, heartbeats and resends flow.
     */
    LOGGED_ON,

    /**
     * Closed or logged out by the application: no reconnect until it calls connect() again.
     */
    CLOSED
}
