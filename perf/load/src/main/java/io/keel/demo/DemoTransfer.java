package io.keel.demo;

import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import io.keel.node.SegmentTransfers;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The demo's one admin transfer between segments: trader 1's quote funds moved from segment 0 to the last segment
 * half-way through the run, by {@link SegmentTransfers} (the two-step debit/credit an operator runs with
 * {@code keel admin --segment-map F transfer}). It runs on a thread of its own, with its own cluster sessions, so the
 * demo's thread goes on trading and polling its sessions meanwhile; the outcome is printed when it is known.
 */
final class DemoTransfer implements AutoCloseable
{
    static final long TRANSFER_ID = 1;
    static final long ACCOUNT = 1;
    static final long AMOUNT = 1_000_000;

    private final SegmentMap map;
    private final File aeronDir;
    private final IdleProfile idleProfile;
    private final int assetId;
    private final int toSegment;
    private Thread thread;
    private volatile String outcome;
    private volatile boolean completed;
    private boolean printed;

    DemoTransfer(final File mapFile, final File aeronDir, final IdleProfile idleProfile, final int assetId,
        final int segments)
    {
        this.map = SegmentMap.load(mapFile.toPath());
        this.aeronDir = aeronDir;
        this.idleProfile = idleProfile;
        this.assetId = assetId;
        this.toSegment = segments - 1;
    }

    /**
     * Start the transfer, the first time only; print its outcome once it is known.
     */
    void startOnce()
    {
        if (thread == null)
        {
            System.out.printf("demo: transfer id=%d account=%d asset=%d amount=%d from segment 0 to segment %d " +
                "(admin, two steps)%n", TRANSFER_ID, ACCOUNT, assetId, AMOUNT, toSegment);
            thread = new Thread(this::run, "demo-transfer");
            thread.setDaemon(true);
            thread.start();
        }
        printWhenDone();
    }

    private SegmentTransfers open()
    {
        return new SegmentTransfers(new SegmentTransfers.Context()
            .segmentMap(map)
            .credentials(io.keel.common.Principal.adminCredentials("demo", io.keel.common.Principal.DEV_SECRET))
            .aeronDirBase(aeronDir)
            .idleProfile(idleProfile));
    }

    private void run()
    {
        try (SegmentTransfers transfers = open())
        {
            final SegmentTransfers.TransferOutcome result =
                transfers.transfer(TRANSFER_ID, ACCOUNT, assetId, AMOUNT, 0, toSegment);
            completed = result.isCompleted();
            outcome = result.line();
        }
        catch (final RuntimeException ex)
        {
            outcome = "failed: " + ex.getMessage();
        }
    }

    private void printWhenDone()
    {
        if (!printed && outcome != null)
        {
            printed = true;
            System.out.println("demo: " + outcome);
        }
    }

    /**
     * After the trading: wait for the outcome (polling the demo's sessions meanwhile) and print it.
     */
    void await(final long timeoutMs, final IntSupplier pollSessions)
    {
        if (thread == null)
        {
            startOnce();
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (outcome == null && System.nanoTime() - deadline < 0)
        {
            if (pollSessions.getAsInt() == 0)
            {
                DemoMain.sleep(1);
            }
        }
        if (outcome == null)
        {
            outcome = "transfer id=" + TRANSFER_ID + " gave no outcome within " + timeoutMs + " ms";
        }
        printWhenDone();
    }

    /**
     * After the trading, with nothing moving: for each asset, every account's holdings over every segment plus what
     * transfers hold in flight ({@link SegmentTransfers#conservedTotal}) sum to everything deposited — trades move
     * money between accounts, the transfer between segments, neither makes or loses any. Asked on a thread of its own
     * while the demo's thread polls its sessions.
     *
     * @param deposited per asset (index = asset id), what the demo deposited over every account and segment.
     */
    boolean checkConservation(final int accounts, final long[] deposited, final long timeoutMs,
        final IntSupplier pollSessions)
    {
        final long[] totals = new long[deposited.length];
        final String[] failure = new String[1];
        final Thread checker = new Thread(() ->
        {
            try (SegmentTransfers transfers = open())
            {
                for (int asset = 0; asset < deposited.length; asset++)
                {
                    for (long account = 1; deposited[asset] != 0 && account <= accounts; account++)
                    {
                        totals[asset] += transfers.conservedTotal(account, asset);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                failure[0] = ex.getMessage();
            }
        }, "demo-conservation");
        checker.setDaemon(true);
        checker.start();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (checker.isAlive() && System.nanoTime() - deadline < 0)
        {
            if (pollSessions.getAsInt() == 0)
            {
                DemoMain.sleep(1);
            }
        }
        try
        {
            checker.join(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (checker.isAlive() || failure[0] != null)
        {
            System.out.println("demo: money across segments not checked: " +
                (failure[0] != null ? failure[0] : "no answer within " + timeoutMs + " ms"));
            return false;
        }
        final StringBuilder text = new StringBuilder("demo: money across segments:");
        boolean conserved = true;
        for (int asset = 0; asset < deposited.length; asset++)
        {
            if (deposited[asset] != 0)
            {
                text.append(" asset ").append(asset).append(" total=").append(totals[asset]).append(" deposited=")
                    .append(deposited[asset]).append(',');
                conserved &= totals[asset] == deposited[asset];
            }
        }
        System.out.println(text.append(" conserved=").append(conserved));
        return conserved;
    }

    boolean completed()
    {
        return completed;
    }

    public void close()
    {
        if (thread != null)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
