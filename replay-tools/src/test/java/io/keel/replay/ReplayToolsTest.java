package io.keel.replay;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A one-node cluster runs a scripted flow with a snapshot in the middle and stops; then every
 * offline tool runs on its directory (and on corrupted copies of it).
 */
@Timeout(120)
class ReplayToolsTest
{
    private static final Pattern POSITION = Pattern.compile("position=(\\d+)");
    private static ScriptedCluster cluster;
    private static File nodeDir;
    private static List<String> hashLines;

    @BeforeAll
    static void runClusterFlowThenStop()
    {
        cluster = new ScriptedCluster("replay-tools");
        cluster.runFlowWithSnapshotInTheMiddle();
        cluster.restartAndContinue();
        cluster.stop();
        nodeDir = cluster.nodeDir();
        // A restarted node replays the log after its snapshot and records those hashes again.
        hashLines = new ArrayList<>(new LinkedHashSet<>(cluster.hashLines()));
        assertEquals(4, hashLines.size(), cluster.hashLines().toString());
    }

    @AfterAll
    static void deleteDirectories()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void dumpShowsExactlyTheCommandsSentInOrder()
    {
        final ReplayCli.Result result = ReplayCli.replay("dump", nodeDir.getPath(), "--kind", "keel");
        assertEquals(0, result.exit(), result.toString());
        final List<String> commands = new ArrayList<>();
        for (final String line : result.lines())
        {
            if (!line.contains(" type=StateCheck "))
            {
                commands.add(line);
            }
        }
        assertEquals(cluster.sent.size(), commands.size(), result.toString());
        for (int i = 0; i < commands.size(); i++)
        {
            final ScriptedCluster.Sent sent = cluster.sent.get(i);
            final String line = commands.get(i);
            assertTrue(line.contains(" type=" + sent.type() + " "), i + ": " + sent + " vs " + line);
            assertTrue(line.contains(" " + sent.idField() + "=" + sent.id() + " ") || line.endsWith(" " + sent.idField() +
                "=" + sent.id()), i + ": " + sent + " vs " + line);
        }
        assertTrue(commands.get(3).endsWith("type=Deposit correlationId=103 accountId=1 assetId=2 amount=1000003"),
            commands.get(3));
    }

    @Test
    void dumpIsStableAndFilters()
    {
        final ReplayCli.Result text = ReplayCli.replay("dump", nodeDir.getPath());
        final ReplayCli.Result again = ReplayCli.replay("dump", nodeDir.getPath());
        assertEquals(0, text.exit(), text.toString());
        assertEquals(text.out(), again.out());
        assertTrue(text.out().contains(" type=SessionOpen "), text.toString());
        assertTrue(text.out().contains(" type=Timer correlationId=1 timer=expiry"), text.toString());
        assertTrue(text.out().contains(" type=ClusterAction action=SNAPSHOT"), text.toString());
        assertTrue(text.out().contains(" type=NewLeadershipTerm "), text.toString());

        final ReplayCli.Result json = ReplayCli.replay("dump", nodeDir.getPath(), "--format", "json");
        assertEquals(text.lines().size(), json.lines().size());
        for (final String line : json.lines())
        {
            assertTrue(line.startsWith("{\"position\":") && line.endsWith("}}"), line);
        }
        assertTrue(json.out().contains("\"type\":\"NewOrder\",\"fields\":{\"sessionId\":4294967297,\"accountId\":1,"),
            json.toString());

        final ReplayCli.Result account2 = ReplayCli.replay("dump", nodeDir.getPath(), "--account", "2", "--type", "NewOrder,deposit");
        assertEquals(0, account2.exit(), account2.toString());
        assertEquals(5, account2.lines().size(), account2.toString());
        for (final String line : account2.lines())
        {
            assertTrue(line.contains(" accountId=2 "), line);
        }

        final long snapshotPosition = positionOf(hashLines.get(1));
        final ReplayCli.Result range = ReplayCli.replay("dump", nodeDir.getPath(), "--from-position", Long.toString(snapshotPosition),
            "--to-position", Long.toString(snapshotPosition));
        assertEquals(1, range.lines().size(), range.toString());
        assertTrue(range.out().contains("type=ClusterAction action=SNAPSHOT"), range.toString());
    }

    @Test
    void rebuildAtEveryRecordedPositionGivesTheHashTheServiceRecorded()
    {
        for (final String line : hashLines)
        {
            final String[] parts = line.split(" ");
            for (final String mode : new String[]{"--depth=1", "--no-snapshot"})
            {
                final ReplayCli.Result result = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", parts[0], mode);
                assertEquals(0, result.exit(), result.toString());
                assertTrue(result.lastLine().startsWith("rebuild: position=" + parts[0] + " "), result.toString());
                assertTrue(result.lastLine().endsWith(" hash=" + parts[1]), line + " vs " + result);
            }
        }
        final ReplayCli.Result end = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", "end", "--depth", "2");
        assertTrue(end.out().contains("instrument instrumentId=7 "), end.toString());
        assertTrue(end.out().contains("account accountId=1 "), end.toString());
        assertTrue(end.out().contains("  ask 1: price=102 "), end.toString());
        final ReplayCli.Result afterSnapshot = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", hashLines.get(1).split(" ")[0]);
        assertTrue(afterSnapshot.lastLine().contains(" snapshot=" + hashLines.get(1).split(" ")[0] + " "),
            afterSnapshot.toString());
        final ReplayCli.Result json = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", "end", "--format", "json");
        assertEquals(1, json.lines().size(), json.toString());
        assertTrue(json.out().contains("\"hash\":\"" + hashLines.get(3).split(" ")[1] + "\""), json.toString());
    }

    @Test
    void rebuildByClusterTimeStopsBeforeLaterEntries()
    {
        final ReplayCli.Result dump = ReplayCli.replay("dump", nodeDir.getPath(), "--type", "StateHashRequest", "--format", "json");
        final String first = dump.lines().get(0);
        final long timestamp = Long.parseLong(first.replaceAll(".*\"timestamp\":(\\d+),.*", "$1"));
        final ReplayCli.Result result = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", timestamp + "ms");
        assertEquals(0, result.exit(), result.toString());
        final Matcher m = POSITION.matcher(result.lastLine());
        assertTrue(m.find());
        assertTrue(Long.parseLong(m.group(1)) >= positionOf(hashLines.get(0)), result.toString());
        assertTrue(Long.parseLong(m.group(1)) < positionOf(hashLines.get(1)), result.toString());
    }

    @Test
    void verifyPassesOnTheNodesOwnLog()
    {
        final ReplayCli.Result result = ReplayCli.replay("verify", nodeDir.getPath());
        assertEquals(0, result.exit(), result.toString());
        assertTrue(result.lastLine().startsWith("verify: "), result.toString());
        assertTrue(result.lastLine().endsWith(" ok"), result.toString());
        assertTrue(result.lastLine().contains(" hashes-checked=4 snapshots-checked=1 "), result.toString());
        assertTrue(result.lastLine().contains(" hash=" + hashLines.get(3).split(" ")[1] + " "), result.toString());

        final ReplayCli.Result fromSnapshot = ReplayCli.replay("verify", nodeDir.getPath(), "--from-snapshot");
        assertEquals(0, fromSnapshot.exit(), fromSnapshot.toString());
    }

    @Test
    void verifyFailsOnACorruptedCopyNamingThePosition() throws IOException
    {
        final File copy = copyOfNode("corrupt-amount");
        // The first deposit's amount, 1,000,003, becomes 1,000,004: a valid log, a different history.
        final int patched = patchBytes(logSegment(copy),
            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_003L).array(),
            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_004L).array());
        assertEquals(1, patched);
        final ReplayCli.Result result = ReplayCli.replay("verify", copy.getPath());
        assertEquals(1, result.exit(), result.toString());
        final String firstRecorded = hashLines.get(0).split(" ")[0];
        assertTrue(result.lastLine().startsWith("verify: FAILED at position " + firstRecorded + ": "), result.toString());
        assertTrue(result.lastLine().contains("the node recorded " + hashLines.get(0).split(" ")[1]), result.toString());
    }

    @Test
    void corruptOrTruncatedSegmentGivesOneLineNamingFileAndPosition() throws IOException
    {
        final File copy = copyOfNode("corrupt-frame");
        final File segment = logSegment(copy);
        final long entryPosition = positionOf(hashLines.get(0));
        try (RandomAccessFile file = new RandomAccessFile(segment, "rw"))
        {
            file.seek(entryPosition + 8); // term offset of the frame at that position
            file.writeInt(0x7777_7777);
        }
        final ReplayCli.Result result = ReplayCli.replay("verify", copy.getPath());
        assertEquals(2, result.exit(), result.toString());
        assertEquals(1, result.err().trim().split("\n").length, result.toString());
        assertTrue(result.err().contains(segment.getName()) && result.err().contains("at log position " + entryPosition),
            result.toString());
        assertFalse(result.err().contains("\tat "), result.toString());

        final File truncated = copyOfNode("truncated");
        final File truncatedSegment = logSegment(truncated);
        try (RandomAccessFile file = new RandomAccessFile(truncatedSegment, "rw"))
        {
            file.setLength(entryPosition);
        }
        final ReplayCli.Result dump = ReplayCli.replay("dump", truncated.getPath());
        assertEquals(2, dump.exit(), dump.toString());
        assertTrue(dump.err().startsWith("keel replay: " + truncatedSegment.getPath()), dump.toString());
        assertTrue(dump.err().contains("truncated"), dump.toString());
        assertTrue(dump.err().contains("at log position " + entryPosition), dump.toString());
    }

    @Test
    void logFromANewerSchemaVersionIsRefused() throws IOException
    {
        final File copy = copyOfNode("newer-schema");
        // Keel message header (blockLength, templateId 41 = Deposit, schemaId 7011, this version) → version 9.
        final byte[] header = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short)41).putShort((short)7011)
            .putShort((short)io.keel.codecs.MessageHeaderDecoder.SCHEMA_VERSION).array();
        final byte[] newer = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short)41).putShort((short)7011).putShort((short)9).array();
        assertTrue(patchBytes(logSegment(copy), header, newer) >= 1);
        final ReplayCli.Result result = ReplayCli.replay("dump", copy.getPath());
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.err().contains("newer schema version 9"), result.toString());
        assertTrue(result.err().contains("at log position "), result.toString());
    }

    @Test
    void badDirectoriesAndOptionsGiveOneLineAndExit2() throws IOException
    {
        final ReplayCli.Result missing = ReplayCli.replay("dump", "/nonexistent/keel-node");
        assertEquals(2, missing.exit(), missing.toString());
        assertEquals("keel replay: /nonexistent/keel-node: no such directory", missing.err().trim());

        final File notANode = Files.createTempDirectory("not-a-node").toFile();
        try
        {
            final ReplayCli.Result wrong = ReplayCli.replay("verify", notANode.getPath());
            assertEquals(2, wrong.exit(), wrong.toString());
            assertTrue(wrong.err().contains("not a Keel node directory"), wrong.toString());
        }
        finally
        {
            IoUtil.delete(notANode, false);
        }
        final ReplayCli.Result badOption = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", "yesterday");
        assertEquals(2, badOption.exit(), badOption.toString());
        assertEquals(1, badOption.err().trim().split("\n").length, badOption.toString());
        final ReplayCli.Result pastEnd = ReplayCli.replay("rebuild", nodeDir.getPath(), "--at", "999999999");
        assertEquals(2, pastEnd.exit(), pastEnd.toString());
        assertTrue(pastEnd.err().contains("past the end of the log"), pastEnd.toString());
        assertEquals(2, ReplayCli.replay("dump").exit());
        assertEquals(2, ReplayCli.replay("frobnicate").exit());
        for (final String command : new String[]{"describe", "dump", "rebuild", "verify", "snapshot", "tail"})
        {
            final ReplayCli.Result help = ReplayCli.replay(command, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().startsWith("Usage: keel replay " + command), help.toString());
        }
    }

    @Test
    void describeTellsTheStoppedNodesStory()
    {
        final ReplayCli.Result result = ReplayCli.replay("describe", nodeDir.getPath());
        assertEquals(0, result.exit(), result.toString());
        assertTrue(result.out().contains("process: stopped"), result.toString());
        assertTrue(result.out().contains("term 0: base-position=0 "), result.toString());
        assertTrue(result.out().contains("snapshots: 1\n  snapshot position=" + hashLines.get(1).split(" ")[0] + " "),
            result.toString());
        assertTrue(result.out().contains("state hashes: " + cluster.hashLines().size() + " recorded, latest position=" +
            hashLines.get(3).replace(" ", " hash=")), result.toString());
        assertTrue(result.out().contains("term 1: "), result.toString());
        assertTrue(result.out().contains(" role=log"), result.toString());
    }

    private static long positionOf(final String hashLine)
    {
        return Long.parseLong(hashLine.split(" ")[0]);
    }

    private static File copyOfNode(final String name) throws IOException
    {
        final Path source = nodeDir.toPath();
        final Path target = new File(cluster.dir, name).toPath();
        try (Stream<Path> paths = Files.walk(source))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.naturalOrder())::iterator)
            {
                final Path to = target.resolve(source.relativize(path));
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(to);
                }
                else if (!path.toString().contains("/aeron/"))
                {
                    Files.copy(path, to);
                }
            }
        }
        return target.toFile();
    }

    private static File logSegment(final File node)
    {
        final File[] segments = new File(node, "archive").listFiles((d, n) -> n.startsWith("0-") && n.endsWith(".rec"));
        assertEquals(1, segments.length);
        return segments[0];
    }

    private static int patchBytes(final File file, final byte[] from, final byte[] to) throws IOException
    {
        final long length = Math.min(file.length(), 4 * 1024 * 1024);
        final byte[] bytes = new byte[(int)length];
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.readFully(bytes);
            int count = 0;
            for (int i = 0; i + from.length <= bytes.length; i++)
            {
                boolean match = true;
                for (int j = 0; j < from.length && match; j++)
                {
                    match = bytes[i + j] == from[j];
                }
                if (match)
                {
                    raf.seek(i);
                    raf.write(to);
                    count++;
                }
            }
            return count;
        }
    }
}
