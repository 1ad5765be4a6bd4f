package io.keel.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of every panel target in a Grafana dashboard JSON ({@code "expr"} strings, JSON-unescaped), and the
 * repository's files as the tests find them from a module's directory.
 */
final class DashboardQueries
{
    /** The commit-lag panel: {@code scalar()} keeps the per-node labels on the right-hand side. */
    static final String COMMIT_LAG = "scalar(max(keel_cluster_commit_position)) - keel_cluster_commit_position";
    /** What it was: {@code max} drops every label, so the subtraction matches no series and the panel was empty. */
    static final String OLD_COMMIT_LAG = "max(keel_cluster_commit_position) - keel_cluster_commit_position";

    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private DashboardQueries()
    {
    }

    static List<String> of(final Path dashboard) throws IOException
    {
        final List<String> queries = new ArrayList<>();
        final Matcher matcher = EXPR.matcher(Files.readString(dashboard));
        while (matcher.find())
        {
            queries.add(unescape(matcher.group(1)));
        }
        return queries;
    }

    /**
     * A file of the repository, e.g. {@code deploy/grafana-keel.json}, looked up from the working directory upwards
     * (Surefire runs in the module's directory).
     */
    static Path repoFile(final String relative)
    {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            final Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    private static String unescape(final String json)
    {
        final StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++)
        {
            final char c = json.charAt(i);
            if (c == '\\' && i + 1 < json.length())
            {
                final char next = json.charAt(++i);
                switch (next)
                {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'u' ->
                    {
                        out.append((char)Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(next);
                }
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }
}
