package io.keel.node;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.keel.node.JournalSegment.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The naive reference for {@link OutputJournalTest}, driving the journal under test beside it: every report held, in
 * log order, in a list. A session's held range, the answers of replay and scan, and what a purge or a crash leaves
 * are all derived from that list the slow, obvious way. Message bytes derive from the report's header fields, so
 * every delivered byte is checked.
 */
final class JournalModel implements AutoCloseable
{
    record Report(long sessionId, long seqNo, long logPosition, long timestamp, int length)
    {
    }

    final List<Report> log = new ArrayList<>();
    private final List<Report> everything = new ArrayList<>();
    private final Map<Long, Long> nextSeqNo = new HashMap<>();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[1024 * 1024]);
    private final File dir;
    private OutputJournal journal;
    private int segmentLength;
    private long retentionBytes;
    private long retentionTime;
    private long position;

    JournalModel(final File dir)
    {
        this.dir = dir;
    }

    OutputJournal open(final int segmentLength, final long retentionBytes, final long retentionTime)
    {
        CloseHelper.close(journal);
        this.segmentLength = segmentLength;
        this.retentionBytes = retentionBytes;
        this.retentionTime = retentionTime;
        journal = new OutputJournal(new OutputJournal.Context()
            .dir(dir)
            .segmentLength(segmentLength)
            .retentionBytes(retentionBytes)
            .retentionTime(retentionTime));
        return journal;
    }

    OutputJournal journal()
    {
        return journal;
    }

    File dir()
    {
        return dir;
    }

    long position()
    {
        return position;
    }

    /**
     * The next log entry is {@code by} further on.
     */
    void advance(final long by)
    {
        position += by;
    }

    /**
     * The engine's next report to this session will carry {@code seqNo}: a hole, or a restore from an old snapshot.
     */
    void jumpTo(final long sessionId, final long seqNo)
    {
        nextSeqNo.put(sessionId, seqNo);
    }

    /**
     * One log entry: {@code reports} reports at a new position, to random sessions, each in its seqNo order.
     */
    void appendEntry(final Random random, final int sessions, final int reports, final int maxLength)
    {
        advance(1 + random.nextInt(200));
        for (int i = 0; i < reports; i++)
        {
            append(random.nextInt(sessions), random.nextInt(maxLength + 1));
        }
    }

    void append(final long sessionId, final int length)
    {
        final Report report = nextReport(sessionId, length);
        assertTrue(appendToJournal(report));
        log.add(report);
        everything.add(report);
    }

    /**
     * The next report of the session at the current position, not appended.
     */
    Report nextReport(final long sessionId, final int length)
    {
        final long seqNo = nextSeqNo.getOrDefault(sessionId, 1L);
        nextSeqNo.put(sessionId, seqNo + 1);
        return new Report(sessionId, seqNo, position, position / 4, length);
    }

    boolean appendToJournal(final Report report)
    {
        return journal.append(
            report.sessionId, report.seqNo, report.logPosition, report.timestamp, fill(report), 0, report.length);
    }

    /**
     * A crash: the journal is closed without warning and opened again, which must recover {@code expected}.
     */
    void reopenAfterCrash(final long expected)
    {
        open(segmentLength, retentionBytes, retentionTime);
        assertEquals(expected, journal.recoveredPosition());
        log.removeIf(r -> r.logPosition > expected);
    }

    /**
     * What the cluster does after a restart: replays the log from its snapshot, the engine produces the same reports
     * again, and the journal takes those after what it recovered.
     */
    void reappendAfter(final long replayFrom)
    {
        for (final Report report : everything)
        {
            if (report.logPosition > replayFrom)
            {
                assertTrue(appendToJournal(report));
                log.add(report);
            }
        }
    }

    long positionBefore(final long logPosition)
    {
        long before = 0;
        for (final Report report : log)
        {
            if (report.logPosition < logPosition)
            {
                before = report.logPosition;
            }
        }
        return before;
    }

    /**
     * @return what the purge deleted, checked to be a prefix of the log up to the snapshot at most.
     */
    List<Report> purge(final long snapshot, final long now)
    {
        journal.purge(snapshot, now);
        final List<Report> held = scan(0, Integer.MAX_VALUE);
        assertEquals(log.subList(log.size() - held.size(), log.size()), held, "a purge keeps a suffix of the log");
        final List<Report> purged = new ArrayList<>(log.subList(0, log.size() - held.size()));
        for (final Report report : purged)
        {
            assertTrue(report.logPosition <= snapshot, "purged beyond the snapshot");
        }
        log.subList(0, purged.size()).clear();
        return purged;
    }

    /**
     * @return what {@link OutputJournal#purgeBefore} deleted, checked to be a prefix of the log before the position.
     */
    List<Report> purgeBefore(final long logPosition)
    {
        journal.purgeBefore(logPosition);
        final List<Report> held = scan(0, Integer.MAX_VALUE);
        assertEquals(log.subList(log.size() - held.size(), log.size()), held, "a purge keeps a suffix of the log");
        final List<Report> purged = new ArrayList<>(log.subList(0, log.size() - held.size()));
        for (final Report report : purged)
        {
            assertTrue(report.logPosition < logPosition, "purged at or beyond the position");
        }
        log.subList(0, purged.size()).clear();
        return purged;
    }

    @FunctionalInterface
    interface Damage
    {
        void apply(RandomAccessFile file, long offset) throws IOException;
    }

    /**
     * What a crash or the disk does to the file under the {@code logIndex}th held report, {@code offset} bytes into
     * it; the journal must be closed.
     */
    void damage(final int logIndex, final int offset, final Damage damage) throws IOException
    {
        final long[] where = locate(logIndex);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(where[0]), "rw"))
        {
            damage.apply(file, where[1] + offset);
        }
    }

    /**
     * @return {segment index, offset} of the {@code logIndex}th held report, computed from the layout.
     */
    private long[] locate(final int logIndex)
    {
        final long[] where = {firstSegmentIndex(), HEADER_LENGTH};
        for (int i = 0; i <= logIndex; i++)
        {
            final int aligned = JournalSegment.alignedLength(log.get(i).length);
            if (where[1] + aligned > segmentLength)
            {
                where[0]++;
                where[1] = HEADER_LENGTH;
            }
            if (i < logIndex)
            {
                where[1] += aligned;
            }
        }
        return where;
    }

    File segmentFile(final long index)
    {
        return new File(dir, JournalSegment.fileName(index));
    }

    File[] segmentFiles()
    {
        return dir.listFiles((d, name) -> JournalSegment.parseIndex(name) >= 0);
    }

    private long firstSegmentIndex()
    {
        long first = Long.MAX_VALUE;
        for (final File file : segmentFiles())
        {
            first = Math.min(first, JournalSegment.parseIndex(file.getName()));
        }
        return first;
    }

    /**
     * Every session's held range and full replay, {@code queries} random partial replays, and the full scan.
     */
    void assertMatches(final Random random, final int queries)
    {
        final Map<Long, List<Report>> ranges = expectedRanges();
        for (final Map.Entry<Long, List<Report>> entry : ranges.entrySet())
        {
            final long session = entry.getKey();
            final List<Report> range = entry.getValue();
            assertEquals(range.get(0).seqNo, journal.firstHeldSeqNo(session), "first held of " + session);
            assertEquals(range.get(range.size() - 1).seqNo, journal.lastSeqNo(session), "last of " + session);
            assertEquals(range, replay(session, 0, 0, Integer.MAX_VALUE), "replay of " + session);
        }
        final List<Long> sessions = new ArrayList<>(ranges.keySet());
        for (int i = 0; i < queries && !sessions.isEmpty(); i++)
        {
            final long session = sessions.get(random.nextInt(sessions.size()));
            final List<Report> range = ranges.get(session);
            final long from = range.get(0).seqNo - 3 + random.nextInt(range.size() + 6);
            final long to = random.nextInt(4) == 0 ? 0 : from + random.nextInt(600) - 50;
            final int limit = 1 + random.nextInt(400);
            final List<Report> expected = new ArrayList<>();
            for (final Report report : range)
            {
                if (report.seqNo >= from && (to <= 0 || report.seqNo <= to) && expected.size() < limit)
                {
                    expected.add(report);
                }
            }
            assertEquals(expected, replay(session, from, to, limit), session + " " + from + ".." + to + " x" + limit);
        }
        assertEquals(log, scan(0, Integer.MAX_VALUE));
        assertEquals(log.isEmpty() ? 0 : log.get(0).logPosition, journal.firstHeldPosition());
        assertEquals(log.isEmpty() ? 0 : log.get(log.size() - 1).logPosition, journal.lastPosition());
        long bytes = 0;
        for (final Report report : log)
        {
            bytes += JournalSegment.alignedLength(report.length);
        }
        assertEquals(bytes, journal.bytesHeld());
    }

    /**
     * The slow, obvious index: each session's last contiguous run of seqNos in the held log.
     */
    private Map<Long, List<Report>> expectedRanges()
    {
        final Map<Long, List<Report>> ranges = new LinkedHashMap<>();
        for (final Report report : log)
        {
            final List<Report> range = ranges.computeIfAbsent(report.sessionId, s -> new ArrayList<>());
            if (!range.isEmpty() && range.get(range.size() - 1).seqNo + 1 != report.seqNo)
            {
                range.clear();
            }
            range.add(report);
        }
        return ranges;
    }

    List<Report> expectedScan(final long from, final int limit)
    {
        final List<Report> expected = new ArrayList<>();
        for (final Report report : log)
        {
            if (report.logPosition >= from && expected.size() < limit)
            {
                expected.add(report);
            }
        }
        return expected;
    }

    List<Report> replay(final long sessionId, final long from, final long to, final int limit)
    {
        final List<Report> reports = new ArrayList<>();
        assertEquals(journal.replay(sessionId, from, to, limit, recorder(reports)), reports.size());
        return reports;
    }

    List<Report> scan(final long from, final int limit)
    {
        final List<Report> reports = new ArrayList<>();
        assertEquals(journal.scan(from, limit, recorder(reports)), reports.size());
        return reports;
    }

    public void close()
    {
        CloseHelper.close(journal);
        journal = null;
        IoUtil.delete(dir, true);
    }

    private DirectBuffer fill(final Report report)
    {
        for (int i = 0; i < report.length; i++)
        {
            message.putByte(i, contentByte(report, i));
        }
        return message;
    }

    private static byte contentByte(final Report report, final int i)
    {
        return (byte)(report.sessionId * 31 + report.seqNo * 7 + report.logPosition + i);
    }

    /**
     * Collects what the journal delivers, checking every message byte against what was appended.
     */
    private static OutputJournal.ReportHandler recorder(final List<Report> reports)
    {
        return (sessionId, seqNo, logPosition, timestamp, buffer, offset, length) ->
        {
            final Report report = new Report(sessionId, seqNo, logPosition, timestamp, length);
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != contentByte(report, i))
                {
                    throw new AssertionError("message bytes differ at " + i + " of " + report);
                }
            }
            reports.add(report);
        };
    }
}
