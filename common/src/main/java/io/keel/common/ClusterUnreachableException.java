package io.keel.common;

/**
 * The cluster could not be reached: a one-line message for the operator, exit code 1 ({@link Cli}).
 */
public final class ClusterUnreachableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ClusterUnreachableException(final String message)
    {
        super(message, null, false, false);
    }
}
