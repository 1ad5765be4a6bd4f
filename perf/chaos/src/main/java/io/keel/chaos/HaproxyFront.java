package io.keel.chaos;

import io.keel.common.FreePorts;
import io.keel.common.HaproxyProcess;
import io.keel.common.TlsCertificates;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.List;

/**
 * The front of a {@code keel chaos --haproxy} run, as a deployment has it: a real HAProxy with
 * {@code deploy/haproxy.cfg} — TLS terminated there with a certificate made for the run, least-connections
 * balancing over the two gateway processes, the PROXY protocol v2 to them, health checks on their {@code /health} —
 * and clients that connect to it with TLS. Moving a client means cutting its connection: HAProxy sends it
 * wherever it sends new connections (the gateway with fewer, a healthy one), as after a network cut.
 */
final class HaproxyFront implements ClientMover, AutoCloseable
{
    private final TlsCertificates.CertificateFiles certificates;
    private final HaproxyProcess haproxy;
    private volatile List<ChaosTrader> traders = List.of();

    HaproxyFront(final File dir, final int[] gatewayPorts, final int[] healthPorts)
    {
        certificates = TlsCertificates.generate(new File(dir, "tls").toPath(), "localhost", 2);
        final HaproxyProcess.Context context = new HaproxyProcess.Context()
            .port(FreePorts.tcpPort())
            .pem(certificates.pem())
            .logFile(new File(dir, "haproxy.log").toPath());
        for (int i = 0; i < gatewayPorts.length; i++)
        {
            context.server("127.0.0.1", gatewayPorts[i], healthPorts[i]);
        }
        haproxy = HaproxyProcess.start(context);
    }

    int port()
    {
        return haproxy.context().port();
    }

    java.nio.file.Path certificate()
    {
        return certificates.certificate();
    }

    void traders(final List<ChaosTrader> traders)
    {
        this.traders = List.copyOf(traders);
    }

    public String move(final int client)
    {
        final List<ChaosTrader> current = traders;
        if (client >= current.size())
        {
            return "c" + (client + 1) + " not connected yet";
        }
        current.get(client).requestCut();
        return "c" + (client + 1) + " connection cut: reconnects through HAProxy";
    }

    public void close()
    {
        CloseHelper.quietClose(haproxy);
    }
}
