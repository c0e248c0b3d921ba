import type {
  AlertsQuery,
  AlertView,
  AvailableQuery,
  AvailableView,
  ChannelSharesBody,
  SafetyStockBody,
} from '@orderhub/contracts';
import { type Actor, scopedAccounts } from '../../platform/actor.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { activeSkuCodes, requireSkus, skuNames } from '../catalog/index.ts';
import { requireActiveAccount } from '../channels/index.ts';
import { checkSafetyCrossing, ensureLevel, type LevelRow, type StockCtx } from './ledger.ts';
import { warehouseScopeCond } from './scope.ts';
import { requireWarehouses } from './warehouses.ts';

/** Tells the channels that what they may sell changed: a mark per SKU, relayed debounced (`relayStockMarks`). */
export async function markChanged(ctx: StockCtx, skus: readonly string[]): Promise<void> {
  if (skus.length === 0) return;
  await ctx.tx.query(
    `INSERT INTO stock_push_marks (sku, marked_at) SELECT s, $2 FROM unnest($1::text[]) AS s
     ON CONFLICT (sku) DO NOTHING`,
    [[...new Set(skus)].sort(), ctx.at],
  );
}

/** 安全库存: kept back from the channels; falling below it raises one alert. */
export async function setSafetyStock(ctx: StockCtx, input: SafetyStockBody): Promise<number> {
  const { tx, at } = ctx;
  await requireSkus(
    tx,
    input.items.map((i) => i.sku),
  );
  const whs = await requireWarehouses(
    tx,
    input.items.map((i) => i.warehouse),
  );
  const items = input.items
    .map((i) => ({ ...i, warehouseId: whs.get(i.warehouse)!.id }))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.warehouseId < b.warehouseId ? -1 : 1));
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.safety_stock',
    entityType: 'stock_level',
    entityId: null,
    summary: input,
  });
  for (const i of items) {
    await ensureLevel(tx, at, i.sku, i.warehouseId);
    const before = (
      await tx.query<LevelRow>(`SELECT * FROM stock_levels WHERE sku = $1 AND warehouse_id = $2 FOR UPDATE`, [
        i.sku,
        i.warehouseId,
      ])
    )[0]!;
    const after = (
      await tx.query<LevelRow>(
        `UPDATE stock_levels SET safety_stock = $3, updated_at = $4 WHERE sku = $1 AND warehouse_id = $2 RETURNING *`,
        [i.sku, i.warehouseId, i.safetyStock, at],
      )
    )[0]!;
    const available = Number(after.on_hand) - Number(after.reserved) - Number(after.frozen);
    await checkSafetyCrossing(ctx, after, available, available, Number(before.safety_stock));
  }
  await markChanged(
    ctx,
    items.map((i) => i.sku),
  );
  return items.length;
}

export async function listAlerts(
  exec: SqlExecutor,
  q: AlertsQuery,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<AlertView[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const scoped = warehouseScopeCond(reader, params, 'a.warehouse_id');
  if (scoped) where.push(scoped);
  if (q.active !== false) where.push('a.cleared_at IS NULL');
  if (q.sku) where.push(`a.sku = $${params.push(q.sku)}`);
  if (q.warehouse) where.push(`w.code = $${params.push(q.warehouse)}`);
  const rows = await exec.query<Record<string, unknown>>(
    `SELECT a.*, w.code AS warehouse, w.name AS warehouse_name,
            COALESCE(l.on_hand - l.reserved - l.frozen, 0) AS available_now, COALESCE(l.on_hand, 0) AS on_hand_now
       FROM stock_alerts a JOIN warehouses w ON w.id = a.warehouse_id
       LEFT JOIN stock_levels l ON l.sku = a.sku AND l.warehouse_id = a.warehouse_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.raised_at DESC, a.id DESC LIMIT ${q.limit ?? 100}`,
    params,
  );
  const names = await skuNames(
    exec,
    rows.map((r) => r['sku'] as string),
  );
  return rows.map((r) => ({
    id: r['id'] as string,
    type: r['type'] as string,
    sku: r['sku'] as string,
    warehouse: r['warehouse'] as string,
    warehouseName: r['warehouse_name'] as string,
    title: names.get(r['sku'] as string) ?? null,
    available: Number(r['available']),
    availableNow: Number(r['available_now']),
    onHandNow: Number(r['on_hand_now']),
    safetyStock: Number(r['safety_stock']),
    raisedAt: new Date(r['raised_at'] as string).toISOString(),
    clearedAt: r['cleared_at'] ? new Date(r['cleared_at'] as string).toISOString() : null,
  }));
}

/** The share of sellable stock each channel account may offer (e.g. 60% to Douyin). */
export async function setChannelShares(ctx: StockCtx, input: ChannelSharesBody): Promise<number> {
  const { tx, at } = ctx;
  for (const a of new Set(input.items.map((i) => i.account))) await requireActiveAccount(tx, a);
  const skus = input.items.flatMap((i) => (i.sku ? [i.sku] : []));
  await requireSkus(tx, skus);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.channel_shares',
    entityType: 'channel_account',
    entityId: null,
    summary: input,
  });
  for (const i of input.items) {
    await tx.query(
      `INSERT INTO channel_stock_shares (account_code, sku, percent, updated_at) VALUES ($1,$2,$3,$4)
       ON CONFLICT (account_code, sku) DO UPDATE SET percent = EXCLUDED.percent, updated_at = EXCLUDED.updated_at`,
      [i.account, i.sku ?? '*', i.percent, at],
    );
  }
  const all = input.items.some((i) => !i.sku);
  const affected = all
    ? (await tx.query<{ sku: string }>(`SELECT DISTINCT sku FROM stock_levels`)).map((r) => r.sku)
    : skus;
  await markChanged(ctx, affected);
  return input.items.length;
}

/** One account's figures for one SKU: sellable over active warehouses, its share, what it may sell. */
export interface ChannelAvailability {
  account: string;
  sku: string;
  sellable: number;
  percent: number;
  available: number;
}

/**
 * What each of `accounts` may sell of each of `skus`: sellable units over active warehouses
 * (on hand − reserved − frozen − safety stock, never below zero) times the account's share
 * (per SKU, else its `*` share, else 100%), rounded down.
 */
export async function channelAvailability(
  exec: SqlExecutor,
  skus: readonly string[],
  accounts: readonly string[],
): Promise<ChannelAvailability[]> {
  if (skus.length === 0 || accounts.length === 0) return [];
  const rows = await exec.query<{ account: string; sku: string; sellable: number; percent: number }>(
    `SELECT a.code AS account, s.code AS sku,
       COALESCE((SELECT sum(GREATEST(0, l.on_hand - l.reserved - l.frozen - l.safety_stock))
                 FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id AND w.active WHERE l.sku = s.code), 0)::bigint AS sellable,
       COALESCE((SELECT percent FROM channel_stock_shares WHERE account_code = a.code AND sku = s.code),
                (SELECT percent FROM channel_stock_shares WHERE account_code = a.code AND sku = '*'), 100) AS percent
     FROM unnest($1::text[]) AS s(code) CROSS JOIN unnest($2::text[]) AS a(code)
     ORDER BY s.code, a.code`,
    [[...skus], [...accounts]],
  );
  return rows.map((r) => {
    const sellable = Number(r.sellable);
    const percent = Number(r.percent);
    return {
      account: r.account,
      sku: r.sku,
      sellable,
      percent,
      available: Math.floor((sellable * percent) / 100),
    };
  });
}

/** What one channel account may sell per SKU of the master, keyset-paged by SKU code. */
export async function availableToSell(
  exec: SqlExecutor,
  q: AvailableQuery,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<AvailableView> {
  const account = await requireActiveAccount(exec, q.account);
  // A shop outside the reader's data scope is answered as if it did not exist.
  const shops = scopedAccounts(reader);
  if (shops && !shops.includes(account.id))
    throw new DomainError('CHANNEL_ACCOUNT_UNKNOWN', `no channel account "${q.account}"`, {
      channelAccount: q.account,
    });
  const limit = q.limit ?? 100;
  const after = q.cursor ? decodeCursor(q.cursor, ['text'])[0]! : undefined;
  const codes = await activeSkuCodes(exec, { only: q.sku, after, limit: limit + 1 });
  const figures = await channelAvailability(exec, codes.slice(0, limit), [q.account]);
  const items = figures.map(({ sku, sellable, percent, available }) => ({
    sku,
    sellable,
    percent,
    available,
  }));
  const last = items.at(-1);
  return {
    account: q.account,
    items,
    nextCursor: codes.length > limit && last ? encodeCursor([last.sku]) : null,
  };
}
