package io.keel.replay;

/**
 * How entries and state are printed: one text line each, or JSON Lines.
 */
enum OutputFormat
{
    text,
    json
}
