package io.keel.node;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error-log gate (DESIGN "Tests"): collects every distinct entry of the Aeron error logs a
 * cluster test touched, and fails the test on any entry that no narrow, explained allowance
 * covers, even when the test's own assertions passed.
 * <p>
 * Where the entries live: the media driver's in the CnC file of the aeron dir (which the driver
 * deletes on a clean shutdown, so it is captured before every stop), the consensus module's in
 * {@code cluster/cluster-mark.dat}, the service container's in
 * {@code cluster/cluster-mark-service-0.dat}, the archive's in {@code archive/archive-mark.dat}
 * (these survive the node), and entries Aeron saved to {@code *-error.log} files when it
 * restarted a component over an old mark file.
 */
final class ErrorLogGate
{
    /**
     * One distinct error, as the error log stores it: the whole stack trace text.
     */
    record Entry(String source, int observations, String text, boolean afterCleanStop)
    {
        String firstLine()
        {
            final int newLine = text.indexOf('\n');
            return newLine < 0 ? text : text.substring(0, newLine);
        }

        public String toString()
        {
            return "[" + source + "] x" + observations + (afterCleanStop ? " (after clean stop) " : " ") + text;
        }
    }

    /**
     * An expected entry, with the reason it is expected.
     */
    record Allowance(String reason, Predicate<Entry> matches)
    {
    }

    private static final Pattern SAVED_ENTRY = Pattern.compile(
        "(?m)^(\\d+) observations from .*? for:\\R");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<Allowance> allowances = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();
    private boolean afterCleanStop;

    /**
     * Capture a node's error logs: before stopping it (its driver's log goes with it), and after.
     *
     * @param stoppedCleanly the node was stopped cleanly (closed, SIGTERM, or halted itself):
     *                       entries seen first now are marked {@link Entry#afterCleanStop()}.
     */
    synchronized void captureNode(final String label, final File nodeDir, final File aeronDir, final boolean stoppedCleanly)
    {
        afterCleanStop = stoppedCleanly;
        try
        {
            captureNode(label, nodeDir, aeronDir);
        }
        finally
        {
            afterCleanStop = false;
        }
    }

    /**
     * Capture the error logs of a node that is running (or was killed).
     */
    synchronized void captureNode(final String label, final File nodeDir, final File aeronDir)
    {
        captureCnc(label + "/driver", aeronDir);
        final File clusterDir = new File(nodeDir, "cluster");
        final File archiveDir = new File(nodeDir, "archive");
        captureClusterMarkFile(label + "/consensus", clusterDir, ClusterMarkFile.FILENAME);
        captureClusterMarkFile(label + "/service", clusterDir, ClusterMarkFile.markFilenameForService(0));
        captureArchiveMarkFile(label + "/archive", archiveDir);
        captureSavedErrorFiles(label + "/saved", clusterDir);
        captureSavedErrorFiles(label + "/saved", archiveDir);
        captureSavedErrorFiles(label + "/saved", aeronDir);
    }

    /**
     * Capture a client's embedded media driver error log.
     */
    synchronized void captureClient(final String label, final File aeronDir)
    {
        captureCnc(label + "/driver", aeronDir);
    }

    synchronized void allow(final String reason, final Predicate<Entry> matches)
    {
        allowances.add(new Allowance(reason, matches));
    }

    synchronized List<Entry> entries()
    {
        return new ArrayList<>(entries.values());
    }

    /**
     * @return a description of every entry no allowance covers, or null when all are expected.
     */
    synchronized String unexpected()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Entry entry : entries.values())
        {
            if (allowances.stream().noneMatch((a) -> a.matches().test(entry)))
            {
                sb.append("\n  ").append(entry.toString().replace("\n", "\n    "));
            }
        }
        for (final String problem : unreadable)
        {
            sb.append("\n  unreadable error log: ").append(problem);
        }
        return sb.length() == 0 ? null : "unexpected Aeron error log entries:" + sb;
    }

    /**
     * A one-line-per-entry summary of what was collected and which allowance covered it.
     */
    synchronized String summary()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Entry entry : entries.values())
        {
            final String reason = allowances.stream()
                .filter((a) -> a.matches().test(entry)).map(Allowance::reason).findFirst().orElse("UNEXPECTED");
            sb.append("  [").append(entry.source()).append("] x").append(entry.observations()).append(' ')
                .append(entry.firstLine()).append("  <- ").append(reason).append('\n');
        }
        return sb.toString();
    }

    private void add(final String source, final int observations, final String text)
    {
        final String key = source + '\u0000' + text;
        final Entry previous = entries.get(key);
        if (previous == null)
        {
            entries.put(key, new Entry(source, observations, text, afterCleanStop));
        }
        else if (previous.observations() < observations)
        {
            entries.put(key, new Entry(source, observations, text, previous.afterCleanStop()));
        }
    }

    private void captureCnc(final String source, final File aeronDir)
    {
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cncFile.exists() || cncFile.length() == 0)
        {
            return;
        }
        MappedByteBuffer mapped = null;
        try
        {
            mapped = IoUtil.mapExistingFile(cncFile, "cnc");
            read(source, CommonContext.errorLogBuffer(mapped));
        }
        catch (final RuntimeException ex)
        {
            // A driver between create and ready, or gone while we looked: nothing to read.
            if (cncFile.exists())
            {
                unreadable.add(source + ": " + ex);
            }
        }
        finally
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    private void captureClusterMarkFile(final String source, final File clusterDir, final String fileName)
    {
        if (!new File(clusterDir, fileName).exists())
        {
            return;
        }
        try (ClusterMarkFile markFile = new ClusterMarkFile(
            clusterDir, fileName, SystemEpochClock.INSTANCE, 1_000, (message) -> {}))
        {
            read(source, markFile.errorBuffer());
        }
        catch (final RuntimeException ex)
        {
            unreadable.add(source + ": " + ex);
        }
    }

    private void captureArchiveMarkFile(final String source, final File archiveDir)
    {
        if (!new File(archiveDir, ArchiveMarkFile.FILENAME).exists())
        {
            return;
        }
        try (ArchiveMarkFile markFile = new ArchiveMarkFile(
            archiveDir, ArchiveMarkFile.FILENAME, SystemEpochClock.INSTANCE, 1_000, (message) -> {}))
        {
            read(source, markFile.errorBuffer());
        }
        catch (final RuntimeException ex)
        {
            unreadable.add(source + ": " + ex);
        }
    }

    private void read(final String source, final AtomicBuffer errorBuffer)
    {
        ErrorLogReader.read(
            errorBuffer,
            (observationCount, firstTimestamp, lastTimestamp, encodedException) ->
                add(source, observationCount, encodedException.strip()));
    }

    /**
     * Entries Aeron wrote to {@code <prefix>-<date>-error.log} in the printErrorLog format.
     */
    private void captureSavedErrorFiles(final String source, final File dir)
    {
        final File[] files = dir.listFiles((d, name) -> name.endsWith("-error.log"));
        if (files == null)
        {
            return;
        }
        for (final File file : files)
        {
            final String content;
            try
            {
                content = Files.readString(file.toPath(), StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            final Matcher matcher = SAVED_ENTRY.matcher(content);
            int count = -1;
            int start = -1;
            while (matcher.find())
            {
                if (start >= 0)
                {
                    addSaved(source, count, content.substring(start, matcher.start()).strip());
                }
                count = Integer.parseInt(matcher.group(1));
                start = matcher.end();
            }
            if (start >= 0)
            {
                String last = content.substring(start);
                final int summary = last.lastIndexOf(" distinct errors observed.");
                if (summary >= 0)
                {
                    final int endOfEntry = last.lastIndexOf('\n', summary);
                    last = last.substring(0, endOfEntry < 0 ? summary : endOfEntry);
                }
                addSaved(source, count, last.strip());
            }
        }
    }

    /**
     * Aeron saves a mark file's old entries when the component restarts over it: an entry already
     * read from that node's live logs is the same observation, not a new one.
     */
    private void addSaved(final String source, final int observations, final String text)
    {
        final String node = source.substring(0, source.indexOf('/') + 1);
        for (final Entry entry : entries.values())
        {
            if (entry.source().startsWith(node) && !entry.source().equals(source) && entry.text().equals(text))
            {
                return;
            }
        }
        add(source, observations, text);
    }
}
