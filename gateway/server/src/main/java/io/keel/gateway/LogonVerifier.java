package io.keel.gateway;

import org.agrona.CloseHelper;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Checks logon passwords on a thread of its own: a PBKDF2 hash costs tens of milliseconds by
 * design, which the duty cycle must never wait for. At most {@code maxPending} checks are queued;
 * beyond that a logon is refused as UNAVAILABLE, so a logon flood cannot pile up work.
 */
final class LogonVerifier implements AutoCloseable
{
    /**
     * One logon being checked; {@link #accountId} is filled in by the verifier.
     */
    static final class Request
    {
        final ClientConnection connection;
        final String username;
        final byte[] password;
        final boolean cancelOnDisconnect;
        final long heartbeatIntervalMs;
        final long nextExpectedSeqNo;
        volatile long accountId = CredentialsStore.NO_ACCOUNT;

        Request(
            final ClientConnection connection,
            final String username,
            final byte[] password,
            final boolean cancelOnDisconnect,
            final long heartbeatIntervalMs,
            final long nextExpectedSeqNo)
        {
            this.connection = connection;
            this.username = username;
            this.password = password;
            this.cancelOnDisconnect = cancelOnDisconnect;
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            this.nextExpectedSeqNo = nextExpectedSeqNo;
        }
    }

    private final CredentialsStore users;
    private final ExecutorService executor;
    private final OneToOneConcurrentArrayQueue<Request> done;
    private final int maxPending;
    private int pending;

    LogonVerifier(final CredentialsStore users, final int maxPending)
    {
        this.users = users;
        this.maxPending = maxPending;
        done = new OneToOneConcurrentArrayQueue<>(maxPending);
        executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "keel-gateway-logon");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @return false when too many logons are already being checked.
     */
    boolean submit(final Request request)
    {
        if (pending >= maxPending)
        {
            return false;
        }
        try
        {
            executor.execute(() ->
            {
                request.accountId = users.verify(request.username, request.password);
                java.util.Arrays.fill(request.password, (byte)0);
                done.offer(request);
            });
            pending++;
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            return false;
        }
    }

    /**
     * Hand each checked logon to the consumer, on the caller's (duty cycle's) thread.
     */
    int drain(final Consumer<Request> consumer)
    {
        final int count = done.drain(consumer);
        pending -= count;
        return count;
    }

    public void close()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietClose(() -> done.clear());
    }
}
