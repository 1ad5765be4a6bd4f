package io.keel.node;

import io.aeron.cluster.RecordingLog;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Aeron's recording log of a cluster directory, read from a copy: {@link RecordingLog} opens its file read-write, and
 * the file is the consensus module's (a running node's, or one an operator's tool must leave untouched).
 */
public final class RecordingLogCopy
{
    private RecordingLogCopy()
    {
    }

    /**
     * @return the entries of {@code clusterDir}'s recording log.
     * @throws UncheckedIOException when it cannot be copied; Aeron's exceptions when it cannot be read.
     */
    public static List<RecordingLog.Entry> entries(final File clusterDir)
    {
        File copyDir = null;
        try
        {
            copyDir = Files.createTempDirectory("keel-recording-log-").toFile();
            Files.copy(
                new File(clusterDir, RecordingLog.RECORDING_LOG_FILE_NAME).toPath(),
                new File(copyDir, RecordingLog.RECORDING_LOG_FILE_NAME).toPath(),
                StandardCopyOption.REPLACE_EXISTING);
            try (RecordingLog recordingLog = new RecordingLog(copyDir, false))
            {
                return new ArrayList<>(recordingLog.entries());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            if (copyDir != null)
            {
                IoUtil.delete(copyDir, true);
            }
        }
    }
}
