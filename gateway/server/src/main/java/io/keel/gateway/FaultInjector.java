package io.keel.gateway;

/**
 * Test hook of {@link GatewayContext#faultInjector}: a fault planted where a client's message enters the session
 * layer, on the duty cycle.
 */
@FunctionalInterface
interface FaultInjector
{
    void onMessage(ClientConnection connection, int templateId);
}
