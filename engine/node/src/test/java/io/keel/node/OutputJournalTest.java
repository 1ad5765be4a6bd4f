package io.keel.node;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.keel.node.JournalSegment.HEADER_LENGTH;
import static io.keel.node.JournalSegment.RECORD_HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal against a naive model: a list of every report held, in log order. A session's held range, the
 * answers of replay and scan, and what recovery keeps are all derived from that list the slow, obvious way.
 * <p>
 * Each test names, in a "Catches:" line, a bug planted in the journal that made it fail when tried.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutputJournalTest
{
    private static final int SMALL_SEGMENT = 64 * 1024;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[SMALL_SEGMENT]);
    private final List<Report> log = new ArrayList<>();
    private final List<Report> everything = new ArrayList<>();
    private final Map<Long, Long> nextSeqNo = new HashMap<>();
    private File dir;
    private OutputJournal journal;
    private int segmentLength;
    private long retentionBytes;
    private long retentionTime;
    private long position;

    record Report(long sessionId, long seqNo, long logPosition, long timestamp, int length)
    {
    }

    @BeforeEach
    void before(final TestInfo info)
    {
        dir = new File("target/output-journal-test/" + info.getTestMethod().orElseThrow().getName() + "-" +
            System.nanoTime());
    }

    @AfterEach
    void after()
    {
        if (null != journal)
        {
            journal.close();
        }
        IoUtil.delete(dir, true);
    }

    /** Catches: a link patched from the wrong record; a checkpoint one interval off. */
    @Test
    void shouldReplayManySessionsInterleavedInSeqNoOrder()
    {
        journal = open(OutputJournal.Context.SEGMENT_LENGTH_DEFAULT, Long.MAX_VALUE, 0);
        final Random random = new Random(1);
        for (int i = 0; i < 20_000; i++)
        {
            appendEntry(random, 64, 1 + random.nextInt(4), 250);
        }
        assertMatchesModel(random, 500);
    }

    /** Catches: replay starting at the checkpoint instead of fromSeqNo; toSeqNo or limit off by one. */
    @Test
    void shouldReplayFromTheMiddleFromBeforeFirstHeldWithLimitAndToSeqNo()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        for (int i = 0; i < 1000; i++)
        {
            position += 10;
            append(7, 100);
        }
        assertEquals(List.of(300L, 301L, 302L), seqNos(replay(7, 300, 0, 3)));
        assertEquals(List.of(1L, 2L), seqNos(replay(7, -5, 2, 100)));
        assertEquals(List.of(256L), seqNos(replay(7, 256, 256, 100)));
        assertEquals(List.of(511L, 512L, 513L), seqNos(replay(7, 511, 513, 100)));
        assertEquals(11, replay(7, 990, 0, 100).size());
        assertEquals(1000, replay(7, 1, 5000, 5000).size());
        assertEquals(List.of(), replay(7, 5, 3, 100));
        assertEquals(List.of(), replay(7, 1001, 0, 100));
        assertEquals(List.of(), replay(7, 1, 0, 0));
        assertEquals(List.of(), replay(8, 1, 0, 100));
        assertEquals(0, journal.firstHeldSeqNo(8));
        assertEquals(0, journal.lastSeqNo(8));
        assertMatchesModel(new Random(2), 200);
    }

    /** Catches: recovery that keeps the newest position's records (a later re-append would then duplicate them). */
    @Test
    void shouldAnswerTheSameAfterCloseAndReopenOnceTheNewestPositionIsWrittenAgain()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            appendEntry(random, 16, 1 + random.nextInt(3), 400);
        }
        final long newest = position;
        final long previous = positionBefore(newest);

        reopenAfterCrash(previous);
        assertEquals(previous, journal.lastPosition());
        reappendAfter(previous);
        assertEquals(newest, journal.lastPosition());
        assertMatchesModel(random, 300);
    }

    /** Catches: ignoring the complete position a snapshot wrote (the newest records would be lost for good). */
    @Test
    void shouldKeepTheNewestPositionWhenASnapshotCompletedIt()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(4);
        for (int i = 0; i < 500; i++)
        {
            appendEntry(random, 8, 3, 100);
        }
        journal.purge(position, 0);
        reopenAfterCrash(position);
        assertFalse(journal.append(1, 1, position, 0, message, 0, 10));
        assertMatchesModel(random, 100);
    }

    /** Catches: recovery that keeps a partial position (reports 1 and 2 of 3 held, 3 then duplicated or lost). */
    @Test
    void shouldDropThePositionWhoseReportsWereOnlyPartlyWritten()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(5);
        for (int i = 0; i < 400; i++)
        {
            appendEntry(random, 4, 2, 100);
        }
        final long complete = position;
        position += 64;
        append(1, 50);
        append(2, 50);
        final Report third = nextReport(3, 50);

        reopenAfterCrash(complete);
        reappendAfter(complete);
        assertTrue(journal.append(third.sessionId, third.seqNo, third.logPosition, third.timestamp, fill(third), 0,
            third.length));
        log.add(third);
        assertMatchesModel(random, 100);
    }

    /** Catches: recovery without checksums (the garbled record would be served); not zeroing what was cut. */
    @Test
    void shouldCutAGarbledRecordAndEverythingAfterIt() throws Exception
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(6);
        for (int i = 0; i < 600; i++)
        {
            appendEntry(random, 8, 2, 200);
        }
        final int victim = log.size() - 37;
        final long garbledPosition = log.get(victim).logPosition;
        journal.close();
        final long[] where = locate(victim);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(where[0]), "rw"))
        {
            final long at = where[1] + RECORD_HEADER_LENGTH;
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0x40);
        }
        final long previous = positionBefore(garbledPosition);
        reopenAfterCrash(previous);
        reappendAfter(previous);
        assertMatchesModel(random, 200);
    }

    /** Catches: a file cut short by the file system mapped as is (a store past its end faults the JVM). */
    @Test
    void shouldRecoverAFileCutShortAndAZeroedTail() throws Exception
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(7);
        for (int i = 0; i < 600; i++)
        {
            appendEntry(random, 8, 2, 200);
        }
        journal.close();
        final int victim = log.size() - 25;
        final long[] where = locate(victim);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(where[0]), "rw"))
        {
            file.setLength(where[1] + 20);
        }
        final long previous = positionBefore(log.get(victim).logPosition);
        reopenAfterCrash(previous);
        reappendAfter(previous);
        assertMatchesModel(random, 200);

        journal.close();
        final long[] zeroed = locate(log.size() - 3);
        try (FileChannel channel = FileChannel.open(segmentFile(zeroed[0]).toPath(),
            java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(8), zeroed[1]);
        }
        final long before = positionBefore(log.get(log.size() - 3).logPosition);
        reopenAfterCrash(before);
        reappendAfter(before);
        assertMatchesModel(random, 200);
    }

    /** Catches: append writing again what recovery kept (duplicates in replay and scan). */
    @Test
    void shouldSkipPositionsAlreadyJournaled()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        for (int i = 0; i < 10; i++)
        {
            position += 100;
            append(1, 20);
            append(2, 20);
        }
        final long newest = position;
        reopenAfterCrash(newest - 100);
        final long bytes = journal.bytesHeld();
        for (final Report report : List.copyOf(log))
        {
            assertFalse(journal.append(report.sessionId, report.seqNo, report.logPosition, report.timestamp,
                fill(report), 0, report.length));
        }
        assertEquals(bytes, journal.bytesHeld());
        assertEquals(9, journal.lastSeqNo(1));
        reappendAfter(newest - 100);
        assertEquals(10, journal.lastSeqNo(1));
        assertMatchesModel(new Random(8), 20);
    }

    /** Catches: a record spanning two segments; the end-of-segment mark read as a record; scan not crossing over. */
    @Test
    void shouldRollOverToNewSegmentsAndReadAcrossThem()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(9);
        final int max = SMALL_SEGMENT - HEADER_LENGTH - RECORD_HEADER_LENGTH;
        position += 10;
        append(1, max);
        for (int i = 0; i < 3000; i++)
        {
            appendEntry(random, 10, 1 + random.nextInt(2), i % 100 == 0 ? 20_000 : 700);
        }
        position += 10;
        append(2, max);
        assertTrue(segmentFiles().length > 20);
        assertMatchesModel(random, 300);
        reopenAfterCrash(positionBefore(position));
        reappendAfter(positionBefore(position));
        assertMatchesModel(random, 300);
    }

    /** Catches: no length check (an oversized record would overrun the segment). */
    @Test
    void shouldRejectAReportLongerThanASegmentHolds()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final int max = SMALL_SEGMENT - HEADER_LENGTH - RECORD_HEADER_LENGTH;
        final UnsafeBuffer big = new UnsafeBuffer(new byte[max + 1]);
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 1, 10, 0, big, 0, max + 1));
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 0, 10, 0, big, 0, 10));
        position += 10;
        append(1, max);
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 2, 5, 0, big, 0, 10));
        assertMatchesModel(new Random(10), 10);
    }

    /** Catches: purge deleting segments beyond the snapshot, the segment being written, or first held not moving. */
    @Test
    void shouldPurgeWholeOldestSegmentsBeyondRetentionBytes()
    {
        journal = open(SMALL_SEGMENT, 4L * SMALL_SEGMENT, 0);
        final Random random = new Random(11);
        for (int i = 0; i < 4000; i++)
        {
            appendEntry(random, 12, 1 + random.nextInt(3), 600);
        }
        final int segmentsBefore = segmentFiles().length;
        assertTrue(purge(log.get(log.size() / 2).logPosition, 0).size() > 0);
        assertTrue(segmentFiles().length < segmentsBefore);
        assertTrue(journal.bytesHeld() > 4L * SMALL_SEGMENT);
        assertMatchesModel(random, 300);

        purge(position, 0);
        assertTrue(journal.bytesHeld() <= 4L * SMALL_SEGMENT);
        assertTrue(journal.bytesHeld() > 3L * SMALL_SEGMENT);
        assertTrue(journal.firstHeldSeqNo(0) > 1);
        assertMatchesModel(random, 300);

        reopenAfterCrash(position);
        assertMatchesModel(random, 300);

        journal.close();
        journal = open(SMALL_SEGMENT, 0, 0);
        purge(position, 0);
        assertEquals(1, segmentFiles().length);
        assertMatchesModel(random, 100);
        for (int i = 0; i < 100; i++)
        {
            appendEntry(random, 12, 2, 600);
        }
        assertMatchesModel(random, 100);
    }

    /** Catches: time retention comparing the oldest record instead of the newest, or ignoring the snapshot. */
    @Test
    void shouldPurgeSegmentsOlderThanRetentionTime()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 20_000);
        final Random random = new Random(12);
        for (int i = 0; i < 3000; i++)
        {
            appendEntry(random, 6, 1, 600);
        }
        final long now = log.get(log.size() - 1).timestamp;
        final List<Report> notYet = purge(log.get(100).logPosition, now);
        assertTrue(notYet.size() <= 101);
        final List<Report> purged = purge(position, now);
        assertTrue(purged.size() > 100);
        for (final Report report : purged)
        {
            assertTrue(report.timestamp < now - 20_000);
        }
        assertTrue(segmentFiles().length > 2);
        assertTrue(journal.firstHeldSeqNo(3) > 1);
        assertMatchesModel(random, 100);

        purge(position, now + 1_000_000);
        assertEquals(1, segmentFiles().length);
        assertMatchesModel(random, 100);
    }

    /** Catches: the position index returning the block's first record at a shared position past its start. */
    @Test
    void shouldScanEveryoneInLogOrderFromAPosition()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(13);
        for (int i = 0; i < 5000; i++)
        {
            appendEntry(random, 20, 1 + random.nextInt(6), 300);
        }
        assertEquals(log, scan(0, Integer.MAX_VALUE));
        assertEquals(log.subList(0, 17), scan(0, 17));
        assertEquals(List.of(), scan(position + 1, 10));
        assertEquals(List.of(), scan(0, 0));
        for (int i = 0; i < 500; i++)
        {
            final long from = random.nextInt((int)position + 2);
            final int limit = 1 + random.nextInt(50);
            assertEquals(expectedScan(from, limit), scan(from, limit), "from " + from);
        }
    }

    /** Catches: a hole glossed over (replay delivering 1..10 then 15.. as if complete). */
    @Test
    void shouldStartANewRangeAtAHoleInASessionsSeqNos()
    {
        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        for (int i = 0; i < 300; i++)
        {
            position += 10;
            append(5, 30);
        }
        nextSeqNo.put(5L, 305L);
        for (int i = 0; i < 300; i++)
        {
            position += 10;
            append(5, 30);
        }
        assertEquals(305, journal.firstHeldSeqNo(5));
        assertEquals(604, journal.lastSeqNo(5));
        assertEquals(300, replay(5, 1, 0, 1000).size());
        assertEquals(305, replay(5, 1, 0, 1000).get(0).seqNo);

        nextSeqNo.put(5L, 3L);
        for (int i = 0; i < 20; i++)
        {
            position += 10;
            append(5, 30);
        }
        assertEquals(3, journal.firstHeldSeqNo(5));
        assertEquals(22, journal.lastSeqNo(5));
        assertMatchesModel(new Random(14), 100);

        position += 10;
        append(6, 30);
        reopenAfterCrash(position - 10);
        assertEquals(3, journal.firstHeldSeqNo(5));
        assertMatchesModel(new Random(15), 100);
    }

    /** Catches: an option not validated, or a journal reopened with another segment length (addresses change). */
    @Test
    void shouldFailFastNamingTheOption()
    {
        assertMessage("dir", new OutputJournal.Context());
        assertMessage("segmentLength", new OutputJournal.Context().dir(dir).segmentLength(100_000));
        assertMessage("segmentLength", new OutputJournal.Context().dir(dir).segmentLength(32 * 1024));
        assertMessage("retentionBytes", new OutputJournal.Context().dir(dir).retentionBytes(-1));
        assertMessage("retentionTime", new OutputJournal.Context().dir(dir).retentionTime(-1));

        journal = open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        journal.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new OutputJournal(new OutputJournal.Context().dir(dir).segmentLength(2 * SMALL_SEGMENT)));
        assertTrue(ex.getMessage().contains("segmentLength"), ex.getMessage());
    }

    /** Catches: any disagreement with the model over a long random stream of appends, holes, purges and crashes. */
    @Test
    void shouldMatchTheModelOverALongRandomStream()
    {
        journal = open(SMALL_SEGMENT, 6L * SMALL_SEGMENT, 3_000);
        final Random random = new Random(16);
        long completed = 0;
        for (int op = 0; op < 30_000; op++)
        {
            final int dice = random.nextInt(1000);
            if (dice < 10 && !log.isEmpty())
            {
                final long snapshot = log.get(random.nextInt(log.size())).logPosition;
                completed = Math.max(completed, snapshot);
                purge(snapshot, position / 4 + random.nextInt(5_000));
            }
            else if (dice < 13 && !log.isEmpty())
            {
                final long recovered = completed >= position ? position : positionBefore(position);
                reopenAfterCrash(recovered);
                assertMatchesModel(random, 20);
                reappendAfter(Math.max(recovered, completed));
            }
            else if (dice < 18)
            {
                final long session = random.nextInt(40);
                nextSeqNo.put(session, Math.max(1, nextSeqNo.getOrDefault(session, 1L) + random.nextInt(9) - 6));
                position += 1 + random.nextInt(200);
                append(session, random.nextInt(900));
            }
            else
            {
                appendEntry(random, 40, 1 + random.nextInt(3), random.nextInt(50) == 0 ? 9_000 : 900);
            }
            if (op % 3_000 == 0)
            {
                assertMatchesModel(random, 50);
            }
        }
        assertMatchesModel(random, 500);
    }

    /**
     * Append cost, printed, never asserted (run with {@code -Dkeel.bench=true}): rounds of 1M 160-byte reports
     * over 1,000 sessions into default 64 MiB segments, roll-overs included.
     */
    @Test
    @EnabledIfSystemProperty(named = "keel.bench", matches = "true")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void shouldPrintAppendCost()
    {
        final int count = 1_000_000;
        final int sessions = 1_000;
        final long[] seqNos = new long[sessions];
        message.setMemory(0, 160, (byte)7);
        for (int round = 0; round < 5; round++)
        {
            journal = open(OutputJournal.Context.SEGMENT_LENGTH_DEFAULT, Long.MAX_VALUE, 0);
            Arrays.fill(seqNos, 0);
            final long gcBefore = gcCount();
            final long start = System.nanoTime();
            for (int i = 0; i < count; i++)
            {
                final int session = (int)((i * 2654435761L) % sessions);
                journal.append(session, ++seqNos[session], 1 + (i >> 1), i, message, 0, 160);
            }
            final long elapsed = System.nanoTime() - start;
            final long replayStart = System.nanoTime();
            int replayed = 0;
            for (int s = 0; s < sessions; s++)
            {
                replayed += journal.replay(s, seqNos[s] / 2, 0, Integer.MAX_VALUE, (a, b, c, d, e, f, g) -> {});
            }
            final long replayElapsed = System.nanoTime() - replayStart;
            System.out.printf("round %d: append %.1f ns/report (%d reports, %d MiB, %d GCs), replay %.1f ns/report%n",
                round, (double)elapsed / count, count, journal.bytesHeld() >> 20, gcCount() - gcBefore,
                (double)replayElapsed / replayed);
            journal.close();
            IoUtil.delete(dir, true);
        }
        journal = null;
    }

    private static long gcCount()
    {
        long count = 0;
        for (final java.lang.management.GarbageCollectorMXBean gc :
            java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += gc.getCollectionCount();
        }
        return count;
    }

    private OutputJournal open(final int segmentLength, final long retentionBytes, final long retentionTime)
    {
        this.segmentLength = segmentLength;
        this.retentionBytes = retentionBytes;
        this.retentionTime = retentionTime;
        return new OutputJournal(new OutputJournal.Context()
            .dir(dir)
            .segmentLength(segmentLength)
            .retentionBytes(retentionBytes)
            .retentionTime(retentionTime));
    }

    /**
     * One log entry: {@code reports} reports at a new position, to random sessions, in their seqNo order.
     */
    private void appendEntry(final Random random, final int sessions, final int reports, final int maxLength)
    {
        position += 1 + random.nextInt(200);
        for (int i = 0; i < reports; i++)
        {
            append(random.nextInt(sessions), random.nextInt(maxLength + 1));
        }
    }

    private void append(final long sessionId, final int length)
    {
        final Report report = nextReport(sessionId, length);
        assertTrue(journal.append(report.sessionId, report.seqNo, report.logPosition, report.timestamp, fill(report),
            0, report.length));
        log.add(report);
        everything.add(report);
    }

    private Report nextReport(final long sessionId, final int length)
    {
        final long seqNo = nextSeqNo.getOrDefault(sessionId, 1L);
        nextSeqNo.put(sessionId, seqNo + 1);
        return new Report(sessionId, seqNo, position, position / 4, length);
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
     * A crash: the journal is closed without warning and opened again, which must recover {@code expected}.
     */
    private void reopenAfterCrash(final long expected)
    {
        journal.close();
        journal = open(segmentLength, retentionBytes, retentionTime);
        assertEquals(expected, journal.recoveredPosition());
        log.removeIf(r -> r.logPosition > expected);
    }

    /**
     * What the cluster does after a restart: replays the log from its snapshot, the engine produces the same reports
     * again, and the journal takes those after what it recovered.
     */
    private void reappendAfter(final long replayFrom)
    {
        for (final Report report : everything)
        {
            if (report.logPosition > replayFrom)
            {
                assertTrue(journal.append(report.sessionId, report.seqNo, report.logPosition, report.timestamp,
                    fill(report), 0, report.length));
                log.add(report);
            }
        }
    }

    private long positionBefore(final long logPosition)
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
    private List<Report> purge(final long snapshot, final long now)
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

    private long[] locate(final int logIndex)
    {
        final long[] where = {firstSegmentIndex(), HEADER_LENGTH};
        for (int i = 0; i < logIndex; i++)
        {
            final int aligned = JournalSegment.alignedLength(log.get(i).length);
            if (where[1] + aligned > segmentLength)
            {
                where[0]++;
                where[1] = HEADER_LENGTH;
            }
            where[1] += aligned;
        }
        if (where[1] + JournalSegment.alignedLength(log.get(logIndex).length) > segmentLength)
        {
            where[0]++;
            where[1] = HEADER_LENGTH;
        }
        return where;
    }

    private long firstSegmentIndex()
    {
        final File[] files = segmentFiles();
        long first = Long.MAX_VALUE;
        for (final File file : files)
        {
            first = Math.min(first, JournalSegment.parseIndex(file.getName()));
        }
        return first;
    }

    private File segmentFile(final long index)
    {
        return new File(dir, JournalSegment.fileName(index));
    }

    private File[] segmentFiles()
    {
        return dir.listFiles((d, name) -> JournalSegment.parseIndex(name) >= 0);
    }

    private void assertMessage(final String option, final OutputJournal.Context ctx)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ctx::conclude);
        assertTrue(ex.getMessage().startsWith(option), ex.getMessage());
    }

    /**
     * Every session's held range, full replay, random partial replays, and the full scan, against the model.
     */
    private void assertMatchesModel(final Random random, final int queries)
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
            final long first = range.get(0).seqNo;
            final long from = first - 3 + random.nextInt(range.size() + 6);
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

    private List<Report> expectedScan(final long from, final int limit)
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

    private List<Report> replay(final long sessionId, final long from, final long to, final int limit)
    {
        final List<Report> reports = new ArrayList<>();
        final int count = journal.replay(sessionId, from, to, limit, recorder(reports));
        assertEquals(reports.size(), count);
        return reports;
    }

    private List<Report> scan(final long from, final int limit)
    {
        final List<Report> reports = new ArrayList<>();
        final int count = journal.scan(from, limit, recorder(reports));
        assertEquals(reports.size(), count);
        return reports;
    }

    private static List<Long> seqNos(final List<Report> reports)
    {
        return reports.stream().map(Report::seqNo).toList();
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
