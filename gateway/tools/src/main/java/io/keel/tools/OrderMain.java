package io.keel.tools;

import io.keel.client.KeelClient;
import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code keel order new|cancel|replace|mass-cancel|status}: one request through a gateway as a user, every report it
 * gets printed as one line. Exit 0 when the request was accepted, 1 when it was refused (the reason is printed) or
 * went unanswered, 2 on bad usage.
 */
@Command(
    name = "keel order",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Send one order request through a gateway and print its reports.%n" +
        "Exit 0 when accepted, 1 when refused or unanswered, 2 on bad usage.",
    subcommands = {
        OrderMain.New.class, OrderMain.Cancel.class, OrderMain.Replace.class, OrderMain.MassCancel.class,
        OrderMain.Status.class
    })
public final class OrderMain implements Callable<Integer>
{
    public Integer call()
    {
        throw new IllegalArgumentException("missing request: new, cancel, replace, mass-cancel or status (see --help)");
    }

    /**
     * What every request does: log on, send, follow the reports, log out.
     */
    abstract static class Request implements Callable<Integer>
    {
        @Mixin
        ClientOptions options = new ClientOptions();

        abstract OrderTracker.Kind kind();

        abstract long clOrdId();

        abstract boolean send(KeelClient client, long clOrdId);

        long followMs()
        {
            return 0;
        }

        void validate()
        {
        }

        public Integer call() throws Exception
        {
            validate();
            final long clOrdId = clOrdId();
            final OrderTracker tracker = new OrderTracker(kind(), clOrdId, followMs() > 0, System.out);
            final KeelClient client = options.connect(tracker);
            try
            {
                if (kind() != OrderTracker.Kind.STATUS)
                {
                    System.out.println("sent " + kind().name().toLowerCase().replace('_', '-') + " clOrdId=" + clOrdId);
                }
                if (!send(client, clOrdId))
                {
                    System.err.println("keel order: the request could not be sent");
                    return 1;
                }
                final Runnable duty = () -> tracker.askStatusIfWanted(client);
                if (!options.pollUntil(client, options.timeoutMs, () -> tracker.isDone() || tracker.isFollowing(), duty))
                {
                    System.err.println("keel order: no complete answer within " + options.timeoutMs + " ms");
                    return 1;
                }
                if (tracker.isFollowing() && !options.pollUntil(client, followMs(), tracker::isDone, duty))
                {
                    System.out.println("still resting after " + followMs() + " ms");
                    return 0;
                }
                return tracker.isAccepted() ? 0 : 1;
            }
            finally
            {
                client.logout();
            }
        }

        static long orDefault(final long clOrdId)
        {
            return clOrdId != 0 ? clOrdId : ClientOptions.timeDerivedId();
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true, sortOptions = false,
        description = "A new order; waits for NEW and any immediate TRADEs and CANCELED.")
    static final class New extends Request
    {
        @Option(names = "--instrument", required = true, description = "Instrument id.")
        int instrument;

        @Option(names = "--side", required = true, description = "BUY or SELL.")
        Side side;

        @Option(names = "--qty", required = true, description = "Quantity, base-asset units (a multiple of the lot).")
        long quantity;

        @Option(names = "--price", description = "Limit price, quote units per base unit (ignored for MARKET).")
        long price;

        @Option(names = "--type", description = "LIMIT or MARKET (default ${DEFAULT-VALUE}).")
        OrdType ordType = OrdType.LIMIT;

        @Option(names = "--tif", description = "GTC, IOC, FOK or GTD (default ${DEFAULT-VALUE}).")
        TimeInForce timeInForce = TimeInForce.GTC;

        @Option(names = "--post-only", description = "Rejected if it would take liquidity.")
        boolean postOnly;

        @Option(names = "--stp", description = "Self-trade prevention: NONE, CANCEL_TAKER, CANCEL_MAKER, CANCEL_BOTH, " +
            "DECREMENT_AND_CANCEL (default ${DEFAULT-VALUE}).")
        SelfTradePrevention stp = SelfTradePrevention.NONE;

        @Option(names = "--expire-time", description = "GTD: cluster time (ms since the epoch) it expires at.")
        long expireTime;

        @Option(names = "--cl-ord-id", description = "Your id for the order (default: microseconds since the epoch, " +
            "printed; increasing per account).")
        long clOrdId;

        @Option(names = "--follow-ms", description = "If the order rests, go on printing its reports until it is " +
            "filled or canceled, at most this long (default ${DEFAULT-VALUE}: return once it is acknowledged).")
        long followMs;

        OrderTracker.Kind kind()
        {
            return OrderTracker.Kind.NEW;
        }

        long followMs()
        {
            return followMs;
        }

        long clOrdId()
        {
            return orDefault(clOrdId);
        }

        void validate()
        {
            if (ordType == OrdType.LIMIT && price <= 0)
            {
                throw new IllegalArgumentException("a LIMIT order needs --price > 0");
            }
            if (followMs < 0)
            {
                throw new IllegalArgumentException("--follow-ms must be >= 0");
            }
        }

        boolean send(final KeelClient client, final long id)
        {
            return client.newOrder(
                id, instrument, side, ordType, timeInForce, postOnly, stp, price, quantity, expireTime);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancel an order by --order-id or --orig-cl-ord-id; waits for CANCELED or a cancel-reject.")
    static final class Cancel extends Request
    {
        @Mixin
        OrderRef order;

        @Option(names = "--cl-ord-id", description = "Id of this request (default: time-derived).")
        long clOrdId;

        OrderTracker.Kind kind()
        {
            return OrderTracker.Kind.CANCEL;
        }

        long clOrdId()
        {
            return orDefault(clOrdId);
        }

        void validate()
        {
            requireOrder(order.orderId, order.origClOrdId);
        }

        boolean send(final KeelClient client, final long id)
        {
            return client.cancelOrder(id, order.origClOrdId, order.orderId, order.instrument);
        }
    }

    @Command(name = "replace", mixinStandardHelpOptions = true, sortOptions = false,
        description = "New price and total quantity for an order; waits for REPLACED and any immediate TRADEs.")
    static final class Replace extends Request
    {
        @Mixin
        OrderRef order;

        @Option(names = "--price", required = true, description = "New limit price.")
        long price;

        @Option(names = "--qty", required = true, description = "New total quantity.")
        long quantity;

        @Option(names = "--cl-ord-id", description = "The order's new clOrdId (default: time-derived).")
        long clOrdId;

        OrderTracker.Kind kind()
        {
            return OrderTracker.Kind.REPLACE;
        }

        long clOrdId()
        {
            return orDefault(clOrdId);
        }

        void validate()
        {
            requireOrder(order.orderId, order.origClOrdId);
        }

        boolean send(final KeelClient client, final long id)
        {
            return client.replaceOrder(id, order.origClOrdId, order.orderId, order.instrument, price, quantity);
        }
    }

    @Command(name = "mass-cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancel many orders; waits for the mass-cancel report.")
    static final class MassCancel extends Request
    {
        @Option(names = "--scope", description = "SESSION, ACCOUNT or INSTRUMENT (default ${DEFAULT-VALUE}).")
        MassCancelScope scope = MassCancelScope.ACCOUNT;

        @Option(names = "--instrument", description = "Instrument id (INSTRUMENT scope).")
        int instrument;

        @Option(names = "--cl-ord-id", description = "Id of this request (default: time-derived).")
        long clOrdId;

        OrderTracker.Kind kind()
        {
            return OrderTracker.Kind.MASS_CANCEL;
        }

        long clOrdId()
        {
            return orDefault(clOrdId);
        }

        void validate()
        {
            if (scope == MassCancelScope.INSTRUMENT && instrument == 0)
            {
                throw new IllegalArgumentException("--scope INSTRUMENT needs --instrument");
            }
        }

        boolean send(final KeelClient client, final long id)
        {
            return client.massCancel(id, scope, instrument);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "An order's state, by --cl-ord-id (any clOrdId it had, also of finished orders) or by " +
            "--order-id (live orders). Exit 1 when the engine does not know it.")
    static final class Status extends Request
    {
        @Option(names = "--cl-ord-id", description = "A clOrdId of the order.")
        long clOrdId;

        @Option(names = "--order-id", description = "The engine's order id.")
        long orderId;

        OrderTracker.Kind kind()
        {
            return OrderTracker.Kind.STATUS;
        }

        long clOrdId()
        {
            return clOrdId;
        }

        void validate()
        {
            requireOrder(orderId, clOrdId);
        }

        boolean send(final KeelClient client, final long id)
        {
            return client.orderStatus(id, orderId);
        }
    }

    /**
     * Which order a cancel or a replace is about: by the engine's id, or by a clOrdId it had.
     */
    static final class OrderRef
    {
        @Option(names = "--order-id", description = "The engine's order id.")
        long orderId;

        @Option(names = "--orig-cl-ord-id", description = "The order's clOrdId (used when --order-id is not given).")
        long origClOrdId;

        @Option(names = "--instrument", description = "Instrument id (0 = any, default).")
        int instrument;
    }

    static void requireOrder(final long orderId, final long clOrdId)
    {
        if (orderId == 0 && clOrdId == 0)
        {
            throw new IllegalArgumentException("name the order: --order-id or a clOrdId");
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new OrderMain(), "keel order", args));
    }
}
