package io.keel.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Copies an engine's snapshot messages out and feeds them to a {@link SnapshotLoader}.
 */
final class Snapshots
{
    private Snapshots()
    {
    }

    static List<byte[]> of(final Engine engine)
    {
        final List<byte[]> messages = new ArrayList<>();
        engine.writeSnapshot((buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            messages.add(bytes);
        });
        return messages;
    }

    /**
     * @return true when the loader saw the end marker.
     */
    static boolean load(final List<byte[]> messages, final Engine engine)
    {
        final SnapshotLoader loader = new SnapshotLoader(engine);
        boolean end = false;
        for (final byte[] message : messages)
        {
            end = loader.onMessage(new UnsafeBuffer(message), 0, message.length);
        }
        if (end != loader.isComplete())
        {
            throw new AssertionError("loader says complete=" + loader.isComplete() + " after end marker=" + end);
        }
        return end;
    }
}
