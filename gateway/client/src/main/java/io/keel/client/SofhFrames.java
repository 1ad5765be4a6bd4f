package io.keel.client;

import io.keel.codecs.Sofh;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Appending one SBE message, SOFH-framed, to a transport's outbound buffer: what TCP and TLS write the same way.
 */
final class SofhFrames
{
    private SofhFrames()
    {
    }

    /**
     * @param out   the outbound buffer, in write mode (position = bytes queued).
     * @param view  an {@link UnsafeBuffer} over {@code out}.
     * @return false, with nothing written, when the frame does not fit.
     */
    static boolean append(
        final ByteBuffer out, final UnsafeBuffer view, final DirectBuffer buffer, final int offset, final int length)
    {
        final int frameLength = Sofh.HEADER_LENGTH + length;
        if (out.remaining() < frameLength)
        {
            return false;
        }
        final int position = out.position();
        Sofh.writeHeader(view, position, length);
        view.putBytes(position + Sofh.HEADER_LENGTH, buffer, offset, length);
        out.position(position + frameLength);
        return true;
    }
}
