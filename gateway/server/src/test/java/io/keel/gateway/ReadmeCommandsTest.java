package io.keel.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's "The two commands" and what {@code .ci/run} executes must not drift apart: CI runs each of
 * README's commands exactly as printed, and no variant of them (another option, a missing one). A variant
 * is a CI command with the same program and first word that is not an option ({@code mvn … verify},
 * {@code bin/keel demo …}).
 */
class ReadmeCommandsTest
{
    private static final String SECTION = "## The two commands";

    @Test
    @Timeout(10)
    void shouldRunReadmeCommandsInCiExactlyAsPrinted() throws IOException
    {
        final Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().getParent(); // gateway/server → the repository
        final String readme = Files.readString(root.resolve("README.md"));
        final String ci = Files.readString(root.resolve(".ci/run"));

        final List<String> commands = readmeCommands(readme);
        assertEquals(List.of("mvn -B verify", "bin/keel demo"), commands, "README's two commands");
        assertEquals(List.of(), drift(commands, ciCommands(ci)));
    }

    @Test
    void shouldReportDriftedOptions()
    {
        final String readme = readme("mvn -B verify", "bin/keel demo");
        final String ci = "#!/usr/bin/env bash\nset -euo pipefail\n" +
            "mvn -B -ntp verify\n" +
            "bin/keel --help >/dev/null\n" +
            "bin/keel demo --seconds 3 > \"$log\"\n";

        final List<String> drift = drift(readmeCommands(readme), ciCommands(ci));

        assertEquals(List.of(
            "README command 'mvn -B verify': CI runs 'mvn -B -ntp verify' instead",
            "README command 'bin/keel demo': CI runs 'bin/keel demo --seconds 3' instead"), drift);
    }

    @Test
    void shouldReportCommandCiDoesNotRun()
    {
        final String ci = "mvn -B verify\n# bin/keel demo\n";

        assertEquals(
            List.of("README command 'bin/keel demo': CI does not run it"),
            drift(readmeCommands(readme("mvn -B verify", "bin/keel demo")), ciCommands(ci)));
    }

    @Test
    void shouldAcceptExactCommandsWithRedirectionsPipesAndContinuations()
    {
        final String ci = "mvn -B \\\n    verify\n" +
            "demo_log=$(mktemp)\n" +
            "bin/keel demo | tee \"$demo_log\" | grep -v trade\n" +
            "bin/keel --help >/dev/null\n";

        assertEquals(List.of("mvn -B verify", "bin/keel demo", "bin/keel --help"), ciCommands(ci));
        assertEquals(List.of(), drift(readmeCommands(readme("mvn -B verify", "bin/keel demo")), ciCommands(ci)));
    }

    @Test
    void shouldReadOnlyTheFencedBlocksOfTheSection()
    {
        final String readme = "# Keel\n```\nmvn -B install\n```\n" + readme("mvn -B verify", "bin/keel demo") +
            "## Layout\n```\nbin/keel demo --nodes 1\n```\n";

        assertEquals(List.of("mvn -B verify", "bin/keel demo"), readmeCommands(readme));
        assertThrows(IllegalStateException.class, () -> readmeCommands("# Keel\n## Status\n"));
    }

    private static String readme(final String testCommand, final String runCommand)
    {
        return SECTION + "\n\nRun the tests:\n\n```\n" + testCommand + "\n```\n\nRun the demo:\n\n```\n" + runCommand +
            "\n```\n\nOptions: `--nodes 1|3`.\n\n";
    }

    /**
     * Every line of every fenced code block under the section, up to the next heading of its level.
     */
    static List<String> readmeCommands(final String readme)
    {
        final int start = readme.indexOf(SECTION + "\n");
        if (start < 0)
        {
            throw new IllegalStateException("README has no section '" + SECTION + "'");
        }
        final int next = readme.indexOf("\n## ", start + SECTION.length());
        final String section = readme.substring(start, next < 0 ? readme.length() : next);
        final List<String> commands = new ArrayList<>();
        boolean fenced = false;
        for (final String line : section.split("\n"))
        {
            if (line.startsWith("```"))
            {
                fenced = !fenced;
            }
            else if (fenced && !line.isBlank())
            {
                commands.add(line.trim());
            }
        }
        return commands;
    }

    /**
     * The simple commands a shell script runs, one per line: continuations joined, comments, assignments and
     * control lines skipped, and each cut at its first redirection or pipe.
     */
    static List<String> ciCommands(final String script)
    {
        final List<String> commands = new ArrayList<>();
        final String joined = script.replace("\\\n", " ");
        for (final String rawLine : joined.split("\n"))
        {
            String line = rawLine.trim();
            if (line.isEmpty() || line.startsWith("#") || line.matches("[A-Za-z_][A-Za-z0-9_]*=.*") ||
                line.matches("(if|then|else|fi|for|do|done|while|set|cd)\\b.*"))
            {
                continue;
            }
            final int cut = firstOf(line, "|", ">", "<", "&&", ";");
            line = line.substring(0, cut).trim().replaceAll("\\s+", " ");
            if (!line.isEmpty())
            {
                commands.add(line);
            }
        }
        return commands;
    }

    private static int firstOf(final String line, final String... tokens)
    {
        int first = line.length();
        for (final String token : tokens)
        {
            final int at = line.indexOf(token);
            if (at >= 0)
            {
                first = Math.min(first, at);
            }
        }
        return first;
    }

    /**
     * @return one line per README command that CI does not run exactly, or runs in a variant too.
     */
    static List<String> drift(final List<String> readmeCommands, final List<String> ciCommands)
    {
        final List<String> problems = new ArrayList<>();
        for (final String command : readmeCommands)
        {
            boolean ran = false;
            for (final String ciCommand : ciCommands)
            {
                if (ciCommand.equals(command))
                {
                    ran = true;
                }
                else if (key(ciCommand).equals(key(command)))
                {
                    problems.add("README command '" + command + "': CI runs '" + ciCommand + "' instead");
                    ran = true;
                }
            }
            if (!ran)
            {
                problems.add("README command '" + command + "': CI does not run it");
            }
        }
        return problems;
    }

    /**
     * The program and its first word that is not an option: what makes two command lines the same command.
     */
    private static String key(final String command)
    {
        final String[] words = command.split(" ");
        for (int i = 1; i < words.length; i++)
        {
            if (!words[i].startsWith("-"))
            {
                return words[0] + " " + words[i];
            }
        }
        return words[0];
    }
}
