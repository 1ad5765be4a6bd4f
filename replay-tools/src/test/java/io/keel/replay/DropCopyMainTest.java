package io.keel.replay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keel drop-copy} against a running one-node cluster after a scripted flow: JSON Lines of every report from the
 * start, per session seqNos 1..N in log order; a resume at a printed place; an account filter with --from-seq; misuse
 * in one line with exit 2; a wrong secret refused with exit 1.
 */
@Timeout(120)
class DropCopyMainTest
{
    private static final Pattern JSON = Pattern.compile(
        "\\{\"position\":(\\d+),\"index\":(\\d+),\"timestamp\":\\d+,\"time\":\"[^\"]+\",\"session\":(\\d+),\"seqNo\":(\\d+)," +
        "\"type\":\"(\\w+)\",\"fields\":\\{.*\"accountId\":(\\d+).*}}");
    private static ScriptedCluster cluster;

    @BeforeAll
    static void runFlow()
    {
        cluster = new ScriptedCluster("drop-copy");
        cluster.runFlowWithSnapshotInTheMiddle();
    }

    @AfterAll
    static void close()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void printsEveryReportOnceInLogOrderAndResumesAtAPrintedPlace() throws IOException
    {
        final File out = new File(cluster.dir, "drop-copy.jsonl");
        final ReplayCli.Result all = ReplayCli.dropCopy(
            "--base-port", port(), "--from", "start", "--format", "json", "--out", out.getPath(), "--seconds", "3");
        assertEquals(0, all.exit(), all.toString());
        final List<String> lines = Files.readAllLines(out.toPath());
        assertTrue(lines.size() > 10, "reports: " + lines.size());
        assertTrue(all.err().contains("drop-copy: " + lines.size() + " reports printed, next "), all.toString());
        final Map<Long, Long> lastSeqNo = new HashMap<>();
        long lastPosition = -1;
        int lastIndex = -1;
        for (final String line : lines)
        {
            final Matcher m = JSON.matcher(line);
            assertTrue(m.matches(), line);
            final long position = Long.parseLong(m.group(1));
            final int index = Integer.parseInt(m.group(2));
            assertTrue(position > lastPosition || position == lastPosition && index == lastIndex + 1, line);
            lastPosition = position;
            lastIndex = index;
            final long session = Long.parseLong(m.group(3));
            final long seqNo = Long.parseLong(m.group(4));
            assertEquals(lastSeqNo.getOrDefault(session, 0L) + 1, seqNo, line);
            lastSeqNo.put(session, seqNo);
        }
        assertEquals(2, lastSeqNo.size(), "the flow's two sessions");

        final Matcher fifth = JSON.matcher(lines.get(5));
        assertTrue(fifth.matches());
        final ReplayCli.Result resumed = ReplayCli.dropCopy("--base-port", port(), "--from",
            fifth.group(1) + ":" + fifth.group(2), "--format", "json", "--count", "3");
        assertEquals(0, resumed.exit(), resumed.toString());
        assertEquals(lines.subList(5, 8), resumed.lines());
        final Matcher eighth = JSON.matcher(lines.get(7));
        assertTrue(eighth.matches());
        assertTrue(resumed.err().contains("drop-copy: 3 reports printed, next " + eighth.group(1) + ":" +
            (Integer.parseInt(eighth.group(2)) + 1) + ", "), "resume after the last printed: " + resumed);

        final ReplayCli.Result account = ReplayCli.dropCopy(
            "--base-port", port(), "--account", "2", "--from-seq", "3", "--count", "2");
        assertEquals(0, account.exit(), account.toString());
        assertEquals(2, account.lines().size(), account.toString());
        final String firstOfAccount = lines.stream().filter((l) -> l.matches(".*\"accountId\":2[,}].*") &&
            Long.parseLong(l.replaceAll(".*\"seqNo\":(\\d+),\"type\".*", "$1")) >= 3).findFirst().orElseThrow();
        final Matcher expected = JSON.matcher(firstOfAccount);
        assertTrue(expected.matches());
        assertTrue(account.lines().get(0).startsWith("position=" + expected.group(1) + ":" + expected.group(2) +
            " time="), account.toString());
        assertTrue(account.lines().get(0).contains(" accountId=2 "), account.toString());
    }

    @Test
    void misuseGivesOneLineAndExit2AndAWrongSecretExit1() throws IOException
    {
        for (final String[] args : new String[][]{
            {"--from-seq", "3"},
            {"--all", "--account", "1"},
            {"--from", "yesterday"},
            {"--role", "gateway"},
            {"--from-time", "noon"},
            {"--count", "0"}})
        {
            final ReplayCli.Result result = ReplayCli.dropCopy(args);
            assertEquals(2, result.exit(), String.join(" ", args) + ": " + result);
            assertEquals(1, result.err().trim().split("\n").length, result.toString());
            assertTrue(result.err().startsWith("keel drop-copy: "), result.toString());
        }
        final ReplayCli.Result help = ReplayCli.dropCopy("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().startsWith("Usage: keel drop-copy"), help.toString());

        final File secret = new File(cluster.dir, "wrong.secret");
        Files.writeString(secret.toPath(), "not-the-development-secret\n");
        final ReplayCli.Result refused = ReplayCli.dropCopy(
            "--base-port", port(), "--secret-file", secret.getPath(), "--seconds", "2");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().startsWith("keel drop-copy: the cluster refused the credentials of dropcopy:dropcopy"),
            refused.toString());
        assertEquals(1, refused.err().trim().split("\n").length, refused.toString());
    }

    private static String port()
    {
        return Integer.toString(cluster.basePort);
    }
}
