package io.keel.chaos;

import io.keel.common.Cli;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code keel chaos --net}, short, as part of the suite: nodes, gateways and the clients on simulated hosts (network
 * namespaces), partitions among the faults, the same history check; nothing left behind. Skipped (with the reason)
 * when not root or without {@code ip}/{@code nft}.
 */
class ChaosNetTest
{
    private static final Pattern LAST_LINE = Pattern.compile(
        "chaos: acked=(\\d+) lost=(\\d+) duplicates=(\\d+) reports=(\\d+) reports-lost=(\\d+) hashes-equal=(\\w+) " +
        "faults=(\\d+) partitions=(\\d+)");

    private File dir;

    @BeforeAll
    static void requireRootAndTools()
    {
        final String missing = NetCommand.missingPrerequisites();
        assumeTrue(missing == null, () -> "ChaosNetTest skipped: network namespaces need " + missing);
    }

    @AfterEach
    void cleanUp()
    {
        if (dir != null && dir.exists() && !new File(dir, "history.log").exists())
        {
            IoUtil.delete(dir, true);
        }
    }

    @Test
    @Timeout(240)
    void shouldLoseNothingUnderPartitionsOnSimulatedHosts()
    {
        dir = new File("target/chaos-net-test-" + System.nanoTime()).getAbsoluteFile();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        final int exit;
        System.setOut(new PrintStream(new Tee(original, output), true, StandardCharsets.UTF_8));
        try
        {
            exit = Cli.run(new ChaosMain(), "keel chaos", "--net", "--seconds", "30", "--rate", "100", "--clients", "4",
                "--seed", "7", "--fault-interval-s", "4", "--dir", dir.getPath(), "--verbose");
        }
        finally
        {
            System.setOut(original);
        }
        final String text = output.toString(StandardCharsets.UTF_8);
        final Matcher last = LAST_LINE.matcher(text);
        assertTrue(last.find(), "the last line with partitions=N");
        assertEquals("0", last.group(2), "lost");
        assertEquals("0", last.group(3), "duplicates");
        assertEquals("0", last.group(5), "reports lost");
        assertEquals("true", last.group(6), "hashes equal");
        assertTrue(Integer.parseInt(last.group(8)) >= 4, "at least 4 partitions: " + last.group(8));
        assertEquals(0, exit, "exit code");
        final String ours = NetTopology.PREFIX + ProcessHandle.current().pid() + "-";
        assertFalse(NetNamespaces.list().stream().anyMatch((n) -> n.startsWith(ours)), "namespaces left");
        IoUtil.delete(dir, true);
    }

    /**
     * Both streams: what the run prints is seen live and kept for the assertions.
     */
    private static final class Tee extends OutputStream
    {
        private final OutputStream a;
        private final OutputStream b;

        Tee(final OutputStream a, final OutputStream b)
        {
            this.a = a;
            this.b = b;
        }

        public void write(final int value) throws java.io.IOException
        {
            a.write(value);
            b.write(value);
        }

        public void write(final byte[] bytes, final int offset, final int length) throws java.io.IOException
        {
            a.write(bytes, offset, length);
            b.write(bytes, offset, length);
        }

        public void flush() throws java.io.IOException
        {
            a.flush();
            b.flush();
        }
    }
}
