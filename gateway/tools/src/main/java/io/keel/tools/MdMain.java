package io.keel.tools;

import io.keel.client.MarketDataSubscriber;
import io.keel.codecs.L2Book;
import io.keel.codecs.Side;
import io.keel.codecs.TradeDecoder;
import io.keel.common.Cli;
import io.keel.common.IdleProfile;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code keel md}: subscribe to a gateway's public market-data stream and print the live top of
 * book and the trades.
 */
@Command(
    name = "keel md",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Print the live top of book and trades from a gateway's public market-data stream (Aeron UDP).")
public final class MdMain implements Callable<Integer>
{
    @Option(names = "--instrument", description = "Only this instrument (default: all).")
    int instrument;

    @Option(names = "--gateway", description = "Host of the gateway (default ${DEFAULT-VALUE}).")
    String gateway = "localhost";

    @Option(names = "--md-port", description = "The gateway's --md-port (default ${DEFAULT-VALUE}).")
    int mdPort = 9102;

    @Option(names = "--channel", description = "A full Aeron channel instead of --gateway/--md-port (e.g. the multicast one the gateway publishes on).")
    String channel;

    @Option(names = "--seconds", description = "Stop after this long; 0 = until Ctrl-C (default ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--idle", description = "Idle profile: backoff, yield or dedicated (default ${DEFAULT-VALUE}).")
    String idle = "backoff";

    public Integer call() throws Exception
    {
        if (instrument < 0 || seconds < 0 || mdPort <= 0 || mdPort > 65535)
        {
            throw new IllegalArgumentException("--instrument and --seconds must be >= 0 and --md-port in 1..65535");
        }
        final IdleProfile idleProfile = IdleProfile.parse(idle);
        final File aeronDir = Files.createTempDirectory("keel-md-").toFile();
        final AtomicBoolean running = new AtomicBoolean(true);
        final long[] lastTop = new long[4];
        final MarketDataSubscriber.Listener printer = new MarketDataSubscriber.Listener()
        {
            public void onBook(final L2Book book)
            {
                final long bidQty = book.depth(Side.BUY) > 0 ? book.quantity(Side.BUY, 0) : 0;
                final long bid = book.depth(Side.BUY) > 0 ? book.price(Side.BUY, 0) : 0;
                final long askQty = book.depth(Side.SELL) > 0 ? book.quantity(Side.SELL, 0) : 0;
                final long ask = book.depth(Side.SELL) > 0 ? book.price(Side.SELL, 0) : 0;
                if (bid != lastTop[0] || bidQty != lastTop[1] || ask != lastTop[2] || askQty != lastTop[3])
                {
                    lastTop[0] = bid;
                    lastTop[1] = bidQty;
                    lastTop[2] = ask;
                    lastTop[3] = askQty;
                    System.out.printf("book  instrument=%d seq=%d  bid %s  ask %s%n", book.instrumentId(), book.mdSeqNo(),
                        bidQty == 0 ? "-" : bidQty + "@" + bid, askQty == 0 ? "-" : askQty + "@" + ask);
                }
            }

            public void onTrade(final TradeDecoder trade)
            {
                System.out.printf("trade instrument=%d seq=%d  id=%d %d@%d aggressor=%s%n", trade.instrumentId(),
                    trade.mdSeqNo(), trade.tradeId(), trade.quantity(), trade.price(), trade.aggressorSide());
            }
        };
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(() -> running.set(false));
            MarketDataSubscriber subscriber = new MarketDataSubscriber(
                gateway, mdPort, channel, instrument, aeronDir, idleProfile.threadingMode(), idleProfile.newIdleStrategy(),
                printer))
        {
            final long deadline = seconds == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            final org.agrona.concurrent.IdleStrategy idleStrategy = idleProfile.newIdleStrategy();
            while (running.get() && (seconds == 0 || System.nanoTime() - deadline < 0))
            {
                idleStrategy.idle(subscriber.poll());
            }
            System.out.println("md: messages=" + subscriber.messages() + " gaps=" + subscriber.gaps());
        }
        finally
        {
            org.agrona.IoUtil.delete(aeronDir, true);
        }
        return 0;
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new MdMain(), "keel md", args));
    }
}
