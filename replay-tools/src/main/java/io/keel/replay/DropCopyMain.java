package io.keel.replay;

import io.keel.common.Cli;
import io.keel.common.ClusterUnreachableException;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.common.Secrets;
import io.keel.node.ClusterEndpoints;
import io.keel.node.DropCopyConsumer;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel drop-copy}: every report the engine produced for client sessions (or one account's), each once, in log
 * order, from where asked, then live across leader changes ({@link DropCopyConsumer}), printed as text or JSON Lines
 * with every field decoded from the schema ({@link KeelMessages}). Exit 0 when stopped by --count or --seconds;
 * 1 when refused, when the start is no longer held, or when no member answers; 2 on bad usage.
 */
@Command(
    name = "keel drop-copy",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Print every report the engine produced for client sessions (execution reports, cancel rejects, " +
        "mass-cancel reports, account pages), each once and in log order, with its place (log position:index within " +
        "that log entry) and cluster time: first what the output journal still holds from where you ask, then live, " +
        "across leader changes.%nNeeds an admin or a drop-copy principal (keel credentials new --drop-copies NAME). " +
        "Summary on stderr.")
public final class DropCopyMain implements Callable<Integer>
{
    public static final String SECRET_ENV = "KEEL_DROP_COPY_SECRET";

    @Mixin
    ClusterEndpoints cluster = new ClusterEndpoints();

    @Option(names = "--account", paramLabel = "ID", description = "Only this account's reports.")
    long account;

    @Option(names = "--all", description = "Every account's reports (the default).")
    boolean all;

    @Option(names = "--from", paramLabel = "WHERE",
        description = "start (all the journal holds), end (only new reports) or a place POS[:INDEX] as printed " +
            "(the log position, and the index of the report within it) (default ${DEFAULT-VALUE}).")
    String from = "end";

    @Option(names = "--from-seq", paramLabel = "N",
        description = "With --account: from the account's first report whose session seqNo is >= N (reads from the start).")
    long fromSeq;

    @Option(names = "--from-time", paramLabel = "TIME",
        description = "From the first report at or after this cluster time: ms since the epoch or ISO-8601 " +
            "(2025-01-31T12:00:00Z) (reads from the start).")
    String fromTime;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (JSON Lines) (default ${DEFAULT-VALUE}).")
    OutputFormat format = OutputFormat.text;

    @Option(names = "--out", paramLabel = "FILE", description = "Append to this file instead of stdout.")
    File outFile;

    @Option(names = "--count", paramLabel = "N", description = "Stop after printing N reports (default: never).")
    long count = Long.MAX_VALUE;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (default: never).")
    long seconds;

    @Option(names = "--role", paramLabel = "ROLE",
        description = "dropcopy or admin: the principal ROLE:NAME to present (default ${DEFAULT-VALUE}).")
    String role = Principal.DROP_COPY;

    @Option(names = "--name", paramLabel = "NAME", description = "The principal's name (default ${DEFAULT-VALUE}).")
    String name = "dropcopy";

    @Option(names = "--secret-file", paramLabel = "FILE", description = "File holding the principal's secret " +
        "(default: $" + SECRET_ENV + ", else the development secret, accepted only by nodes started with --dev).")
    Path secretFile;

    @Option(names = "--idle", paramLabel = "PROFILE", description = "backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    private PrintStream out;
    private long printed;
    private boolean started;
    private boolean connected;
    private volatile boolean stopRequested;
    private boolean beyondCount;
    private long lastPrintedPosition;
    private int lastPrintedIndex;
    private long fromTimeMs = Long.MIN_VALUE;

    public Integer call() throws IOException
    {
        final DropCopyConsumer.Context ctx = context();
        final File aeronDir = Files.createTempDirectory("keel-drop-copy-").toFile();
        final long deadlineNs = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : 0; // determinism-ok
        final OutputStream sink = outFile != null ? new FileOutputStream(outFile, true) : System.out;
        out = new PrintStream(new BufferedOutputStream(sink, 64 * 1024), false, StandardCharsets.UTF_8);
        DropCopyConsumer consumer = null;
        String failure = null;
        // SIGINT/SIGTERM: stop the loop and let it flush whole lines and the summary before the JVM exits.
        final Thread loop = Thread.currentThread();
        final Thread onSignal = new Thread(() ->
        {
            stopRequested = true;
            try
            {
                loop.join(5_000);
            }
            catch (final InterruptedException ignore)
            {
                // exiting anyway
            }
        }, "drop-copy-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try
        {
            consumer = new DropCopyConsumer(ctx.aeronDir(aeronDir));
            start(consumer);
            connected = true;
            final org.agrona.concurrent.IdleStrategy idleStrategy = IdleProfile.parse(idle).newIdleStrategy();
            while (printed < count && consumer.state() != DropCopyConsumer.State.FAILED && !stopRequested &&
                !Thread.currentThread().isInterrupted() &&
                (deadlineNs == 0 || System.nanoTime() - deadlineNs < 0)) // determinism-ok: ops tool
            {
                final int work = consumer.poll();
                if (work == 0)
                {
                    out.flush();
                }
                idleStrategy.idle(work);
            }
            failure = consumer.failure();
        }
        finally
        {
            out.flush();
            if (outFile != null)
            {
                out.close();
            }
            if (connected)
            {
                final String next = beyondCount ? lastPrintedPosition + ":" + (lastPrintedIndex + 1) :
                    consumer.nextLogPosition() + ":" + consumer.nextIndex();
                System.err.println("drop-copy: " + printed + " reports printed, next " + next + ", " +
                    consumer.state().name().toLowerCase() + ", requests " +
                    consumer.requests() + ", gaps " + consumer.gaps() + ", leader changes " + consumer.leaderChanges());
            }
            if (consumer != null)
            {
                consumer.close();
            }
            IoUtil.delete(aeronDir, true);
            try
            {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is shutting down: the hook is what stopped us
            }
        }
        if (failure != null)
        {
            System.err.println("keel drop-copy: " + failure);
            return 1;
        }
        return 0;
    }

    /**
     * The options, checked, as the consumer's configuration (without its aeron dir).
     */
    DropCopyConsumer.Context context()
    {
        if (all && account != 0)
        {
            throw new IllegalArgumentException("--all and --account exclude each other");
        }
        if (account < 0 || fromSeq < 0 || count <= 0 || seconds < 0)
        {
            throw new IllegalArgumentException("--account and --from-seq must be >= 0, --count > 0, --seconds >= 0");
        }
        if (fromSeq > 0 && account == 0)
        {
            throw new IllegalArgumentException("--from-seq needs --account: it is a seqNo of that account's sessions");
        }
        if (fromSeq > 0 && fromTime != null)
        {
            throw new IllegalArgumentException("--from-seq and --from-time exclude each other");
        }
        if (!Principal.DROP_COPY.equals(role) && !Principal.ADMIN.equals(role))
        {
            throw new IllegalArgumentException("--role must be dropcopy or admin: " + role);
        }
        if (fromTime != null)
        {
            fromTimeMs = Target.parseTime(fromTime, "--from-time");
        }
        IdleProfile.parse(idle);
        final long position;
        int index = 0;
        if (fromSeq > 0 || fromTime != null)
        {
            if (!"end".equals(from) && !"start".equals(from))
            {
                throw new IllegalArgumentException("--from-seq and --from-time read from the start: give no --from POS");
            }
            position = DropCopyConsumer.FROM_START;
        }
        else if ("start".equals(from))
        {
            position = DropCopyConsumer.FROM_START;
        }
        else if ("end".equals(from))
        {
            position = DropCopyConsumer.FROM_END;
        }
        else if (from.matches("\\d{1,18}(:\\d{1,9})?"))
        {
            final int colon = from.indexOf(':');
            position = Long.parseLong(colon < 0 ? from : from.substring(0, colon));
            index = colon < 0 ? 0 : Integer.parseInt(from.substring(colon + 1));
        }
        else
        {
            throw new IllegalArgumentException("--from must be start, end or POS[:INDEX]: " + from);
        }
        final byte[] credentials = Principal.credentials(role, name, Secrets.resolve(secretFile, SECRET_ENV));
        return new DropCopyConsumer.Context()
            .ingressEndpoints(cluster.ingressEndpoints())
            .egressHost(cluster.egressHost())
            .credentials(credentials)
            .idleProfile(IdleProfile.parse(idle))
            .accountId(account)
            .from(position, index)
            .handler(this::onReport);
    }

    private void start(final DropCopyConsumer consumer)
    {
        try
        {
            consumer.start();
        }
        catch (final io.aeron.security.AuthenticationException ex)
        {
            throw new ClusterUnreachableException("the cluster refused the credentials of " + role + ":" + name +
                " (check --secret-file and the principal listed in the nodes' --credentials)");
        }
        catch (final RuntimeException ex)
        {
            throw new ClusterUnreachableException("no cluster leader answered at ingress " + cluster.ingressEndpoints() +
                " (" + ReplayException.gist(ex) + ")");
        }
    }

    private void onReport(
        final long logPosition,
        final int index,
        final long clusterTime,
        final long sessionId,
        final long seqNo,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (!started)
        {
            // --from-seq, --from-time: from the first report that qualifies, everything after it.
            started = fromSeq > 0 ? seqNo >= fromSeq : clusterTime >= fromTimeMs;
            if (!started)
            {
                return;
            }
        }
        if (printed >= count)
        {
            beyondCount = true; // delivered in the same poll, not printed: the place to resume is after the last printed
            return;
        }
        out.println(render(logPosition, index, clusterTime, sessionId, seqNo, buffer, offset, length, format));
        printed++;
        lastPrintedPosition = logPosition;
        lastPrintedIndex = index;
    }

    /**
     * One report as a text line or a JSON object: its place, time, session and seqNo, then every field of the report.
     */
    static String render(
        final long logPosition,
        final int index,
        final long clusterTime,
        final long sessionId,
        final long seqNo,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final OutputFormat format)
    {
        final KeelMessages.Decoded decoded = KeelMessages.decode(buffer, offset, length);
        final String type = decoded != null ? decoded.name() : "Unknown";
        final java.util.List<Field> fields =
            decoded != null ? decoded.fields() : java.util.List.of(new Field("length", (long)length));
        final StringBuilder sb = new StringBuilder(256);
        if (format == OutputFormat.json)
        {
            sb.append("{\"position\":").append(logPosition)
                .append(",\"index\":").append(index)
                .append(",\"timestamp\":").append(clusterTime)
                .append(",\"time\":\"").append(DumpEntry.formatTime(clusterTime)).append('"')
                .append(",\"session\":").append(sessionId)
                .append(",\"seqNo\":").append(seqNo)
                .append(",\"type\":");
            DumpEntry.appendJsonString(sb, type);
            sb.append(",\"fields\":");
            DumpEntry.appendJsonFields(sb, fields);
            return sb.append('}').toString();
        }
        sb.append("position=").append(logPosition).append(':').append(index)
            .append(" time=").append(DumpEntry.formatTime(clusterTime))
            .append(" session=").append(sessionId)
            .append(" seqNo=").append(seqNo)
            .append(" type=").append(type);
        for (final Field field : fields)
        {
            sb.append(' ').append(field.name()).append('=');
            DumpEntry.appendText(sb, field.value());
        }
        return sb.toString();
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new DropCopyMain(), "keel drop-copy", args));
    }
}
