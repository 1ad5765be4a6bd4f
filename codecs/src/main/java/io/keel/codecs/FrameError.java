package io.keel.codecs;

/**
 * Why a frame or message was refused. Each comes with a detail value, named below, so a log line can say exactly what
 * the peer sent. Any error other than {@link #NONE} means the stream can no longer be trusted: disconnect.
 */
public enum FrameError
{
    /**
     * Accepted.
     */
    NONE,

    /**
     * Too short to hold an SBE message header (and, on a stream, the SOFH). Detail: the declared length.
     */
    FRAME_TOO_SHORT,

    /**
     * SOFH length over the configured maximum. Detail: the declared length, up to 2^32 - 1.
     */
    FRAME_TOO_LONG,

    /**
     * SOFH encoding type is not {@link Sofh#SBE_LE_ENCODING_TYPE}. Detail: the encoding type.
     */
    WRONG_ENCODING_TYPE,

    /**
     * Not this schema. Detail: the schema id.
     */
    WRONG_SCHEMA_ID,

    /**
     * Newer than {@link MessageHeaderDecoder#SCHEMA_VERSION}; older versions are accepted. Detail: the version.
     */
    UNSUPPORTED_VERSION,

    /**
     * No message of the schema has this template id. Detail: the template id.
     */
    UNKNOWN_TEMPLATE_ID,

    /**
     * The root block, or a repeating group's entry, is shorter than the schema says it is at that version, so fields
     * would be read from the bytes that follow. Detail: the block length sent.
     */
    BLOCK_LENGTH_TOO_SHORT,

    /**
     * The root block, a group or var data runs past the end of the message. Detail: the length the message would need.
     */
    TRUNCATED,

    /**
     * A var-data length is over the schema's maxValue for it. Detail: the length sent.
     */
    VAR_DATA_TOO_LONG,

    /**
     * An Aeron message that came in more than one fragment: Keel messages each fit one UDP datagram, so the peer is
     * not a Keel client. Detail: the first fragment's length.
     */
    FRAGMENTED;

    /**
     * The error and its detail as one line for a reject or a log (cold path: once per bad connection). The encoding
     * type is shown in hex next to the one expected, since the usual cause is a peer using the other SBE byte order.
     *
     * @param detail the detail value that came with the error.
     * @return for example {@code WRONG_ENCODING_TYPE 0x5BE0 (expected 0xEB50, SBE 1.0 little-endian)}.
     */
    public String describe(final long detail)
    {
        if (this == WRONG_ENCODING_TYPE)
        {
            return String.format("%s 0x%04X (expected 0x%04X, SBE 1.0 little-endian)", name(), detail,
                Sofh.SBE_LE_ENCODING_TYPE);
        }
        return name() + " " + detail;
    }
}
