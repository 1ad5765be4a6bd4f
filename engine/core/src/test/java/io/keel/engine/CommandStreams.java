package io.keel.engine;

import io.keel.codecs.MassCancelScope;
import io.keel.codecs.OrdType;
import io.keel.codecs.SelfTradePrevention;
import io.keel.codecs.Side;
import io.keel.codecs.TimeInForce;
import io.keel.engine.Command.AddInstrument;
import io.keel.engine.Command.CancelOrder;
import io.keel.engine.Command.CreateAccount;
import io.keel.engine.Command.Deposit;
import io.keel.engine.Command.Halt;
import io.keel.engine.Command.MassCancel;
import io.keel.engine.Command.NewOrder;
import io.keel.engine.Command.OnTime;
import io.keel.engine.Command.ReplaceOrder;
import io.keel.engine.Command.Resume;
import io.keel.engine.Command.SessionLost;
import io.keel.engine.Command.Withdraw;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random command streams decoded from "tapes" of ints, one tape per command. A tape of zeros
 * decodes to a plain command, so jqwik shrinks a failing stream (fewer tapes, smaller ints) to a
 * simpler one; a seeded random source fills the same tapes for long differential runs.
 *
 * <p>Streams use three instruments sharing assets, six funded accounts with two sessions each,
 * prices near each instrument's reference so orders cross often, every order type and self-trade
 * prevention mode, GTD with time advancing, duplicate clOrdIds, cancels and replaces of recent
 * orders, mass cancels, halts, deposits and withdrawals, and a sprinkle of invalid values.
 */
final class CommandStreams
{
    static final int TAPE_LENGTH = 32;
    static final int ACCOUNTS = 6;
    static final int[] ASSETS = {0, 1, 2, 3};
    static final long START_TIME = 1_000;

    record Spec(int instrumentId, int base, int quote, long tick, long lot, long reference, int bandBps, int protectionBps)
    {
    }

    static final Spec[] INSTRUMENTS = {
        new Spec(1, 1, 0, 1, 1, 100, 0, 500),
        new Spec(2, 2, 0, 5, 10, 1_000, 1_000, 0),
        new Spec(3, 2, 1, 2, 5, 50, 3_000, 2_000),
    };
    /** Added only by a command in the stream. */
    static final Spec LATE_INSTRUMENT = new Spec(4, 3, 0, 1, 1, 20, 0, 1_000);

    private CommandStreams()
    {
    }

    static List<Command> prelude()
    {
        final List<Command> commands = new ArrayList<>();
        long correlationId = 1;
        long time = START_TIME - 100;
        for (final Spec s : INSTRUMENTS)
        {
            commands.add(new AddInstrument(
                correlationId++, s.instrumentId(), s.base(), s.quote(), s.tick(), s.lot(), s.reference(), s.bandBps(),
                s.protectionBps(), time++));
        }
        for (long account = 1; account <= ACCOUNTS; account++)
        {
            commands.add(new CreateAccount(correlationId++, account, time++));
            commands.add(new Deposit(correlationId++, account, 0, 3_000_000 / account, time++));
            commands.add(new Deposit(correlationId++, account, 1, 40_000 / account, time++));
            commands.add(new Deposit(correlationId++, account, 2, 4_000 / account, time++));
            commands.add(new Deposit(correlationId++, account, 3, 1_000, time++));
        }
        return commands;
    }

    /**
     * Prelude then one command per tape.
     */
    static List<Command> decode(final List<int[]> tapes)
    {
        final List<Command> commands = prelude();
        final Decoder decoder = new Decoder();
        for (final int[] tape : tapes)
        {
            commands.add(decoder.next(tape));
        }
        return commands;
    }

    static List<int[]> randomTapes(final long seed, final int length)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<int[]> tapes = new ArrayList<>(length);
        for (int i = 0; i < length; i++)
        {
            final int[] tape = new int[TAPE_LENGTH];
            for (int j = 0; j < TAPE_LENGTH; j++)
            {
                tape[j] = random.nextInt(1 << 20);
            }
            tapes.add(tape);
        }
        return tapes;
    }

    static List<Command> random(final long seed, final int length)
    {
        return decode(randomTapes(seed, length));
    }

    /**
     * Reads a tape; past its end every choice is 0.
     */
    private static final class Choices
    {
        private final int[] tape;
        private int next;

        Choices(final int[] tape)
        {
            this.tape = tape;
        }

        int pick(final int bound)
        {
            final int value = next < tape.length ? tape[next] : 0;
            next++;
            return Math.floorMod(value, bound);
        }

        /**
         * @return the index of the weight chosen.
         */
        int weighted(final int... weights)
        {
            int total = 0;
            for (final int weight : weights)
            {
                total += weight;
            }
            int value = pick(total);
            for (int i = 0; i < weights.length; i++)
            {
                if (value < weights[i])
                {
                    return i;
                }
                value -= weights[i];
            }
            throw new IllegalStateException();
        }

        /**
         * True with this probability; false for a zero, so shrinking heads for the common case.
         */
        boolean chance(final int percent)
        {
            return pick(100) >= 100 - percent;
        }
    }

    private record Issued(long accountId, int instrumentId, long price, long quantity)
    {
    }

    /**
     * Remembers what it has issued (time, clOrdIds, how many new orders), never the engine's state.
     */
    private static final class Decoder
    {
        private long time = START_TIME;
        private long correlationId = 10_000;
        private long nextClOrdId = 1;
        private long newOrders;
        /** Per account: recent clOrdIds of new orders and replaces, the targets of cancels and replaces. */
        private final Map<Long, List<Long>> recentClOrdIds = new HashMap<>();
        private final Map<Long, Issued> issued = new HashMap<>();

        Command next(final int[] tape)
        {
            final Choices c = new Choices(tape);
            time += new int[] {0, 1, 1, 2, 5, 20}[c.pick(6)];
            switch (c.weighted(104, 16, 30, 2, 1, 12, 6, 6, 1, 8, 2, 2))
            {
                case 0:
                    return newOrder(c);
                case 1:
                    return cancel(c);
                case 2:
                    return replace(c);
                case 3:
                    return massCancel(c);
                case 4:
                {
                    final long account = account(c);
                    return new SessionLost(session(c, account), account, time);
                }
                case 5:
                    time += c.pick(80);
                    return new OnTime(time);
                case 6:
                    return new Deposit(correlationId++, account(c), asset(c), amount(c), time);
                case 7:
                    return new Withdraw(correlationId++, account(c), asset(c), amount(c), time);
                case 8:
                    return new Halt(correlationId++, instrument(c), time);
                case 9:
                    return new Resume(correlationId++, 1 + c.pick(INSTRUMENTS.length), time);
                case 10:
                    return new CreateAccount(correlationId++, c.pick(ACCOUNTS + 3), time);
                default:
                    return addInstrument(c);
            }
        }

        private Command newOrder(final Choices c)
        {
            final long account = account(c);
            final long session = session(c, account);
            final int instrumentId = instrument(c);
            final Spec spec = spec(instrumentId);
            final Side side = c.chance(1) ? Side.NULL_VAL : c.chance(50) ? Side.BUY : Side.SELL;
            final OrdType ordType = c.chance(1) ? OrdType.NULL_VAL : c.chance(18) ? OrdType.MARKET : OrdType.LIMIT;
            final TimeInForce tif;
            if (c.chance(2))
            {
                tif = c.chance(50) ? TimeInForce.NULL_VAL : TimeInForce.values()[c.pick(4)];
            }
            else if (ordType == OrdType.MARKET)
            {
                tif = c.chance(30) ? TimeInForce.FOK : TimeInForce.IOC;
            }
            else
            {
                tif = new TimeInForce[] {TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD}[c.weighted(50, 15, 10, 25)];
            }
            final boolean postOnly = (tif == TimeInForce.GTC || tif == TimeInForce.GTD) ? c.chance(12) : c.chance(1);
            final SelfTradePrevention stp = c.chance(1) ? SelfTradePrevention.NULL_VAL :
                new SelfTradePrevention[] {
                    SelfTradePrevention.NONE, SelfTradePrevention.CANCEL_TAKER, SelfTradePrevention.CANCEL_MAKER,
                    SelfTradePrevention.CANCEL_BOTH, SelfTradePrevention.DECREMENT_AND_CANCEL}[c.weighted(40, 15, 15, 15, 15)];
            final long price = price(c, spec, side == Side.BUY);
            final long quantity = quantity(c, spec);
            final long expireTime = c.chance(3) ? time - c.pick(3) : time + new long[] {5, 30, 100, 300, 1_000}[c.pick(5)];
            final long clOrdId = clOrdId(c, account);
            newOrders++;
            remember(account, clOrdId, new Issued(account, instrumentId, price, quantity));
            return new NewOrder(
                session, account, clOrdId, instrumentId, side, ordType, tif, postOnly, stp, price, quantity, expireTime, time);
        }

        private Command cancel(final Choices c)
        {
            final long account = account(c);
            final long session = session(c, account);
            final long clOrdId = clOrdId(c, account);
            final int instrumentId = c.chance(10) ? instrument(c) : 0;
            switch (c.weighted(45, 45, 10))
            {
                case 0:
                    return new CancelOrder(session, account, clOrdId, recentClOrdId(c, account), 0, instrumentId, time);
                case 1:
                    return new CancelOrder(session, account, clOrdId, 0, recentOrderId(c), instrumentId, time);
                default:
                    return new CancelOrder(session, account, clOrdId, 987_654, c.chance(50) ? 0 : 987_654, instrumentId, time);
            }
        }

        private Command replace(final Choices c)
        {
            final long account = account(c);
            final long session = session(c, account);
            final long clOrdId = clOrdId(c, account);
            final int instrumentIdFilter = c.chance(10) ? instrument(c) : 0;
            final long origClOrdId;
            final long orderId;
            Issued target = null;
            if (c.chance(60))
            {
                origClOrdId = recentClOrdId(c, account);
                orderId = 0;
                target = issued.get(key(account, origClOrdId));
            }
            else
            {
                origClOrdId = 0;
                orderId = recentOrderId(c);
            }
            final Spec spec = target != null && target.instrumentId() != 9 ? spec(target.instrumentId()) : spec(instrument(c));
            final long price;
            final long quantity;
            if (target != null && c.chance(35))
            {
                // Same price, quantity down (keeps priority) or up.
                price = target.price();
                quantity = c.chance(70) ? Math.max(spec.lot(), target.quantity() - spec.lot() * (1 + c.pick(3))) :
                    target.quantity() + spec.lot() * (1 + c.pick(5));
            }
            else
            {
                price = price(c, spec, c.chance(50));
                quantity = quantity(c, spec);
            }
            return new ReplaceOrder(session, account, clOrdId, origClOrdId, orderId, instrumentIdFilter, price, quantity, time);
        }

        private Command massCancel(final Choices c)
        {
            final long account = account(c);
            final MassCancelScope scope = new MassCancelScope[] {
                MassCancelScope.SESSION, MassCancelScope.ACCOUNT, MassCancelScope.INSTRUMENT,
                MassCancelScope.NULL_VAL}[c.weighted(35, 35, 25, 5)];
            final int instrumentId = scope == MassCancelScope.INSTRUMENT || c.chance(20) ? instrument(c) : 0;
            final long clOrdId = nextClOrdId++;
            return new MassCancel(session(c, account), account, clOrdId, scope, instrumentId, time);
        }

        private Command addInstrument(final Choices c)
        {
            switch (c.pick(3))
            {
                case 0:
                {
                    final Spec s = INSTRUMENTS[c.pick(INSTRUMENTS.length)];
                    return new AddInstrument(
                        correlationId++, s.instrumentId(), s.base(), s.quote(), s.tick(), s.lot(), s.reference(), s.bandBps(),
                        s.protectionBps(), time);
                }
                case 1:
                {
                    final Spec s = LATE_INSTRUMENT;
                    return new AddInstrument(
                        correlationId++, s.instrumentId(), s.base(), s.quote(), s.tick(), s.lot(), s.reference(), s.bandBps(),
                        s.protectionBps(), time);
                }
                default:
                    return new AddInstrument(
                        correlationId++, 5 + c.pick(3), c.pick(5), c.pick(5) - 1, c.pick(3), c.pick(3), c.pick(50) - 5,
                        c.pick(12_000) - 1_000, c.pick(12_000) - 1_000, time);
            }
        }

        private long account(final Choices c)
        {
            return c.chance(2) ? 99 : 1 + c.pick(ACCOUNTS);
        }

        private long session(final Choices c, final long account)
        {
            return account * 10 + c.pick(2);
        }

        private int instrument(final Choices c)
        {
            final int roll = c.pick(100);
            if (roll >= 98)
            {
                return 9;
            }
            if (roll >= 94)
            {
                return LATE_INSTRUMENT.instrumentId();
            }
            return 1 + c.pick(INSTRUMENTS.length);
        }

        private static Spec spec(final int instrumentId)
        {
            for (final Spec s : INSTRUMENTS)
            {
                if (s.instrumentId() == instrumentId)
                {
                    return s;
                }
            }
            return instrumentId == LATE_INSTRUMENT.instrumentId() ? LATE_INSTRUMENT : INSTRUMENTS[0];
        }

        private int asset(final Choices c)
        {
            final int roll = c.pick(100);
            return roll >= 97 ? -1 : roll >= 95 ? 5_000 : ASSETS[c.pick(ASSETS.length)];
        }

        private long amount(final Choices c)
        {
            final int roll = c.pick(100);
            if (roll >= 97)
            {
                return -c.pick(10);
            }
            if (roll >= 96)
            {
                return Long.MAX_VALUE - c.pick(10);
            }
            return 1 + c.pick(roll < 50 ? 100 : 100_000);
        }

        private long price(final Choices c, final Spec spec, final boolean buy)
        {
            final int roll = c.pick(100);
            if (roll >= 98)
            {
                return -spec.tick() * c.pick(3);
            }
            if (roll >= 96)
            {
                return spec.reference() + 1 + c.pick((int)Math.max(1, spec.tick() - 1));
            }
            // Near the reference: mostly on the passive side, crossing now and then.
            final long ticks = (buy ? 1 : -1) * (c.pick(14) - 10);
            return Math.max(spec.tick(), spec.reference() + ticks * spec.tick());
        }

        private long quantity(final Choices c, final Spec spec)
        {
            final int roll = c.pick(100);
            if (roll >= 98)
            {
                return -spec.lot() * c.pick(2);
            }
            if (roll >= 97)
            {
                return spec.lot() + (spec.lot() > 1 ? 1 : 0) + (spec.lot() > 1 ? 0 : Long.MAX_VALUE / 4);
            }
            return spec.lot() * (1 + c.pick(roll < 87 ? 20 : 300));
        }

        private long clOrdId(final Choices c, final long account)
        {
            final List<Long> recent = recentClOrdIds.get(account);
            if (recent != null && !recent.isEmpty() && c.chance(5))
            {
                return recent.get(c.pick(recent.size()));
            }
            return nextClOrdId++;
        }

        private long recentClOrdId(final Choices c, final long account)
        {
            final List<Long> recent = recentClOrdIds.get(account);
            return recent == null || recent.isEmpty() ? 424_242 : recent.get(recent.size() - 1 - c.pick(Math.min(c.chance(40) ? 8 : 2, recent.size())));
        }

        private long recentOrderId(final Choices c)
        {
            // About two in three new orders get an order id (rejections do not).
            return Math.max(1, newOrders * 2 / 3 - c.pick(c.chance(50) ? 30 : 5));
        }

        private void remember(final long account, final long clOrdId, final Issued what)
        {
            final List<Long> recent = recentClOrdIds.computeIfAbsent(account, a -> new ArrayList<>());
            if (!recent.contains(clOrdId))
            {
                recent.add(clOrdId);
                if (recent.size() > 16)
                {
                    recent.remove(0);
                }
            }
            if (what != null)
            {
                issued.putIfAbsent(key(account, clOrdId), what);
            }
        }

        private static long key(final long account, final long clOrdId)
        {
            return account * 1_000_000_007L + clOrdId;
        }
    }
}
