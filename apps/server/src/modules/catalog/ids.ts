import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

/** Prefixed sortable ids for the stock and catalog records (`sku_…`, `mov_…`, `rsv_…`). */
export type StockIdPrefix = 'sku' | 'whs' | 'mov' | 'rsv' | 'frz' | 'trf' | 'cnt' | 'alr';

export function prefixedId(prefix: StockIdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}
