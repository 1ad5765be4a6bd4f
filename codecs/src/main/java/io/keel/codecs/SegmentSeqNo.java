package io.keel.codecs;

/**
 * A session's report numbers when the venue has several market segments: each segment's engine numbers the session's
 * reports 1, 2, 3, … on its own, and the gateway puts the segment's id in the top {@link #SEGMENT_BITS} bits of every
 * seqNo it sends the client (and takes it out of every seqNo the client sends back: a Logon's nextExpectedSeqNo, a
 * ResendRequest's range). So a client sees one gap-free stream per segment and knows from each seqNo which stream it
 * belongs to. Segment 0's seqNos are the engine's own: with one segment, nothing changes on the wire.
 */
public final class SegmentSeqNo
{
    /** Bits of a seqNo that number the segment's own reports: 2^48, far beyond any session's life. */
    public static final int SEQUENCE_BITS = 48;
    public static final int SEGMENT_BITS = 64 - SEQUENCE_BITS - 1;
    /** Segment ids 0 ..= MAX_SEGMENT (the sign bit is kept clear: a composed seqNo stays a positive long). */
    public static final int MAX_SEGMENT = (1 << SEGMENT_BITS) - 1;
    public static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;

    private SegmentSeqNo()
    {
    }

    /**
     * @return the seqNo a client sees for the segment's own {@code sequence} (0 stays 0: "none").
     */
    public static long compose(final int segment, final long sequence)
    {
        return sequence == 0 ? 0 : ((long)segment << SEQUENCE_BITS) | (sequence & SEQUENCE_MASK);
    }

    /**
     * @return the segment a client-side seqNo belongs to.
     */
    public static int segment(final long seqNo)
    {
        return (int)(seqNo >>> SEQUENCE_BITS);
    }

    /**
     * @return the segment engine's own number within a client-side seqNo.
     */
    public static long sequence(final long seqNo)
    {
        return seqNo & SEQUENCE_MASK;
    }
}
