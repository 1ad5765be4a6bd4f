package io.keel.codecs;

/**
 * Lenient decoding of enum fields from untrusted bytes: an unknown value becomes NULL_VAL for
 * the caller to reject, where the generated {@code get()} would throw. Allocation-free.
 */
public final class CodecEnums
{
    private static final Side[] SIDES = Side.values();
    private static final OrdType[] ORD_TYPES = OrdType.values();
    private static final TimeInForce[] TIME_IN_FORCES = TimeInForce.values();
    private static final SelfTradePrevention[] STP_MODES = SelfTradePrevention.values();
    private static final MassCancelScope[] SCOPES = MassCancelScope.values();
    private static final SessionCloseReason[] CLOSE_REASONS = SessionCloseReason.values();

    private CodecEnums()
    {
    }

    public static Side side(final short raw)
    {
        for (final Side value : SIDES)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return Side.NULL_VAL;
    }

    public static OrdType ordType(final short raw)
    {
        for (final OrdType value : ORD_TYPES)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return OrdType.NULL_VAL;
    }

    public static TimeInForce timeInForce(final short raw)
    {
        for (final TimeInForce value : TIME_IN_FORCES)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return TimeInForce.NULL_VAL;
    }

    public static SelfTradePrevention selfTradePrevention(final short raw)
    {
        for (final SelfTradePrevention value : STP_MODES)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return SelfTradePrevention.NULL_VAL;
    }

    public static MassCancelScope massCancelScope(final short raw)
    {
        for (final MassCancelScope value : SCOPES)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return MassCancelScope.NULL_VAL;
    }

    public static SessionCloseReason sessionCloseReason(final short raw)
    {
        for (final SessionCloseReason value : CLOSE_REASONS)
        {
            if (value.value() == raw)
            {
                return value;
            }
        }
        return SessionCloseReason.NULL_VAL;
    }
}
