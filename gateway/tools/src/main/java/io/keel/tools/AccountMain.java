package io.keel.tools;

import io.keel.client.KeelClient;
import io.keel.client.KeelClientListener;
import io.keel.codecs.AccountStatusDecoder;
import io.keel.codecs.RejectReason;
import io.keel.common.AccountStatusPrinter;
import io.keel.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code keel account}: the logged-on user's balances and open orders, as the engine answers them through the log.
 */
@Command(
    name = "keel account",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Print the balances (available and reserved per asset) and open orders of your account; behind a " +
        "gateway with several market segments, each segment's (lines start segment=N).%n" +
        "Exit 0 when answered, 1 when refused or unanswered, 2 on bad usage.")
public final class AccountMain implements Callable<Integer>
{
    @Mixin
    ClientOptions options = new ClientOptions();

    public Integer call() throws Exception
    {
        final long requestId = ClientOptions.timeDerivedId();
        // One answer per market segment behind the gateway: the printer is made once the logon said how many.
        final AccountStatusPrinter[] printer = new AccountStatusPrinter[1];
        final KeelClient client = options.connect(new KeelClientListener()
        {
            public void onAccountStatus(final AccountStatusDecoder status)
            {
                if (status.requestId() == requestId && printer[0] != null)
                {
                    printer[0].onPage(status);
                }
            }
        });
        printer[0] = new AccountStatusPrinter(System.out, client.segments());
        try
        {
            client.accountStatus(requestId);
            if (!options.pollUntil(client, options.timeoutMs, printer[0]::isComplete, () -> {}))
            {
                System.err.println("keel account: no complete answer within " + options.timeoutMs + " ms");
                return 1;
            }
            return printer[0].result() == RejectReason.NONE ? 0 : 1;
        }
        finally
        {
            client.logout();
        }
    }

    public static void main(final String[] args)
    {
        System.exit(Cli.run(new AccountMain(), "keel account", args));
    }
}
