package io.keel.chaos;

import org.agrona.collections.LongHashSet;

/**
 * A session's numbered reports, as its listener received them, must run 1, 2, 3... with no gap and no repeat: the
 * engine numbers every report to a session from 1, and a client that reconnects (to any gateway) with its
 * nextExpectedSeqNo gets every report it missed, in order, before anything newer. Reports numbered 0 are a
 * gateway's own (UNAVAILABLE, THROTTLED) and outside the sequence; any other report must carry a number.
 */
final class SequenceAudit
{
    private SequenceAudit()
    {
    }

    /**
     * @return how many seqNos the session never received (gaps; trailing losses show as a gap before the last
     * report, which is why a run ends with a report every session waits for).
     */
    static long audit(final SessionHistory session, final CheckResult result)
    {
        long expected = 1;
        long missing = 0;
        String previous = "the start";
        final LongHashSet seen = new LongHashSet();
        for (final SessionHistory.Received report : session.received)
        {
            final long seqNo = report.seqNo();
            if (seqNo == 0)
            {
                if (!report.what().startsWith("BUSINESS_REJECT"))
                {
                    result.violation(Anomaly.UNNUMBERED, session.name + ": " + report.what() + " carries no seqNo");
                }
                continue;
            }
            if (seqNo > expected)
            {
                final long gap = seqNo - expected;
                missing += gap;
                result.violation(Anomaly.SEQ_GAP, session.name + ": seqNo " + seqNo + " (" + report.what() +
                    ") after " + previous + ": " + (gap == 1 ? "seqNo " + expected : "seqNos " + expected + ".." +
                    (seqNo - 1)) + " never received");
            }
            else if (seqNo < expected)
            {
                result.duplicated++;
                result.violation(Anomaly.SEQ_REPEAT, session.name + ": seqNo " + seqNo + " (" + report.what() +
                    ") received after " + previous + (seen.contains(seqNo) ? ", a second time" : ", out of order"));
                continue;
            }
            seen.add(seqNo);
            expected = seqNo + 1;
            previous = "seqNo " + seqNo;
        }
        return missing;
    }
}
