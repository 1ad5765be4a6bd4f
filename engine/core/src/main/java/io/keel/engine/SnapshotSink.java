package io.keel.engine;

import org.agrona.DirectBuffer;

/**
 * Receives the engine's snapshot, one SBE message (header included) at a time.
 */
@FunctionalInterface
public interface SnapshotSink
{
    void onSnapshotMessage(DirectBuffer buffer, int offset, int length);
}
