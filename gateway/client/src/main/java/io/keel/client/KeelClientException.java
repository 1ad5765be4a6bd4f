package io.keel.client;

import io.keel.codecs.LogonResult;

/**
 * A connect or logon that failed, with the gateway's answer when there was one.
 */
public final class KeelClientException extends RuntimeException
{
    private final LogonResult result;

    public KeelClientException(final String message, final LogonResult result)
    {
        super(message);
        this.result = result;
    }

    /**
     * @return the gateway's logon result, or null when it never answered.
     */
    public LogonResult result()
    {
        return result;
    }
}
