package io.keel.replay;

import io.keel.node.LogApplier;
import uk.co.real_logic.sbe.otf.Types;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One log entry as the operator sees it: position, cluster time, leadership term, session, a
 * type (a Keel message name, or the cluster event) and its fields in schema order. Rendered as
 * one text line or one JSON object; the same entry always renders to the same bytes.
 */
record DumpEntry(long position, long timestamp, long term, Long session, String type, List<Field> fields)
{
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static DumpEntry of(final LogEntry entry)
    {
        final List<Field> fields = new ArrayList<>();
        Long session = null;
        String type = entry.type.label;
        switch (entry.type)
        {
            case SESSION_MESSAGE:
                session = entry.clusterSessionId;
                final KeelMessages.Decoded decoded = KeelMessages.decode(entry.buffer, entry.payloadOffset, entry.payloadLength);
                if (decoded != null)
                {
                    type = decoded.name();
                    fields.addAll(decoded.fields());
                }
                else
                {
                    type = "Unknown";
                    fields.add(new Field("length", (long)entry.payloadLength));
                }
                break;
            case SESSION_OPEN:
                session = entry.clusterSessionId;
                fields.add(new Field("correlationId", entry.correlationId));
                fields.add(new Field("principal", new String(entry.encodedPrincipal, StandardCharsets.UTF_8)));
                fields.add(new Field("responseStreamId", (long)entry.responseStreamId));
                fields.add(new Field("responseChannel", entry.responseChannel));
                break;
            case SESSION_CLOSE:
                session = entry.clusterSessionId;
                fields.add(new Field("closeReason", entry.closeReason));
                break;
            case TIMER:
                fields.add(new Field("correlationId", entry.correlationId));
                fields.add(new Field("timer", timerName(entry.correlationId)));
                break;
            case CLUSTER_ACTION:
                fields.add(new Field("action", entry.action));
                fields.add(new Field("flags", (long)entry.flags));
                break;
            case NEW_LEADERSHIP_TERM:
                fields.add(new Field("leaderMemberId", (long)entry.leaderMemberId));
                fields.add(new Field("termBaseLogPosition", entry.termBaseLogPosition));
                fields.add(new Field("logSessionId", (long)entry.logSessionId));
                fields.add(new Field("timeUnit", entry.timeUnit));
                fields.add(new Field("appVersion", (long)entry.appVersion));
                break;
            default:
                fields.add(new Field("templateId", (long)entry.templateId));
                break;
        }
        return new DumpEntry(entry.position, entry.timestamp, entry.leadershipTermId, session, type, fields);
    }

    private static String timerName(final long correlationId)
    {
        if (correlationId == LogApplier.EXPIRY_TIMER_ID)
        {
            return "expiry";
        }
        return correlationId == LogApplier.STATE_CHECK_TIMER_ID ? "state-check" : "other";
    }

    /**
     * @return a top-level numeric field of the entry, or null.
     */
    Long longField(final String name)
    {
        for (final Field field : fields)
        {
            if (field.name().equals(name) && field.value() instanceof Long)
            {
                return (Long)field.value();
            }
        }
        return null;
    }

    static String formatTime(final long timestampMs)
    {
        return TIME.format(Instant.ofEpochMilli(timestampMs));
    }

    String toText()
    {
        final StringBuilder sb = new StringBuilder(160);
        sb.append("position=").append(position)
            .append(" time=").append(formatTime(timestamp))
            .append(" term=").append(term);
        if (session != null)
        {
            sb.append(" session=").append(session);
        }
        sb.append(" type=").append(type);
        for (final Field field : fields)
        {
            sb.append(' ').append(field.name()).append('=');
            appendText(sb, field.value());
        }
        return sb.toString();
    }

    String toJson()
    {
        final StringBuilder sb = new StringBuilder(200);
        sb.append("{\"position\":").append(position)
            .append(",\"timestamp\":").append(timestamp)
            .append(",\"time\":\"").append(formatTime(timestamp)).append('"')
            .append(",\"term\":").append(term);
        if (session != null)
        {
            sb.append(",\"session\":").append(session);
        }
        sb.append(",\"type\":");
        appendJsonString(sb, type);
        sb.append(",\"fields\":");
        appendJsonFields(sb, fields);
        return sb.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    static void appendText(final StringBuilder sb, final Object value)
    {
        if (value instanceof List<?> list)
        {
            sb.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                final Object item = list.get(i);
                if (item instanceof List<?>)
                {
                    sb.append('{');
                    final List<Field> group = (List<Field>)item;
                    for (int j = 0; j < group.size(); j++)
                    {
                        sb.append(j > 0 ? " " : "").append(group.get(j).name()).append('=');
                        appendText(sb, group.get(j).value());
                    }
                    sb.append('}');
                }
                else
                {
                    appendText(sb, item);
                }
            }
            sb.append(']');
        }
        else if (value instanceof String s && (s.isEmpty() || s.chars().anyMatch((c) -> c <= ' ' || c == '"')))
        {
            appendJsonString(sb, s);
        }
        else
        {
            sb.append(value);
        }
    }

    @SuppressWarnings("unchecked")
    static void appendJsonFields(final StringBuilder sb, final List<Field> fields)
    {
        sb.append('{');
        for (int i = 0; i < fields.size(); i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            appendJsonString(sb, fields.get(i).name());
            sb.append(':');
            final Object value = fields.get(i).value();
            if (value instanceof List<?> list)
            {
                sb.append('[');
                for (int j = 0; j < list.size(); j++)
                {
                    if (j > 0)
                    {
                        sb.append(',');
                    }
                    final Object item = list.get(j);
                    if (item instanceof List<?>)
                    {
                        appendJsonFields(sb, (List<Field>)item);
                    }
                    else
                    {
                        appendJsonString(sb, String.valueOf(item));
                    }
                }
                sb.append(']');
            }
            else if (value instanceof Long)
            {
                sb.append(value);
            }
            else
            {
                appendJsonString(sb, String.valueOf(value));
            }
        }
        sb.append('}');
    }

    static void appendJsonString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        Types.jsonEscape(s, sb);
        sb.append('"');
    }
}
