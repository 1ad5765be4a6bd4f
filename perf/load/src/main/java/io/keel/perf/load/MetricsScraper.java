package io.keel.perf.load;

import io.keel.common.MetricsServer;

import java.net.URL;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes {@code /metrics} of the given local ports at a fixed interval, as Prometheus would (HTTP/1.1
 * over a kept-alive connection, the whole body read), on one plain thread: what metrics cost while a
 * run measures latency. {@link MetricsServer#scrape} ({@code HttpURLConnection}) rather than
 * {@code java.net.http.HttpClient}, whose selector and executor threads would add their own wake-ups
 * to a small machine's tail.
 */
final class MetricsScraper implements AutoCloseable
{
    private final Thread thread;
    private volatile boolean running = true;

    MetricsScraper(final long intervalMs, final int... ports)
    {
        final byte[] discard = new byte[64 * 1024];
        thread = new Thread(() ->
        {
            while (running)
            {
                for (final int port : ports)
                {
                    try
                    {
                        MetricsServer.scrape(new URL("http://127.0.0.1:" + port + "/metrics"), discard, 2_000);
                    }
                    catch (final Exception ignore)
                    {
                        // A failed scrape is Prometheus's problem, not the run's.
                    }
                }
                try
                {
                    TimeUnit.MILLISECONDS.sleep(intervalMs);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "metrics-scraper");
        thread.setDaemon(true);
        thread.start();
    }

    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
