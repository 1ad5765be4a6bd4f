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

    /** Makes a fresh, unstarted scenario for a step of a run. */
    @FunctionalInterface
    interface Factory
    {
        Scenario create(LoadMain.Step step);
    }

    String name();

    int nodes();

    /**
     * Start whatever the scenario needs (drivers, clusters, gateways, connections), ready to send.
     */
    default void start() throws Exception
    {
        start(new ThreadCensus());
    }

    /**
     * Start as {@link #start()}, claiming the threads of each component in {@code census} as they appear
     * (each member as {@code node-<id>}, the gateway as {@link ThreadCensus#GATEWAY}), so that
     * {@code keel perf cost} can attribute CPU time and allocation.
     */
    void start(ThreadCensus census) throws Exception;

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
