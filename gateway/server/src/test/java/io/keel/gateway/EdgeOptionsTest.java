package io.keel.gateway;

import io.keel.common.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bound of "Bounds and abuse" is an option of {@code keel gateway --help}, {@code keel gateway unlock} is
 * there, and a bound set wrong fails at start with one line (exit 2), before anything is opened.
 */
class EdgeOptionsTest
{
    @Test
    void shouldListEveryBoundInHelp()
    {
        final CommandLine commandLine = new CommandLine(new GatewayMain());
        final String help = commandLine.getUsageMessage();
        for (final String option : new String[] {"--max-connections-per-address", "--max-pending-per-address",
            "--max-pending-connections", "--logon-backoff-ms", "--logon-backoff-max-ms", "--lockout-failures",
            "--lockout-window-ms", "--logon-failure-entries", "--admin-port", "--admin-secret-file", "--max-frame-length",
            "default and maximum 1350"})
        {
            assertTrue(help.contains(option), option + " in\n" + help);
        }
        final String unlock = commandLine.getSubcommands().get("unlock").getUsageMessage();
        for (final String option : new String[] {"--gateways", "--user", "--address", "--secret-file"})
        {
            assertTrue(unlock.contains(option), option + " in\n" + unlock);
        }
    }

    @Test
    void shouldFailAtStartWithOneLine()
    {
        assertOneLine("keel gateway: --max-frame-length 4096 is more than the cluster ingress takes: at most 1350 " +
            "(MTU 1408 - 32 frame header - 32 cluster session header + 6 SOFH)", "--max-frame-length", "4096");
        assertOneLine("keel gateway: --admin-port needs --admin-secret-file (the secret keel gateway unlock sends)",
            "--admin-port", "9600");
        assertOneLine("keel gateway: --max-pending-per-address must be in 1..--max-connections-per-address: 40",
            "--max-pending-per-address", "40");
    }

    private static void assertOneLine(final String expected, final String... options)
    {
        final String[] args = new String[options.length + 4];
        args[0] = "--users";
        args[1] = "pom.xml"; // any existing file: the bounds are checked after it
        args[2] = "--cluster";
        args[3] = "0=localhost:1";
        System.arraycopy(options, 0, args, 4, options.length);
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = Cli.run(new GatewayMain(), "keel gateway", args);
        }
        finally
        {
            System.setErr(err);
        }
        assertEquals(Cli.EXIT_USAGE, exit);
        assertEquals(expected + System.lineSeparator(), captured.toString(StandardCharsets.UTF_8));
    }
}
