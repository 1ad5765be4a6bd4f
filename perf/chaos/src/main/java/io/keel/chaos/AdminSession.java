package io.keel.chaos;

import io.keel.codecs.AdminResponseDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.common.IdleProfile;
import io.keel.common.Principal;
import io.keel.node.ClusterCommandSession;
import io.keel.node.StateHashFile;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The chaos run's admin session to the cluster (set-up, state hashes, finding the leader). Used by
 * one thread at a time.
 */
final class AdminSession implements AutoCloseable
{
    record Answer(RejectReason result, long value, long logPosition)
    {
    }

    private final ClusterCommandSession client;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseDecoder response = new AdminResponseDecoder();
    private final io.keel.codecs.TransferStatusDecoder transferStatus = new io.keel.codecs.TransferStatusDecoder();
    private final Map<Long, Answer> answers = new HashMap<>();
    private long nextCorrelationId = 1;

    AdminSession(final String ingressEndpoints, final File aeronDir)
    {
        this(ingressEndpoints, aeronDir, "localhost");
    }

    /**
     * @param egressHost the address the nodes reach this JVM at (the clients' namespace with --net).
     */
    AdminSession(final String ingressEndpoints, final File aeronDir, final String egressHost)
    {
        client = new ClusterCommandSession(
            ingressEndpoints, Principal.adminCredentials("chaos", Principal.DEV_SECRET), aeronDir,
            IdleProfile.BACKOFF, this::onMessage).egressHost(egressHost);
    }

    /**
     * Connect, retrying while the cluster elects its first leader.
     */
    AdminSession connect(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                client.connect();
                return this;
            }
            catch (final RuntimeException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                ChaosTrader.sleep(200);
            }
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        if (header.templateId() == AdminResponseDecoder.TEMPLATE_ID)
        {
            response.wrapAndApplyHeader(buffer, offset, header);
            answers.put(response.correlationId(), new Answer(response.result(), response.value(), response.logPosition()));
        }
        else if (header.templateId() == io.keel.codecs.TransferStatusDecoder.TEMPLATE_ID)
        {
            // A transfer step's answer: the outcome, and (as the value) the state the segment holds under the id.
            transferStatus.wrapAndApplyHeader(buffer, offset, header);
            answers.put(transferStatus.correlationId(),
                new Answer(transferStatus.result(), transferStatus.stateRaw(), 0));
        }
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /**
     * Keep the session alive; never throws while the cluster has no leader.
     */
    void poll()
    {
        try
        {
            client.poll();
        }
        catch (final RuntimeException ex)
        {
            // No leader right now: the next poll reconnects.
        }
    }

    /**
     * Send a command (retrying through failovers) and wait for its answer.
     */
    Answer request(final Predicate<ClusterCommandSession> sender, final long correlationId, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0)
        {
            boolean sent;
            try
            {
                sent = sender.test(client);
            }
            catch (final RuntimeException ex)
            {
                sent = false;
            }
            final long retryAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(sent ? 3 : 1);
            while (System.nanoTime() - retryAt < 0 && System.nanoTime() - deadline < 0)
            {
                final Answer answer = answers.remove(correlationId);
                if (answer != null)
                {
                    return answer;
                }
                poll();
                ChaosTrader.sleep(2);
            }
        }
        return null;
    }

    /**
     * Every node records its state hash at one log position; the answer carries the leader's.
     */
    Answer stateHash(final long timeoutMs)
    {
        final long correlationId = nextCorrelationId();
        return request((c) -> c.requestStateHash(correlationId), correlationId, timeoutMs);
    }

    ClusterCommandSession client()
    {
        return client;
    }

    /**
     * Wait until every node dir holds a hash at the position.
     *
     * @return the hashes by member (null where none appeared in time).
     */
    static Long[] awaitHashes(final File[] nodeDirs, final long position, final long timeoutMs, final Runnable poller)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final Long[] hashes = new Long[nodeDirs.length];
        while (true)
        {
            boolean all = true;
            for (int i = 0; i < nodeDirs.length; i++)
            {
                hashes[i] = StateHashFile.hashAt(nodeDirs[i], position);
                all &= hashes[i] != null;
            }
            if (all || System.nanoTime() - deadline > 0)
            {
                return hashes;
            }
            poller.run();
            ChaosTrader.sleep(20);
        }
    }

    public void close()
    {
        client.close();
    }
}
