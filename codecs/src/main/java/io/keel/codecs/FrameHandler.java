package io.keel.codecs;

import org.agrona.DirectBuffer;

/**
 * Receives each complete, validated SBE message from a {@link FrameDecoder}.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * A validated SBE message, header included. The buffer is a view limited to exactly this message and is only
     * valid during the call: copy what must be kept.
     *
     * @param buffer     holding the message and nothing else.
     * @param offset     of the SBE message header.
     * @param length     of the SBE message header plus body.
     * @param templateId of the message, already checked to be one of the schema's.
     * @return true if consumed; false to stop (back-pressure): the same message is offered again on the next
     * {@link FrameDecoder#onData(DirectBuffer, int, int)} call.
     */
    boolean onFrame(DirectBuffer buffer, int offset, int length, int templateId);
}
