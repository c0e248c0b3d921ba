import { ORDER_EVENTS, ORDER_STATUSES } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { checkGuards, eventsFrom, ORDER_MACHINE, TERMINAL_STATUSES } from '../src/modules/orders/machine.ts';

describe('order machine', () => {
  it('names only known statuses and events', () => {
    expect(Object.keys(ORDER_MACHINE).sort()).toEqual([...ORDER_EVENTS].sort());
    for (const spec of Object.values(ORDER_MACHINE)) {
      expect(ORDER_STATUSES).toContain(spec.to);
      for (const f of spec.from) expect(ORDER_STATUSES).toContain(f);
    }
  });

  it('reaches every status from pending_payment, and nothing leaves cancelled or closed', () => {
    const seen = new Set<string>(['pending_payment']);
    const queue = ['pending_payment'];
    while (queue.length) {
      const s = queue.shift()!;
      for (const e of eventsFrom(s)) {
        const to = ORDER_MACHINE[e].to;
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
    for (const t of TERMINAL_STATUSES) expect(eventsFrom(t)).toEqual([]);
  });

  it('does not cancel what left the warehouse', () => {
    for (const s of ['shipped', 'delivered', 'completed']) expect(eventsFrom(s)).not.toContain('cancel');
  });

  it('names unmapped lines in the guard message', () => {
    const failure = checkGuards(ORDER_MACHINE.approve, {
      lines: [
        { lineNo: 1, sku: 'A', channelSku: 'A' },
        { lineNo: 2, sku: null, channelSku: 'DY-BABY-SH-001' },
      ],
    });
    expect(failure).toEqual({
      code: 'SKU_UNMAPPED',
      message: 'SKU_UNMAPPED on line 2 (DY-BABY-SH-001)',
      lines: [{ lineNo: 2, channelSku: 'DY-BABY-SH-001' }],
    });
    expect(
      checkGuards(ORDER_MACHINE.approve, { lines: [{ lineNo: 1, sku: 'A', channelSku: 'A' }] }),
    ).toBeNull();
  });
});
