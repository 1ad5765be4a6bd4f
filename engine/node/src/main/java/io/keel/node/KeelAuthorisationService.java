package io.keel.node;

import io.aeron.cluster.codecs.BackupQueryDecoder;
import io.aeron.cluster.codecs.HeartbeatRequestDecoder;
import io.aeron.cluster.codecs.MessageHeaderDecoder;
import io.keel.common.Principal;
import io.aeron.security.AuthorisationService;

/**
 * What an authenticated principal may ask the consensus module itself (not the service): a {@code backup:<name>}
 * ({@code keel backup}) may query for the log and snapshots and send the heartbeats a backup sends; nobody else may,
 * and nobody may do anything more (Aeron's admin requests, standby snapshots). Aeron's default lets every
 * authenticated session fetch the whole log: with it a gateway's secret would read every account's history.
 */
public enum KeelAuthorisationService implements AuthorisationService
{
    INSTANCE;

    public boolean isAuthorised(
        final int protocolId, final int actionId, final Object type, final byte[] encodedPrincipal)
    {
        return MessageHeaderDecoder.SCHEMA_ID == protocolId &&
            (BackupQueryDecoder.TEMPLATE_ID == actionId || HeartbeatRequestDecoder.TEMPLATE_ID == actionId) &&
            Principal.isBackup(encodedPrincipal);
    }
}
