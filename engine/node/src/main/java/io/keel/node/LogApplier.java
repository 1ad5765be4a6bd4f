package io.keel.node;

import io.keel.codecs.AccountRequestDecoder;
import io.keel.codecs.DropCopyRequestDecoder;
import io.keel.codecs.MarketDataRequestDecoder;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.PurgeRequestDecoder;
import io.keel.codecs.SessionOpenDecoder;
import io.keel.codecs.SessionReplayDecoder;
import io.keel.codecs.SetLimitsDecoder;
import io.keel.codecs.StateCheckDecoder;
import io.keel.codecs.TransferDecoder;
import io.keel.common.Principal;
import io.keel.engine.Engine;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.nio.ByteOrder;

/**
 * What each log entry does to the engine, with no Aeron in sight: who may send what, the
 * command decode (once, by {@link CommandDecoder}), and the expiry timer.
 * {@link KeelClusteredService} calls it for every entry and adds what only a live node does
 * (answers, timers, snapshots); {@code keel replay} calls it offline, so a replay applies the
 * log exactly as the service did.
 */
public final class LogApplier
{
    /** Timer correlation id of the GTD expiry timer. */
    public static final long EXPIRY_TIMER_ID = 1;
    /** Timer correlation id of the periodic state check. */
    public static final long STATE_CHECK_TIMER_ID = 2;

    /** Returned by {@link #sessionOpened} for a gateway whose id is live on another cluster session. */
    public static final int GATEWAY_ID_IN_USE = -2;
    /** What {@link #replacedSession()} answers when the last open replaced no session. */
    public static final long NO_SESSION = io.aeron.Aeron.NULL_VALUE;

    private static final long ROLE_ADMIN = -1;
    /** A second gateway with a live gateway's id: it may send nothing until it is closed. */
    private static final long ROLE_REFUSED = -2;
    /** A gateway session taken over by a later process of the same gateway: it may send nothing, and its close
     * changes nothing more (its clients were disconnected at the take-over). */
    private static final long ROLE_REPLACED = -3;
    /** A drop-copy reader: it may ask for drop copy and nothing else. */
    private static final long ROLE_DROP_COPY = -4;
    private static final long NO_ROLE = Long.MIN_VALUE;

    private final Engine engine;
    private final CommandDecoder decoder;
    private final long testSkipCommand;
    /** Cluster session id → gateway id, or {@link #ROLE_ADMIN}. */
    private final Long2LongHashMap roleBySession = new Long2LongHashMap(NO_ROLE);
    /** Gateway id → the cluster session that holds it: one live session per gateway id. */
    private final Long2LongHashMap sessionByGatewayId = new Long2LongHashMap(NO_ROLE);
    /** Gateway id → the incarnation of the process holding it (0 when it presented none). */
    private final Long2LongHashMap incarnationByGatewayId = new Long2LongHashMap(0);
    private long replacedSession = NO_SESSION;
    private long commandsApplied;
    private int templateId;

    /**
     * @param testSkipCommand test only: the N-th client command (1-based) is skipped; -1 = never.
     */
    public LogApplier(final Engine engine, final long testSkipCommand)
    {
        this.engine = engine;
        this.decoder = new CommandDecoder(engine);
        this.testSkipCommand = testSkipCommand;
    }

    /**
     * A session opened (from the log, or restored from a snapshot — in cluster session id order, so the same
     * session holds a gateway id as when they opened).
     *
     * @return its gateway id; {@link #GATEWAY_ID_IN_USE} when another live session holds that id (the first keeps
     * it and its route; the caller closes this one); or {@link Principal#NOT_A_GATEWAY}.
     */
    public int sessionOpened(final long clusterSessionId, final byte[] encodedPrincipal, final long timestamp)
    {
        final int gatewayId = register(clusterSessionId, encodedPrincipal);
        if (replacedSession != NO_SESSION)
        {
            // The dead predecessor's clients are disconnected here, at this log position on every node (as its
            // close would have done), so they may log on again through the process that replaced it.
            engine.gatewayLost(replacedSession, timestamp);
        }
        return gatewayId;
    }

    /**
     * A session restored from a snapshot (in cluster session id order): as {@link #sessionOpened}, but a take-over
     * it repeats changes no engine state — the snapshot already holds what it did.
     */
    public int sessionRestored(final long clusterSessionId, final byte[] encodedPrincipal)
    {
        return register(clusterSessionId, encodedPrincipal);
    }

    /**
     * @return the cluster session the last {@link #sessionOpened}/{@link #sessionRestored} took a gateway id over
     * from (the caller closes it), or {@link #NO_SESSION}.
     */
    public long replacedSession()
    {
        return replacedSession;
    }

    private int register(final long clusterSessionId, final byte[] encodedPrincipal)
    {
        replacedSession = NO_SESSION;
        final int gatewayId = Principal.gatewayIdOf(encodedPrincipal);
        if (gatewayId != Principal.NOT_A_GATEWAY)
        {
            final long incarnation = Principal.incarnationOf(encodedPrincipal);
            final long holder = sessionByGatewayId.get(gatewayId);
            if (holder != NO_ROLE && holder != clusterSessionId)
            {
                // A take-over needs proof the holder is gone: its incarnation is the one this process found dead on
                // its host (GatewayIncarnation). Anyone else is refused, this process's own older session included:
                // its live clients are re-attached to the new session before the old one closes.
                final long held = incarnationByGatewayId.get(gatewayId);
                if (held == 0 || held != Principal.replacesOf(encodedPrincipal))
                {
                    roleBySession.put(clusterSessionId, ROLE_REFUSED);
                    return GATEWAY_ID_IN_USE;
                }
                roleBySession.put(holder, ROLE_REPLACED);
                replacedSession = holder;
            }
            sessionByGatewayId.put(gatewayId, clusterSessionId);
            if (incarnation != 0)
            {
                incarnationByGatewayId.put(gatewayId, incarnation);
            }
            else
            {
                incarnationByGatewayId.remove(gatewayId);
            }
            roleBySession.put(clusterSessionId, gatewayId);
        }
        else if (Principal.isAdmin(encodedPrincipal))
        {
            roleBySession.put(clusterSessionId, ROLE_ADMIN);
        }
        else if (Principal.isDropCopy(encodedPrincipal))
        {
            roleBySession.put(clusterSessionId, ROLE_DROP_COPY);
        }
        return gatewayId;
    }

    /**
     * A session closed: a gateway's closing (stopped, crashed, timed out) disconnects every client session it served,
     * with cancel-on-disconnect, at this log position on every node.
     */
    public void sessionClosed(final long clusterSessionId, final long timestamp)
    {
        final long role = roleBySession.remove(clusterSessionId);
        if (role >= 0)
        {
            sessionByGatewayId.remove(role);
            incarnationByGatewayId.remove(role);
            engine.gatewayLost(clusterSessionId, timestamp);
        }
    }

    /**
     * @return the cluster session holding a gateway id, or {@link io.aeron.Aeron#NULL_VALUE}.
     */
    public long sessionOfGateway(final int gatewayId)
    {
        final long holder = sessionByGatewayId.get(gatewayId);
        return holder != NO_ROLE ? holder : io.aeron.Aeron.NULL_VALUE;
    }

    /**
     * A message from a client session: its header read once, who may send it checked, then
     * decoded and applied by the {@link CommandDecoder}.
     */
    public CommandResult onClientMessage(
        final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        templateId = 0;
        if (!decoder.wrapHeader(buffer, offset, length))
        {
            return CommandResult.INVALID;
        }
        templateId = decoder.templateId();
        final long role = roleBySession.get(clusterSessionId);
        if (!isAllowed(role, buffer, offset, length))
        {
            return CommandResult.UNSUPPORTED;
        }
        if (role >= 0 && actsForSession() && !isServedBy(clusterSessionId, buffer, offset))
        {
            return CommandResult.NOT_SERVED_HERE;
        }
        decoder.sender(role >= 0 ? clusterSessionId : 0, role >= 0 ? (int)role : 0);

        commandsApplied++;
        if (commandsApplied == testSkipCommand)
        {
            return CommandResult.SKIPPED;
        }
        return decoder.apply(buffer, offset, length, timestamp);
    }

    /**
     * The correlation id of the last snapshot or state-hash request, for the node's answer.
     */
    public long correlationId()
    {
        return decoder.correlationId();
    }

    /**
     * A cluster timer fired: the expiry timer advances the engine's time.
     */
    public void onTimer(final long correlationId, final long timestamp)
    {
        if (correlationId == EXPIRY_TIMER_ID)
        {
            engine.onTime(timestamp);
        }
    }

    /**
     * Template id of the last client message (0 when it was too short for a header).
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * Client commands counted so far (kept in the service snapshot).
     */
    public long commandsApplied()
    {
        return commandsApplied;
    }

    public void commandsApplied(final long commandsApplied)
    {
        this.commandsApplied = commandsApplied;
    }

    /**
     * Gateways send order entry (and queries) for their own client sessions only, and book snapshot
     * requests; admin tools send admin (transfer steps included), account requests for any account (with client session 0) and drop-copy
     * requests; drop-copy readers send drop-copy requests only.
     */
    private boolean isAllowed(final long role, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!decoder.isKeelSchema())
        {
            return false;
        }
        final boolean orderEntry = templateId >= 10 && templateId <= 19 ||
            templateId >= SessionOpenDecoder.TEMPLATE_ID && templateId <= SessionReplayDecoder.TEMPLATE_ID;
        final boolean admin = templateId >= 40 && templateId <= 49 && templateId != StateCheckDecoder.TEMPLATE_ID ||
            templateId == SetLimitsDecoder.TEMPLATE_ID || templateId == PurgeRequestDecoder.TEMPLATE_ID ||
            templateId == TransferDecoder.TEMPLATE_ID;
        if (templateId == DropCopyRequestDecoder.TEMPLATE_ID)
        {
            return role == ROLE_ADMIN || role == ROLE_DROP_COPY;
        }
        if (role == ROLE_ADMIN)
        {
            // Session 0 routes the answer to the admin session that asked (EventEncoder).
            return admin || templateId == AccountRequestDecoder.TEMPLATE_ID &&
                length >= MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES &&
                buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) == 0;
        }
        if (role >= 0 && templateId == MarketDataRequestDecoder.TEMPLATE_ID)
        {
            return true;
        }
        if (role >= 0 && orderEntry)
        {
            // Every order-entry and session message starts with the client session id (schema: field 1), then the
            // account (field 2) where it names one.
            return length >= MessageHeaderDecoder.ENCODED_LENGTH + (templateId <= 19 ? 2 * Long.BYTES : Long.BYTES);
        }
        return false;
    }

    /**
     * Messages about an open session (not the ones that open or close it, which the engine judges itself).
     */
    private boolean actsForSession()
    {
        return templateId >= 10 && templateId <= 19 || templateId == SessionReplayDecoder.TEMPLATE_ID;
    }

    /**
     * A gateway acts only for the sessions it serves now, and only for their own account: the session is open in
     * the engine through this very cluster session.
     */
    private boolean isServedBy(final long clusterSessionId, final DirectBuffer buffer, final int offset)
    {
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final long account = engine.sessionAccountVia(buffer.getLong(body, ByteOrder.LITTLE_ENDIAN), clusterSessionId);
        return account != Engine.NOT_SERVED && (templateId == SessionReplayDecoder.TEMPLATE_ID ||
            account == buffer.getLong(body + Long.BYTES, ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * The client session id a gateway's message names (its first field), for a NOT_SERVED_HERE answer.
     */
    public long sessionIdOf(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The decoder, for what a SESSION_OPENED or REPLAY_REQUEST asks of the live node.
     */
    CommandDecoder decoder()
    {
        return decoder;
    }
}
