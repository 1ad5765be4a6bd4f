package io.keel.node;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.BooleanSupplier;

/**
 * Moving the service's snapshot through Aeron: every message offered until taken (a skipped one would corrupt the
 * snapshot), and an image read until the loader says it is whole. Cold path: snapshots and start only.
 */
final class ServiceSnapshot
{
    private ServiceSnapshot()
    {
    }

    static void offer(
        final ExclusivePublication publication,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle)
    {
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                break;
            }
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED)
            {
                throw new IllegalStateException("snapshot publication lost: " + result);
            }
            idle.idle();
        }
        idle.reset();
    }

    /**
     * @param whole true once the handler has seen the snapshot's end marker.
     */
    static void read(final Image image, final FragmentHandler handler, final BooleanSupplier whole, final IdleStrategy idle)
    {
        final FragmentAssembler assembler = new FragmentAssembler(handler);
        while (!whole.getAsBoolean())
        {
            if (image.poll(assembler, 16) == 0)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IllegalStateException("snapshot ended before its end marker");
                }
                idle.idle();
            }
        }
        idle.reset();
    }
}
