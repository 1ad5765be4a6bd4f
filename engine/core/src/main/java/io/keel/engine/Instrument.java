package io.keel.engine;

import io.keel.codecs.Side;

/**
 * A tradable pair and its book: base asset bought and sold for the quote asset.
 */
final class Instrument
{
    final int instrumentId;
    final int baseAssetId;
    final int quoteAssetId;
    final long tickSize;
    final long lotSize;
    final int priceBandBps;
    final int marketProtectionBps;
    final BookSide bids = new BookSide(Side.BUY);
    final BookSide asks = new BookSide(Side.SELL);

    /** Last trade price, or the configured one before the first trade: the centre of the bands. */
    long referencePrice;
    boolean halted;
    long mdSeqNo;
    private long bandReferencePrice = Long.MIN_VALUE;
    private long bandLow;
    private long bandHigh;

    Instrument(
        final int instrumentId,
        final int baseAssetId,
        final int quoteAssetId,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps)
    {
        this.instrumentId = instrumentId;
        this.baseAssetId = baseAssetId;
        this.quoteAssetId = quoteAssetId;
        this.tickSize = tickSize;
        this.lotSize = lotSize;
        this.referencePrice = referencePrice;
        this.priceBandBps = priceBandBps;
        this.marketProtectionBps = marketProtectionBps;
    }

    BookSide side(final Side side)
    {
        return side == Side.BUY ? bids : asks;
    }

    BookSide opposite(final Side side)
    {
        return side == Side.BUY ? asks : bids;
    }

    /**
     * Reference price moved by bps, rounded to a tick towards the reference; never below one tick.
     * Prices and bps are bounded at entry (Engine.MAX_PRICE, MAX_BPS), so this cannot overflow.
     */
    long bandPrice(final int bps, final boolean up)
    {
        final long offset = referencePrice * bps / 10_000L;
        if (up)
        {
            return Math.floorDiv(Math.min(referencePrice + offset, Engine.MAX_PRICE), tickSize) * tickSize;
        }
        final long low = Math.floorDiv(referencePrice - offset + tickSize - 1, tickSize) * tickSize;
        return Math.max(low, tickSize);
    }

    boolean isOutsideBand(final long price)
    {
        if (priceBandBps == 0)
        {
            return false;
        }
        if (referencePrice != bandReferencePrice)
        {
            // Derived from referencePrice: recomputed only when a trade moved it.
            bandHigh = bandPrice(priceBandBps, true);
            bandLow = bandPrice(priceBandBps, false);
            bandReferencePrice = referencePrice;
        }
        return price > bandHigh || price < bandLow;
    }
}
