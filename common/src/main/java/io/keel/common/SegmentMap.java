package io.keel.common;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * Which market segment owns which instruments, and where each segment's cluster listens. A segment is an independent
 * Aeron Cluster (its own nodes, log, snapshots and journal); gateways connect to every segment and route each order by
 * its instrument. Read from a properties file:
 * <pre>
 * # Keel segment map
 * version=3
 * segments=2
 * segment.0.hosts=localhost,localhost,localhost
 * segment.0.base-port=9000
 * segment.0.instruments=1-99
 * segment.1.hosts=localhost
 * segment.1.base-port=9100
 * segment.1.instruments=100-199,250
 * </pre>
 * Segment ids run 0 .. segments-1. {@code instruments} is a comma-separated list of ids and inclusive ranges, or
 * {@code *} (every instrument no other segment names; at most one segment may say it). Ranges of two segments must
 * not overlap. An instrument no segment owns is routed to segment 0, whose engine answers it as it answers any
 * unknown instrument. The version is the operator's: every process reports the version it runs with, so a gateway
 * left on an old map shows.
 * <p>
 * Immutable; {@link #segmentOf} is allocation-free (binary search over sorted ranges), for the gateway's hot path.
 */
public final class SegmentMap
{
    public static final String HOSTS_DEFAULT = "localhost";

    private final int version;
    private final List<Segment> segments;
    /** Sorted, non-overlapping ranges: {@code rangeFirst[i] ..= rangeLast[i]} belongs to {@code rangeSegment[i]}. */
    private final int[] rangeFirst;
    private final int[] rangeLast;
    private final int[] rangeSegment;
    /** The segment that said {@code *}, or -1. */
    private final int wildcardSegment;

    private SegmentMap(final int version, final List<Segment> segments)
    {
        this.version = version;
        this.segments = Collections.unmodifiableList(segments);
        final List<long[]> ranges = new ArrayList<>();
        int wildcard = -1;
        for (final Segment segment : segments)
        {
            if (segment.ownsEverythingElse)
            {
                if (wildcard >= 0)
                {
                    throw new IllegalArgumentException(
                        "segments " + wildcard + " and " + segment.id + " both say instruments=*");
                }
                wildcard = segment.id;
            }
            for (final int[] range : segment.ranges)
            {
                ranges.add(new long[]{range[0], range[1], segment.id});
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        rangeFirst = new int[ranges.size()];
        rangeLast = new int[ranges.size()];
        rangeSegment = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++)
        {
            final long[] range = ranges.get(i);
            if (i > 0 && range[0] <= rangeLast[i - 1])
            {
                throw new IllegalArgumentException("instruments " + range[0] + ".." + range[1] + " of segment " +
                    range[2] + " overlap " + rangeFirst[i - 1] + ".." + rangeLast[i - 1] + " of segment " +
                    rangeSegment[i - 1]);
            }
            rangeFirst[i] = (int)range[0];
            rangeLast[i] = (int)range[1];
            rangeSegment[i] = (int)range[2];
        }
        wildcardSegment = wildcard;
    }

    /**
     * One segment owning every instrument: what a gateway or tool given {@code --hosts}/{@code --base-port} (and no
     * map) runs with.
     */
    public static SegmentMap single(final List<String> hosts, final int basePort)
    {
        return new SegmentMap(0, List.of(new Segment(0, List.copyOf(hosts), basePort, List.of(), true)));
    }

    public static SegmentMap load(final Path file)
    {
        try (Reader reader = Files.newBufferedReader(file))
        {
            return parse(reader, file.toString());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read segment map " + file + ": " + ex.getMessage(), ex);
        }
    }

    public static SegmentMap parse(final String text)
    {
        try
        {
            return parse(new StringReader(text), "segment map");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static SegmentMap parse(final Reader reader, final String source) throws IOException
    {
        final Properties properties = new Properties();
        properties.load(reader);
        try
        {
            final int version = intValue(properties, "version", 1, Integer.MAX_VALUE);
            final int count = intValue(properties, "segments", 1, io.keel.codecs.SegmentSeqNo.MAX_SEGMENT + 1);
            final List<Segment> segments = new ArrayList<>(count);
            for (int id = 0; id < count; id++)
            {
                final String prefix = "segment." + id + ".";
                final String hosts = properties.getProperty(prefix + "hosts", HOSTS_DEFAULT).trim();
                final int basePort = intValue(properties, prefix + "base-port", 1, 65535 - 100);
                final String instruments = properties.getProperty(prefix + "instruments");
                if (instruments == null || instruments.isBlank())
                {
                    throw new IllegalArgumentException(prefix + "instruments is missing");
                }
                final boolean wildcard = instruments.trim().equals("*");
                segments.add(new Segment(id, hostList(prefix + "hosts", hosts), basePort,
                    wildcard ? List.of() : ranges(prefix + "instruments", instruments), wildcard));
            }
            for (final String key : properties.stringPropertyNames())
            {
                if (!key.equals("version") && !key.equals("segments") && !knownSegmentKey(key, count))
                {
                    throw new IllegalArgumentException("unknown key " + key);
                }
            }
            return new SegmentMap(version, segments);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(source + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean knownSegmentKey(final String key, final int count)
    {
        for (int id = 0; id < count; id++)
        {
            final String prefix = "segment." + id + ".";
            if (key.equals(prefix + "hosts") || key.equals(prefix + "base-port") || key.equals(prefix + "instruments"))
            {
                return true;
            }
        }
        return false;
    }

    private static int intValue(final Properties properties, final String key, final int min, final int max)
    {
        final String text = properties.getProperty(key);
        if (text == null)
        {
            throw new IllegalArgumentException(key + " is missing");
        }
        try
        {
            final int value = Integer.parseInt(text.trim());
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ": " + text.trim());
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " is not a number: " + text.trim());
        }
    }

    private static List<String> hostList(final String key, final String hosts)
    {
        final List<String> list = new ArrayList<>();
        for (final String host : hosts.split(","))
        {
            if (host.isBlank())
            {
                throw new IllegalArgumentException(key + " has an empty host: " + hosts);
            }
            list.add(host.trim());
        }
        return List.copyOf(list);
    }

    private static List<int[]> ranges(final String key, final String text)
    {
        final List<int[]> ranges = new ArrayList<>();
        for (final String part : text.split(","))
        {
            final String item = part.trim();
            final int dash = item.indexOf('-', 1);
            try
            {
                final int first = Integer.parseInt(dash < 0 ? item : item.substring(0, dash).trim());
                final int last = dash < 0 ? first : Integer.parseInt(item.substring(dash + 1).trim());
                if (first <= 0 || last < first)
                {
                    throw new IllegalArgumentException(
                        key + ": " + item + " is not an instrument id (> 0) or a range first-last with first <= last");
                }
                ranges.add(new int[]{first, last});
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + ": " + item + " is not an instrument id or a range first-last");
            }
        }
        return ranges;
    }

    /**
     * @return the segment that owns the instrument; segment 0 (or the {@code *} segment) for one nobody names.
     */
    public int segmentOf(final int instrumentId)
    {
        int low = 0;
        int high = rangeFirst.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (instrumentId < rangeFirst[mid])
            {
                high = mid - 1;
            }
            else if (instrumentId > rangeLast[mid])
            {
                low = mid + 1;
            }
            else
            {
                return rangeSegment[mid];
            }
        }
        return wildcardSegment >= 0 ? wildcardSegment : 0;
    }

    /**
     * @return true when a segment names the instrument (by id, range or {@code *}).
     */
    public boolean isMapped(final int instrumentId)
    {
        return wildcardSegment >= 0 || segments.get(segmentOf(instrumentId)).owns(instrumentId);
    }

    public int version()
    {
        return version;
    }

    public int segmentCount()
    {
        return segments.size();
    }

    public Segment segment(final int id)
    {
        if (id < 0 || id >= segments.size())
        {
            throw new IllegalArgumentException(
                "no segment " + id + ": the map has segments 0.." + (segments.size() - 1));
        }
        return segments.get(id);
    }

    public List<Segment> segments()
    {
        return segments;
    }

    public String toString()
    {
        return "SegmentMap{version=" + version + ", segments=" + segments + "}";
    }

    /**
     * One segment: its cluster's hosts (one per member) and base port, as {@code keel node} takes them, and the
     * instruments it owns.
     */
    public static final class Segment
    {
        private final int id;
        private final List<String> hosts;
        private final int basePort;
        private final List<int[]> ranges;
        private final boolean ownsEverythingElse;

        Segment(final int id, final List<String> hosts, final int basePort, final List<int[]> ranges,
            final boolean ownsEverythingElse)
        {
            this.id = id;
            this.hosts = hosts;
            this.basePort = basePort;
            this.ranges = ranges;
            this.ownsEverythingElse = ownsEverythingElse;
        }

        public int id()
        {
            return id;
        }

        public List<String> hosts()
        {
            return hosts;
        }

        public int basePort()
        {
            return basePort;
        }

        /**
         * @return the cluster client's ingress endpoints, {@code 0=host:port,...}.
         */
        public String ingressEndpoints()
        {
            return ClusterLayout.ingressEndpoints(hosts, basePort);
        }

        /**
         * @return true when this segment names the instrument by id or range (not through {@code *}).
         */
        public boolean owns(final int instrumentId)
        {
            for (final int[] range : ranges)
            {
                if (instrumentId >= range[0] && instrumentId <= range[1])
                {
                    return true;
                }
            }
            return false;
        }

        public boolean ownsEverythingElse()
        {
            return ownsEverythingElse;
        }

        public String toString()
        {
            final StringBuilder sb = new StringBuilder();
            for (final int[] range : ranges)
            {
                sb.append(sb.length() == 0 ? "" : ",").append(range[0] == range[1] ? "" + range[0] : Arrays.toString(range));
            }
            return "segment " + id + " hosts=" + hosts + " base-port=" + basePort + " instruments=" +
                (ownsEverythingElse ? "*" : sb);
        }
    }
}
