package io.keel.engine;

import org.agrona.DirectBuffer;

/**
 * A 64-bit hash over the canonical snapshot bytes. Not cryptographic: it detects divergence
 * between replicas that are honest but wrong.
 */
public final class StateHash implements SnapshotSink
{
    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long MULTIPLIER = 0xBF58476D1CE4E5B9L;

    private long hash = SEED;

    static long of(final Engine engine)
    {
        final StateHash stateHash = new StateHash();
        engine.writeSnapshot(stateHash);
        return stateHash.hash;
    }

    /**
     * @return the hash of the messages given so far.
     */
    public long value()
    {
        return hash;
    }

    public void onSnapshotMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        hash = fold(hash, buffer, offset, length);
    }

    /**
     * Fold one message's bytes into a running hash: the state hash and the cluster's output
     * hash chain use the same function.
     */
    public static long fold(final long hash, final DirectBuffer buffer, final int offset, final int length)
    {
        long h = mix(hash ^ length);
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            h = mix(h ^ buffer.getLong(offset + i, java.nio.ByteOrder.LITTLE_ENDIAN));
        }
        for (; i < length; i++)
        {
            h = mix(h ^ (buffer.getByte(offset + i) & 0xFF));
        }
        return h;
    }

    /**
     * One step of a 64-bit finaliser (splitmix64): every input bit affects every output bit.
     */
    static long mix(final long value)
    {
        long z = (value + SEED) * MULTIPLIER;
        z = (z ^ (z >>> 30)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
