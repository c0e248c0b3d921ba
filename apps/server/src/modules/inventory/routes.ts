import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AdjustmentBody,
  AlertsQuery,
  AlertView,
  AvailableQuery,
  AvailableView,
  ChannelSharesBody,
  CountApplyBody,
  CountPreviewBody,
  CountQuery,
  CountView,
  CreateWarehouseBody,
  FreezeBody,
  FreezeReleaseBody,
  FreezeView,
  LevelsQuery,
  LevelsResponse,
  MovementsQuery,
  MovementsResponse,
  ReceiptBody,
  ReservationBody,
  ReservationResponse,
  ReservationView,
  SafetyStockBody,
  StockChangeResponse,
  TransferBody,
  TransferReceiveBody,
  TransferView,
  UpdateWarehouseBody,
  WarehouseView,
} from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type Actor, scopedWarehouses } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { orderReservations, reserveCheckout } from './checkout.ts';
import { getCountWaiting, requestCountPreview } from './count-import.ts';
import { applyCount, getCount } from './counts.ts';
import { createFreeze, releaseFreeze } from './freezes.ts';
import { HeatmapQuery, HeatmapView, stockHeatmap } from './heatmap.ts';
import type { StockCtx } from './ledger.ts';
import { listLevels, listMovements } from './levels.ts';
import { availableToSell, listAlerts, setChannelShares, setSafetyStock } from './planning.ts';
import { adjustStock, receiveStock } from './receive-adjust.ts';
import { warehouseInScope } from './scope.ts';
import { stockDepsOf } from './settings.ts';
import { createTransfer, receiveTransfer } from './transfers.ts';
import { createWarehouse, listWarehouses, updateWarehouse } from './warehouses.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Updated = Type.Object({ updated: Type.Integer() });

export function inventoryRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock } = deps;
  const stockDeps = stockDepsOf(deps);
  const inTx = <T>(actor: Actor, fn: (ctx: StockCtx) => Promise<T>) =>
    database.tx((tx: Tx) => fn({ tx, deps: stockDeps, at: clock.now(), actor }));
  const tags = ['inventory'];
  const importEnv = { database, deps: stockDeps, now: () => clock.now() };
  // Data scopes: a count that names a warehouse outside the reader's scope is not his to see.
  const countInScope = async (reader: Actor | null, id: string) => {
    if (!scopedWarehouses(reader)) return true;
    const all = await getCount(database, id, {});
    const codes = new Set((all?.rows ?? []).map((r) => r.warehouse));
    const mine = new Set(
      (await listWarehouses(database)).filter((w) => warehouseInScope(reader, w.id)).map((w) => w.code),
    );
    return [...codes].every((c) => mine.has(c));
  };

  r.get(
    '/api/warehouses',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'listWarehouses',
        tags,
        summary: 'Warehouses (仓库)',
        response: { 200: Type.Array(WarehouseView) },
      },
    },
    async (req) => (await listWarehouses(database)).filter((w) => warehouseInScope(req.actor, w.id)),
  );
  r.post(
    '/api/warehouses',
    {
      config: { permission: 'inventory:plan', errors: ['WAREHOUSE_CODE_TAKEN'] },
      schema: {
        operationId: 'createWarehouse',
        tags,
        summary: 'Add a warehouse',
        body: CreateWarehouseBody,
        response: { 201: WarehouseView },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await database.tx((tx) => createWarehouse(tx, clock.now(), req.actor!, req.body))),
  );
  r.patch(
    '/api/warehouses/:id',
    {
      config: { permission: 'inventory:plan', errors: ['WAREHOUSE_CODE_TAKEN'] },
      schema: {
        operationId: 'updateWarehouse',
        tags,
        summary: 'Rename, re-prioritise or (de)activate a warehouse (by id or code)',
        params: IdParams,
        body: UpdateWarehouseBody,
        response: { 200: WarehouseView },
      },
    },
    async (req) => database.tx((tx) => updateWarehouse(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );

  r.get(
    '/api/inventory/levels',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'listStockLevels',
        tags,
        summary: 'Stock per SKU and warehouse',
        querystring: LevelsQuery,
        response: { 200: LevelsResponse },
      },
    },
    async (req) => listLevels(database, req.query, req.actor),
  );
  r.get(
    '/api/inventory/movements',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'listStockMovements',
        tags,
        summary: 'The stock ledger (库存流水), newest first',
        querystring: MovementsQuery,
        response: { 200: MovementsResponse },
      },
    },
    async (req) => listMovements(database, req.query, req.actor),
  );
  r.get(
    '/api/inventory/heatmap',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'getStockHeatmap',
        tags,
        summary: 'Units per warehouse × SKU category (available or sellable), summed in the database',
        querystring: HeatmapQuery,
        response: { 200: HeatmapView },
      },
    },
    async (req) => stockHeatmap(database, req.query, req.actor),
  );
  r.post(
    '/api/inventory/receipts',
    {
      config: {
        permission: 'inventory:adjust',
        errors: ['SKU_UNKNOWN', 'SKU_INACTIVE', 'WAREHOUSE_UNKNOWN', 'WAREHOUSE_INACTIVE'],
      },
      schema: {
        operationId: 'receiveStock',
        tags,
        summary: 'Book goods in (入库)',
        body: ReceiptBody,
        response: { 201: StockChangeResponse },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inTx(req.actor!, (ctx) => receiveStock(ctx, req.body))),
  );
  r.post(
    '/api/inventory/adjustments',
    {
      config: {
        permission: 'inventory:adjust',
        errors: ['SKU_UNKNOWN', 'WAREHOUSE_UNKNOWN', 'WAREHOUSE_INACTIVE', 'ADJUSTMENT_BELOW_COMMITTED'],
      },
      schema: {
        operationId: 'adjustStock',
        tags,
        summary: 'Correct on hand with a reason (库存调整)',
        body: AdjustmentBody,
        response: { 201: StockChangeResponse },
      },
    },
    async (req, reply) => reply.status(201).send(await inTx(req.actor!, (ctx) => adjustStock(ctx, req.body))),
  );
  r.post(
    '/api/inventory/counts::preview',
    {
      config: {
        permission: 'inventory:adjust',
        errors: [
          'COUNT_SHEET_INVALID',
          'WAREHOUSE_UNKNOWN',
          'IMPORT_TOO_LARGE',
          'IMPORT_ROW_LIMIT',
          'IMPORT_CELL_LIMIT',
          'IMPORT_FORMAT_INVALID',
          'IMPORT_ENCODING_INVALID',
        ],
      },
      schema: {
        operationId: 'previewStockCount',
        tags,
        summary: 'Import a count sheet (盘点) and show the differences; nothing changes yet',
        description:
          'A sheet with any bad row is refused whole (COUNT_SHEET_INVALID) with every bad row in `details.badRows`. ' +
          'Sheets are read row by row within limits (rows, columns, characters per cell, bytes; IMPORT_* codes name the limit in `details`). ' +
          'A large sheet is read by a job: the answer is 202 with status `processing`; poll `GET /api/inventory/counts/{id}` until it is `previewed` or `failed`.',
        body: CountPreviewBody,
        response: { 201: CountView, 202: CountView },
      },
    },
    async (req, reply) => {
      const { status, view } = await requestCountPreview(importEnv, req.actor!, req.body);
      return reply.status(status).send(view);
    },
  );
  r.get(
    '/api/inventory/counts/:id',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'getStockCount',
        tags,
        summary: 'A count: its rows, or the progress of the job reading it',
        params: IdParams,
        querystring: CountQuery,
        response: { 200: CountView },
      },
    },
    async (req) => {
      const view = await getCountWaiting(database, req.params.id, req.query);
      if (!view || !(await countInScope(req.actor, req.params.id)))
        throw new DomainError('NOT_FOUND', `no count ${req.params.id}`);
      return view;
    },
  );
  r.post(
    '/api/inventory/counts/:id/apply',
    {
      config: { permission: 'inventory:adjust', errors: ['COUNT_SHEET_STALE', 'COUNT_ALREADY_APPLIED'] },
      schema: {
        operationId: 'applyStockCount',
        tags,
        summary: 'Book a previewed count as count corrections',
        params: IdParams,
        body: Type.Optional(CountApplyBody),
        response: { 200: CountView },
      },
    },
    async (req) => inTx(req.actor!, (ctx) => applyCount(ctx, req.params.id, req.body?.note)),
  );
  r.post(
    '/api/inventory/freezes',
    {
      config: {
        permission: 'inventory:freeze',
        errors: ['SKU_UNKNOWN', 'WAREHOUSE_UNKNOWN', 'FREEZE_EXCEEDS_AVAILABLE'],
      },
      schema: {
        operationId: 'freezeStock',
        tags,
        summary: 'Freeze units (冻结), e.g. during a refund-only review',
        body: FreezeBody,
        response: { 201: FreezeView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inTx(req.actor!, (ctx) => createFreeze(ctx, req.body))),
  );
  r.post(
    '/api/inventory/freezes/:id/release',
    {
      config: { permission: 'inventory:freeze', errors: ['FREEZE_NOT_ACTIVE'] },
      schema: {
        operationId: 'releaseStockFreeze',
        tags,
        summary: 'Release a freeze on a decision',
        params: IdParams,
        body: FreezeReleaseBody,
        response: { 200: FreezeView },
      },
    },
    async (req) => inTx(req.actor!, (ctx) => releaseFreeze(ctx, req.params.id, req.body)),
  );
  r.post(
    '/api/inventory/transfers',
    {
      config: {
        permission: 'inventory:adjust',
        errors: [
          'SKU_UNKNOWN',
          'WAREHOUSE_UNKNOWN',
          'WAREHOUSE_INACTIVE',
          'TRANSFER_SAME_WAREHOUSE',
          'INVENTORY_INSUFFICIENT',
        ],
      },
      schema: {
        operationId: 'createStockTransfer',
        tags,
        summary: 'Send stock to another warehouse (调拨)',
        body: TransferBody,
        response: { 201: TransferView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inTx(req.actor!, (ctx) => createTransfer(ctx, req.body))),
  );
  r.post(
    '/api/inventory/transfers/:id/receive',
    {
      config: { permission: 'inventory:adjust', errors: ['TRANSFER_NOT_IN_TRANSIT'] },
      schema: {
        operationId: 'receiveStockTransfer',
        tags,
        summary: 'Book a transfer in at its target warehouse',
        params: IdParams,
        body: Type.Optional(TransferReceiveBody),
        response: { 200: TransferView },
      },
    },
    async (req) => inTx(req.actor!, (ctx) => receiveTransfer(ctx, req.params.id, req.body?.note)),
  );
  r.get(
    '/api/inventory/alerts',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'listStockAlerts',
        tags,
        summary: 'Safety-stock alerts, open ones by default',
        querystring: AlertsQuery,
        response: { 200: Type.Array(AlertView) },
      },
    },
    async (req) => listAlerts(database, req.query, req.actor),
  );
  r.put(
    '/api/inventory/safety-stock',
    {
      config: { permission: 'inventory:plan', errors: ['SKU_UNKNOWN', 'WAREHOUSE_UNKNOWN'] },
      schema: {
        operationId: 'setSafetyStock',
        tags,
        summary: 'Set safety stock (安全库存) per SKU and warehouse',
        body: SafetyStockBody,
        response: { 200: Updated },
      },
    },
    async (req) => ({ updated: await inTx(req.actor!, (ctx) => setSafetyStock(ctx, req.body)) }),
  );
  r.put(
    '/api/inventory/channel-shares',
    {
      config: { permission: 'inventory:plan', errors: ['SKU_UNKNOWN', 'CHANNEL_ACCOUNT_UNKNOWN'] },
      schema: {
        operationId: 'setChannelShares',
        tags,
        summary: 'Set the share of sellable stock each channel account may offer',
        body: ChannelSharesBody,
        response: { 200: Updated },
      },
    },
    async (req) => ({ updated: await inTx(req.actor!, (ctx) => setChannelShares(ctx, req.body)) }),
  );
  r.get(
    '/api/inventory/available',
    {
      config: {
        permission: 'inventory:read',
        errors: ['CHANNEL_ACCOUNT_UNKNOWN', 'CHANNEL_ACCOUNT_INACTIVE'],
      },
      schema: {
        operationId: 'getAvailableStock',
        tags,
        summary: 'What a channel account may sell, per SKU',
        querystring: AvailableQuery,
        response: { 200: AvailableView },
      },
    },
    async (req) => availableToSell(database, req.query, req.actor),
  );
  r.post(
    '/api/reservations',
    {
      config: {
        permission: 'orders:ingest',
        errors: [
          'ORDER_NOT_FOUND',
          'SKU_UNKNOWN',
          'INVENTORY_INSUFFICIENT',
          'RESERVATION_EXISTS',
          'CHANNEL_ACCOUNT_UNKNOWN',
          'CHANNEL_ACCOUNT_INACTIVE',
        ],
      },
      schema: {
        operationId: 'reserveStock',
        tags,
        summary: 'Hold stock for a checkout (下单即锁库): all lines or none',
        description:
          'Refused with INVENTORY_INSUFFICIENT when any line is short. The order created with the same channel account and externalOrderId takes the hold over; unpaid, it is released after the payment timeout.',
        body: ReservationBody,
        response: { 201: ReservationResponse },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await inTx(req.actor!, (ctx) => reserveCheckout(ctx, req.body))),
  );
  r.get(
    '/api/orders/:id/reservations',
    {
      config: { permission: 'orders:read', errors: ['ORDER_NOT_FOUND'] },
      schema: {
        operationId: 'listOrderReservations',
        tags,
        summary: 'The stock an order holds or held',
        params: IdParams,
        response: { 200: Type.Array(ReservationView) },
      },
    },
    async (req) => orderReservations(database, req.params.id, req.actor),
  );
}
