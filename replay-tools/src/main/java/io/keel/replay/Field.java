package io.keel.replay;

/**
 * A named value in a dumped entry: a Long, a String, a list of set choices, or a list of group
 * entries (each a list of fields).
 */
record Field(String name, Object value)
{
}
