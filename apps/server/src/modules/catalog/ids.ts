import { newUlid } from '../../platform/ids.ts';

/** Prefixed sortable ids for the stock and catalog records (`sku_…`, `mov_…`, `rsv_…`). */
export type StockIdPrefix = 'sku' | 'whs' | 'mov' | 'rsv' | 'frz' | 'trf' | 'cnt' | 'alr';

export function prefixedId(prefix: StockIdPrefix): string {
  return `${prefix}_${newUlid()}`;
}
