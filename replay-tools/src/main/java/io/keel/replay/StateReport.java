package io.keel.replay;

import io.keel.codecs.Side;
import io.keel.engine.BookWalk;
import io.keel.engine.Engine;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a rebuilt engine holds, for operators: every instrument with the top levels of its book
 * and every account's balances, read from the engine's own canonical snapshot (so in id order,
 * every field included).
 */
final class StateReport
{
    private final List<KeelMessages.Decoded> instruments = new ArrayList<>();
    private final List<KeelMessages.Decoded> accounts = new ArrayList<>();
    private final Engine engine;

    StateReport(final Engine engine, final Set<Long> accountFilter)
    {
        this.engine = engine;
        engine.writeSnapshot((buffer, offset, length) ->
        {
            final KeelMessages.Decoded decoded = KeelMessages.decode(buffer, offset, length);
            if (decoded == null)
            {
                return;
            }
            if (decoded.name().equals("SnapshotInstrument"))
            {
                instruments.add(decoded);
            }
            else if (decoded.name().equals("SnapshotAccount"))
            {
                final Long accountId = (Long)decoded.fields().get(0).value();
                if (accountFilter.isEmpty() || accountFilter.contains(accountId))
                {
                    accounts.add(decoded);
                }
            }
        });
    }

    void printText(final PrintStream out, final int depth)
    {
        for (final KeelMessages.Decoded instrument : instruments)
        {
            final StringBuilder sb = new StringBuilder("instrument");
            appendFieldsText(sb, instrument.fields());
            out.println(sb);
            final int instrumentId = (int)(long)(Long)instrument.fields().get(0).value();
            for (final Side side : new Side[]{Side.BUY, Side.SELL})
            {
                final int[] level = {0};
                BookWalk.forEachLevel(engine, instrumentId, side, (price, quantity, orderCount) ->
                {
                    if (level[0]++ < depth)
                    {
                        out.println("  " + (side == Side.BUY ? "bid" : "ask") + " " + level[0] + ": price=" + price +
                            " quantity=" + quantity + " orders=" + orderCount);
                    }
                });
            }
        }
        for (final KeelMessages.Decoded account : accounts)
        {
            final StringBuilder sb = new StringBuilder("account");
            appendFieldsText(sb, account.fields());
            out.println(sb);
        }
    }

    void appendJson(final StringBuilder sb, final int depth)
    {
        sb.append("\"instruments\":[");
        for (int i = 0; i < instruments.size(); i++)
        {
            final KeelMessages.Decoded instrument = instruments.get(i);
            final List<Field> fields = new ArrayList<>(instrument.fields());
            final int instrumentId = (int)(long)(Long)fields.get(0).value();
            fields.add(new Field("bids", levels(instrumentId, Side.BUY, depth)));
            fields.add(new Field("asks", levels(instrumentId, Side.SELL, depth)));
            sb.append(i > 0 ? "," : "");
            DumpEntry.appendJsonFields(sb, fields);
        }
        sb.append("],\"accounts\":[");
        for (int i = 0; i < accounts.size(); i++)
        {
            sb.append(i > 0 ? "," : "");
            DumpEntry.appendJsonFields(sb, accounts.get(i).fields());
        }
        sb.append(']');
    }

    private List<List<Field>> levels(final int instrumentId, final Side side, final int depth)
    {
        final List<List<Field>> levels = new ArrayList<>();
        BookWalk.forEachLevel(engine, instrumentId, side, (price, quantity, orderCount) ->
        {
            if (levels.size() < depth)
            {
                levels.add(List.of(
                    new Field("price", price), new Field("quantity", quantity), new Field("orders", (long)orderCount)));
            }
        });
        return levels;
    }

    private static void appendFieldsText(final StringBuilder sb, final List<Field> fields)
    {
        for (final Field field : fields)
        {
            sb.append(' ').append(field.name()).append('=');
            DumpEntry.appendText(sb, field.value());
        }
    }
}
