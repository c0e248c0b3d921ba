import { describe, expect, it } from 'vitest';
import { batchActionsFor, errorKey, plainEvents, planBatch } from '../src/features/exceptions/decide.ts';
import { blockedWords } from '../src/features/exceptions/words.ts';

const order = (id: string, holdReason: string | null, status = 'on_hold') => ({ id, status, holdReason });

describe('exception queues', () => {
  it('offers reserve-again and out-of-stock cancel, not release, in the out-of-stock queue', () => {
    expect(batchActionsFor('OUT_OF_STOCK')).toEqual(['retry', 'cancelOutOfStock']);
    expect(batchActionsFor('RISK_REVIEW')).toEqual(['release']);
  });

  it('drops approve, release and plain cancel from an out-of-stock order’s buttons', () => {
    const events = ['approve', 'release', 'cancel', 'close'].map((event) => ({ event }));
    expect(plainEvents('OUT_OF_STOCK', events).map((e) => e.event)).toEqual(['close']);
    expect(plainEvents('RISK_REVIEW', events)).toHaveLength(4);
  });

  it('skips orders an action does not fit, with the reason', () => {
    const oos = order('a', 'OUT_OF_STOCK');
    const risk = order('b', 'RISK_REVIEW');
    const gone = order('c', null, 'paid');
    const release = planBatch('release', [oos, risk, gone]);
    expect(release.run.map((o) => o.id)).toEqual(['b']);
    expect(release.skip.map((s) => [s.order.id, s.reason])).toEqual([
      ['a', 'skipOutOfStock'],
      ['c', 'skipNotHeld'],
    ]);
    const retry = planBatch('retry', [oos, risk, gone]);
    expect(retry.run.map((o) => o.id)).toEqual(['a']);
    expect(retry.skip.map((s) => s.reason)).toEqual(['skipNotOutOfStock', 'skipNotHeld']);
    expect(planBatch('cancelOutOfStock', [oos]).run).toEqual([oos]);
  });

  it('says known error codes in words', () => {
    expect(errorKey('ORDER_STOCK_NOT_RESERVED')).toBe('err_ORDER_STOCK_NOT_RESERVED');
    expect(errorKey('SOMETHING_NEW')).toBeNull();
    expect(errorKey(undefined)).toBeNull();
  });

  it('says why a decision is blocked in the UI language, never in the server’s English in Chinese', () => {
    const t = (key: string) => `«${key}»`;
    const forbidden = {
      code: 'FORBIDDEN',
      message: 'your role may not release (needs orders:review)',
      details: { permission: 'orders:review' },
    };
    expect(blockedWords(forbidden, t, 'zh-CN')).toBe('您的角色无权操作（需要「审核、挂起、放行订单」权限）');
    expect(blockedWords(forbidden, t, 'en-US')).toBe(
      'Your role may not do this (needs “Approve, hold and release orders”)',
    );
    expect(blockedWords({ code: 'ORDER_VERSION_CONFLICT', message: 'x' }, t, 'zh-CN')).toBe(
      '«err_ORDER_VERSION_CONFLICT»',
    );
    const unknown = { code: 'SOMETHING_NEW', message: 'cannot: a new rule' };
    expect(blockedWords(unknown, t, 'zh-CN')).toBe('当前不能执行此操作');
    expect(blockedWords(unknown, t, 'en-US')).toBe('cannot: a new rule');
    expect(blockedWords(null, t, 'zh-CN')).toBe('');
  });
});
