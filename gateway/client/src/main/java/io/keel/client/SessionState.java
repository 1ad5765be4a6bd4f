package io.keel.client;

/**
 * Where a {@link KeelClient}'s session stands. The transport says whether a connection is open; this says what the
 * session on it may do, so requests are refused until the gateway has accepted the logon, and why it stopped.
 */
public enum SessionState
{
    /**
     * No connection; {@link KeelClient#poll()} reconnects when auto-reconnect is on.
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
     * The gateway said Logout SESSION_MOVED: the same user logged on elsewhere and the session is served there now.
     * No auto-reconnect — two clients reconnecting in turn would take the session from each other forever; only
     * {@link KeelClient#connect()} takes it back. Requests stay in flight for that connect.
     */
    MOVED,

    /**
     * Closed or logged out by the application: no reconnect until it calls connect() again.
     */
    CLOSED
}
