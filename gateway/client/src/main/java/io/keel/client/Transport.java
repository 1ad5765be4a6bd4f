package io.keel.client;

/**
 * How a {@link KeelClient} reaches its gateway. The session behaves the same over either.
 */
public enum Transport
{
    /** SOFH-framed SBE over a TCP connection to the gateway's {@code --port}. */
    TCP,
    /**
     * SBE over Aeron UDP: the client publishes to the gateway's {@code --udp-port} and subscribes on an endpoint of its
     * own, which its Logon names.
     */
    UDP
}
