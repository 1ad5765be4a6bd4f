package io.keel.engine;

import io.keel.codecs.Side;

/**
 * One side of a book: price levels in a sorted array with the best price at the end, so the
 * touch is read in O(1) and levels near the touch, where most activity is, insert and remove
 * with short copies.
 */
final class BookSide
{
    final Side side;
    private PriceLevel[] levels = new PriceLevel[64];
    private int count;
    private PriceLevel[] spare = new PriceLevel[64];
    private int spareCount;

    BookSide(final Side side)
    {
        this.side = side;
    }

    int levelCount()
    {
        return count;
    }

    /**
     * @param depth 0 for the best level.
     */
    PriceLevel level(final int depth)
    {
        return levels[count - 1 - depth];
    }

    PriceLevel best()
    {
        return count == 0 ? null : levels[count - 1];
    }

    /**
     * True when price a is better (more aggressive) than price b for this side.
     */
    boolean isBetter(final long a, final long b)
    {
        return side == Side.BUY ? a > b : a < b;
    }

    /**
     * The level at a price, created if missing.
     */
    PriceLevel levelFor(final long price)
    {
        // Scan from the touch, where new orders cluster; go binary past a few levels.
        int i = count - 1;
        int scanned = 0;
        while (i >= 0)
        {
            final long levelPrice = levels[i].price;
            if (levelPrice == price)
            {
                return levels[i];
            }
            if (isBetter(price, levelPrice))
            {
                break;
            }
            i--;
            if (++scanned == 8)
            {
                return findOrInsert(price);
            }
        }
        return insertAt(i + 1, price);
    }

    /**
     * The level at a price, or null.
     */
    PriceLevel find(final long price)
    {
        final int index = indexOf(price);
        return index < 0 ? null : levels[index];
    }

    private int indexOf(final long price)
    {
        int low = 0;
        int high = count - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long midPrice = levels[mid].price;
            if (midPrice == price)
            {
                return mid;
            }
            if (isBetter(price, midPrice))
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }

    private PriceLevel findOrInsert(final long price)
    {
        // Array index grows with how good a price is: worst at 0, best at count - 1.
        int low = 0;
        int high = count - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long midPrice = levels[mid].price;
            if (midPrice == price)
            {
                return levels[mid];
            }
            if (isBetter(price, midPrice))
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return insertAt(low, price);
    }

    private PriceLevel insertAt(final int index, final long price)
    {
        if (count == levels.length)
        {
            final PriceLevel[] bigger = new PriceLevel[count * 2];
            System.arraycopy(levels, 0, bigger, 0, count);
            levels = bigger;
        }
        System.arraycopy(levels, index, levels, index + 1, count - index);
        final PriceLevel level = spareCount > 0 ? spare[--spareCount] : new PriceLevel();
        level.reset(price);
        levels[index] = level;
        count++;
        return level;
    }

    void removeLevel(final PriceLevel level)
    {
        final int i = indexOf(level.price);
        System.arraycopy(levels, i + 1, levels, i, count - i - 1);
        levels[--count] = null;
        if (spareCount == spare.length)
        {
            final PriceLevel[] bigger = new PriceLevel[spareCount * 2];
            System.arraycopy(spare, 0, bigger, 0, spareCount);
            spare = bigger;
        }
        spare[spareCount++] = level;
    }
}
