package io.keel.codecs;

/**
 * Told once when a {@link FrameDecoder} meets a frame it cannot accept; the decoder then stops and the connection
 * should be closed.
 */
@FunctionalInterface
public interface FrameErrorHandler
{
    /**
     * @param error  what was wrong, never {@link FrameError#NONE}.
     * @param detail the offending value, as documented on each {@link FrameError}.
     */
    void onFrameError(FrameError error, long detail);
}
