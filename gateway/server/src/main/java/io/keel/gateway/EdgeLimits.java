package io.keel.gateway;

import java.nio.file.Path;

import static io.keel.gateway.GatewayContext.require;

/**
 * The bounds a gateway puts on what one client, or one address, can take from everyone else: connections per address,
 * connections not yet logged on (per address and in total), and the backoff and lockout after failed logons. A group
 * of {@link GatewayContext}'s options, validated by its {@code conclude()}; every default is in README "Bounds and
 * abuse".
 */
public final class EdgeLimits
{
    /** Connections one address may hold at once, logged on or not. */
    public static final int MAX_CONNECTIONS_PER_ADDRESS_DEFAULT = 32;
    /** Connections one address may hold that have not logged on yet. */
    public static final int MAX_PENDING_PER_ADDRESS_DEFAULT = 8;
    /** Connections not logged on yet, from everyone: separate from the logged-on sessions' --max-connections. */
    public static final int MAX_PENDING_CONNECTIONS_DEFAULT = 64;
    /** The first failed logon's answer is delayed this long; each further failure doubles it. */
    public static final long LOGON_BACKOFF_MS_DEFAULT = 250;
    /** The longest a failed logon's answer is delayed. */
    public static final long LOGON_BACKOFF_MAX_MS_DEFAULT = 8_000;
    /** Failed logons of one user within the window that lock it out. */
    public static final int LOCKOUT_FAILURES_DEFAULT = 10;
    /** Failures are counted over this window; a lockout lasts as long, unless an operator clears it. */
    public static final long LOCKOUT_WINDOW_MS_DEFAULT = 10 * 60_000;
    /** Users and addresses with recent failures remembered (each table); the oldest is forgotten first. */
    public static final int FAILURE_ENTRIES_DEFAULT = 4_096;

    private int maxConnectionsPerAddress = MAX_CONNECTIONS_PER_ADDRESS_DEFAULT;
    private int maxPendingPerAddress = MAX_PENDING_PER_ADDRESS_DEFAULT;
    private int maxPendingConnections = MAX_PENDING_CONNECTIONS_DEFAULT;
    private long logonBackoffMs = LOGON_BACKOFF_MS_DEFAULT;
    private long logonBackoffMaxMs = LOGON_BACKOFF_MAX_MS_DEFAULT;
    private int lockoutFailures = LOCKOUT_FAILURES_DEFAULT;
    private long lockoutWindowMs = LOCKOUT_WINDOW_MS_DEFAULT;
    private int failureEntries = FAILURE_ENTRIES_DEFAULT;
    private int adminPort;
    private Path adminSecretFile;

    void conclude()
    {
        require(maxConnectionsPerAddress > 0, "--max-connections-per-address must be > 0: " + maxConnectionsPerAddress);
        require(maxPendingPerAddress > 0 && maxPendingPerAddress <= maxConnectionsPerAddress,
            "--max-pending-per-address must be in 1..--max-connections-per-address: " + maxPendingPerAddress);
        require(maxPendingConnections >= maxPendingPerAddress,
            "--max-pending-connections must be >= --max-pending-per-address: " + maxPendingConnections);
        require(logonBackoffMs >= 0, "--logon-backoff-ms must be >= 0: " + logonBackoffMs);
        require(logonBackoffMaxMs >= logonBackoffMs,
            "--logon-backoff-max-ms must be >= --logon-backoff-ms: " + logonBackoffMaxMs);
        require(lockoutFailures > 0, "--lockout-failures must be > 0: " + lockoutFailures);
        require(lockoutWindowMs > 0, "--lockout-window-ms must be > 0: " + lockoutWindowMs);
        require(failureEntries >= 16 && failureEntries <= 1 << 20,
            "--logon-failure-entries must be in 16..1048576: " + failureEntries);
        require(adminPort >= -1 && adminPort <= 65535, "--admin-port must be in 0..65535 (0 = off): " + adminPort);
        require(adminPort == 0 || adminSecretFile != null,
            "--admin-port needs --admin-secret-file (the secret keel gateway unlock sends)");
        require(adminSecretFile == null || adminSecretFile.toFile().isFile(),
            "--admin-secret-file not found: " + adminSecretFile);
    }

    public int maxConnectionsPerAddress()
    {
        return maxConnectionsPerAddress;
    }

    public EdgeLimits maxConnectionsPerAddress(final int maxConnectionsPerAddress)
    {
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        return this;
    }

    public int maxPendingPerAddress()
    {
        return maxPendingPerAddress;
    }

    public EdgeLimits maxPendingPerAddress(final int maxPendingPerAddress)
    {
        this.maxPendingPerAddress = maxPendingPerAddress;
        return this;
    }

    public int maxPendingConnections()
    {
        return maxPendingConnections;
    }

    /**
     * @param maxPendingConnections connections not logged on yet, from every address; when full, the oldest that has
     *                              sent nothing is evicted ({@code Logout(LOGON_TIMEOUT)}) for a new one.
     */
    public EdgeLimits maxPendingConnections(final int maxPendingConnections)
    {
        this.maxPendingConnections = maxPendingConnections;
        return this;
    }

    public long logonBackoffMs()
    {
        return logonBackoffMs;
    }

    public EdgeLimits logonBackoffMs(final long logonBackoffMs)
    {
        this.logonBackoffMs = logonBackoffMs;
        return this;
    }

    public long logonBackoffMaxMs()
    {
        return logonBackoffMaxMs;
    }

    public EdgeLimits logonBackoffMaxMs(final long logonBackoffMaxMs)
    {
        this.logonBackoffMaxMs = logonBackoffMaxMs;
        return this;
    }

    public int lockoutFailures()
    {
        return lockoutFailures;
    }

    public EdgeLimits lockoutFailures(final int lockoutFailures)
    {
        this.lockoutFailures = lockoutFailures;
        return this;
    }

    public long lockoutWindowMs()
    {
        return lockoutWindowMs;
    }

    public EdgeLimits lockoutWindowMs(final long lockoutWindowMs)
    {
        this.lockoutWindowMs = lockoutWindowMs;
        return this;
    }

    public int failureEntries()
    {
        return failureEntries;
    }

    public EdgeLimits failureEntries(final int failureEntries)
    {
        this.failureEntries = failureEntries;
        return this;
    }

    public int adminPort()
    {
        return adminPort;
    }

    /**
     * @param adminPort port of the gateway's admin endpoint ({@code POST /unlock}), on --metrics-bind; 0 = off, -1 =
     *                  any free port (tests).
     */
    public EdgeLimits adminPort(final int adminPort)
    {
        this.adminPort = adminPort;
        return this;
    }

    public Path adminSecretFile()
    {
        return adminSecretFile;
    }

    public EdgeLimits adminSecretFile(final Path adminSecretFile)
    {
        this.adminSecretFile = adminSecretFile;
        return this;
    }
}
