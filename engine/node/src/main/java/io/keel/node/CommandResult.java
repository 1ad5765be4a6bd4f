package io.keel.node;

/**
 * What became of one client message in the log: the one vocabulary from
 * {@link KeelClusteredService#onSessionMessage} through {@link LogApplier} and {@link CommandDecoder}
 * to the engine call.
 */
public enum CommandResult
{
    /** Decoded and applied to the engine (the engine's own refusals are engine outputs). */
    APPLIED,
    /** An admin's snapshot request: no engine change; the live node toggles a snapshot. */
    SNAPSHOT_REQUEST,
    /** An admin's state-hash request: no engine change; the live node records its hash. */
    STATE_HASH_REQUEST,
    /** An admin's purge request: no engine change; every node answers alike, then purges its own archive. */
    PURGE_REQUEST,
    /** A gateway's SessionOpen applied and the session is now served there: the live node sends what it missed. */
    SESSION_OPENED,
    /** A gateway's SessionReplay: no engine change; the leader sends the range again from its journal. */
    REPLAY_REQUEST,
    /** An admin's or drop-copy reader's DropCopyRequest: no engine change; every node registers the feed and the
     *  leader sends the batch from its journal. */
    DROP_COPY_REQUEST,
    /** Order entry for a session not served through the sending gateway, or for another account: not applied,
     *  BusinessReject UNKNOWN_SESSION to that gateway. */
    NOT_SERVED_HERE,
    /** Shorter than its header or block, or of a newer schema version: not applied, BusinessReject INVALID_MESSAGE. */
    INVALID,
    /** Not a Keel command, or not one this session may send: not applied, BusinessReject UNSUPPORTED_MESSAGE. */
    UNSUPPORTED,
    /** Skipped by the test-only divergence hook (NodeContext.testSkipCommand). */
    SKIPPED
}
