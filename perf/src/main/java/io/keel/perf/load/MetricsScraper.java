package io.keel.perf.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes {@code /metrics} of the given local ports every second, as Prometheus would, on a thread
 * of its own: what metrics cost while a run measures latency.
 */
final class MetricsScraper implements AutoCloseable
{
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long scrapes;

    MetricsScraper(final int... ports)
    {
        final HttpClient http = HttpClient.newHttpClient();
        thread = new Thread(() ->
        {
            while (running)
            {
                for (final int port : ports)
                {
                    try
                    {
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(java.time.Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                        scrapes++;
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    catch (final Exception ignore)
                    {
                        // A failed scrape is Prometheus's problem, not the run's.
                    }
                }
                try
                {
                    TimeUnit.SECONDS.sleep(1);
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

    long scrapes()
    {
        return scrapes;
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
