package io.keel.common;

import picocli.CommandLine;

/**
 * The command-line contract every Keel command shares: --help, and a bad option or value gives
 * one line on stderr and exit code 2, never a stack trace.
 */
public final class Cli
{
    public static final int EXIT_USAGE = 2;

    private Cli()
    {
    }

    public static int run(final Object command, final String name, final String... args)
    {
        final CommandLine commandLine = new CommandLine(command);
        setVersion(commandLine);
        commandLine.setParameterExceptionHandler((ex, ignored) ->
        {
            System.err.println(name + ": " + ex.getMessage() + " (try " + name + " --help)");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (ex instanceof IllegalArgumentException)
            {
                System.err.println(name + ": " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (ex instanceof ClusterUnreachableException)
            {
                System.err.println(name + ": " + ex.getMessage());
                return 1;
            }
            System.err.println(name + ": " + ex);
            return 1;
        });
        return commandLine.execute(args);
    }

    /**
     * The version {@code -V} prints, on the command and every subcommand: the jar's (Maven writes it into the
     * manifest), or "development build" when run from classes.
     */
    public static String version()
    {
        final String version = Cli.class.getPackage().getImplementationVersion();
        return "keel " + (version != null ? version : "development build");
    }

    private static void setVersion(final CommandLine commandLine)
    {
        commandLine.getCommandSpec().version(version());
        commandLine.getSubcommands().values().forEach(Cli::setVersion);
    }
}
