package io.keel.gateway;

import java.util.List;

/**
 * Whether a new connection (a TCP accept, or a UDP client's image) may take a slot, judged over the transport's own
 * connection list (a few
 * hundred at most, and accepts are the cold path: no table to keep in step, nothing to grow).
 * <ul>
 *     <li>logged-on sessions: at most {@code --max-connections};</li>
 *     <li>connections from one address, logged on or not: at most {@code --max-connections-per-address};</li>
 *     <li>connections not logged on yet, from one address: at most {@code --max-pending-per-address};</li>
 *     <li>connections not logged on yet, from everyone: at most {@code --max-pending-connections}; when full, the
 *     oldest idle one (no Logon sent yet, or a refused Logon waiting out its backoff) is evicted for the new one (a
 *     flood of idle connections ages out first, a client logging on takes milliseconds). Only with none idle is the
 *     new connection refused.</li>
 * </ul>
 * A connection from a {@code --proxy-protocol} proxy has no address of its own until its header is in: it counts
 * against the pending totals at once, and against its client's address when the header names it
 * ({@link #checkAddress}).
 */
final class ConnectionAdmission
{
    /** The answer to a connection, set by {@link #admit} and {@link #checkAddress}. */
    enum Verdict
    {
        ADMIT,
        /** Over --max-connections. */
        SESSIONS_FULL,
        /** Over --max-connections-per-address. */
        ADDRESS_FULL,
        /** Over --max-pending-per-address. */
        ADDRESS_PENDING_FULL,
        /** Over --max-pending-connections, and none idle to evict. */
        PENDING_FULL
    }

    private final GatewayContext config;
    private final EdgeLimits limits;
    /** Set by {@link #admit} when it admitted by evicting: the connection to close. */
    private ClientConnection evict;

    ConnectionAdmission(final GatewayContext config)
    {
        this.config = config;
        this.limits = config.limits();
    }

    /**
     * @param addressKey the peer's {@link AddressKey}, or {@link AddressKey#NONE} for a proxy's connection.
     */
    Verdict admit(final long addressKey, final List<? extends ClientConnection> connections)
    {
        evict = null;
        int established = 0;
        int pending = 0;
        int fromAddress = 0;
        int pendingFromAddress = 0;
        ClientConnection oldestIdle = null;
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final ClientConnection connection = connections.get(i);
            if (connection.isCloseRequested())
            {
                continue;
            }
            final boolean isPending = connection.state != ClientConnection.State.ACTIVE;
            if (isPending)
            {
                pending++;
                if (isIdle(connection) && (oldestIdle == null || connection.admittedNs() - oldestIdle.admittedNs() < 0))
                {
                    oldestIdle = connection;
                }
            }
            else
            {
                established++;
            }
            if (addressKey != AddressKey.NONE && connection.addressKey == addressKey)
            {
                fromAddress++;
                if (isPending)
                {
                    pendingFromAddress++;
                }
            }
        }
        if (established >= config.maxConnections())
        {
            return Verdict.SESSIONS_FULL;
        }
        if (fromAddress >= limits.maxConnectionsPerAddress())
        {
            return Verdict.ADDRESS_FULL;
        }
        if (pendingFromAddress >= limits.maxPendingPerAddress())
        {
            return Verdict.ADDRESS_PENDING_FULL;
        }
        if (pending >= limits.maxPendingConnections())
        {
            if (oldestIdle == null)
            {
                return Verdict.PENDING_FULL;
            }
            evict = oldestIdle;
        }
        return Verdict.ADMIT;
    }

    /**
     * Idle: nothing sent yet, or a refused logon waiting out its backoff (its password is not checked again, so
     * answering it early gives a guesser nothing, while holding it would let refused guesses fill the slots).
     */
    private static boolean isIdle(final ClientConnection connection)
    {
        return connection.state == ClientConnection.State.AWAITING_LOGON ||
            connection.state == ClientConnection.State.LOGON_PENDING && connection.logonRefusalDueNs != 0;
    }

    /**
     * @return the connection {@link #admit} chose to evict for the one it admitted, or null.
     */
    ClientConnection evicted()
    {
        return evict;
    }

    /**
     * A proxy's connection whose header has just named the client: the per-address bounds, with the connection
     * itself already in the list.
     */
    Verdict checkAddress(final TcpConnection newcomer, final List<TcpConnection> connections)
    {
        int fromAddress = 0;
        int pendingFromAddress = 0;
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final TcpConnection connection = connections.get(i);
            if (connection == newcomer || connection.isCloseRequested() || connection.addressKey != newcomer.addressKey)
            {
                continue;
            }
            fromAddress++;
            if (connection.state != ClientConnection.State.ACTIVE)
            {
                pendingFromAddress++;
            }
        }
        if (newcomer.addressKey == AddressKey.NONE)
        {
            return Verdict.ADMIT;
        }
        if (fromAddress >= limits.maxConnectionsPerAddress())
        {
            return Verdict.ADDRESS_FULL;
        }
        return pendingFromAddress >= limits.maxPendingPerAddress() ? Verdict.ADDRESS_PENDING_FULL : Verdict.ADMIT;
    }

    /**
     * What a refused connection is told (cold path).
     */
    String describe(final Verdict verdict, final String address)
    {
        switch (verdict)
        {
            case SESSIONS_FULL:
                return "connection limit of " + config.maxConnections() + " reached: retry later or use another gateway";
            case ADDRESS_FULL:
                return "connection limit of " + limits.maxConnectionsPerAddress() + " per address reached for " + address;
            case ADDRESS_PENDING_FULL:
                return "connection limit of " + limits.maxPendingPerAddress() + " connections not logged on per " +
                    "address reached for " + address + ": log on the ones open first";
            case PENDING_FULL:
                return "connection limit of " + limits.maxPendingConnections() + " connections logging on reached: " +
                    "retry later or use another gateway";
            default:
                return "admitted";
        }
    }
}
