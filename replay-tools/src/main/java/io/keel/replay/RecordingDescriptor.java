package io.keel.replay;

/**
 * One recording in an archive's catalog (the fields replay needs).
 *
 * @param stopPosition where the recording stopped, or -1 while it is (or was, on a crash) active.
 */
public record RecordingDescriptor(
    long recordingId,
    long startPosition,
    long stopPosition,
    long startTimestamp,
    long stopTimestamp,
    int initialTermId,
    int segmentFileLength,
    int termBufferLength,
    int streamId,
    String channel)
{
    public static final long NULL_POSITION = -1;

    public boolean isStopped()
    {
        return stopPosition != NULL_POSITION;
    }
}
