package io.keel.node;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.LimitsDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.common.AdminCredentialsOptions;
import io.keel.common.AccountStatusPrinter;
import io.keel.common.Cli;
import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code keel admin}: admin commands through the log, as an authenticated admin session.
 * Prints one line with the outcome; exit 0 when applied, 1 when refused, 2 on bad usage.
 */
@Command(
    name = "keel admin",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Send one admin command to a running cluster (list every member with --hosts, as keel node; " +
        "any one may be down).%n" +
        "Verbs: create-account ACCOUNT | deposit ACCOUNT ASSET AMOUNT | withdraw ACCOUNT ASSET AMOUNT |%n" +
        "  add-instrument ID BASE QUOTE TICK LOT REF_PRICE BAND_BPS PROTECTION_BPS | halt ID | resume ID |%n" +
        "  snapshot | state-hash | account ACCOUNT (balances and open orders) |%n" +
        "  purge --before latest|POSITION|TIME (every member drops its log, old snapshots and journal before its newest%n" +
        "    snapshot within the bound, never past any member's log position: every member must be running) |%n" +
        "  limits [--max-orders N] [--max-orders-per-account N] [--gtd-horizon-days D] [--idempotency-horizon-ms MS]%n" +
        "    [--max-clordids N] (engine limits, through the log so every node applies the same; no option: show them) |%n" +
        "  transfer TRANSFER_ID ACCOUNT ASSET AMOUNT FROM_SEGMENT TO_SEGMENT (with --segment-map: move funds between%n" +
        "    segments, debit then credit then confirm; ids must grow; repeating one is safe) |%n" +
        "  transfer-recover (with --segment-map: complete every transfer pending in any segment)%n" +
        "With --segment-map FILE --segment N the other verbs go to segment N's cluster.")
public final class AdminMain implements Callable<Integer>
{
    @Parameters(index = "0", description = "The verb (see above).")
    String verb;

    @Parameters(index = "1..*", arity = "0..*", description = "The verb's arguments.")
    long[] args = new long[0];

    @Mixin
    ClusterEndpoints cluster = new ClusterEndpoints();

    @Mixin
    AdminCredentialsOptions admin = new AdminCredentialsOptions();

    @Option(names = "--max-orders", description = "limits: most live orders in the engine, all accounts together.")
    int maxOrders;

    @Option(names = "--max-orders-per-account", description = "limits: most live orders of one account.")
    int maxOrdersPerAccount;

    @Option(names = "--gtd-horizon-days", description = "limits: furthest a GTD order may expire, in days of cluster time.")
    long gtdHorizonDays;

    @Option(names = "--idempotency-horizon-ms", description = "limits: how long a clOrdId is remembered for resends.")
    long idempotencyHorizonMs;

    @Option(names = "--max-clordids", description = "limits: most order requests remembered at once, all accounts.")
    int maxClOrdIds;

    @Option(names = "--before", paramLabel = "WHEN", description = "purge: 'latest' (the newest snapshot every member " +
        "can spare), a log position (a snapshot at or before it), <ms>ms or an ISO-8601 instant (a snapshot taken at or " +
        "before that cluster time).")
    String before;

    @Option(names = "--timeout-s", description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
    long timeoutS = 15;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseDecoder response = new AdminResponseDecoder();
    private final BusinessRejectDecoder businessReject = new BusinessRejectDecoder();
    private final AccountStatusDecoder accountStatus = new AccountStatusDecoder();
    private final LimitsDecoder limits = new LimitsDecoder();
    private final AccountStatusPrinter accountPrinter = new AccountStatusPrinter(System.out);
    private String outcome;
    private boolean applied;
    private long purgeBeforePosition = Long.MAX_VALUE;
    private long purgeBeforeTime = Long.MAX_VALUE;
    private MemberLogPositions.Position purgeCap;

    public Integer call() throws Exception
    {
        if ("transfer".equals(verb) || "transfer-recover".equals(verb))
        {
            return transfers();
        }
        final long correlationId = System.nanoTime(); // determinism-ok: client side
        final Predicate<ClusterCommandSession> send = sender(correlationId);
        cluster.conclude();
        final File aeronDir = Files.createTempDirectory("keel-admin-").toFile();
        try (ClusterCommandSession client = new ClusterCommandSession(
            cluster.ingressEndpoints(),
            admin.credentials(),
            aeronDir,
            IdleProfile.BACKOFF,
            (buffer, offset, length) -> onMessage(correlationId, buffer, offset)))
        {
            if ("purge".equals(verb))
            {
                capPurgeAtEveryMembersLog(aeronDir);
            }
            cluster.connect(client);
            if (!send.test(client))
            {
                System.err.println("keel admin: the cluster did not take the command in time");
                return 1;
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS); // determinism-ok: client side
            while (outcome == null && System.nanoTime() - deadline < 0) // determinism-ok: client side
            {
                if (client.poll() == 0)
                {
                    Thread.sleep(1);
                }
            }
        }
        finally
        {
            org.agrona.IoUtil.delete(aeronDir, true);
        }
        if (outcome == null)
        {
            System.err.println("keel admin: no answer within " + timeoutS + " s");
            return 1;
        }
        if (!"account".equals(verb))
        {
            System.out.println("admin: " + verb + " " + outcome);
        }
        return applied ? 0 : 1;
    }

    private Predicate<ClusterCommandSession> sender(final long correlationId)
    {
        switch (verb)
        {
            case "create-account":
                need(1);
                return (c) -> c.createAccount(correlationId, args[0]);
            case "deposit":
                need(3);
                return (c) -> c.deposit(correlationId, args[0], (int)args[1], args[2]);
            case "withdraw":
                need(3);
                return (c) -> c.withdraw(correlationId, args[0], (int)args[1], args[2]);
            case "add-instrument":
                need(8);
                return (c) -> c.addInstrument(
                    correlationId, (int)args[0], (int)args[1], (int)args[2], args[3], args[4], args[5], (int)args[6],
                    (int)args[7]);
            case "halt":
                need(1);
                return (c) -> c.halt(correlationId, (int)args[0]);
            case "resume":
                need(1);
                return (c) -> c.resume(correlationId, (int)args[0]);
            case "snapshot":
                need(0);
                return (c) -> c.requestSnapshot(correlationId);
            case "state-hash":
                need(0);
                return (c) -> c.requestStateHash(correlationId);
            case "purge":
                need(0);
                parseBefore();
                return (c) -> c.requestPurge(correlationId, purgeBeforePosition, purgeBeforeTime);
            case "account":
                need(1);
                return (c) -> c.accountStatus(correlationId, args[0]);
            case "limits":
                need(0);
                if (maxOrders < 0 || maxOrdersPerAccount < 0 || gtdHorizonDays < 0 || idempotencyHorizonMs < 0 ||
                    maxClOrdIds < 0)
                {
                    throw new IllegalArgumentException("limits must be > 0");
                }
                return (c) -> c.setLimits(correlationId, maxOrders, maxOrdersPerAccount,
                    TimeUnit.DAYS.toMillis(gtdHorizonDays), idempotencyHorizonMs, maxClOrdIds);
            default:
                throw new IllegalArgumentException("unknown verb '" + verb + "' (see keel admin --help)");
        }
    }

    /**
     * The verbs that span segments: a coordinator with a session to each (SegmentTransfers).
     */
    private int transfers()
    {
        final SegmentMap map = cluster.segmentMap();
        if (map == null)
        {
            throw new IllegalArgumentException(verb + " needs --segment-map FILE (it talks to every segment)");
        }
        need("transfer".equals(verb) ? 6 : 0);
        if ("transfer".equals(verb) && (args[0] <= 0 || args[2] < 0 || args[2] > Integer.MAX_VALUE ||
            args[4] < 0 || args[4] > Integer.MAX_VALUE || args[5] < 0 || args[5] > Integer.MAX_VALUE))
        {
            throw new IllegalArgumentException("transfer: TRANSFER_ID must be > 0, ASSET and the segments >= 0");
        }
        try (SegmentTransfers transfers = new SegmentTransfers(new SegmentTransfers.Context()
            .segmentMap(map)
            .credentials(admin.credentials())
            .egressHost(cluster.egressHost())
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(timeoutS))))
        {
            if ("transfer".equals(verb))
            {
                final SegmentTransfers.TransferOutcome outcome =
                    transfers.transfer(args[0], args[1], (int)args[2], args[3], (int)args[4], (int)args[5]);
                System.out.println(outcome.line());
                return outcome.isCompleted() ? 0 : 1;
            }
            final java.util.List<SegmentTransfers.TransferOutcome> outcomes = transfers.recover();
            int completed = 0;
            for (final SegmentTransfers.TransferOutcome outcome : outcomes)
            {
                System.out.println(outcome.line());
                completed += outcome.isCompleted() ? 1 : 0;
            }
            System.out.println("recovered=" + completed + (completed < outcomes.size() ?
                " still-pending=" + (outcomes.size() - completed) : ""));
            return completed == outcomes.size() ? 0 : 1;
        }
    }

    private void parseBefore()
    {
        if (before == null)
        {
            throw new IllegalArgumentException("purge needs --before latest|POSITION|TIME");
        }
        final String when = before.trim();
        if ("latest".equals(when))
        {
            return;
        }
        if (when.matches("\\d+"))
        {
            purgeBeforePosition = Long.parseLong(when);
            return;
        }
        if (when.matches("\\d+ms"))
        {
            purgeBeforeTime = Long.parseLong(when.substring(0, when.length() - 2));
            return;
        }
        try
        {
            purgeBeforeTime = java.time.Instant.parse(when).toEpochMilli();
        }
        catch (final java.time.format.DateTimeParseException ex)
        {
            throw new IllegalArgumentException("--before must be latest, a log position, <ms>ms or an ISO-8601 " +
                "instant: " + before);
        }
    }

    /**
     * Never past the lowest log position of any member: one that is behind catches up from the leader's log.
     */
    private void capPurgeAtEveryMembersLog(final File aeronDir)
    {
        try (io.aeron.Aeron aeron = io.aeron.Aeron.connect(
            new io.aeron.Aeron.Context().aeronDirectoryName(aeronDir.getAbsolutePath())))
        {
            purgeCap = MemberLogPositions.lowest(
                MemberLogPositions.probe(cluster.layout(0), aeron, cluster.egressHost()));
        }
        purgeBeforePosition = Math.min(purgeBeforePosition, purgeCap.position());
    }

    private void need(final int count)
    {
        if (args.length != count)
        {
            throw new IllegalArgumentException(verb + " takes " + count + " argument(s), got " + args.length);
        }
    }

    private void onMessage(final long correlationId, final org.agrona.DirectBuffer buffer, final int offset)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            response.wrapAndApplyHeader(buffer, offset, header);
            if (response.correlationId() == correlationId)
            {
                applied = response.result() == RejectReason.NONE;
                outcome = applied ? "ok" : "refused: " + response.result();
                if (applied && "state-hash".equals(verb))
                {
                    outcome = "ok hash=" + Long.toHexString(response.value()) + " position=" + response.logPosition();
                }
                if (applied && "purge".equals(verb))
                {
                    outcome = "ok before-position=" + response.value() + " (the lowest member log position was " +
                        purgeCap.position() + ", member " + purgeCap.memberId() + ")" +
                        (purgeBeforeTime != Long.MAX_VALUE ? " before-time=" + purgeBeforeTime : "") +
                        ": each member purges to its newest snapshot within it, by whole archive segments " +
                        "(keel replay describe shows the earliest position held)";
                }
            }
        }
        else if (header.templateId() == LimitsDecoder.TEMPLATE_ID)
        {
            limits.wrapAndApplyHeader(buffer, offset, header);
            if (limits.correlationId() == correlationId)
            {
                applied = limits.result() == RejectReason.NONE;
                outcome = (applied ? "ok" : "refused: " + limits.result()) +
                    " max-orders=" + limits.maxOrders() +
                    " max-orders-per-account=" + limits.maxOpenOrdersPerAccount() +
                    " gtd-horizon-days=" + limits.gtdHorizon() / TimeUnit.DAYS.toMillis(1) +
                    " (" + limits.gtdHorizon() + " ms)" +
                    " idempotency-horizon-ms=" + limits.idempotencyHorizon() +
                    " max-clordids=" + limits.maxClOrdIds() +
                    " changes=" + limits.changes();
            }
        }
        else if (header.templateId() == AccountStatusDecoder.TEMPLATE_ID)
        {
            accountStatus.wrapAndApplyHeader(buffer, offset, header);
            if (accountStatus.requestId() == correlationId && accountPrinter.onPage(accountStatus))
            {
                applied = accountPrinter.result() == RejectReason.NONE;
                outcome = applied ? "ok" : "refused: " + accountPrinter.result();
            }
        }
        else if (header.templateId() == BusinessRejectDecoder.TEMPLATE_ID)
        {
            businessReject.wrapAndApplyHeader(buffer, offset, header);
            applied = false;
            outcome = "refused: " + businessReject.reason();
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new AdminMain(), "keel admin", args));
    }
}
