import type { OrderLineInput } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { findSkus } from '../catalog/index.ts';

/**
 * A line's channel SKU → the master SKU. For now: the master SKU of the same code (a full mapping
 * with bundles replaces this one function). A line the platform already mapped keeps its SKU; a
 * code the master lacks stays unmapped and the ingest holds the order (SKU_UNMAPPED).
 */
export async function resolveMasterSkus(
  exec: SqlExecutor,
  lines: readonly OrderLineInput[],
): Promise<OrderLineInput[]> {
  const open = lines.filter((l) => !l.sku).map((l) => l.channelSku);
  const known = await findSkus(exec, open);
  return lines.map((l) => (l.sku || !known.has(l.channelSku) ? l : { ...l, sku: l.channelSku }));
}
