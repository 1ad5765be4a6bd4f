package io.keel.perf.load;

import io.keel.common.FreePorts;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What users would pick instead: an in-process KRaft Kafka of one node, or of three (each broker and controller in
 * one node, on free loopback ports, temporary log directories; with three, the topic is replicated three times with
 * {@code min.insync.replicas=2}, as Keel's three members are), a topic with one partition, a producer with
 * {@code acks=all} and {@code linger.ms=0} sending {@code size}-byte records that carry the request
 * id, and a consumer on a thread of its own that hands each id back to the generator through a
 * ring buffer (no allocation on the generator's receive side). Same rate, size and histogram
 * method as every other scenario. Kafka's clients block in their selectors (no busy-spin), so the
 * idle profile does not apply to this scenario.
 */
final class KafkaEcho implements Scenario
{
    private static final String TOPIC = "perf-echo";
    private static final int RING_CAPACITY = 1 << 20;

    private final int messageLength;
    private final File workDir;
    private final RingBuffer ids = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    private final UnsafeBuffer idBuffer = new UnsafeBuffer(new byte[Long.BYTES]);
    private final int brokers;
    private final KafkaRaftServer[] servers;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread consumerThread;
    private volatile boolean running = true;
    private volatile Throwable consumerError;
    private ResponseHandler handler;
    private final org.agrona.concurrent.MessageHandler onId =
        (msgTypeId, buffer, index, length) -> handler.onResponse(buffer.getLong(index));

    /**
     * @param brokers 1, or 3 (replication factor 3, min.insync.replicas 2).
     */
    KafkaEcho(final int brokers, final int messageLength, final File workDir)
    {
        this.brokers = brokers;
        this.messageLength = Math.max(Long.BYTES, messageLength);
        this.workDir = new File(workDir, "kafka-" + brokers);
        servers = new KafkaRaftServer[brokers];
    }

    public String name()
    {
        return "kafka";
    }

    public int nodes()
    {
        return brokers;
    }

    public void start(final ThreadCensus census) throws Exception
    {
        // A broker in the measuring JVM must not exit or halt it: a fatal broker error becomes an exception.
        final Exit.Procedure refuse = (code, message) ->
        {
            throw new IllegalStateException("kafka: the broker asked to exit (" + code + "): " + message);
        };
        Exit.setExitProcedure(refuse);
        Exit.setHaltProcedure(refuse);
        IoUtil.delete(workDir, false);
        IoUtil.ensureDirectoryExists(workDir, "kafka dir");
        final int[] brokerPorts = new int[brokers];
        final int[] controllerPorts = new int[brokers];
        final StringBuilder voters = new StringBuilder();
        final StringBuilder bootstrapServers = new StringBuilder();
        for (int i = 0; i < brokers; i++)
        {
            brokerPorts[i] = FreePorts.tcpPort();
            controllerPorts[i] = FreePorts.tcpPort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@localhost:").append(controllerPorts[i]);
            bootstrapServers.append(i == 0 ? "" : ",").append("localhost:").append(brokerPorts[i]);
        }
        final String bootstrap = bootstrapServers.toString();
        final String clusterId = Uuid.randomUuid().toString();
        final List<Thread> starting = new ArrayList<>();
        final Throwable[] startFailure = new Throwable[1];
        for (int i = 0; i < brokers; i++)
        {
            final KafkaConfig config = brokerConfig(i + 1, brokerPorts[i], controllerPorts[i], voters.toString(), clusterId);
            servers[i] = new KafkaRaftServer(config, Time.SYSTEM);
            // In parallel: a broker's startup waits for the controller quorum, which needs a majority of them.
            final KafkaRaftServer server = servers[i];
            final Thread thread = new Thread(() ->
            {
                try
                {
                    server.startup();
                }
                catch (final Throwable ex)
                {
                    startFailure[0] = ex;
                }
            }, "perf-kafka-start-" + (i + 1));
            thread.start();
            starting.add(thread);
        }
        for (final Thread thread : starting)
        {
            thread.join(TimeUnit.SECONDS.toMillis(120));
        }
        if (startFailure[0] != null)
        {
            throw new IllegalStateException("kafka: a broker failed to start", startFailure[0]);
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
        {
            final NewTopic topic = new NewTopic(TOPIC, 1, (short)brokers);
            if (brokers > 1)
            {
                topic.configs(Map.of("min.insync.replicas", Integer.toString(Math.min(2, brokers))));
            }
            admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }


        final Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(producerProps);
        producer.partitionsFor(TOPIC); // metadata fetched before the first timed send

        final Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(consumerProps);
        final TopicPartition partition = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        consumer.position(partition, Duration.ofSeconds(60)); // connected and positioned before the first send

        consumerThread = new Thread(this::consume, "perf-kafka-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
    }

    /**
     * One node's configuration (broker and controller), its storage formatted for the cluster.
     */
    private KafkaConfig brokerConfig(
        final int nodeId, final int brokerPort, final int controllerPort, final String voters, final String clusterId)
        throws Exception
    {
        final File dir = new File(workDir, "node-" + nodeId);
        IoUtil.ensureDirectoryExists(dir, "kafka node dir");
        final String internalReplicas = Integer.toString(brokers);
        final String internalMinIsr = Integer.toString(Math.min(2, brokers));
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", new File(dir, "logs").getAbsolutePath());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", internalReplicas);
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", internalReplicas);
        props.put("transaction.state.log.min.isr", internalMinIsr);
        props.put("share.coordinator.state.topic.replication.factor", internalReplicas);
        props.put("share.coordinator.state.topic.min.isr", internalMinIsr);
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        // Start and stop quickly (a perf run, not a production broker): heartbeats that unfence the
        // broker sooner, no controlled shutdown.
        props.put("broker.heartbeat.interval.ms", "100");
        props.put("broker.session.timeout.ms", "3000");
        props.put("controlled.shutdown.enable", "false");
        final File propsFile = new File(dir, "server.properties");
        try (OutputStream stream = java.nio.file.Files.newOutputStream(propsFile.toPath()))
        {
            props.store(stream, "keel perf kafka");
        }

        final ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
        final int formatted = StorageTool.execute(new String[]{
            "format", "--cluster-id", clusterId, "--config", propsFile.getAbsolutePath()},
            new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
        if (formatted != 0)
        {
            throw new IllegalStateException("kafka: formatting the storage failed: " +
                formatOutput.toString(StandardCharsets.UTF_8));
        }
        return KafkaConfig.fromProps(props, false);
    }

    private void consume()
    {
        try
        {
            while (running)
            {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (final ConsumerRecord<byte[], byte[]> record : records)
                {
                    idBuffer.putLong(0, ByteBuffer.wrap(record.value()).getLong(0));
                    while (!ids.write(1, idBuffer, 0, Long.BYTES) && running)
                    {
                        Thread.yield();
                    }
                }
            }
        }
        catch (final WakeupException ex)
        {
            // close()
        }
        catch (final Throwable ex)
        {
            consumerError = ex;
        }
    }

    public boolean send(final long id)
    {
        final byte[] value = new byte[messageLength];
        ByteBuffer.wrap(value).putLong(0, id);
        producer.send(new ProducerRecord<>(TOPIC, 0, null, value));
        return true;
    }

    public int poll(final ResponseHandler handler)
    {
        if (consumerError != null)
        {
            throw new IllegalStateException("kafka: the consumer failed", consumerError);
        }
        this.handler = handler;
        return ids.read(onId, 64);
    }

    public void close()
    {
        running = false;
        if (consumer != null)
        {
            consumer.wakeup();
        }
        if (consumerThread != null)
        {
            try
            {
                consumerThread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        quietly(consumer == null ? null : () -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
        quietly(producer == null ? null : () -> producer.close(Duration.ofSeconds(5)));
        for (final KafkaRaftServer server : servers)
        {
            quietly(server == null ? null : server::shutdown);
        }
        for (final KafkaRaftServer server : servers)
        {
            quietly(server == null ? null : server::awaitShutdown);
        }
        Exit.resetExitProcedure();
        Exit.resetHaltProcedure();
        IoUtil.delete(workDir, true);
    }

    private static void quietly(final Runnable action)
    {
        if (action != null)
        {
            try
            {
                action.run();
            }
            catch (final RuntimeException ex)
            {
                System.err.println("kafka: close: " + ex);
            }
        }
    }
}
