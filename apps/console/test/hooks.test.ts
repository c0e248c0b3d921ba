import { describe, expect, it } from 'vitest';
import { cursorsUnder, FIRST_PAGE, filterKeyOf, stepCursors } from '../src/shared/cursors.ts';

describe('cursor pager', () => {
  const start = { key: 'a', cursors: FIRST_PAGE };

  it('walks forward and back, and never before the first page', () => {
    let t = stepCursors(start, 'a', { type: 'next', cursor: 'c1' });
    t = stepCursors(t, 'a', { type: 'next', cursor: 'c2' });
    expect(t.cursors).toEqual([undefined, 'c1', 'c2']);
    t = stepCursors(t, 'a', { type: 'prev' });
    expect(t.cursors).toEqual([undefined, 'c1']);
    t = stepCursors(t, 'a', { type: 'prev' });
    t = stepCursors(t, 'a', { type: 'prev' });
    expect(t.cursors).toEqual([undefined]);
    t = stepCursors(stepCursors(t, 'a', { type: 'next', cursor: 'c1' }), 'a', { type: 'first' });
    expect(t.cursors).toEqual([undefined]);
  });

  it('starts again under a new filter', () => {
    const t = stepCursors(start, 'a', { type: 'next', cursor: 'c1' });
    expect(cursorsUnder(t, 'a')).toEqual([undefined, 'c1']);
    expect(cursorsUnder(t, 'b')).toEqual([undefined]);
    expect(stepCursors(t, 'b', { type: 'next', cursor: 'x' })).toEqual({
      key: 'b',
      cursors: [undefined, 'x'],
    });
  });

  it('keys a filter by its values, not by key order or empty fields', () => {
    expect(filterKeyOf({ sku: 'A', warehouse: 'W' })).toBe(filterKeyOf({ warehouse: 'W', sku: 'A' }));
    expect(filterKeyOf({ sku: 'A', warehouse: undefined })).toBe(filterKeyOf({ sku: 'A' }));
    expect(filterKeyOf(['x', { b: 1, a: 2 }])).toBe(filterKeyOf(['x', { a: 2, b: 1 }]));
    expect(filterKeyOf({ sku: 'A' })).not.toBe(filterKeyOf({ sku: 'B' }));
  });
});

describe('actor text', () => {
  it('says a token actor and a system actor in the UI language', async () => {
    const { actorText } = await import('../src/shared/actor.ts');
    expect(actorText('admin (token tok_1)', 'token', 'zh-CN')).toBe('admin（令牌 tok_1）');
    expect(actorText('admin (token tok_1)', 'token', 'en-US')).toBe('admin (token tok_1)');
    const names = { ingest: { zh: '系统（接单）', en: 'System (ingest)' } };
    expect(actorText('ingest', 'system', 'zh-CN', names)).toBe('系统（接单）');
    expect(actorText('other', 'system', 'zh-CN', names)).toBe('other');
    expect(actorText(null, 'user', 'zh-CN')).toBe('user');
  });
});
