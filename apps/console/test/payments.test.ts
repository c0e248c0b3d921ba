import {
  PAYMENT_EVENT_REASON_LABELS,
  PAYMENT_REFUSAL_LABELS,
  PAYMENT_TIMELINE_ACTIONS,
  PROVIDER_CODE_LABELS,
  PROVIDER_ERROR_LABELS,
  paymentReasonText,
  providerErrorText,
  RESERVATION_CHECK_LABELS,
} from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import type { PaymentEventView } from '../src/shared/payments/api.ts';
import { minorToInput, parseMinor } from '../src/shared/payments/money.ts';
import {
  eventReasonText,
  paymentSentence,
  refundErrorText,
  refundReasonText,
} from '../src/shared/payments/sentences.ts';
import { PROVIDER_EVENT_TYPE_LABELS } from '../src/shared/payments/words.ts';

describe('refund amounts typed in yuan', () => {
  it('reads the decimal string exactly into fen', () => {
    expect(parseMinor('30.1', 'CNY')).toBe(3010);
    expect(parseMinor('0.29', 'CNY')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floating point
    expect(parseMinor('1,234.56', 'CNY')).toBe(123456);
    expect(parseMinor(' 80 ', 'CNY')).toBe(8000);
    expect(parseMinor('80.', 'CNY')).toBe(8000);
    expect(parseMinor('1000', 'JPY')).toBe(1000);
    expect(parseMinor('1.005', 'KWD')).toBe(1005);
  });
  it('refuses what is not a plain amount in the currency', () => {
    for (const bad of ['', '12.345', '-1', '1e3', 'abc', '.5.5', '99999999999999999'])
      expect(parseMinor(bad, 'CNY'), bad).toBeNull();
    expect(parseMinor('1.5', 'JPY')).toBeNull();
  });
  it('writes minor units back as the input shows them', () => {
    expect(minorToInput(4990, 'CNY')).toBe('49.90');
    expect(minorToInput(5, 'CNY')).toBe('0.05');
    expect(minorToInput(700, 'JPY')).toBe('700');
  });
});

describe('payment timeline sentences', () => {
  it('says every action the server writes in words, in both languages, never the code', () => {
    for (const action of PAYMENT_TIMELINE_ACTIONS)
      for (const locale of ['zh-CN', 'en-US'] as const) {
        const s = paymentSentence(
          {
            action,
            provider: 'wechatpay',
            amount: 8000,
            currency: 'CNY',
            merchantTradeNo: 'P1',
            reason: 'SIGNATURE_INVALID',
            skewSeconds: 1080,
            thresholdSeconds: 120,
          },
          locale,
        );
        expect(s, action).not.toContain(action);
        expect(s, action).not.toMatch(/\{\w+\}/);
      }
  });
  it('books, refuses and warns of skew as customer service reads it', () => {
    expect(
      paymentSentence(
        {
          action: 'callback_applied',
          provider: 'wechatpay',
          amount: 8000,
          currency: 'CNY',
          providerTxnId: '4200',
        },
        'zh-CN',
      ),
    ).toBe('微信支付支付回调已入账 ¥80.00，订单已付清（交易号 4200）');
    expect(
      paymentSentence(
        { action: 'callback_refused', provider: 'alipay', reason: 'SIGNATURE_INVALID' },
        'zh-CN',
      ),
    ).toBe('支付宝支付回调被拒绝：支付回调签名校验失败');
    expect(
      paymentSentence(
        {
          action: 'skew_warning',
          provider: 'wechatpay',
          skewSeconds: 1080,
          thresholdSeconds: 120,
          merchantTradeNo: 'P9',
        },
        'en-US',
      ),
    ).toBe(
      'WeChat Pay clock differs from ours by 18 min (alert above 2 min); the callback was booked as usual (trade no. P9)',
    );
    expect(
      paymentSentence(
        { action: 'refund_requested', amount: 3010, currency: 'CNY', reason: 'MISSING_ITEM' },
        'zh-CN',
      ),
    ).toBe('申请退款 ¥30.10：少发漏发');
    expect(refundReasonText('顾客拒收', 'en-US')).toBe('顾客拒收');
  });
  it('leaves the money out for readers without orders:amounts', () => {
    const s = paymentSentence({ action: 'refund_succeeded', amount: 3010, currency: 'CNY' }, 'zh-CN', false);
    expect(s).not.toContain('¥');
    expect(s).toBe('退款成功，已记冲正凭证');
  });
});

/** Latin words in a Chinese text, once the parameters' own values are taken out. */
const englishIn = (zh: string, ...values: string[]) => {
  let rest = zh;
  for (const v of values) rest = rest.split(v).join('');
  return rest.replace(/\{\w+\}/g, '').match(/[A-Za-z]{2,}/g) ?? [];
};

describe('payment reasons and provider failures from codes', () => {
  it('has Chinese words for every reason, failure and check result, with no English in them', () => {
    for (const labels of [
      PAYMENT_REFUSAL_LABELS,
      PAYMENT_EVENT_REASON_LABELS,
      PROVIDER_ERROR_LABELS,
      RESERVATION_CHECK_LABELS,
    ])
      for (const [code, l] of Object.entries(labels)) {
        expect(englishIn(l.zh, 'HTTP'), code).toEqual([]);
        expect(l.en, code).toBeTruthy();
      }
  });
  it('says a failed call by its provider code, in either language', () => {
    expect(paymentReasonText('QUERY_FAILED', { providerCode: 'TIMEOUT', retryable: true }, 'zh-CN')).toBe(
      '查询支付平台失败：支付平台响应超时',
    );
    expect(paymentReasonText('REFUND_FAILED', { providerCode: 'HTTP_503', httpStatus: 503 }, 'en-US')).toBe(
      'The refund call failed: the provider answered HTTP 503',
    );
    // A provider's own code in words; one nobody has words for is named as a code.
    expect(providerErrorText({ providerCode: 'ACQ.TRADE_NOT_EXIST' }, 'zh-CN')).toBe('支付平台查无此交易');
    expect(providerErrorText({ providerCode: 'api_error' }, 'zh-CN')).toBe('支付平台内部出错');
    expect(providerErrorText({ providerCode: 'NOT_ENOUGH' }, 'en-US')).toBe(
      'the merchant account’s balance is not enough',
    );
    expect(providerErrorText({ providerCode: 'ACQ.SOMETHING_NEW' }, 'zh-CN')).toBe(
      '支付平台返回错误码 ACQ.SOMETHING_NEW',
    );
    expect(providerErrorText({ providerCode: 'constructor' }, 'zh-CN')).toBe(
      '支付平台返回错误码 constructor',
    );
    for (const [code, l] of Object.entries(PROVIDER_CODE_LABELS)) {
      expect(englishIn(l.zh, 'HTTP'), code).toEqual([]);
      expect(l.zh, code).not.toContain(code);
      expect(l.en, code).toBeTruthy();
    }
    expect(providerErrorText(null, 'zh-CN')).toBe('调用支付平台出错');
    expect(paymentReasonText('EVENT_TYPE_NO_MONEY', { eventType: 'payout.paid' }, 'zh-CN')).toBe(
      '该类通知不涉及资金（payout.paid）',
    );
    expect(paymentReasonText('NO_SUCH_CODE', null, 'zh-CN')).toBeNull();
  });
  it('writes failed queries and refunds on the timeline without the server’s English', () => {
    const english = 'wechatpay query: HTTP 503 Service Unavailable';
    const query = paymentSentence(
      {
        action: 'query_failed',
        provider: 'wechatpay',
        providerCode: 'HTTP_503',
        httpStatus: 503,
        message: english,
      },
      'zh-CN',
    );
    expect(query).toBe('主动查询微信支付失败：支付平台返回 HTTP 503');
    const refund = paymentSentence(
      {
        action: 'refund_failed',
        amount: 3010,
        currency: 'CNY',
        merchantRefundNo: 'R1',
        providerCode: 'NOT_ENOUGH',
        message: 'WeChat Pay: balance not enough',
      },
      'zh-CN',
    );
    expect(refund).toBe('退款 ¥30.10 失败：商户账户余额不足（退款单号 R1）');
    const abnormal = paymentSentence(
      { action: 'refund_failed', amount: 3010, currency: 'CNY', providerStatus: 'ABNORMAL' },
      'zh-CN',
    );
    expect(abnormal).toBe('退款 ¥30.10 失败：支付平台状态为 ABNORMAL');
    // Entries written before codes were kept: English text only in the English UI.
    const legacy = { action: 'query_failed', provider: 'alipay', message: english };
    expect(paymentSentence(legacy, 'zh-CN')).toBe('主动查询支付宝失败：调用支付平台出错');
    expect(paymentSentence(legacy, 'en-US')).toBe(`Active query to Alipay failed: ${english}`);
  });
});

describe('notice types and refund failures in words', () => {
  const event = (over: Partial<PaymentEventView>): PaymentEventView =>
    ({
      id: 'pev_1',
      kind: 'callback',
      outcome: 'ignored',
      reason: null,
      params: null,
      message: null,
      ...over,
    }) as PaymentEventView;
  it('says a notice that books no money by its type in words, never the provider’s code', () => {
    const charge = event({
      reason: 'EVENT_TYPE_NO_MONEY',
      params: { eventType: 'charge.succeeded' },
      message: 'event type charge.succeeded carries no money',
    });
    expect(eventReasonText(charge, 'zh-CN')).toBe('该类通知不涉及资金（Stripe 扣款成功）');
    expect(eventReasonText(charge, 'en-US')).toBe(
      'This kind of notice carries no money (Stripe charge succeeded)',
    );
    const closed = event({ reason: 'TRADE_STATUS_NO_MONEY', params: { tradeStatus: 'WAIT_BUYER_PAY' } });
    expect(eventReasonText(closed, 'zh-CN')).toBe('交易状态 支付宝交易待付款 不涉及资金变动');
    const foreign = event({ reason: 'FOREIGN_PAYMENT', params: { eventType: 'payment_intent.succeeded' } });
    expect(eventReasonText(foreign, 'zh-CN')).toBe('不是本系统发起的支付（Stripe 支付成功）');
    // A type nobody has words for: said as such (its code stays in the hover message).
    const odd = event({ reason: 'EVENT_TYPE_NO_MONEY', params: { eventType: 'issuing_card.created' } });
    expect(eventReasonText(odd, 'zh-CN')).toBe('该类通知不涉及资金（未识别的通知类型）');
    // Events written before reasons carried parameters.
    const legacy = event({ message: 'event type charge.captured carries no money' });
    expect(eventReasonText(legacy, 'zh-CN')).toBe('该类通知不涉及资金（Stripe 扣款已确认）');
    for (const [code, l] of Object.entries(PROVIDER_EVENT_TYPE_LABELS)) {
      expect(englishIn(l.zh, 'Stripe'), code).toEqual([]);
      expect(l.zh, code).not.toContain(code);
      if (code.includes('.') || code.includes('_')) expect(l.en, code).not.toContain(code);
    }
  });
  it('says a refund’s last failure from its code, with no English in the Chinese UI', () => {
    const english = 'wechatpay refund: WeChat Pay: balance not enough (NOT_ENOUGH)';
    const failed = {
      lastError: english,
      lastErrorReason: 'REFUND_FAILED',
      lastErrorParams: { providerCode: 'NOT_ENOUGH', httpStatus: 403, retryable: false },
    };
    const zh = refundErrorText(failed, 'zh-CN')!;
    expect(zh.text).toBe('向支付平台申请退款失败：商户账户余额不足');
    expect(zh.hover).toBe('向支付平台申请退款失败：商户账户余额不足；不会自动重试');
    expect(englishIn(`${zh.text}${zh.hover}`, 'NOT_ENOUGH')).toEqual([]);
    const en = refundErrorText(failed, 'en-US')!;
    expect(en.text).toBe('The refund call failed: the merchant account’s balance is not enough');
    expect(en.hover).toContain(english);
    const timeout = refundErrorText(
      {
        lastError: 'stripe refund query: timed out',
        lastErrorReason: 'REFUND_QUERY_FAILED',
        lastErrorParams: { providerCode: 'TIMEOUT', httpStatus: null, retryable: true },
      },
      'zh-CN',
    )!;
    expect(timeout.text).toBe('查询退款结果失败：支付平台响应超时');
    expect(timeout.hover).toBe('查询退款结果失败：支付平台响应超时；系统会用同一退款单号自动重试');
    // Refunds that failed before the code was kept: only English text, not shown in Chinese.
    expect(refundErrorText({ lastError: english }, 'zh-CN')).toEqual({
      text: '支付平台返回错误',
      hover: null,
    });
    expect(refundErrorText({ lastError: english }, 'en-US')?.text).toBe(english);
    expect(refundErrorText({ lastError: null, lastErrorReason: null }, 'zh-CN')).toBeNull();
  });
});
