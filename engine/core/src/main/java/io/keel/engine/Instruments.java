package io.keel.engine;

import io.keel.codecs.RejectReason;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;

/**
 * The listed instruments: added and halted or resumed by admin commands, each with its book.
 */
final class Instruments
{
    final Int2ObjectHashMap<Instrument> byId = new Int2ObjectHashMap<>();
    /** Instruments by ascending id, the canonical order for iteration that reaches output. */
    Instrument[] sorted = new Instrument[16];
    int count;
    private final int maxInstruments;
    private final Accounts accounts;

    Instruments(final EngineContext ctx, final Accounts accounts)
    {
        maxInstruments = ctx.maxInstruments();
        this.accounts = accounts;
    }

    /**
     * The instrument, or null.
     */
    Instrument get(final int instrumentId)
    {
        return byId.get(instrumentId);
    }

    boolean exists(final int instrumentId)
    {
        return byId.containsKey(instrumentId);
    }

    RejectReason add(
        final int instrumentId,
        final int baseAssetId,
        final int quoteAssetId,
        final long tickSize,
        final long lotSize,
        final long referencePrice,
        final int priceBandBps,
        final int marketProtectionBps)
    {
        if (byId.containsKey(instrumentId))
        {
            return RejectReason.INSTRUMENT_EXISTS;
        }
        if (count >= maxInstruments)
        {
            return RejectReason.INSTRUMENT_LIMIT_REACHED;
        }
        if (!accounts.isValidAsset(baseAssetId) || !accounts.isValidAsset(quoteAssetId))
        {
            return RejectReason.INVALID_ASSET;
        }
        // Bounded prices and bands keep the band arithmetic (Instrument.bandPrice) inside a long.
        if (instrumentId <= 0 || baseAssetId == quoteAssetId || tickSize <= 0 || lotSize <= 0 ||
            referencePrice <= 0 || referencePrice > Engine.MAX_PRICE || referencePrice % tickSize != 0 ||
            priceBandBps < 0 || priceBandBps > Engine.MAX_BPS || marketProtectionBps < 0 ||
            marketProtectionBps > Engine.MAX_BPS)
        {
            return RejectReason.INVALID_INSTRUMENT;
        }
        accounts.ensureAssetCapacity(Math.max(baseAssetId, quoteAssetId) + 1);
        add(new Instrument(
            instrumentId, baseAssetId, quoteAssetId, tickSize, lotSize, referencePrice, priceBandBps, marketProtectionBps));
        return RejectReason.NONE;
    }

    void add(final Instrument instrument)
    {
        byId.put(instrument.instrumentId, instrument);
        if (count == sorted.length)
        {
            sorted = Arrays.copyOf(sorted, count * 2);
        }
        int i = count++;
        while (i > 0 && sorted[i - 1].instrumentId > instrument.instrumentId)
        {
            sorted[i] = sorted[i - 1];
            i--;
        }
        sorted[i] = instrument;
    }

    /**
     * Halt or resume: a halted instrument refuses new orders and replaces; cancels still work.
     */
    RejectReason setHalted(final int instrumentId, final boolean halted)
    {
        final Instrument instrument = byId.get(instrumentId);
        if (instrument == null)
        {
            return RejectReason.UNKNOWN_INSTRUMENT;
        }
        instrument.halted = halted;
        return RejectReason.NONE;
    }
}
