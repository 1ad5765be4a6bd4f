package io.keel.chaos;

import io.keel.common.Cli;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The command-line contract: --help, and a bad option or value is one line and exit code 2.
 */
class ChaosMainTest
{
    @Test
    void shouldExitWith2OnBadUsageAnd0OnHelp()
    {
        assertEquals(0, Cli.run(new ChaosMain(), "keel chaos", "--help"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--no-such-option"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--faults", "sometimes"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--file-sync-level", "3"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--rate", "0"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--idle", "sometimes"));
        // Without root or ip/nft: "--net needs root (uid 0)" (checked by hand as nobody); as root: not with --haproxy.
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--net", "--haproxy"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--segments", "5"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--segments", "2", "--haproxy"));
        assertEquals(Cli.EXIT_USAGE, Cli.run(new ChaosMain(), "keel chaos", "--segments", "2", "--transfer-period-ms", "-1"));
    }
}
