package io.keel.node;

import io.keel.node.JournalModel.Report;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.keel.node.JournalSegment.RECORD_HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal after a crash, against {@link JournalModel}: the process died between two reports of one log entry,
 * or the disk lost or garbled what was written. The journal keeps what is sound up to the last complete position,
 * the cluster replays and the journal takes again only what it does not hold. Each test names, in a "Catches:" line,
 * the bug that was planted in the journal and made it fail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutputJournalRecoveryTest
{
    private static final int SMALL_SEGMENT = 64 * 1024;

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

    /** Catches: recovery that keeps the newest position's records (a later re-append would then duplicate them). */
    @Test
    void shouldAnswerTheSameAfterCloseAndReopenOnceTheNewestPositionIsWrittenAgain()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            model.appendEntry(random, 16, 1 + random.nextInt(3), 400);
        }
        final long newest = model.position();
        final long previous = model.positionBefore(newest);

        reopenAfterCrash(previous);
        assertEquals(previous, journal.lastPosition());
        model.reappendAfter(previous);
        assertEquals(newest, journal.lastPosition());
        model.assertMatches(random, 300);
    }

    /** Catches: ignoring the complete position a snapshot wrote (the newest records would be lost for good). */
    @Test
    void shouldKeepTheNewestPositionWhenASnapshotCompletedIt()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(4);
        for (int i = 0; i < 500; i++)
        {
            model.appendEntry(random, 8, 3, 100);
        }
        journal.purge(model.position(), 0);
        reopenAfterCrash(model.position());
        assertFalse(model.appendToJournal(model.log.get(model.log.size() - 1)));
        model.assertMatches(random, 100);
    }

    /** Catches: recovery that keeps a partial position (reports 1 and 2 of 3 held, 3 then duplicated or lost). */
    @Test
    void shouldDropThePositionWhoseReportsWereOnlyPartlyWritten()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(5);
        for (int i = 0; i < 400; i++)
        {
            model.appendEntry(random, 4, 2, 100);
        }
        final long complete = model.position();
        model.advance(64);
        model.append(1, 50);
        model.append(2, 50);
        final Report third = model.nextReport(3, 50);

        reopenAfterCrash(complete);
        model.reappendAfter(complete);
        assertTrue(model.appendToJournal(third));
        model.log.add(third);
        model.assertMatches(random, 100);
    }

    /** Catches: recovery without checksums (the garbled record would be served, its bytes wrong). */
    @Test
    void shouldCutAGarbledRecordAndEverythingAfterIt() throws Exception
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(6);
        for (int i = 0; i < 600; i++)
        {
            model.appendEntry(random, 8, 2, 200);
        }
        journal.close();
        final int victim = model.log.size() - 37;
        model.damage(victim, RECORD_HEADER_LENGTH, (file, at) ->
        {
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0x40);
        });
        final long previous = model.positionBefore(model.log.get(victim).logPosition());
        reopenAfterCrash(previous);
        model.reappendAfter(previous);
        model.assertMatches(random, 200);
    }

    /**
     * A lost tail, as a file cut short by the file system or a frame that never reached the disk: read as the end,
     * and the position it tore dropped. Catches: recovery keeping the torn position.
     */
    @Test
    void shouldRecoverAFileCutShortAndAZeroedTail() throws Exception
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        final Random random = new Random(7);
        for (int i = 0; i < 600; i++)
        {
            model.appendEntry(random, 8, 2, 200);
        }
        journal.close();
        final int cut = model.log.size() - 25;
        model.damage(cut, 20, (file, at) -> file.setLength(at));
        final long beforeCut = model.positionBefore(model.log.get(cut).logPosition());
        reopenAfterCrash(beforeCut);
        model.reappendAfter(beforeCut);
        model.assertMatches(random, 200);

        journal.close();
        final int zeroed = model.log.size() - 3;
        model.damage(zeroed, 0, (file, at) ->
        {
            file.seek(at);
            file.write(new byte[8]);
        });
        final long beforeZero = model.positionBefore(model.log.get(zeroed).logPosition());
        reopenAfterCrash(beforeZero);
        model.reappendAfter(beforeZero);
        model.assertMatches(random, 200);
    }

    /** Catches: append writing again what recovery kept (duplicates in replay and scan). */
    @Test
    void shouldSkipPositionsAlreadyJournaled()
    {
        open(SMALL_SEGMENT, Long.MAX_VALUE, 0);
        for (int i = 0; i < 10; i++)
        {
            model.advance(100);
            model.append(1, 20);
            model.append(2, 20);
        }
        final long newest = model.position();
        reopenAfterCrash(newest - 100);
        final long bytes = journal.bytesHeld();
        for (final Report report : List.copyOf(model.log))
        {
            assertFalse(model.appendToJournal(report));
        }
        assertEquals(bytes, journal.bytesHeld());
        assertEquals(9, journal.lastSeqNo(1));
        model.reappendAfter(newest - 100);
        assertEquals(10, journal.lastSeqNo(1));
        model.assertMatches(new Random(8), 20);
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
}
