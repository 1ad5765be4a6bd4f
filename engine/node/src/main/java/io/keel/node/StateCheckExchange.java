package io.keel.node;

import io.aeron.cluster.service.Cluster;
import io.keel.codecs.MessageHeaderDecoder;
import io.keel.codecs.MessageHeaderEncoder;
import io.keel.codecs.StateCheckDecoder;
import io.keel.codecs.StateCheckEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The state check between members: on its timer every node offers its output chain at that log position as a
 * service message (the leader's copy is the one sequenced), and every node compares the leader's chain, when it
 * arrives in the log, with its own at that position ({@link StateChecker}). A node that differs logs
 * {@code divergence}, runs the node's halt and stops its service thread: it must not answer anyone again.
 */
final class StateCheckExchange
{
    private final NodeContext config;
    private final ClusterOutput output;
    private final Runnable onDivergence;
    private final StateChecker stateChecker = new StateChecker();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final StateCheckDecoder stateCheckDecoder = new StateCheckDecoder();
    private final StateCheckEncoder stateCheckEncoder = new StateCheckEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[64]);
    private volatile boolean diverged;

    StateCheckExchange(final NodeContext config, final ClusterOutput output, final Runnable onDivergence)
    {
        this.config = config;
        this.output = output;
        this.onDivergence = onDivergence;
    }

    /**
     * A service message from the log: the leader's StateCheck is verified, anything else ignored.
     *
     * @throws AgentTerminationException when this node's chain differs from the leader's.
     */
    void onServiceMessage(final DirectBuffer buffer, final int offset)
    {
        header.wrap(buffer, offset);
        if (header.templateId() != StateCheckDecoder.TEMPLATE_ID)
        {
            return;
        }
        stateCheckDecoder.wrapAndApplyHeader(buffer, offset, header);
        final long position = stateCheckDecoder.logPosition();
        final long leaderChain = stateCheckDecoder.chainValue();
        if (!stateChecker.verify(position, leaderChain))
        {
            diverged = true;
            System.err.println("{\"event\":\"divergence\",\"member\":" + config.memberId() + ",\"logPosition\":" + position +
                ",\"leaderChain\":\"" + Long.toHexString(leaderChain) + "\",\"ownChain\":\"" +
                Long.toHexString(stateChecker.ownChainAt(position)) + "\"" +
                ",\"action\":\"halting: this node's state differs from the leader's\"}");
            onDivergence.run();
            throw new AgentTerminationException("state diverged from the leader at log position " + position);
        }
    }

    /**
     * Record this node's chain at the current log position and offer it; every node offers, none may skip.
     */
    void offer(final Cluster cluster, final IdleStrategy retryIdle)
    {
        final long position = cluster.logPosition();
        stateChecker.record(position, output.chain());
        stateCheckEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .logPosition(position)
            .chainValue(output.chain());
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + stateCheckEncoder.encodedLength();
        long result;
        while ((result = cluster.offer(sendBuffer, 0, length)) < 0)
        {
            if (result == io.aeron.Publication.CLOSED)
            {
                throw new IllegalStateException("cannot offer StateCheck: the consensus module is gone");
            }
            retryIdle.idle();
        }
        retryIdle.reset();
    }

    boolean hasDiverged()
    {
        return diverged;
    }
}
