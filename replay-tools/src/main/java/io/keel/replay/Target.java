package io.keel.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Where a rebuild stops: a log position, a cluster time, or the end of the log. Parsed from
 * {@code --at}: a plain number is a log position, {@code <n>ms} is a cluster time in ms since
 * the epoch, an ISO-8601 instant ({@code 2025-01-31T12:00:00.250Z}) is a cluster time too.
 */
record Target(Kind kind, long value)
{
    enum Kind
    {
        POSITION,
        TIME,
        END
    }

    static final Target END = new Target(Kind.END, Long.MAX_VALUE);

    static Target parse(final String text)
    {
        final String s = text.trim();
        if (s.equalsIgnoreCase("end"))
        {
            return END;
        }
        if (s.matches("\\d+"))
        {
            return new Target(Kind.POSITION, Long.parseLong(s));
        }
        return new Target(Kind.TIME, parseTime(s, "--at"));
    }

    /**
     * A cluster time: ms since the epoch, or an ISO-8601 instant.
     */
    static long parseTime(final String text, final String option)
    {
        final String s = text.trim();
        if (s.matches("\\d+(ms)?"))
        {
            return Long.parseLong(s.endsWith("ms") ? s.substring(0, s.length() - 2) : s);
        }
        try
        {
            return Instant.parse(s).toEpochMilli();
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException(option + " must be a log position, <ms>ms, or an ISO-8601 instant such as " +
                "2025-01-31T12:00:00Z: " + text);
        }
    }

    /**
     * @return true when an entry at this position and time lies beyond the target.
     */
    boolean isBefore(final long position, final long timestamp)
    {
        return switch (kind)
        {
            case POSITION -> position > value;
            case TIME -> timestamp > value;
            case END -> false;
        };
    }

    @Override
    public String toString()
    {
        return switch (kind)
        {
            case POSITION -> "position " + value;
            case TIME -> "time " + DumpEntry.formatTime(value);
            case END -> "end of log";
        };
    }
}
