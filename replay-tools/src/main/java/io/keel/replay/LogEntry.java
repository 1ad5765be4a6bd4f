package io.keel.replay;

import org.agrona.DirectBuffer;

/**
 * One decoded cluster log entry (Aeron Cluster schema 111). Reused from entry to entry: copy
 * what you keep. For a {@link Type#SESSION_MESSAGE} the Keel message is
 * {@code buffer[payloadOffset, payloadOffset + payloadLength)}.
 */
final class LogEntry
{
    enum Type
    {
        SESSION_MESSAGE("SessionMessage"),
        TIMER("Timer"),
        SESSION_OPEN("SessionOpen"),
        SESSION_CLOSE("SessionClose"),
        CLUSTER_ACTION("ClusterAction"),
        NEW_LEADERSHIP_TERM("NewLeadershipTerm"),
        OTHER("ClusterEvent");

        final String label;

        Type(final String label)
        {
            this.label = label;
        }
    }

    Type type;
    /** The log position just after this entry: what the service saw as cluster.logPosition(). */
    long position;
    long timestamp;
    long leadershipTermId;
    long clusterSessionId;
    long correlationId;
    DirectBuffer buffer;
    int payloadOffset;
    int payloadLength;

    // SESSION_OPEN
    int responseStreamId;
    String responseChannel;
    byte[] encodedPrincipal;
    // SESSION_CLOSE
    String closeReason;
    // CLUSTER_ACTION
    String action;
    int flags;
    // NEW_LEADERSHIP_TERM (and CLUSTER_ACTION's logPosition)
    long logPosition;
    long termBaseLogPosition;
    int leaderMemberId;
    int logSessionId;
    String timeUnit;
    int appVersion;
    // OTHER
    int templateId;

    void reset(final Type type, final long position)
    {
        this.type = type;
        this.position = position;
        timestamp = 0;
        leadershipTermId = 0;
        clusterSessionId = 0;
        correlationId = 0;
        buffer = null;
        payloadOffset = 0;
        payloadLength = 0;
        responseStreamId = 0;
        responseChannel = null;
        encodedPrincipal = null;
        closeReason = null;
        action = null;
        flags = 0;
        logPosition = 0;
        termBaseLogPosition = 0;
        leaderMemberId = 0;
        logSessionId = 0;
        timeUnit = null;
        appVersion = 0;
        templateId = 0;
    }
}
