package io.keel.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.RegistrationException;
import io.keel.common.IdleProfile;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate itself can fail: it finds a real driver's error entry, and parses the files Aeron
 * saves old errors to.
 */
class ErrorLogGateTest
{
    private final File dir = new File("target/cluster-tests/error-log-gate-" + System.nanoTime()).getAbsoluteFile();

    @AfterEach
    void deleteDir()
    {
        IoUtil.delete(dir, true);
    }

    @Test
    @Timeout(30)
    void shouldFailOnUnexpectedDriverErrorAndPassWhenAllowed()
    {
        final File aeronDir = new File(dir, "aeron");
        final ErrorLogGate gate = new ErrorLogGate();
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.getAbsolutePath())
            .threadingMode(IdleProfile.BACKOFF.threadingMode())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            assertThrows(RegistrationException.class, () -> aeron.addPublication("aeron:udp?endpoint=no-such-host-x:1", 1));
            gate.captureClient("probe", aeronDir);
        }

        assertEquals(1, gate.entries().size(), gate.summary());
        final String unexpected = gate.unexpected();
        assertNotNull(unexpected, "an unexpected entry fails the gate");
        assertTrue(unexpected.contains("probe/driver"), unexpected);
        gate.allow("the probe's bad channel", (e) -> e.text().contains("no-such-host-x"));
        assertNull(gate.unexpected(), gate.summary());
    }

    @Test
    @Timeout(30)
    void shouldReadErrorsAeronSavedOnRestart() throws Exception
    {
        final File clusterDir = new File(dir, "node/cluster");
        IoUtil.ensureDirectoryExists(clusterDir, "cluster dir");
        Files.writeString(new File(clusterDir, "CONSENSUS_MODULE-2025-01-01-00-00-00-000+0000-error.log").toPath(),
            "\n2 observations from 2025-01-01 00:00:00.000+0000 to 2025-01-01 00:00:01.000+0000 for:\n" +
            "io.aeron.cluster.client.ClusterEvent: WARN - first\n\tat a.b.C.d(C.java:1)\n" +
            "\n1 observations from 2025-01-01 00:00:00.000+0000 to 2025-01-01 00:00:00.000+0000 for:\n" +
            "java.lang.IllegalStateException: second\n\tat a.b.C.e(C.java:2)\n" +
            "\n2 distinct errors observed.\n");
        final ErrorLogGate gate = new ErrorLogGate();
        gate.captureNode("node-0", new File(dir, "node"), new File(dir, "node/aeron"));

        assertEquals(2, gate.entries().size(), gate.summary());
        assertEquals("io.aeron.cluster.client.ClusterEvent: WARN - first", gate.entries().get(0).firstLine());
        assertEquals(2, gate.entries().get(0).observations());
        assertEquals("java.lang.IllegalStateException: second\n\tat a.b.C.e(C.java:2)", gate.entries().get(1).text());
        assertNotNull(gate.unexpected());
    }
}
