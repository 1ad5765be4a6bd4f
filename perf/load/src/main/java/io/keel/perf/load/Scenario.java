package io.keel.perf.load;

/**
 * One thing to measure: a request/response path. The load generator sends requests numbered from
 * 0 and the scenario reports each response's number; the generator owns the clock.
 */
interface Scenario extends AutoCloseable
{
    /**
     * Receives the number of each request that was answered.
     */
    @FunctionalInterface
    interface ResponseHandler
    {
        void onResponse(long id);
    }

    String name();

    int nodes();

    /**
     * Start whatever the scenario needs (drivers, clusters, gateways, connections), ready to send.
     */
    void start() throws Exception;

    /**
     * @return false when the request could not be sent now (back-pressure); the generator retries.
     */
    boolean send(long id);

    /**
     * @return work done.
     */
    int poll(ResponseHandler handler);

    void close();
}
