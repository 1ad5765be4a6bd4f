package io.keel.replay;

import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.aeron.cluster.service.Cluster;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The live cluster counters of a running node, read from its media driver's CnC file mapped
 * read-only (nothing is registered with the driver): role, commit position, module state.
 */
final class NodeCounters
{
    private NodeCounters()
    {
    }

    /**
     * @return one line describing the live node, or null when no driver is running in aeronDir.
     */
    static String describe(final File aeronDir, final long nowMs)
    {
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cncFile.isFile())
        {
            return null;
        }
        MappedByteBuffer cnc = null;
        try
        {
            cnc = IoUtil.mapExistingFile(cncFile, FileChannel.MapMode.READ_ONLY, "cnc");
            final var metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            if (metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0)) != CncFileDescriptor.CNC_VERSION)
            {
                return null;
            }
            final var toDriver = new org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer(
                CncFileDescriptor.createToDriverBuffer(cnc, metaData));
            if (nowMs - toDriver.consumerHeartbeatTime() > 5_000)
            {
                return null;
            }
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData),
                StandardCharsets.US_ASCII);
            final long[] values = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId == AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID)
                {
                    values[0] = counters.getCounterValue(counterId);
                }
                else if (typeId == AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID)
                {
                    values[1] = counters.getCounterValue(counterId);
                }
                else if (typeId == AeronCounters.CLUSTER_CONSENSUS_MODULE_STATE_TYPE_ID)
                {
                    values[2] = counters.getCounterValue(counterId);
                }
                else if (typeId == AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID)
                {
                    values[3] = counters.getCounterValue(counterId);
                }
            });
            if (values[0] == Long.MIN_VALUE)
            {
                return "running: driver pid " + metaData.getInt(CncFileDescriptor.pidOffset(0)) + ", no cluster counters yet";
            }
            return "running: role=" + Cluster.Role.get(values[0]) + " commit-position=" + values[1] +
                " consensus-state=" + io.aeron.cluster.ConsensusModule.State.get(values[2]) +
                " snapshots-taken=" + values[3] + " driver-pid=" + metaData.getInt(CncFileDescriptor.pidOffset(0));
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
        finally
        {
            if (cnc != null)
            {
                IoUtil.unmap(cnc);
            }
        }
    }
}
