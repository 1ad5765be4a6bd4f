package io.keel.codecs;

import java.util.SplittableRandom;

/**
 * Field values drawn from a seed. An encoder and a checker built from the same seed draw the same values in the
 * same order, so a round trip compares every field without storing anything.
 */
final class Values
{
    private static final char[] TEXT_CHARS =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/".toCharArray();

    private final SplittableRandom random;

    Values(final long seed)
    {
        random = new SplittableRandom(seed);
    }

    long int64()
    {
        return random.nextLong();
    }

    int int32()
    {
        return random.nextInt();
    }

    long uint32()
    {
        return random.nextLong(0, 0xFFFF_FFFFL);
    }

    int uint16()
    {
        return random.nextInt(0, 0xFFFF);
    }

    boolean bool()
    {
        return random.nextBoolean();
    }

    /**
     * A valid value of a generated enum, never its NULL_VAL.
     */
    <E extends Enum<E>> E pick(final E[] values)
    {
        final E value = values[random.nextInt(values.length)];
        return "NULL_VAL".equals(value.name()) ? values[0] : value;
    }

    /**
     * Mostly short, sometimes long, occasionally at the schema's 1024-byte maximum.
     */
    String text()
    {
        final int roll = random.nextInt(100);
        final int length = roll < 80 ? random.nextInt(0, 33) : roll < 97 ? random.nextInt(33, 300) : 1024;
        final char[] chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = TEXT_CHARS[random.nextInt(TEXT_CHARS.length)];
        }

        return new String(chars);
    }

    /**
     * A repeating group's entry count.
     */
    int count()
    {
        return random.nextInt(100) < 90 ? random.nextInt(0, 6) : random.nextInt(6, 40);
    }
}
