import { ORDER_STATUSES, type OrderStatus } from '@orderhub/contracts';
import { ORDER_MACHINE } from '../orders/index.ts';

/**
 * Fewest status changes from each starting status to every other, by breadth-first search over the
 * order machine. "Drift" is every change an order made beyond this shortest way to where it is now.
 */
export function minimalPathLengths(): { from: OrderStatus; to: OrderStatus; steps: number }[] {
  const edges = new Map<OrderStatus, OrderStatus[]>();
  for (const spec of Object.values(ORDER_MACHINE)) {
    for (const from of spec.from) edges.set(from, [...(edges.get(from) ?? []), spec.to]);
  }
  const out: { from: OrderStatus; to: OrderStatus; steps: number }[] = [];
  for (const start of ORDER_STATUSES) {
    const dist = new Map<OrderStatus, number>([[start, 0]]);
    const queue: OrderStatus[] = [start];
    while (queue.length) {
      const s = queue.shift()!;
      for (const next of edges.get(s) ?? []) {
        if (dist.has(next)) continue;
        dist.set(next, dist.get(s)! + 1);
        queue.push(next);
      }
    }
    for (const [to, steps] of dist) out.push({ from: start, to, steps });
  }
  return out;
}
