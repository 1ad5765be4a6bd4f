package io.keel.chaos;

import io.keel.common.IdleProfile;

import java.io.File;

/**
 * Settings of one chaos run, with {@link #conclude()} validating them (the message names the option).
 */
public final class ChaosContext
{
    /**
     * How faults are chosen.
     */
    public enum FaultMode
    {
        /** The fixed cycle of {@link FaultKind#SCHEDULE}, one every fault interval. */
        SCHEDULE,
        /** A seeded random choice among the faults the cluster can take at that moment. */
        RANDOM,
        /** No faults: the same load and checks, as a baseline (e.g. to measure what fsync costs). */
        NONE
    }

    public static final int NODES = 3;

    private long seconds = 60;
    private int rate = 200;
    private int clients = 8;
    private long seed = System.nanoTime(); // determinism-ok: chaos tool, printed so a run can be repeated
    private FaultMode faultMode = FaultMode.SCHEDULE;
    private long faultIntervalS = 7;
    private int fileSyncLevel = 0;
    private File dir;
    private boolean keepHistory;
    private IdleProfile idleProfile = IdleProfile.BACKOFF;
    private long heartbeatTimeoutMs = 1_500;
    private long snapshotIntervalS = 0;
    private long drainTimeoutS = 90;
    private boolean verbose;
    private int gateways = 2;
    private boolean haproxy;
    private String testEngineListener;
    private NetTopology net;
    private long partitionMs;
    private int segments = 1;
    private long transferPeriodMs = 1_500;

    public ChaosContext conclude()
    {
        require(seconds > 0, "--seconds must be > 0: " + seconds);
        require(rate > 0 && rate <= 20_000, "--rate must be in 1..20000: " + rate);
        require(clients > 0 && clients <= 200, "--clients must be in 1..200: " + clients);
        require(faultIntervalS > 0, "--fault-interval-s must be > 0: " + faultIntervalS);
        require(fileSyncLevel >= 0 && fileSyncLevel <= 2, "--file-sync-level must be 0, 1 or 2: " + fileSyncLevel);
        require(heartbeatTimeoutMs >= 500, "--heartbeat-timeout-ms must be >= 500: " + heartbeatTimeoutMs);
        require(snapshotIntervalS >= 0, "--snapshot-interval-s must be >= 0: " + snapshotIntervalS);
        require(drainTimeoutS > 0, "--drain-timeout-s must be > 0: " + drainTimeoutS);
        require(net == null || !haproxy, "--net and --haproxy cannot be combined yet");
        require(partitionMs >= 0, "--partition-ms must be >= 0: " + partitionMs);
        require(transferPeriodMs >= 0, "--transfer-period-ms must be >= 0: " + transferPeriodMs);
        require(segments >= 1 && segments <= 4, "--segments must be in 1..4: " + segments);
        require(segments == 1 || (net == null && !haproxy), "--segments runs on loopback with the relay: not with " +
            "--net or --haproxy");
        require(gateways == ChaosProcesses.GATEWAYS, "--gateways must be " + ChaosProcesses.GATEWAYS +
            " (the relay and deploy/haproxy.cfg have two servers): " + gateways);
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * How long a partition lasts before it is healed: well past the election timeout (or {@code --partition-ms}).
     */
    public long partitionMs()
    {
        return partitionMs > 0 ? partitionMs : Math.max(3_000, heartbeatTimeoutMs * 2);
    }

    public ChaosContext partitionMs(final long partitionMs)
    {
        this.partitionMs = partitionMs;
        return this;
    }

    /**
     * @return the simulated hosts of a {@code --net} run (this JVM runs in their clients' namespace), or null on
     * loopback.
     */
    public NetTopology net()
    {
        return net;
    }

    public ChaosContext net(final NetTopology net)
    {
        this.net = net;
        return this;
    }

    /**
     * How long a SIGSTOPped node stays stopped: well past the election timeout.
     */
    public long pauseMs()
    {
        return Math.max(3_000, heartbeatTimeoutMs * 2);
    }

    /**
     * @return market segments: 1 is the single cluster of {@link ChaosRun}, more are {@link SegmentChaosRun}'s.
     */
    public int segments()
    {
        return segments;
    }

    public ChaosContext segments(final int segments)
    {
        this.segments = segments;
        return this;
    }

    /**
     * @return with segments: a transfer between segments every this many ms during the load; 0 = none.
     */
    public long transferPeriodMs()
    {
        return transferPeriodMs;
    }

    public ChaosContext transferPeriodMs(final long transferPeriodMs)
    {
        this.transferPeriodMs = transferPeriodMs;
        return this;
    }

    public long seconds()
    {
        return seconds;
    }

    public ChaosContext seconds(final long seconds)
    {
        this.seconds = seconds;
        return this;
    }

    public int rate()
    {
        return rate;
    }

    public ChaosContext rate(final int rate)
    {
        this.rate = rate;
        return this;
    }

    public int clients()
    {
        return clients;
    }

    public ChaosContext clients(final int clients)
    {
        this.clients = clients;
        return this;
    }

    public long seed()
    {
        return seed;
    }

    public ChaosContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    public FaultMode faultMode()
    {
        return faultMode;
    }

    public ChaosContext faultMode(final FaultMode faultMode)
    {
        this.faultMode = faultMode;
        return this;
    }

    public long faultIntervalS()
    {
        return faultIntervalS;
    }

    public ChaosContext faultIntervalS(final long faultIntervalS)
    {
        this.faultIntervalS = faultIntervalS;
        return this;
    }

    public int fileSyncLevel()
    {
        return fileSyncLevel;
    }

    public ChaosContext fileSyncLevel(final int fileSyncLevel)
    {
        this.fileSyncLevel = fileSyncLevel;
        return this;
    }

    /**
     * @return the run's directory, or null for a temporary one.
     */
    public File dir()
    {
        return dir;
    }

    public ChaosContext dir(final File dir)
    {
        this.dir = dir;
        return this;
    }

    public boolean keepHistory()
    {
        return keepHistory;
    }

    public ChaosContext keepHistory(final boolean keepHistory)
    {
        this.keepHistory = keepHistory;
        return this;
    }

    public IdleProfile idleProfile()
    {
        return idleProfile;
    }

    public ChaosContext idleProfile(final IdleProfile idleProfile)
    {
        this.idleProfile = idleProfile;
        return this;
    }

    public long heartbeatTimeoutMs()
    {
        return heartbeatTimeoutMs;
    }

    public ChaosContext heartbeatTimeoutMs(final long heartbeatTimeoutMs)
    {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        return this;
    }

    public long snapshotIntervalS()
    {
        return snapshotIntervalS;
    }

    public ChaosContext snapshotIntervalS(final long snapshotIntervalS)
    {
        this.snapshotIntervalS = snapshotIntervalS;
        return this;
    }

    public long drainTimeoutS()
    {
        return drainTimeoutS;
    }

    public ChaosContext drainTimeoutS(final long drainTimeoutS)
    {
        this.drainTimeoutS = drainTimeoutS;
        return this;
    }

    public boolean verbose()
    {
        return verbose;
    }

    public ChaosContext verbose(final boolean verbose)
    {
        this.verbose = verbose;
        return this;
    }

    public int gateways()
    {
        return gateways;
    }

    public ChaosContext gateways(final int gateways)
    {
        this.gateways = gateways;
        return this;
    }

    public boolean haproxy()
    {
        return haproxy;
    }

    /**
     * @param haproxy clients connect with TLS to a real HAProxy ({@code deploy/haproxy.cfg}) in front of the
     *                gateways, which take the PROXY protocol from it; else to a relay with a port per client.
     */
    public ChaosContext haproxy(final boolean haproxy)
    {
        this.haproxy = haproxy;
        return this;
    }

    public String testEngineListener()
    {
        return testEngineListener;
    }

    /**
     * Test only: every node (the processes and the rebuild) wraps its engine's listener with this class
     * ({@code NodeContext.testEngineListener}), to run chaos against a deliberately faulty engine. Null = none.
     */
    public ChaosContext testEngineListener(final String className)
    {
        this.testEngineListener = className;
        return this;
    }
}
