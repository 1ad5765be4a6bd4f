package io.keel.engine;

import io.keel.codecs.RejectReason;

/**
 * The header of one page of an account's status (the answer to an AccountRequest), as the engine
 * states it: who asked, which page of how many, and how many balances and orders follow on it.
 * Reused: valid only during the listener call that passes it, and never kept.
 */
public final class AccountPage
{
    private long sessionId;
    private long seqNo;
    private long accountId;
    private long requestId;
    private int pageNo;
    private int pageCount;
    private RejectReason result;
    private int openOrderCount;
    private int balanceCount;
    private int orderCount;

    AccountPage set(
        final long sessionId,
        final long seqNo,
        final long accountId,
        final long requestId,
        final int pageNo,
        final int pageCount,
        final RejectReason result,
        final int openOrderCount,
        final int balanceCount,
        final int orderCount)
    {
        this.sessionId = sessionId;
        this.seqNo = seqNo;
        this.accountId = accountId;
        this.requestId = requestId;
        this.pageNo = pageNo;
        this.pageCount = pageCount;
        this.result = result;
        this.openOrderCount = openOrderCount;
        this.balanceCount = balanceCount;
        this.orderCount = orderCount;
        return this;
    }

    /**
     * The asking client session, or 0 when an admin asked (the answer goes to the admin session).
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * The engine's number for this page in the asking session's reports; 0 when an admin asked.
     */
    public long seqNo()
    {
        return seqNo;
    }

    public long accountId()
    {
        return accountId;
    }

    public long requestId()
    {
        return requestId;
    }

    /**
     * From 1.
     */
    public int pageNo()
    {
        return pageNo;
    }

    public int pageCount()
    {
        return pageCount;
    }

    public RejectReason result()
    {
        return result;
    }

    /**
     * Every open order of the account, listed or not.
     */
    public int openOrderCount()
    {
        return openOrderCount;
    }

    /**
     * Balances on this page.
     */
    public int balanceCount()
    {
        return balanceCount;
    }

    /**
     * Orders on this page.
     */
    public int orderCount()
    {
        return orderCount;
    }
}
