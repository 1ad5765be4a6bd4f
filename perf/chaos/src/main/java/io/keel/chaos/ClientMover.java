package io.keel.chaos;

/**
 * What moves a client to another gateway in a chaos run (the {@code MOVE_CLIENT} fault), from the fault thread.
 */
interface ClientMover
{
    /**
     * Cut the client's connection so that it reconnects, through the load balancer, to another gateway.
     *
     * @param client 0-based client index.
     * @return what was done, for the fault log.
     */
    String move(int client);
}
