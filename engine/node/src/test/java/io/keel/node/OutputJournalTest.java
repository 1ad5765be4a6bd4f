package io.keel.node;

import io.keel.node.JournalModel.Report;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.keel.node.JournalSegment.HEADER_LENGTH;
import static io.keel.node.JournalSegment.RECORD_HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal against {@link JournalModel}, a naive reference: replay, scan, holes, retention, a long random stream;
 * crashes and damaged files are in {@link OutputJournalRecoveryTest}. Each test names, in a "Catches:" line, the bug
 * that was planted in the journal and made it fail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutputJournalTest
{
    private static final int SMALL_SEGMENT = 64 * 1024;
    private static final int MAX_IN_SMALL = SMALL_SEGMENT - HEADER_LENGTH - RECORD_HEADER_LENGTH;

    private JournalModel model;
    private OutputJournal journal;

    @BeforeEach
    void before(final TestInfo info)
    {
        model = new JournalModel(new File("target/output-journal-test/" +
            info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime()));
    }

    @AfterEach
    void after()
    {
        model.close();
    }

    /** Catches: a session's next link not patched (replay stops after one report); replay's toSeqNo off by one. */
    @Test
    void shouldReplayManySessionsInterleavedInSeqNoOrder()
    {
        open(OutputJournal.Context.SEGMENT_LENGTH_DEFAULT, Long.MAX_VALUE, 0);
        final Random random = new Random(1);
        for (int i = 0; i < 20_000; i++)
        {
            model.appendEntry(random, 64, 1 + random.nextInt(4), 250);
        }
        model.assertMatches(random, 500);
    }

    /** Catches: the checkpoint for fromSeqNo taken one too far (replay starting after it); toSeqNo off by one. */
    @Test
    void shouldReplayFromTheMiddleFromBeforeFirstHeldWithLimitAndToSeqNo()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        for (int i = 0; i < 1000; i++)
        {
            model.advance(10);
            model.append(7, 100);
        }
        assertEquals(List.of(300L, 301L, 302L), seqNos(model.replay(7, 300, 0, 3)));
        assertEquals(List.of(1L, 2L), seqNos(model.replay(7, -5, 2, 100)));
        assertEquals(List.of(256L), seqNos(model.replay(7, 256, 256, 100)));
        assertEquals(List.of(511L, 512L, 513L), seqNos(model.replay(7, 511, 513, 100)));
        assertEquals(11, model.replay(7, 990, 0, 100).size());
        assertEquals(1000, model.replay(7, 1, 5000, 5000).size());
        assertEquals(List.of(), model.replay(7, 5, 3, 100));
        assertEquals(List.of(), model.replay(7, 1001, 0, 100));
        assertEquals(List.of(), model.replay(7, 1, 0, 0));
        assertEquals(List.of(), model.replay(8, 1, 0, 100));
        assertEquals(0, journal.firstHeldSeqNo(8));
        assertEquals(0, journal.lastSeqNo(8));
        model.assertMatches(new Random(2), 200);
    }

    /**
     * Catches: a rolled segment without its end mark (at open the zero after its last record reads as a tear and
     * every later segment is cut).
     */
    @Test
    void shouldRollOverToNewSegmentsAndReadAcrossThem()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(9);
        model.advance(10);
        model.append(1, MAX_IN_SMALL);
        for (int i = 0; i < 3000; i++)
        {
            model.appendEntry(random, 10, 1 + random.nextInt(2), i % 100 == 0 ? 20_000 : 700);
        }
        model.advance(10);
        model.append(2, MAX_IN_SMALL);
        assertTrue(model.segmentFiles().length > 20);
        model.assertMatches(random, 300);
        final long previous = model.positionBefore(model.position());
        reopenAfterCrash(previous);
        model.reappendAfter(previous);
        model.assertMatches(random, 300);
    }

    /** Catches: no length check (an oversized record would overrun the segment). */
    @Test
    void shouldRejectAReportLongerThanASegmentHolds()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[MAX_IN_SMALL + 1]);
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 1, 10, 0, big, 0, MAX_IN_SMALL + 1));
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 0, 10, 0, big, 0, 10));
        model.advance(10);
        model.append(1, MAX_IN_SMALL);
        assertThrows(IllegalArgumentException.class, () -> journal.append(1, 2, 5, 0, big, 0, 10));
        model.assertMatches(new Random(10), 10);
    }

    /**
     * Catches: purge deleting segments with records beyond the snapshot; first held seqNos not moving up; reopening
     * after a snapshot dropping the newest position it completed.
     */
    @Test
    void shouldPurgeWholeOldestSegmentsBeyondRetentionBytes()
    {
        open(SMALL_SEGMENT, 4L * SMALL_SEGMENT, 0);
        final Random random = new Random(11);
        for (int i = 0; i < 4000; i++)
        {
            model.appendEntry(random, 12, 1 + random.nextInt(3), 600);
        }
        final int segmentsBefore = model.segmentFiles().length;
        assertFalse(model.purge(model.log.get(model.log.size() / 2).logPosition(), 0).isEmpty());
        assertTrue(model.segmentFiles().length < segmentsBefore);
        assertTrue(journal.bytesHeld() > 4L * SMALL_SEGMENT);
        model.assertMatches(random, 300);

        model.purge(model.position(), 0);
        assertTrue(journal.bytesHeld() <= 4L * SMALL_SEGMENT);
        assertTrue(journal.bytesHeld() > 3L * SMALL_SEGMENT);
        assertTrue(journal.firstHeldSeqNo(0) > 1);
        model.assertMatches(random, 300);

        reopenAfterCrash(model.position());
        model.assertMatches(random, 300);

        open(SMALL_SEGMENT, 0, 0);
        model.purge(model.position(), 0);
        assertEquals(1, model.segmentFiles().length);
        model.assertMatches(random, 100);
        for (int i = 0; i < 100; i++)
        {
            model.appendEntry(random, 12, 2, 600);
        }
        model.assertMatches(random, 100);
    }

    /**
     * Log retention ({@code keel admin purge}) purges the journal before the log's new start whatever the size and
     * time retention keep, never the segment being written; {@link JournalSummary} reads the oldest record held from
     * the files. Catches: a segment holding a record at the position deleted; the tail deleted; the summary reading
     * the newest segment instead of the oldest.
     */
    @Test
    void shouldPurgeBeforeALogPositionWhateverTheRetention()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(13);
        for (int i = 0; i < 4000; i++)
        {
            model.appendEntry(random, 12, 1 + random.nextInt(3), 600);
        }
        final int segmentsBefore = model.segmentFiles().length;
        final long position = model.log.get(model.log.size() / 2).logPosition();
        assertFalse(model.purgeBefore(position).isEmpty());
        assertTrue(model.segmentFiles().length < segmentsBefore);
        assertTrue(journal.firstHeldPosition() <= position, "the segment holding the position stays");
        model.assertMatches(random, 300);
        final JournalSummary summary = JournalSummary.read(model.dir());
        assertEquals(model.segmentFiles().length, summary.segments());
        assertEquals(journal.firstHeldPosition(), summary.firstLogPosition());

        model.purgeBefore(Long.MAX_VALUE);
        assertEquals(1, model.segmentFiles().length, "never the segment being written");
        assertEquals(journal.firstHeldPosition(), JournalSummary.read(model.dir()).firstLogPosition());
        model.assertMatches(random, 100);
    }

    /** Catches: time retention with the comparison inverted, or ignoring the snapshot. */
    @Test
    void shouldPurgeSegmentsOlderThanRetentionTime()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 20_000);
        final Random random = new Random(12);
        for (int i = 0; i < 3000; i++)
        {
            model.appendEntry(random, 6, 1, 600);
        }
        final long now = model.log.get(model.log.size() - 1).timestamp();
        assertTrue(model.purge(model.log.get(100).logPosition(), now).size() <= 101);
        final List<Report> purged = model.purge(model.position(), now);
        assertTrue(purged.size() > 100);
        for (final Report report : purged)
        {
            assertTrue(report.timestamp() < now - 20_000);
        }
        assertTrue(model.segmentFiles().length > 2);
        assertTrue(journal.firstHeldSeqNo(3) > 1);
        model.assertMatches(random, 100);

        model.purge(model.position(), now + 1_000_000);
        assertEquals(1, model.segmentFiles().length);
        model.assertMatches(random, 100);
    }

    /**
     * Catches: the position index (per 64 KiB block) or the segment search starting at the first record of a block
     * or segment whose position began in the one before: a scan from that position would miss its first reports.
     */
    @Test
    void shouldScanEveryoneInLogOrderFromAnyPosition()
    {
        for (final int segmentLength : new int[]{SMALL_SEGMENT, 1024 * 1024})
        {
            open(segmentLength, Long.MAX_VALUE, 0);
            final Random random = new Random(13);
            for (int i = 0; i < 4000; i++)
            {
                model.appendEntry(random, 20, 1 + random.nextInt(8), 400);
            }
            assertEquals(model.log, model.scan(0, Integer.MAX_VALUE));
            assertEquals(model.log.subList(0, 17), model.scan(0, 17));
            assertEquals(List.of(), model.scan(model.position() + 1, 10));
            assertEquals(List.of(), model.scan(0, 0));
            long previous = -1;
            for (final Report report : model.log)
            {
                if (report.logPosition() != previous)
                {
                    previous = report.logPosition();
                    for (long from = previous - 1; from <= previous; from++)
                    {
                        assertEquals(model.expectedScan(from, 12), model.scan(from, 12), "from " + from);
                    }
                }
            }
            final File next = new File(model.dir().getPath() + "-" + segmentLength);
            model.close();
            model = new JournalModel(next);
        }
    }

    /** Catches: a hole glossed over (replay delivering 1..300 then 305.. as if complete). */
    @Test
    void shouldStartANewRangeAtAHoleInASessionsSeqNos()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        appendToSession(5, 300);
        model.jumpTo(5, 305);
        appendToSession(5, 300);
        assertEquals(305, journal.firstHeldSeqNo(5));
        assertEquals(604, journal.lastSeqNo(5));
        assertEquals(300, model.replay(5, 1, 0, 1000).size());
        assertEquals(305, model.replay(5, 1, 0, 1000).get(0).seqNo());

        model.jumpTo(5, 3);
        appendToSession(5, 20);
        assertEquals(3, journal.firstHeldSeqNo(5));
        assertEquals(22, journal.lastSeqNo(5));
        model.assertMatches(new Random(14), 100);

        appendToSession(6, 1);
        reopenAfterCrash(model.position() - 10);
        assertEquals(3, journal.firstHeldSeqNo(5));
        model.assertMatches(new Random(15), 100);
    }

    /**
     * Counts the last of six rounds, which crosses a checkpoint: the first run of any path may allocate while the JVM
     * links it; session ids beyond the boxing cache. Catches: checkpoint storage growing at every checkpoint.
     */
    @Test
    void shouldNotAllocateWhenAppendingToAndReplayingKnownSessions()
    {
        open(OutputJournal.Context.SEGMENT_LENGTH_DEFAULT, Long.MAX_VALUE, 0);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[160]);
        final long[] seqNos = new long[100];
        final OutputJournal.ReportHandler discard = (sessionId, seqNo, logPosition, timestamp, buffer, offset, length) ->
        {
        };
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 6; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++)
            {
                final int session = i % seqNos.length;
                final long sessionId = 1_000_000 + session;
                journal.append(sessionId, ++seqNos[session], 1 + round * 10_000L + i, i, message, 0, message.capacity());
                journal.replay(sessionId, seqNos[session] / 2, 0, 5, discard);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by 10,000 appends and replays after warm-up");
    }

    /** Catches: a journal reopened with another segment length (every address would change meaning). */
    @Test
    void shouldFailFastNamingTheOption()
    {
        final File dir = model.dir();
        assertMessage("dir", new OutputJournal.Context());
        assertMessage("segmentLength", new OutputJournal.Context().dir(dir).segmentLength(100_000));
        assertMessage("segmentLength", new OutputJournal.Context().dir(dir).segmentLength(32 * 1024));
        assertMessage("retentionBytes", new OutputJournal.Context().dir(dir).retentionBytes(-1));
        assertMessage("retentionTime", new OutputJournal.Context().dir(dir).retentionTime(-1));

        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        journal.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new OutputJournal(new OutputJournal.Context().dir(dir).segmentLength(2 * SMALL_SEGMENT)));
        assertTrue(ex.getMessage().contains("segmentLength"), ex.getMessage());
    }

    /**
     * Any disagreement with the model over a long random stream of appends, holes, purges and crashes. Catches:
     * no new range at a hole; purges ignoring the snapshot or not moving first held; recovery keeping the newest.
     */
    @Test
    void shouldMatchTheModelOverALongRandomStream()
    {
        open(SMALL_SEGMENT, 6L * SMALL_SEGMENT, 3_000);
        final Random random = new Random(16);
        long completed = 0;
        for (int op = 0; op < 30_000; op++)
        {
            final int dice = random.nextInt(1000);
            if (dice < 10 && !model.log.isEmpty())
            {
                final long snapshot = model.log.get(random.nextInt(model.log.size())).logPosition();
                completed = Math.max(completed, snapshot);
                model.purge(snapshot, model.position() / 4 + random.nextInt(5_000));
            }
            else if (dice < 13 && !model.log.isEmpty())
            {
                final long position = model.position();
                final long recovered = completed >= position ? position : model.positionBefore(position);
                reopenAfterCrash(recovered);
                model.assertMatches(random, 20);
                model.reappendAfter(Math.max(recovered, completed));
            }
            else if (dice < 18)
            {
                final long session = random.nextInt(40);
                model.jumpTo(session, Math.max(1, journal.lastSeqNo(session) + random.nextInt(9) - 5));
                model.advance(1 + random.nextInt(200));
                model.append(session, random.nextInt(900));
            }
            else
            {
                model.appendEntry(random, 40, 1 + random.nextInt(3), random.nextInt(50) == 0 ? 9_000 : 900);
            }
            if (op % 3_000 == 0)
            {
                model.assertMatches(random, 50);
            }
        }
        model.assertMatches(random, 500);
    }

    private void open(final int segmentLength, final long retentionBytes, final long retentionTime)
    {
        journal = model.open(segmentLength, retentionBytes, retentionTime);
    }

    private void reopenAfterCrash(final long expectedRecoveredPosition)
    {
        model.reopenAfterCrash(expectedRecoveredPosition);
        journal = model.journal();
    }

    private void appendToSession(final long sessionId, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            model.advance(10);
            model.append(sessionId, 30);
        }
    }

    private static List<Long> seqNos(final List<Report> reports)
    {
        return reports.stream().map(Report::seqNo).toList();
    }

    private static void assertMessage(final String option, final OutputJournal.Context ctx)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ctx::conclude);
        assertTrue(ex.getMessage().startsWith(option), ex.getMessage());
    }
}
