package io.keel.chaos;

import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferEncoder;
import io.keel.codecs.TransferState;
import io.keel.codecs.TransferStep;
import io.keel.node.AdminMain;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Transfers between market segments all through a segment chaos run, while the segment fault injectors kill and pause
 * leaders, and with the coordinator itself failing: on its own thread, one transfer every period, in turn
 * <ol>
 *   <li>{@link Mode#STEPS}: the three steps by hand (DEBIT in the source, CREDIT in the destination, CONFIRM in the
 *   source), each sent again through failovers until answered (a repeat is ALREADY_APPLIED);</li>
 *   <li>{@link Mode#ABANDON_AFTER_DEBIT}: a coordinator that dies after the debit;</li>
 *   <li>{@link Mode#ABANDON_AFTER_CREDIT}: one that dies after the credit, before the confirm;</li>
 *   <li>{@link Mode#KILLED_PROCESS}: {@code keel admin --segment-map F transfer ...} as a process, SIGKILLed once its
 *   debit (or, as often, its credit) shows applied (or left to finish, one time in three);</li>
 *   <li>{@link Mode#REPEAT}: an earlier transfer's steps sent again under its id: nothing may move twice.</li>
 * </ol>
 * After the load, {@link #recover()} runs {@code keel admin --segment-map F transfer-recover} (a process), which must
 * complete every transfer left pending. What each segment finally holds of each id is read from the rebuilt engines
 * and checked by {@link MoneyConservation}.
 */
final class TransferFaults implements Runnable
{
    enum Mode
    {
        STEPS, ABANDON_AFTER_DEBIT, ABANDON_AFTER_CREDIT, KILLED_PROCESS, REPEAT
    }

    /** One transfer the run started: what, how, and what came of its steps. */
    record Attempt(long id, long account, int asset, long amount, int from, int to, Mode mode, String outcome,
        long startNs, long endNs)
    {
    }

    private static final long STEP_TIMEOUT_MS = 30_000;

    private final ChaosContext config;
    private final File dir;
    private final File segmentMap;
    private final AdminSession[] admins;
    private final History history;
    private final int accounts;
    private final int baseAsset;
    private final int quoteAsset;
    private final long periodMs;
    private final long endNs;
    private final Random random;
    private final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final TransferEncoder transfer = new TransferEncoder();
    private volatile boolean running = true;
    private long nextId = 1;
    private long processKills;

    /**
     * @param admins one admin session per segment, owned by this thread while it runs.
     */
    TransferFaults(
        final ChaosContext config,
        final File dir,
        final File segmentMap,
        final AdminSession[] admins,
        final History history,
        final int accounts,
        final int baseAsset,
        final int quoteAsset,
        final long periodMs,
        final long endNs)
    {
        this.config = config;
        this.dir = dir;
        this.segmentMap = segmentMap;
        this.admins = admins;
        this.history = history;
        this.accounts = accounts;
        this.baseAsset = baseAsset;
        this.quoteAsset = quoteAsset;
        this.periodMs = periodMs;
        this.endNs = endNs;
        random = new Random(config.seed() ^ 0x7A5F_E55L);
    }

    List<Attempt> attempts()
    {
        synchronized (attempts)
        {
            return new ArrayList<>(attempts);
        }
    }

    List<String> problems()
    {
        return problems;
    }

    long processKills()
    {
        return processKills;
    }

    void stop()
    {
        running = false;
    }

    public void run()
    {
        int turn = 0;
        try
        {
            while (running && System.nanoTime() - endNs < 0)
            {
                final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(periodMs);
                final Mode mode = Mode.values()[turn++ % Mode.values().length];
                transferOnce(mode);
                while (running && System.nanoTime() - untilNs < 0 && System.nanoTime() - endNs < 0)
                {
                    pollAll();
                    ChaosTrader.sleep(5);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            problems.add("transfer faults failed: " + ex);
            history.line("transfers ERROR " + ex);
        }
    }

    private void pollAll()
    {
        for (final AdminSession admin : admins)
        {
            admin.poll();
        }
    }

    private void transferOnce(final Mode mode) throws InterruptedException
    {
        if (mode == Mode.REPEAT)
        {
            final List<Attempt> done = attempts();
            if (done.isEmpty())
            {
                return;
            }
            final Attempt earlier = done.get(random.nextInt(done.size()));
            final long startNs = System.nanoTime();
            // Whatever state the earlier one is in, its steps again under its id move nothing a second time (a
            // DEBIT repeat of a pending or completed id is ALREADY_APPLIED; of one never debited it is the debit).
            final String outcome = steps(earlier.id(), earlier.account(), earlier.asset(), earlier.amount(),
                earlier.from(), earlier.to(), 3);
            record(new Attempt(earlier.id(), earlier.account(), earlier.asset(), earlier.amount(), earlier.from(),
                earlier.to(), mode, outcome, startNs, System.nanoTime()));
            return;
        }
        final long id = nextId++;
        final long startNs = System.nanoTime();
        final long account = 1 + random.nextInt(accounts);
        final boolean base = random.nextBoolean();
        final int asset = base ? baseAsset : quoteAsset;
        final long amount = base ? 1 + random.nextInt(100) : 1_000 + random.nextInt(100_000);
        final int from = random.nextInt(admins.length);
        final int to = (from + 1 + random.nextInt(admins.length - 1)) % admins.length;
        final String outcome = switch (mode)
        {
            case STEPS -> steps(id, account, asset, amount, from, to, 3);
            case ABANDON_AFTER_DEBIT -> steps(id, account, asset, amount, from, to, 1);
            case ABANDON_AFTER_CREDIT -> steps(id, account, asset, amount, from, to, 2);
            case KILLED_PROCESS -> process(id, account, asset, amount, from, to);
            default -> throw new IllegalStateException(mode.name());
        };
        record(new Attempt(id, account, asset, amount, from, to, mode, outcome, startNs, System.nanoTime()));
    }

    private void record(final Attempt attempt)
    {
        attempts.add(attempt);
        history.line("transfers " + attempt.mode() + " id=" + attempt.id() + " account=" + attempt.account() +
            " asset=" + attempt.asset() + " amount=" + attempt.amount() + " from=" + attempt.from() + " to=" +
            attempt.to() + " " + attempt.outcome());
        if (config.verbose())
        {
            System.out.printf("chaos: transfer %d %s %s%n", attempt.id(), attempt.mode(), attempt.outcome());
        }
    }

    /**
     * The first {@code count} steps of the transfer, each until answered.
     */
    private String steps(
        final long id, final long account, final int asset, final long amount, final int from, final int to,
        final int count)
    {
        final StringBuilder outcome = new StringBuilder();
        final TransferStep[] steps = {TransferStep.DEBIT, TransferStep.CREDIT, TransferStep.CONFIRM};
        for (int i = 0; i < count; i++)
        {
            final TransferStep step = steps[i];
            final AdminSession admin = admins[step == TransferStep.CREDIT ? to : from];
            final long correlationId = admin.nextCorrelationId();
            final AdminSession.Answer answer = admin.request(
                (c) -> c.offer(buffer, 0, encode(correlationId, id, account, asset, amount, step, from, to), 0),
                correlationId, STEP_TIMEOUT_MS);
            final RejectReason result = answer == null ? null : answer.result();
            outcome.append(outcome.length() == 0 ? "" : " ").append(step).append('=')
                .append(result == null ? "no-answer" : result.name());
            if (result != RejectReason.NONE && result != RejectReason.ALREADY_APPLIED)
            {
                break; // refused (or unanswered): the next step must not follow; recovery sorts out what stands
            }
        }
        return outcome.toString();
    }

    private int encode(
        final long correlationId, final long id, final long account, final int asset, final long amount,
        final TransferStep step, final int from, final int to)
    {
        transfer.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .transferId(id)
            .accountId(account)
            .assetId(asset)
            .amount(amount)
            .step(step)
            .fromSegment(from)
            .toSegment(to);
        return MessageHeaderEncoder.ENCODED_LENGTH + transfer.encodedLength();
    }

    /**
     * {@code keel admin --segment-map F transfer ...} as a process: left to finish one time in three, else SIGKILLed
     * after a random part of how long such a process lives.
     */
    private String process(
        final long id, final long account, final int asset, final long amount, final int from, final int to)
        throws InterruptedException
    {
        final File out = new File(new File(dir, "logs"), "transfer-" + id + ".log");
        final Process process = start(out, "transfer", Long.toString(id), Long.toString(account),
            Integer.toString(asset), Long.toString(amount), Integer.toString(from), Integer.toString(to));
        final long startNs = System.nanoTime();
        // One in three runs to its end; the others are SIGKILLed as soon as this thread sees the process's debit
        // applied in the source (state PENDING), or its credit in the destination (CREDITED): a coordinator crashing
        // between its steps. Steps a few milliseconds apart may all be done between two looks: then it completed.
        final int target = random.nextInt(3);
        while (process.isAlive())
        {
            if (target > 0)
            {
                final int segment = target == 1 ? from : to;
                final long correlationId = admins[segment].nextCorrelationId();
                final AdminSession.Answer answer = admins[segment].request((c) -> c.offer(buffer, 0,
                    encode(correlationId, id, account, asset, amount, TransferStep.QUERY, from, to), 0),
                    correlationId, 2_000);
                final boolean reached = answer != null && (target == 1 ?
                    answer.value() == TransferState.PENDING.value() : answer.value() == TransferState.CREDITED.value());
                if (reached && process.isAlive())
                {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    processKills++;
                    final String step = target == 1 ? "debit" : "credit";
                    return "process SIGKILLed once its " + step + " was applied (" +
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms): " + lastLine(out);
                }
            }
            pollAll();
            ChaosTrader.sleep(2);
        }
        return "process exit " + process.exitValue() + " after " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms: " + lastLine(out);
    }

    private Process start(final File out, final String... verb)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(ChaosProcesses.JVM_OPENS);
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        // Its Aeron directories are temporary ones; a SIGKILLed process cannot delete them: keep them in the run dir.
        command.add("-Djava.io.tmpdir=" + tmpDir().getAbsolutePath());
        command.add("-cp");
        command.add(ChaosProcesses.classPath());
        command.add(AdminMain.class.getName());
        command.add("--segment-map");
        command.add(segmentMap.getAbsolutePath());
        command.add("--name");
        command.add("chaos");
        command.addAll(List.of(verb));
        out.getParentFile().mkdirs();
        try
        {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private File tmpDir()
    {
        final File tmp = new File(dir, "transfer-tmp");
        tmp.mkdirs();
        return tmp;
    }

    private static String lastLine(final File file)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file.toPath(), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
        }
        catch (final IOException ex)
        {
            return "(no output)";
        }
    }

    /**
     * After the load (every node running): {@code keel admin --segment-map F transfer-recover}.
     *
     * @return its output lines; the last says {@code recovered=N}.
     */
    List<String> recover() throws InterruptedException
    {
        final File out = new File(new File(dir, "logs"), "transfer-recover.log");
        final Process process = start(out, "transfer-recover");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (process.isAlive() && System.nanoTime() - deadline < 0)
        {
            pollAll();
            ChaosTrader.sleep(20);
        }
        if (process.isAlive())
        {
            process.destroyForcibly();
            problems.add("transfer-recover did not finish within 120 s");
        }
        else if (process.exitValue() != 0)
        {
            problems.add("transfer-recover exited with " + process.exitValue() + ": " + lastLine(out));
        }
        try
        {
            return Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    void close()
    {
        for (final AdminSession admin : admins)
        {
            CloseHelper.quietClose(admin);
        }
    }
}
