package io.keel.replay;

import java.io.File;

/**
 * Bad input to a replay tool: a missing or wrong directory, a truncated or corrupt segment, a log
 * from a newer schema. The message is one line naming the file and, where known, the log
 * position; the CLI prints it and exits 2 (an {@link IllegalArgumentException} for {@code Cli}).
 */
public final class ReplayException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    public ReplayException(final String message)
    {
        super(message);
    }

    /**
     * The gist of an Aeron exception for a one-line message: "ERROR - cluster connect timeout: state=..."
     * becomes "cluster connect timeout".
     */
    public static String gist(final Throwable ex)
    {
        String message = String.valueOf(ex.getMessage());
        if (message.startsWith("ERROR - "))
        {
            message = message.substring("ERROR - ".length());
        }
        final int colon = message.indexOf(':');
        return colon > 0 ? message.substring(0, colon) : message;
    }

    public static ReplayException at(final File file, final long position, final String what)
    {
        return new ReplayException(file + ": " + what + " at log position " + position);
    }
}
