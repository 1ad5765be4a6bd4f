package io.keel.node;

import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.BusinessRejectDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.RejectReason;
import io.keel.codecs.TransferListDecoder;
import io.keel.codecs.TransferStatusDecoder;
import io.keel.common.ClusterUnreachableException;
import io.keel.common.IdleProfile;
import io.keel.common.SegmentMap;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link SegmentTransfers}' transport: an admin session to each segment's cluster (made on first use, reconnected when
 * lost), and one request at a time sent again until its answer, matched by correlation id, arrives. Not thread-safe.
 */
final class SegmentSessions implements AutoCloseable
{
    private final SegmentMap segmentMap;
    private final byte[] credentials;
    private final File aeronDirBase;
    private final IdleProfile idleProfile;
    private final String egressHost;
    private final long requestTimeoutNs;
    private final long retryIntervalNs;
    private final ClusterCommandSession[] sessions;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final TransferStatusDecoder status = new TransferStatusDecoder();
    private final TransferListDecoder list = new TransferListDecoder();
    private final AccountStatusDecoder accountStatus = new AccountStatusDecoder();
    private final BusinessRejectDecoder businessReject = new BusinessRejectDecoder();
    private long nextCorrelationId = System.nanoTime(); // determinism-ok: client side, unique per run
    private long awaited;
    private Object answer;
    final List<SegmentTransfers.PendingTransfer> listPage = new ArrayList<>();
    final Map<Integer, Long> accountTotals = new HashMap<>();
    private RejectReason accountResult;

    SegmentSessions(
        final SegmentMap segmentMap,
        final byte[] credentials,
        final File aeronDirBase,
        final IdleProfile idleProfile,
        final String egressHost,
        final long requestTimeoutNs,
        final long retryIntervalNs)
    {
        this.segmentMap = segmentMap;
        this.credentials = credentials;
        this.aeronDirBase = aeronDirBase;
        this.idleProfile = idleProfile;
        this.egressHost = egressHost;
        this.requestTimeoutNs = requestTimeoutNs;
        this.retryIntervalNs = retryIntervalNs;
        sessions = new ClusterCommandSession[segmentMap.segmentCount()];
    }

    @FunctionalInterface
    interface Sender
    {
        boolean send(ClusterCommandSession client, long correlationId);
    }

    /**
     * Send a request to a segment, again every retry interval until answered.
     *
     * @return the answer: a StepResult, the next list cursor (Long), or an account query's result (RejectReason).
     * @throws ClusterUnreachableException when no answer comes within the request timeout, or the segment refuses
     *                                     the session's requests (not an admin).
     */
    Object request(final int segment, final Sender sender)
    {
        final long correlationId = nextCorrelationId++;
        awaited = correlationId;
        answer = null;
        final long deadline = System.nanoTime() + requestTimeoutNs; // determinism-ok: client side
        try
        {
            while (System.nanoTime() - deadline < 0) // determinism-ok: client side
            {
                final ClusterCommandSession client = session(segment);
                if (client != null && sender.send(client, correlationId))
                {
                    final long retryAt = System.nanoTime() + retryIntervalNs; // determinism-ok: client side
                    while (answer == null && System.nanoTime() - retryAt < 0) // determinism-ok: client side
                    {
                        if (pollQuietly(client) == 0)
                        {
                            sleep(1);
                        }
                    }
                    if (answer instanceof RejectReason && !(answer == RejectReason.NONE ||
                        answer == RejectReason.UNKNOWN_ACCOUNT))
                    {
                        throw new ClusterUnreachableException("segment " + segment + " refused the request: " + answer +
                            " (is this tool's principal an admin?)");
                    }
                    if (answer != null)
                    {
                        return answer;
                    }
                }
                else
                {
                    sleep(100);
                }
            }
        }
        finally
        {
            awaited = 0;
        }
        throw new ClusterUnreachableException("segment " + segment + " (ingress " +
            segmentMap.segment(segment).ingressEndpoints() + ") did not answer within " +
            TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNs) + " s");
    }

    private static int pollQuietly(final ClusterCommandSession client)
    {
        try
        {
            return client.poll();
        }
        catch (final RuntimeException ex)
        {
            return 0; // no leader yet (an election): the request is sent again
        }
    }

    /**
     * The segment's session, connected now or null (the caller tries again until its deadline).
     */
    private ClusterCommandSession session(final int segment)
    {
        ClusterCommandSession client = sessions[segment];
        try
        {
            if (client == null)
            {
                final File aeronDir = new File(aeronDirBase, "segment-" + segment);
                client = new ClusterCommandSession(segmentMap.segment(segment).ingressEndpoints(), credentials,
                    aeronDir, idleProfile, (buffer, offset, length) -> onMessage(buffer, offset));
                sessions[segment] = client;
            }
            if (!client.isConnected())
            {
                client.egressHost(egressHost).connect();
            }
            return client;
        }
        catch (final io.aeron.security.AuthenticationException ex)
        {
            throw new ClusterUnreachableException("segment " + segment + " refused the credentials: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private void onMessage(final DirectBuffer buffer, final int offset)
    {
        header.wrap(buffer, offset);
        switch (header.templateId())
        {
            case TransferStatusDecoder.TEMPLATE_ID:
                status.wrapAndApplyHeader(buffer, offset, header);
                if (status.correlationId() == awaited)
                {
                    answer = new SegmentTransfers.StepResult(status.result(), status.state(), status.accountId(), status.assetId(),
                        status.amount(), status.fromSegment(), status.toSegment(), status.pendingCount());
                }
                break;
            case TransferListDecoder.TEMPLATE_ID:
                list.wrapAndApplyHeader(buffer, offset, header);
                if (list.correlationId() == awaited)
                {
                    listPage.clear();
                    for (final TransferListDecoder.TransfersDecoder t : list.transfers())
                    {
                        listPage.add(new SegmentTransfers.PendingTransfer(t.transferId(), t.accountId(), t.assetId(), t.amount(),
                            t.fromSegment(), t.toSegment()));
                    }
                    answer = list.nextTransferId();
                }
                break;
            case AccountStatusDecoder.TEMPLATE_ID:
                accountStatus.wrapAndApplyHeader(buffer, offset, header);
                if (accountStatus.requestId() == awaited)
                {
                    if (accountStatus.pageNo() <= 1)
                    {
                        accountTotals.clear();
                    }
                    accountResult = accountStatus.result();
                    for (final AccountStatusDecoder.BalancesDecoder b : accountStatus.balances())
                    {
                        accountTotals.merge(b.assetId(), b.available() + b.reserved(), Long::sum);
                    }
                    for (final AccountStatusDecoder.OrdersDecoder ignored : accountStatus.orders())
                    {
                        // Skipped: only the balances are wanted.
                    }
                    if (accountStatus.pageNo() >= accountStatus.pageCount())
                    {
                        answer = accountResult;
                    }
                }
                break;
            case BusinessRejectDecoder.TEMPLATE_ID:
                businessReject.wrapAndApplyHeader(buffer, offset, header);
                if (awaited != 0)
                {
                    // Not an admin (or not allowed): the session's refusal, with no correlation id to match.
                    answer = businessReject.reason();
                }
                break;
            default:
                break;
        }
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public void close()
    {
        CloseHelper.closeAll(sessions);
    }
}
