import { PAYMENT_TIMELINE_ACTIONS } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { minorToInput, parseMinor } from '../src/shared/payments/money.ts';
import { paymentSentence, refundReasonText } from '../src/shared/payments/sentences.ts';

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
