package io.keel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.agrona.sbe.MessageEncoderFlyweight;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One round-trip case per message of the schema: how to fill every field from {@link Values}, and how to check every
 * field against the same values. {@link RoundTripTest} fails if a template of the schema has no case here.
 */
final class MessageSamples
{
    interface Encode<E>
    {
        void encode(E encoder, Values values);
    }

    interface Check<D>
    {
        void check(D decoder, Values values);
    }

    static final class Sample<E extends MessageEncoderFlyweight, D extends MessageDecoderFlyweight>
    {
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final E encoder;
        private final D decoder;
        private final Encode<E> encode;
        private final Check<D> check;

        Sample(final E encoder, final D decoder, final Encode<E> encode, final Check<D> check)
        {
            this.encoder = encoder;
            this.decoder = decoder;
            this.encode = encode;
            this.check = check;
        }

        String name()
        {
            return encoder.getClass().getSimpleName().replace("Encoder", "");
        }

        int templateId()
        {
            return encoder.sbeTemplateId();
        }

        int blockLength()
        {
            return encoder.sbeBlockLength();
        }

        /**
         * @return length of the SBE message (header plus body) written at offset.
         */
        int encode(final MutableDirectBuffer buffer, final int offset, final long seed)
        {
            headerEncoder.wrap(buffer, offset)
                .blockLength(encoder.sbeBlockLength())
                .templateId(encoder.sbeTemplateId())
                .schemaId(encoder.sbeSchemaId())
                .version(encoder.sbeSchemaVersion());
            encoder.wrap(buffer, offset + MessageHeaderEncoder.ENCODED_LENGTH);
            encode.encode(encoder, new Values(seed));

            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }

        /**
         * @return length of the SOFH frame written at offset.
         */
        int encodeFrame(final MutableDirectBuffer buffer, final int offset, final long seed)
        {
            return Sofh.writeHeader(buffer, offset, encode(buffer, offset + Sofh.HEADER_LENGTH, seed));
        }

        /**
         * Decode the message at offset and check every field against the values of the seed, and that reading every
         * field used up exactly length bytes.
         */
        void check(final DirectBuffer buffer, final int offset, final int length, final long seed)
        {
            headerDecoder.wrap(buffer, offset);
            assertEquals(templateId(), headerDecoder.templateId(), "templateId");
            assertEquals(MessageHeaderDecoder.SCHEMA_ID, headerDecoder.schemaId(), "schemaId");
            assertEquals(MessageHeaderDecoder.SCHEMA_VERSION, headerDecoder.version(), "version");

            decoder.wrap(
                buffer,
                offset + MessageHeaderDecoder.ENCODED_LENGTH,
                headerDecoder.blockLength(),
                headerDecoder.version());
            check.check(decoder, new Values(seed));

            assertEquals(length, MessageHeaderDecoder.ENCODED_LENGTH + decoder.encodedLength(), "bytes read");
        }

        /**
         * What the generated decoder says the message at offset occupies, header included.
         */
        int sbeDecodedLength(final DirectBuffer buffer, final int offset)
        {
            headerDecoder.wrap(buffer, offset);
            decoder.wrap(
                buffer,
                offset + MessageHeaderDecoder.ENCODED_LENGTH,
                headerDecoder.blockLength(),
                headerDecoder.version());

            return MessageHeaderDecoder.ENCODED_LENGTH + decoder.sbeDecodedLength();
        }

        public String toString()
        {
            return name() + "(" + templateId() + ")";
        }
    }

    private static <E extends MessageEncoderFlyweight, D extends MessageDecoderFlyweight> Sample<E, D> sample(
        final E encoder, final D decoder, final Encode<E> encode, final Check<D> check)
    {
        return new Sample<>(encoder, decoder, encode, check);
    }

    static final List<Sample<?, ?>> ALL = List.of(
        // Session
        sample(
            new LogonEncoder(),
            new LogonDecoder(),
            (e, v) -> e
                .heartbeatIntervalMs(v.uint32())
                .cancelOnDisconnect(v.pick(BooleanType.values()))
                .nextExpectedSeqNo(v.int64())
                .username(v.text())
                .password(v.text())
                .responseChannel(v.text()),
            (d, v) ->
            {
                assertEquals(v.uint32(), d.heartbeatIntervalMs());
                assertEquals(v.pick(BooleanType.values()), d.cancelOnDisconnect());
                assertEquals(v.int64(), d.nextExpectedSeqNo());
                assertEquals(v.text(), d.username());
                assertEquals(v.text(), d.password());
                assertEquals(v.text(), d.responseChannel());
            }),
        sample(
            new LogonResponseEncoder(),
            new LogonResponseDecoder(),
            (e, v) -> e
                .result(v.pick(LogonResult.values()))
                .sessionId(v.int64())
                .accountId(v.int64())
                .heartbeatIntervalMs(v.uint32())
                .nextSeqNo(v.int64())
                .text(v.text()),
            (d, v) ->
            {
                assertEquals(v.pick(LogonResult.values()), d.result());
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.uint32(), d.heartbeatIntervalMs());
                assertEquals(v.int64(), d.nextSeqNo());
                assertEquals(v.text(), d.text());
            }),
        sample(
            new LogoutEncoder(),
            new LogoutDecoder(),
            (e, v) -> e.reason(v.pick(LogoutReason.values())).text(v.text()),
            (d, v) ->
            {
                assertEquals(v.pick(LogoutReason.values()), d.reason());
                assertEquals(v.text(), d.text());
            }),
        sample(
            new HeartbeatEncoder(),
            new HeartbeatDecoder(),
            (e, v) -> e.timestampNs(v.int64()),
            (d, v) -> assertEquals(v.int64(), d.timestampNs())),
        sample(
            new ResendRequestEncoder(),
            new ResendRequestDecoder(),
            (e, v) -> e.fromSeqNo(v.int64()).toSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.fromSeqNo());
                assertEquals(v.int64(), d.toSeqNo());
            }),
        sample(
            new SessionRejectEncoder(),
            new SessionRejectDecoder(),
            (e, v) -> e.refTemplateId(v.uint16()).reason(v.pick(RejectReason.values())).text(v.text()),
            (d, v) ->
            {
                assertEquals(v.uint16(), d.refTemplateId());
                assertEquals(v.pick(RejectReason.values()), d.reason());
                assertEquals(v.text(), d.text());
            }),

        // Order entry
        sample(
            new NewOrderEncoder(),
            new NewOrderDecoder(),
            (e, v) ->
            {
                e.sessionId(v.int64())
                    .accountId(v.int64())
                    .clOrdId(v.int64())
                    .instrumentId(v.int32())
                    .side(v.pick(Side.values()))
                    .ordType(v.pick(OrdType.values()))
                    .timeInForce(v.pick(TimeInForce.values()));
                e.execInst().clear().postOnly(v.bool());
                e.selfTradePrevention(v.pick(SelfTradePrevention.values()))
                    .price(v.int64())
                    .quantity(v.int64())
                    .expireTime(v.int64());
            },
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.pick(Side.values()), d.side());
                assertEquals(v.pick(OrdType.values()), d.ordType());
                assertEquals(v.pick(TimeInForce.values()), d.timeInForce());
                assertEquals(v.bool(), d.execInst().postOnly());
                assertEquals(v.pick(SelfTradePrevention.values()), d.selfTradePrevention());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
                assertEquals(v.int64(), d.expireTime());
            }),
        sample(
            new CancelOrderEncoder(),
            new CancelOrderDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .clOrdId(v.int64())
                .origClOrdId(v.int64())
                .orderId(v.int64())
                .instrumentId(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.origClOrdId());
                assertEquals(v.int64(), d.orderId());
                assertEquals(v.int32(), d.instrumentId());
            }),
        sample(
            new ReplaceOrderEncoder(),
            new ReplaceOrderDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .clOrdId(v.int64())
                .origClOrdId(v.int64())
                .orderId(v.int64())
                .instrumentId(v.int32())
                .price(v.int64())
                .quantity(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.origClOrdId());
                assertEquals(v.int64(), d.orderId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
            }),
        sample(
            new MassCancelEncoder(),
            new MassCancelDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .clOrdId(v.int64())
                .scope(v.pick(MassCancelScope.values()))
                .instrumentId(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.pick(MassCancelScope.values()), d.scope());
                assertEquals(v.int32(), d.instrumentId());
            }),
        sample(
            new SessionLostEncoder(),
            new SessionLostDecoder(),
            (e, v) -> e.sessionId(v.int64()).accountId(v.int64()).graceTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.graceTime());
            }),
        sample(
            new OrderStatusRequestEncoder(),
            new OrderStatusRequestDecoder(),
            (e, v) -> e.sessionId(v.int64()).accountId(v.int64()).clOrdId(v.int64()).orderId(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.orderId());
            }),
        sample(
            new AccountRequestEncoder(),
            new AccountRequestDecoder(),
            (e, v) -> e.sessionId(v.int64()).accountId(v.int64()).requestId(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.requestId());
            }),

        // Execution
        sample(
            new ExecutionReportEncoder(),
            new ExecutionReportDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .seqNo(v.int64())
                .accountId(v.int64())
                .orderId(v.int64())
                .clOrdId(v.int64())
                .origClOrdId(v.int64())
                .execId(v.int64())
                .instrumentId(v.int32())
                .execType(v.pick(ExecType.values()))
                .ordStatus(v.pick(OrdStatus.values()))
                .side(v.pick(Side.values()))
                .ordType(v.pick(OrdType.values()))
                .timeInForce(v.pick(TimeInForce.values()))
                .rejectReason(v.pick(RejectReason.values()))
                .price(v.int64())
                .quantity(v.int64())
                .leavesQty(v.int64())
                .cumQty(v.int64())
                .lastPrice(v.int64())
                .lastQty(v.int64())
                .tradeId(v.int64())
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.seqNo());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.orderId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.origClOrdId());
                assertEquals(v.int64(), d.execId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.pick(ExecType.values()), d.execType());
                assertEquals(v.pick(OrdStatus.values()), d.ordStatus());
                assertEquals(v.pick(Side.values()), d.side());
                assertEquals(v.pick(OrdType.values()), d.ordType());
                assertEquals(v.pick(TimeInForce.values()), d.timeInForce());
                assertEquals(v.pick(RejectReason.values()), d.rejectReason());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
                assertEquals(v.int64(), d.leavesQty());
                assertEquals(v.int64(), d.cumQty());
                assertEquals(v.int64(), d.lastPrice());
                assertEquals(v.int64(), d.lastQty());
                assertEquals(v.int64(), d.tradeId());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new CancelRejectEncoder(),
            new CancelRejectDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .seqNo(v.int64())
                .accountId(v.int64())
                .orderId(v.int64())
                .clOrdId(v.int64())
                .origClOrdId(v.int64())
                .instrumentId(v.int32())
                .responseTo(v.pick(CancelRejectResponseTo.values()))
                .reason(v.pick(RejectReason.values()))
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.seqNo());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.orderId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.origClOrdId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.pick(CancelRejectResponseTo.values()), d.responseTo());
                assertEquals(v.pick(RejectReason.values()), d.reason());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new BusinessRejectEncoder(),
            new BusinessRejectDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .seqNo(v.int64())
                .accountId(v.int64())
                .clOrdId(v.int64())
                .refTemplateId(v.uint16())
                .reason(v.pick(RejectReason.values()))
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.seqNo());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.uint16(), d.refTemplateId());
                assertEquals(v.pick(RejectReason.values()), d.reason());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new MassCancelReportEncoder(),
            new MassCancelReportDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .seqNo(v.int64())
                .accountId(v.int64())
                .clOrdId(v.int64())
                .scope(v.pick(MassCancelScope.values()))
                .instrumentId(v.int32())
                .canceledCount(v.int32())
                .rejectReason(v.pick(RejectReason.values()))
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.seqNo());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.pick(MassCancelScope.values()), d.scope());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int32(), d.canceledCount());
                assertEquals(v.pick(RejectReason.values()), d.rejectReason());
                assertEquals(v.int64(), d.transactTime());
            }),

        sample(
            new AccountStatusEncoder(),
            new AccountStatusDecoder(),
            (e, v) ->
            {
                e.sessionId(v.int64())
                    .accountId(v.int64())
                    .requestId(v.int64())
                    .pageNo(v.int32())
                    .pageCount(v.int32())
                    .result(v.pick(RejectReason.values()))
                    .openOrderCount(v.int32())
                    .transactTime(v.int64())
                    .seqNo(v.int64());
                final int balanceCount = v.count();
                final AccountStatusEncoder.BalancesEncoder balances = e.balancesCount(balanceCount);
                for (int i = 0; i < balanceCount; i++)
                {
                    balances.next().assetId(v.int32()).available(v.int64()).reserved(v.int64());
                }
                final int orderCount = v.count();
                final AccountStatusEncoder.OrdersEncoder orders = e.ordersCount(orderCount);
                for (int i = 0; i < orderCount; i++)
                {
                    orders.next()
                        .orderId(v.int64())
                        .clOrdId(v.int64())
                        .instrumentId(v.int32())
                        .side(v.pick(Side.values()))
                        .timeInForce(v.pick(TimeInForce.values()))
                        .price(v.int64())
                        .quantity(v.int64())
                        .leavesQty(v.int64())
                        .cumQty(v.int64())
                        .expireTime(v.int64());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.requestId());
                assertEquals(v.int32(), d.pageNo());
                assertEquals(v.int32(), d.pageCount());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.int32(), d.openOrderCount());
                assertEquals(v.int64(), d.transactTime());
                assertEquals(v.int64(), d.seqNo());
                final int balanceCount = v.count();
                final AccountStatusDecoder.BalancesDecoder balances = d.balances();
                assertEquals(balanceCount, balances.count());
                for (int i = 0; i < balanceCount; i++)
                {
                    balances.next();
                    assertEquals(v.int32(), balances.assetId());
                    assertEquals(v.int64(), balances.available());
                    assertEquals(v.int64(), balances.reserved());
                }
                final int orderCount = v.count();
                final AccountStatusDecoder.OrdersDecoder orders = d.orders();
                assertEquals(orderCount, orders.count());
                for (int i = 0; i < orderCount; i++)
                {
                    orders.next();
                    assertEquals(v.int64(), orders.orderId());
                    assertEquals(v.int64(), orders.clOrdId());
                    assertEquals(v.int32(), orders.instrumentId());
                    assertEquals(v.pick(Side.values()), orders.side());
                    assertEquals(v.pick(TimeInForce.values()), orders.timeInForce());
                    assertEquals(v.int64(), orders.price());
                    assertEquals(v.int64(), orders.quantity());
                    assertEquals(v.int64(), orders.leavesQty());
                    assertEquals(v.int64(), orders.cumQty());
                    assertEquals(v.int64(), orders.expireTime());
                }
            }),

        // Market data
        sample(
            new BookUpdateEncoder(),
            new BookUpdateDecoder(),
            (e, v) -> e
                .instrumentId(v.int32())
                .mdSeqNo(v.int64())
                .side(v.pick(Side.values()))
                .price(v.int64())
                .quantity(v.int64())
                .orderCount(v.int32())
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int64(), d.mdSeqNo());
                assertEquals(v.pick(Side.values()), d.side());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
                assertEquals(v.int32(), d.orderCount());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new TradeEncoder(),
            new TradeDecoder(),
            (e, v) -> e
                .instrumentId(v.int32())
                .mdSeqNo(v.int64())
                .tradeId(v.int64())
                .price(v.int64())
                .quantity(v.int64())
                .aggressorSide(v.pick(Side.values()))
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int64(), d.mdSeqNo());
                assertEquals(v.int64(), d.tradeId());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
                assertEquals(v.pick(Side.values()), d.aggressorSide());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new BookSnapshotEncoder(),
            new BookSnapshotDecoder(),
            (e, v) ->
            {
                e.instrumentId(v.int32()).mdSeqNo(v.int64()).transactTime(v.int64()).pageNo(v.int32()).pageCount(v.int32());
                final int count = v.count();
                final BookSnapshotEncoder.LevelsEncoder levels = e.levelsCount(count);
                for (int i = 0; i < count; i++)
                {
                    levels.next()
                        .side(v.pick(Side.values()))
                        .price(v.int64())
                        .quantity(v.int64())
                        .orderCount(v.int32());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int64(), d.mdSeqNo());
                assertEquals(v.int64(), d.transactTime());
                assertEquals(v.int32(), d.pageNo());
                assertEquals(v.int32(), d.pageCount());
                final int count = v.count();
                final BookSnapshotDecoder.LevelsDecoder levels = d.levels();
                assertEquals(count, levels.count());
                for (int i = 0; i < count; i++)
                {
                    levels.next();
                    assertEquals(v.pick(Side.values()), levels.side());
                    assertEquals(v.int64(), levels.price());
                    assertEquals(v.int64(), levels.quantity());
                    assertEquals(v.int32(), levels.orderCount());
                }
            }),
        sample(
            new MarketDataRequestEncoder(),
            new MarketDataRequestDecoder(),
            (e, v) -> e.instrumentId(v.int32()).subscribe(v.pick(BooleanType.values())),
            (d, v) ->
            {
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.pick(BooleanType.values()), d.subscribe());
            }),

        // Admin
        sample(
            new CreateAccountEncoder(),
            new CreateAccountDecoder(),
            (e, v) -> e.correlationId(v.int64()).accountId(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.accountId());
            }),
        sample(
            new DepositEncoder(),
            new DepositDecoder(),
            (e, v) -> e.correlationId(v.int64()).accountId(v.int64()).assetId(v.int32()).amount(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.assetId());
                assertEquals(v.int64(), d.amount());
            }),
        sample(
            new WithdrawEncoder(),
            new WithdrawDecoder(),
            (e, v) -> e.correlationId(v.int64()).accountId(v.int64()).assetId(v.int32()).amount(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.assetId());
                assertEquals(v.int64(), d.amount());
            }),
        sample(
            new AddInstrumentEncoder(),
            new AddInstrumentDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .instrumentId(v.int32())
                .baseAssetId(v.int32())
                .quoteAssetId(v.int32())
                .tickSize(v.int64())
                .lotSize(v.int64())
                .referencePrice(v.int64())
                .priceBandBps(v.int32())
                .marketProtectionBps(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int32(), d.baseAssetId());
                assertEquals(v.int32(), d.quoteAssetId());
                assertEquals(v.int64(), d.tickSize());
                assertEquals(v.int64(), d.lotSize());
                assertEquals(v.int64(), d.referencePrice());
                assertEquals(v.int32(), d.priceBandBps());
                assertEquals(v.int32(), d.marketProtectionBps());
            }),
        sample(
            new HaltInstrumentEncoder(),
            new HaltInstrumentDecoder(),
            (e, v) -> e.correlationId(v.int64()).instrumentId(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int32(), d.instrumentId());
            }),
        sample(
            new ResumeInstrumentEncoder(),
            new ResumeInstrumentDecoder(),
            (e, v) -> e.correlationId(v.int64()).instrumentId(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int32(), d.instrumentId());
            }),
        sample(
            new AdminResponseEncoder(),
            new AdminResponseDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .refTemplateId(v.uint16())
                .result(v.pick(RejectReason.values()))
                .transactTime(v.int64())
                .value(v.int64())
                .logPosition(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.uint16(), d.refTemplateId());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.int64(), d.transactTime());
                assertEquals(v.int64(), d.value());
                assertEquals(v.int64(), d.logPosition());
            }),
        sample(
            new SnapshotRequestEncoder(),
            new SnapshotRequestDecoder(),
            (e, v) -> e.correlationId(v.int64()),
            (d, v) -> assertEquals(v.int64(), d.correlationId())),
        sample(
            new StateCheckEncoder(),
            new StateCheckDecoder(),
            (e, v) -> e.logPosition(v.int64()).chainValue(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.logPosition());
                assertEquals(v.int64(), d.chainValue());
            }),
        sample(
            new StateHashRequestEncoder(),
            new StateHashRequestDecoder(),
            (e, v) -> e.correlationId(v.int64()),
            (d, v) -> assertEquals(v.int64(), d.correlationId())),

        // Engine snapshot
        sample(
            new SnapshotBeginEncoder(),
            new SnapshotBeginDecoder(),
            (e, v) ->
            {
                e.formatVersion(v.int32())
                    .nextOrderId(v.int64())
                    .nextTradeId(v.int64())
                    .nextExecId(v.int64())
                    .lastTime(v.int64())
                    .instrumentCount(v.int32())
                    .accountCount(v.int32())
                    .orderCount(v.int32());
                final int count = v.count();
                final SnapshotBeginEncoder.NetDepositsEncoder netDeposits = e.netDepositsCount(count);
                for (int i = 0; i < count; i++)
                {
                    netDeposits.next().assetId(v.int32()).amount(v.int64());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int32(), d.formatVersion());
                assertEquals(v.int64(), d.nextOrderId());
                assertEquals(v.int64(), d.nextTradeId());
                assertEquals(v.int64(), d.nextExecId());
                assertEquals(v.int64(), d.lastTime());
                assertEquals(v.int32(), d.instrumentCount());
                assertEquals(v.int32(), d.accountCount());
                assertEquals(v.int32(), d.orderCount());
                final int count = v.count();
                final SnapshotBeginDecoder.NetDepositsDecoder netDeposits = d.netDeposits();
                assertEquals(count, netDeposits.count());
                for (int i = 0; i < count; i++)
                {
                    netDeposits.next();
                    assertEquals(v.int32(), netDeposits.assetId());
                    assertEquals(v.int64(), netDeposits.amount());
                }
            }),
        sample(
            new SnapshotInstrumentEncoder(),
            new SnapshotInstrumentDecoder(),
            (e, v) -> e
                .instrumentId(v.int32())
                .baseAssetId(v.int32())
                .quoteAssetId(v.int32())
                .tickSize(v.int64())
                .lotSize(v.int64())
                .referencePrice(v.int64())
                .priceBandBps(v.int32())
                .marketProtectionBps(v.int32())
                .halted(v.pick(BooleanType.values()))
                .mdSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.int32(), d.baseAssetId());
                assertEquals(v.int32(), d.quoteAssetId());
                assertEquals(v.int64(), d.tickSize());
                assertEquals(v.int64(), d.lotSize());
                assertEquals(v.int64(), d.referencePrice());
                assertEquals(v.int32(), d.priceBandBps());
                assertEquals(v.int32(), d.marketProtectionBps());
                assertEquals(v.pick(BooleanType.values()), d.halted());
                assertEquals(v.int64(), d.mdSeqNo());
            }),
        sample(
            new SnapshotAccountEncoder(),
            new SnapshotAccountDecoder(),
            (e, v) ->
            {
                e.accountId(v.int64()).maxClOrdId(v.int64());
                final int count = v.count();
                final SnapshotAccountEncoder.BalancesEncoder balances = e.balancesCount(count);
                for (int i = 0; i < count; i++)
                {
                    balances.next().assetId(v.int32()).total(v.int64()).reserved(v.int64());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.maxClOrdId());
                final int count = v.count();
                final SnapshotAccountDecoder.BalancesDecoder balances = d.balances();
                assertEquals(count, balances.count());
                for (int i = 0; i < count; i++)
                {
                    balances.next();
                    assertEquals(v.int32(), balances.assetId());
                    assertEquals(v.int64(), balances.total());
                    assertEquals(v.int64(), balances.reserved());
                }
            }),
        sample(
            new SnapshotClOrdIdsEncoder(),
            new SnapshotClOrdIdsDecoder(),
            (e, v) ->
            {
                e.windowSize(v.int32()).horizon(v.int64()).maxEntries(v.int32());
                final int count = v.count();
                final SnapshotClOrdIdsEncoder.EntriesEncoder entries = e.entriesCount(count);
                for (int i = 0; i < count; i++)
                {
                    entries.next()
                        .accountId(v.int64())
                        .clOrdId(v.int64())
                        .orderId(v.int64())
                        .instrumentId(v.int32())
                        .side(v.pick(Side.values()))
                        .ordType(v.pick(OrdType.values()))
                        .timeInForce(v.pick(TimeInForce.values()))
                        .ordStatus(v.pick(OrdStatus.values()))
                        .rejectReason(v.pick(RejectReason.values()))
                        .price(v.int64())
                        .quantity(v.int64())
                        .cumQty(v.int64())
                        .time(v.int64());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int32(), d.windowSize());
                assertEquals(v.int64(), d.horizon());
                assertEquals(v.int32(), d.maxEntries());
                final int count = v.count();
                final SnapshotClOrdIdsDecoder.EntriesDecoder entries = d.entries();
                assertEquals(count, entries.count());
                for (int i = 0; i < count; i++)
                {
                    entries.next();
                    assertEquals(v.int64(), entries.accountId());
                    assertEquals(v.int64(), entries.clOrdId());
                    assertEquals(v.int64(), entries.orderId());
                    assertEquals(v.int32(), entries.instrumentId());
                    assertEquals(v.pick(Side.values()), entries.side());
                    assertEquals(v.pick(OrdType.values()), entries.ordType());
                    assertEquals(v.pick(TimeInForce.values()), entries.timeInForce());
                    assertEquals(v.pick(OrdStatus.values()), entries.ordStatus());
                    assertEquals(v.pick(RejectReason.values()), entries.rejectReason());
                    assertEquals(v.int64(), entries.price());
                    assertEquals(v.int64(), entries.quantity());
                    assertEquals(v.int64(), entries.cumQty());
                    assertEquals(v.int64(), entries.time());
                }
            }),
        sample(
            new SnapshotOrderEncoder(),
            new SnapshotOrderDecoder(),
            (e, v) ->
            {
                e.orderId(v.int64())
                    .clOrdId(v.int64())
                    .accountId(v.int64())
                    .sessionId(v.int64())
                    .instrumentId(v.int32())
                    .side(v.pick(Side.values()))
                    .timeInForce(v.pick(TimeInForce.values()));
                e.execInst().clear().postOnly(v.bool());
                e.selfTradePrevention(v.pick(SelfTradePrevention.values()))
                    .price(v.int64())
                    .quantity(v.int64())
                    .leavesQty(v.int64())
                    .cumQty(v.int64())
                    .reserved(v.int64())
                    .expireTime(v.int64());
            },
            (d, v) ->
            {
                assertEquals(v.int64(), d.orderId());
                assertEquals(v.int64(), d.clOrdId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int32(), d.instrumentId());
                assertEquals(v.pick(Side.values()), d.side());
                assertEquals(v.pick(TimeInForce.values()), d.timeInForce());
                assertEquals(v.bool(), d.execInst().postOnly());
                assertEquals(v.pick(SelfTradePrevention.values()), d.selfTradePrevention());
                assertEquals(v.int64(), d.price());
                assertEquals(v.int64(), d.quantity());
                assertEquals(v.int64(), d.leavesQty());
                assertEquals(v.int64(), d.cumQty());
                assertEquals(v.int64(), d.reserved());
                assertEquals(v.int64(), d.expireTime());
            }),
        sample(
            new SnapshotEndEncoder(),
            new SnapshotEndDecoder(),
            (e, v) -> e.messageCount(v.int32()),
            (d, v) -> assertEquals(v.int32(), d.messageCount())),
        sample(
            new SnapshotServiceEncoder(),
            new SnapshotServiceDecoder(),
            (e, v) -> e
                .formatVersion(v.int32())
                .chainValue(v.int64())
                .expiryTimerDeadline(v.int64())
                .stateCheckTimerScheduled(v.pick(BooleanType.values()))
                .messagesApplied(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int32(), d.formatVersion());
                assertEquals(v.int64(), d.chainValue());
                assertEquals(v.int64(), d.expiryTimerDeadline());
                assertEquals(v.pick(BooleanType.values()), d.stateCheckTimerScheduled());
                assertEquals(v.int64(), d.messagesApplied());
            }),
        sample(
            new SnapshotSessionEncoder(),
            new SnapshotSessionDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .gatewayId(v.int32())
                .gatewayLink(v.int64())
                .state(v.pick(SessionState.values()))
                .cancelOnDisconnect(v.pick(BooleanType.values()))
                .graceTime(v.int64())
                .cancelDeadline(v.int64())
                .nextSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.gatewayId());
                assertEquals(v.int64(), d.gatewayLink());
                assertEquals(v.pick(SessionState.values()), d.state());
                assertEquals(v.pick(BooleanType.values()), d.cancelOnDisconnect());
                assertEquals(v.int64(), d.graceTime());
                assertEquals(v.int64(), d.cancelDeadline());
                assertEquals(v.int64(), d.nextSeqNo());
            }),
        sample(
            new SnapshotLimitsEncoder(),
            new SnapshotLimitsDecoder(),
            (e, v) -> e.maxOrders(v.int32()).maxOpenOrdersPerAccount(v.int32()).gtdHorizon(v.int64()).changes(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int32(), d.maxOrders());
                assertEquals(v.int32(), d.maxOpenOrdersPerAccount());
                assertEquals(v.int64(), d.gtdHorizon());
                assertEquals(v.int32(), d.changes());
            }),

        // Sessions in the log
        sample(
            new SessionOpenEncoder(),
            new SessionOpenDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .cancelOnDisconnect(v.pick(BooleanType.values()))
                .graceTime(v.int64())
                .nextExpectedSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.pick(BooleanType.values()), d.cancelOnDisconnect());
                assertEquals(v.int64(), d.graceTime());
                assertEquals(v.int64(), d.nextExpectedSeqNo());
            }),
        sample(
            new SessionCloseEncoder(),
            new SessionCloseDecoder(),
            (e, v) -> e.sessionId(v.int64()).reason(v.pick(SessionCloseReason.values())),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.pick(SessionCloseReason.values()), d.reason());
            }),
        sample(
            new SessionReplayEncoder(),
            new SessionReplayDecoder(),
            (e, v) -> e.sessionId(v.int64()).fromSeqNo(v.int64()).toSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.fromSeqNo());
                assertEquals(v.int64(), d.toSeqNo());
            }),
        sample(
            new SessionStatusEncoder(),
            new SessionStatusDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .accountId(v.int64())
                .gatewayId(v.int32())
                .state(v.pick(SessionState.values()))
                .reason(v.pick(RejectReason.values()))
                .nextSeqNo(v.int64())
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.gatewayId());
                assertEquals(v.pick(SessionState.values()), d.state());
                assertEquals(v.pick(RejectReason.values()), d.reason());
                assertEquals(v.int64(), d.nextSeqNo());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new ReplayCompleteEncoder(),
            new ReplayCompleteDecoder(),
            (e, v) -> e
                .sessionId(v.int64())
                .fromSeqNo(v.int64())
                .toSeqNo(v.int64())
                .result(v.pick(RejectReason.values()))
                .firstHeldSeqNo(v.int64())
                .nextSeqNo(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.fromSeqNo());
                assertEquals(v.int64(), d.toSeqNo());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.int64(), d.firstHeldSeqNo());
                assertEquals(v.int64(), d.nextSeqNo());
            }),

        // Engine limits
        sample(
            new SetLimitsEncoder(),
            new SetLimitsDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .maxOrders(v.int32())
                .maxOpenOrdersPerAccount(v.int32())
                .gtdHorizon(v.int64())
                .idempotencyHorizon(v.int64())
                .maxClOrdIds(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int32(), d.maxOrders());
                assertEquals(v.int32(), d.maxOpenOrdersPerAccount());
                assertEquals(v.int64(), d.gtdHorizon());
                assertEquals(v.int64(), d.idempotencyHorizon());
                assertEquals(v.int32(), d.maxClOrdIds());
            }),
        sample(
            new LimitsEncoder(),
            new LimitsDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .result(v.pick(RejectReason.values()))
                .maxOrders(v.int32())
                .maxOpenOrdersPerAccount(v.int32())
                .gtdHorizon(v.int64())
                .idempotencyHorizon(v.int64())
                .maxClOrdIds(v.int32())
                .changes(v.int32())
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.int32(), d.maxOrders());
                assertEquals(v.int32(), d.maxOpenOrdersPerAccount());
                assertEquals(v.int64(), d.gtdHorizon());
                assertEquals(v.int64(), d.idempotencyHorizon());
                assertEquals(v.int32(), d.maxClOrdIds());
                assertEquals(v.int32(), d.changes());
                assertEquals(v.int64(), d.transactTime());
            }),

        // Log retention
        sample(
            new PurgeRequestEncoder(),
            new PurgeRequestDecoder(),
            (e, v) -> e.correlationId(v.int64()).beforePosition(v.int64()).beforeTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.beforePosition());
                assertEquals(v.int64(), d.beforeTime());
            }),
        // Transfers between segments
        sample(
            new TransferEncoder(),
            new TransferDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .transferId(v.int64())
                .accountId(v.int64())
                .assetId(v.int32())
                .amount(v.int64())
                .step(v.pick(TransferStep.values()))
                .fromSegment(v.uint16())
                .toSegment(v.uint16()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.transferId());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.assetId());
                assertEquals(v.int64(), d.amount());
                assertEquals(v.pick(TransferStep.values()), d.step());
                assertEquals(v.uint16(), d.fromSegment());
                assertEquals(v.uint16(), d.toSegment());
            }),
        sample(
            new TransferStatusEncoder(),
            new TransferStatusDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .transferId(v.int64())
                .step(v.pick(TransferStep.values()))
                .result(v.pick(RejectReason.values()))
                .state(v.pick(TransferState.values()))
                .accountId(v.int64())
                .assetId(v.int32())
                .amount(v.int64())
                .fromSegment(v.uint16())
                .toSegment(v.uint16())
                .pendingCount(v.int32())
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.transferId());
                assertEquals(v.pick(TransferStep.values()), d.step());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.pick(TransferState.values()), d.state());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.assetId());
                assertEquals(v.int64(), d.amount());
                assertEquals(v.uint16(), d.fromSegment());
                assertEquals(v.uint16(), d.toSegment());
                assertEquals(v.int32(), d.pendingCount());
                assertEquals(v.int64(), d.transactTime());
            }),
        sample(
            new SnapshotTransfersEncoder(),
            new SnapshotTransfersDecoder(),
            (e, v) ->
            {
                e.maxPending(v.int32())
                    .maxRemembered(v.int32())
                    .forgottenUpTo(v.int64())
                    .pendingCount(v.int32())
                    .rememberedCount(v.int32());
                final int count = v.count();
                final SnapshotTransfersEncoder.TransfersEncoder transfers = e.transfersCount(count);
                for (int i = 0; i < count; i++)
                {
                    transfers.next()
                        .transferId(v.int64())
                        .accountId(v.int64())
                        .assetId(v.int32())
                        .amount(v.int64())
                        .fromSegment(v.uint16())
                        .toSegment(v.uint16())
                        .state(v.pick(TransferState.values()));
                }
            },
            (d, v) ->
            {
                assertEquals(v.int32(), d.maxPending());
                assertEquals(v.int32(), d.maxRemembered());
                assertEquals(v.int64(), d.forgottenUpTo());
                assertEquals(v.int32(), d.pendingCount());
                assertEquals(v.int32(), d.rememberedCount());
                final int count = v.count();
                final SnapshotTransfersDecoder.TransfersDecoder transfers = d.transfers();
                assertEquals(count, transfers.count());
                for (final SnapshotTransfersDecoder.TransfersDecoder t : transfers)
                {
                    assertEquals(v.int64(), t.transferId());
                    assertEquals(v.int64(), t.accountId());
                    assertEquals(v.int32(), t.assetId());
                    assertEquals(v.int64(), t.amount());
                    assertEquals(v.uint16(), t.fromSegment());
                    assertEquals(v.uint16(), t.toSegment());
                    assertEquals(v.pick(TransferState.values()), t.state());
                }
            }),
        sample(
            new TransferListEncoder(),
            new TransferListDecoder(),
            (e, v) ->
            {
                e.correlationId(v.int64())
                    .result(v.pick(RejectReason.values()))
                    .pendingCount(v.int32())
                    .nextTransferId(v.int64())
                    .transactTime(v.int64());
                final int count = v.count();
                final TransferListEncoder.TransfersEncoder transfers = e.transfersCount(count);
                for (int i = 0; i < count; i++)
                {
                    transfers.next()
                        .transferId(v.int64())
                        .accountId(v.int64())
                        .assetId(v.int32())
                        .amount(v.int64())
                        .fromSegment(v.uint16())
                        .toSegment(v.uint16());
                }
            },
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.pick(RejectReason.values()), d.result());
                assertEquals(v.int32(), d.pendingCount());
                assertEquals(v.int64(), d.nextTransferId());
                assertEquals(v.int64(), d.transactTime());
                final int count = v.count();
                final TransferListDecoder.TransfersDecoder transfers = d.transfers();
                assertEquals(count, transfers.count());
                for (final TransferListDecoder.TransfersDecoder t : transfers)
                {
                    assertEquals(v.int64(), t.transferId());
                    assertEquals(v.int64(), t.accountId());
                    assertEquals(v.int32(), t.assetId());
                    assertEquals(v.int64(), t.amount());
                    assertEquals(v.uint16(), t.fromSegment());
                    assertEquals(v.uint16(), t.toSegment());
                }
            }),
        // Drop copy
        sample(
            new DropCopyRequestEncoder(),
            new DropCopyRequestDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .fromLogPosition(v.int64())
                .fromIndex(v.int32())
                .accountId(v.int64())
                .maxReports(v.int32()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.fromLogPosition());
                assertEquals(v.int32(), d.fromIndex());
                assertEquals(v.int64(), d.accountId());
                assertEquals(v.int32(), d.maxReports());
            }),
        sample(
            new DropCopyReportEncoder(),
            new DropCopyReportDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .feedSeq(v.int64())
                .logPosition(v.int64())
                .index(v.int32())
                .timestamp(v.int64())
                .sessionId(v.int64())
                .seqNo(v.int64())
                .reportLength(v.uint16()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.int64(), d.feedSeq());
                assertEquals(v.int64(), d.logPosition());
                assertEquals(v.int32(), d.index());
                assertEquals(v.int64(), d.timestamp());
                assertEquals(v.int64(), d.sessionId());
                assertEquals(v.int64(), d.seqNo());
                assertEquals(v.uint16(), d.reportLength());
            }),
        sample(
            new DropCopyBatchEndEncoder(),
            new DropCopyBatchEndDecoder(),
            (e, v) -> e
                .correlationId(v.int64())
                .result(v.pick(DropCopyResult.values()))
                .reports(v.int64())
                .nextLogPosition(v.int64())
                .nextIndex(v.int32())
                .earliestLogPosition(v.int64())
                .requestLogPosition(v.int64())
                .live(v.pick(BooleanType.values()))
                .transactTime(v.int64()),
            (d, v) ->
            {
                assertEquals(v.int64(), d.correlationId());
                assertEquals(v.pick(DropCopyResult.values()), d.result());
                assertEquals(v.int64(), d.reports());
                assertEquals(v.int64(), d.nextLogPosition());
                assertEquals(v.int32(), d.nextIndex());
                assertEquals(v.int64(), d.earliestLogPosition());
                assertEquals(v.int64(), d.requestLogPosition());
                assertEquals(v.pick(BooleanType.values()), d.live());
                assertEquals(v.int64(), d.transactTime());
            }));

    private MessageSamples()
    {
    }

    static Sample<?, ?> byTemplateId(final int templateId)
    {
        for (final Sample<?, ?> sample : ALL)
        {
            if (sample.templateId() == templateId)
            {
                return sample;
            }
        }

        throw new IllegalArgumentException("no sample for template id " + templateId);
    }
}
