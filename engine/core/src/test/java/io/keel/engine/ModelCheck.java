package io.keel.engine;

import io.keel.codecs.Side;
import io.keel.engine.Events.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one command stream through the engine and the reference model side by side and describes
 * the first difference: in the events of a command, or in the state after it.
 */
final class ModelCheck
{
    /** Accounts and assets whose balances are compared: the streams' plus a few never used. */
    private static final long MAX_ACCOUNT = CommandStreams.ACCOUNTS + 3;
    private static final int MAX_ASSET = 5;
    private static final int MAX_INSTRUMENT = 9;
    private static final int PRELUDE = CommandStreams.prelude().size();

    private ModelCheck()
    {
    }

    /**
     * @param stateEvery compare full state after every this many commands (and at the end).
     * @return null when the engine and the model agree throughout, else what differed first.
     */
    static String firstDifference(
        final List<Command> commands, final EngineContext engineContext, final EngineContext modelContext, final int stateEvery)
    {
        final RecordingListener events = new RecordingListener();
        final Engine engine = new Engine(engineContext, events);
        final ReferenceEngine model = new ReferenceEngine(modelContext);
        final Command.Venue venue = Command.venue(engine);

        for (int i = 0; i < commands.size(); i++)
        {
            final Command command = commands.get(i);
            command.applyTo(venue);
            command.applyTo(model);
            final List<Event> actual = events.drain();
            final List<Event> expected = model.drain();
            if (!actual.equals(expected))
            {
                return describe(commands, i, "events differ", expected, actual);
            }
            try
            {
                engine.verifyInvariants();
            }
            catch (final IllegalStateException ex)
            {
                return describe(commands, i, ex.getMessage(), expected, actual);
            }
            if ((i + 1) % stateEvery == 0 || i == commands.size() - 1)
            {
                final String stateDifference = stateDifference(engine, model);
                if (stateDifference != null)
                {
                    return describe(commands, i, stateDifference, expected, actual);
                }
            }
        }
        return null;
    }

    static String stateDifference(final Engine engine, final ReferenceEngine model)
    {
        if (engine.openOrderCount() != model.resting.size())
        {
            return "open orders: engine " + engine.openOrderCount() + ", model " + model.resting.size();
        }
        if (engine.lastTime() != model.lastTime)
        {
            return "last time: engine " + engine.lastTime() + ", model " + model.lastTime;
        }
        for (int instrumentId = 1; instrumentId <= MAX_INSTRUMENT; instrumentId++)
        {
            final ReferenceEngine.Inst inst = model.instruments.get(instrumentId);
            if (engine.hasInstrument(instrumentId) != (inst != null))
            {
                return "instrument " + instrumentId + " exists in only one of them";
            }
            if (inst == null)
            {
                continue;
            }
            if (engine.referencePrice(instrumentId) != inst.reference || engine.isHalted(instrumentId) != inst.halted)
            {
                return "instrument " + instrumentId + ": engine reference/halted " + engine.referencePrice(instrumentId) + "/" +
                    engine.isHalted(instrumentId) + ", model " + inst.reference + "/" + inst.halted;
            }
            for (final Side side : new Side[] {Side.BUY, Side.SELL})
            {
                final List<String> engineOrders = new ArrayList<>();
                BookWalk.forEachOrder(engine, instrumentId, side, (orderId, clOrdId, accountId, sessionId, price, quantity, leavesQty) ->
                    engineOrders.add(order(orderId, clOrdId, accountId, sessionId, price, quantity, leavesQty)));
                final List<String> modelOrders = new ArrayList<>();
                final List<String> modelLevels = new ArrayList<>();
                long levelPrice = 0;
                long levelQuantity = 0;
                int levelCount = 0;
                for (final ReferenceEngine.Ord o : model.side(instrumentId, side))
                {
                    modelOrders.add(order(o.orderId, o.clOrdId, o.accountId, o.sessionId, o.price, o.quantity, o.leavesQty));
                    if (levelCount > 0 && o.price != levelPrice)
                    {
                        modelLevels.add(level(levelPrice, levelQuantity, levelCount));
                        levelQuantity = 0;
                        levelCount = 0;
                    }
                    levelPrice = o.price;
                    levelQuantity += o.leavesQty;
                    levelCount++;
                }
                if (levelCount > 0)
                {
                    modelLevels.add(level(levelPrice, levelQuantity, levelCount));
                }
                final List<String> engineLevels = new ArrayList<>();
                BookWalk.forEachLevel(engine, instrumentId, side, (price, quantity, orderCount) ->
                    engineLevels.add(level(price, quantity, orderCount)));
                if (!engineOrders.equals(modelOrders))
                {
                    return "book " + instrumentId + " " + side + " orders in priority order:\n    engine " + engineOrders +
                        "\n    model  " + modelOrders;
                }
                if (!engineLevels.equals(modelLevels))
                {
                    return "book " + instrumentId + " " + side + " levels:\n    engine " + engineLevels + "\n    model  " +
                        modelLevels;
                }
            }
        }
        for (long account = 1; account <= MAX_ACCOUNT; account++)
        {
            if (engine.hasAccount(account) != model.accounts.containsKey(account))
            {
                return "account " + account + " exists in only one of them";
            }
            for (int asset = 0; asset <= MAX_ASSET; asset++)
            {
                final long engineTotal = engine.balance(account, asset);
                final long engineReserved = engine.reserved(account, asset);
                final long modelTotal = model.balance(account, asset);
                final long modelReserved = model.reserved(account, asset);
                if (engineTotal != modelTotal || engineReserved != modelReserved)
                {
                    return "account " + account + " asset " + asset + ": engine total/reserved " + engineTotal + "/" +
                        engineReserved + ", model " + modelTotal + "/" + modelReserved;
                }
            }
        }
        return null;
    }

    private static String order(
        final long orderId, final long clOrdId, final long accountId, final long sessionId, final long price, final long quantity,
        final long leavesQty)
    {
        return "#" + orderId + "(cl " + clOrdId + " acct " + accountId + " sess " + sessionId + " " + leavesQty + "/" + quantity +
            "@" + price + ")";
    }

    private static String level(final long price, final long quantity, final int count)
    {
        return quantity + "@" + price + "x" + count;
    }

    private static String describe(
        final List<Command> commands, final int index, final String what, final List<Event> expected, final List<Event> actual)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(what).append(" after command ").append(index).append(" of ").append(commands.size()).append(":\n  ")
            .append(commands.get(index)).append("\nrecent commands (after the fixed prelude of ").append(PRELUDE)
            .append(": instruments 1-3, accounts 1-6 funded):");
        for (int i = Math.max(PRELUDE, index - 25); i < index; i++)
        {
            sb.append("\n  ").append(i).append(": ").append(commands.get(i));
        }
        int firstDiff = 0;
        while (firstDiff < Math.min(expected.size(), actual.size()) && expected.get(firstDiff).equals(actual.get(firstDiff)))
        {
            firstDiff++;
        }
        sb.append("\nevents (first difference at ").append(firstDiff).append("):\n  model:");
        for (final Event event : expected)
        {
            sb.append("\n    ").append(event);
        }
        sb.append("\n  engine:");
        for (final Event event : actual)
        {
            sb.append("\n    ").append(event);
        }
        return sb.toString();
    }
}
