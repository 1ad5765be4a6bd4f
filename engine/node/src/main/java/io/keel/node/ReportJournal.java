package io.keel.node;

import org.agrona.DirectBuffer;

/**
 * What the cluster adapter needs of the node's output journal ({@link OutputJournal}): every report to a client
 * session, kept by session and seqNo, so the leader can send what a gateway or a client missed. Derived output, never
 * state: what it holds changes no engine outcome. Written and read on the service thread only.
 */
interface ReportJournal extends AutoCloseable
{
    interface ReportHandler
    {
        void onReport(long sessionId, long seqNo, long logPosition, long timestamp, DirectBuffer buffer, int offset, int length);
    }

    /**
     * @return false when skipped: the entry at this log position was journaled before a restart.
     */
    boolean append(long sessionId, long seqNo, long logPosition, long timestamp, DirectBuffer buffer, int offset, int length);

    /**
     * One session's reports from fromSeqNo to toSeqNo inclusive (toSeqNo &lt;= 0: to the latest), at most limit.
     *
     * @return how many were delivered; fewer than asked at the first seqNo not held.
     */
    int replay(long sessionId, long fromSeqNo, long toSeqNo, int limit, ReportHandler handler);

    /**
     * @return the oldest seqNo of the session still held, 0 when none is.
     */
    long firstHeldSeqNo(long sessionId);

    /**
     * Retention, when a snapshot at this log position was taken.
     */
    void purge(long snapshotLogPosition, long nowClusterTime);

    void close();
}
