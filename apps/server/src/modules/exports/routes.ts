import { PassThrough } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { OrderListQuery } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Deps } from '../../platform/deps.ts';
import { assertTimeZone } from '../../platform/time.ts';
import { recordAudit } from '../audit/index.ts';
import { seesAmounts } from '../orders/index.ts';
import { exportColumns, exportRow, ordersForExport } from './order-rows.ts';

const ExportQuery = Type.Composite(
  [
    Type.Omit(OrderListQuery, ['limit', 'cursor']),
    Type.Object({
      format: Type.Optional(
        Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { description: 'default csv' }),
      ),
    }),
  ],
  { additionalProperties: false },
);

/** Exports of the order list's current filter, streamed; each export is an audit row. */
export function exportRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto, config } = deps;

  r.get(
    '/api/exports/orders',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'exportOrders',
        tags: ['orders'],
        summary: 'Download the orders matching a list filter as CSV or XLSX (streamed)',
        description:
          'Takes the same filters as GET /api/orders. Amounts are decimal strings from minor units (the money columns are left out for readers without orders:amounts); times are shown in `tz` (default TZ_DEFAULT) and in UTC. Phone numbers stay masked.',
        querystring: ExportQuery,
      },
    },
    async (req, reply) => {
      const { format = 'csv', ...filter } = req.query as OrderListQuery & { format?: 'csv' | 'xlsx' };
      const tz = filter.tz ?? config.tzDefault;
      assertTimeZone(tz);
      // Fail before the first byte when the filter is wrong: the first page is read eagerly.
      const actor = req.actor!;
      const withAmounts = seesAmounts(actor);
      const columns = exportColumns(withAmounts);
      const rows = ordersForExport(database, crypto, filter, config.tzDefault, actor);
      const first = await rows.next();
      await database.tx((tx) =>
        recordAudit(tx, clock.now(), actor, {
          action: 'order.export',
          entityType: 'order',
          entityId: null,
          summary: { format, filter },
        }),
      );
      const stamp = DateTime.fromJSDate(clock.now()).setZone(tz).toFormat('yyyyLLdd-HHmmss');
      reply.header('content-disposition', `attachment; filename="orders-${stamp}.${format}"`);
      reply.header('cache-control', 'no-store');
      const out = new PassThrough();
      const fail = (err: unknown) => {
        req.log.error({ err }, 'export failed midway');
        out.destroy(err as Error);
      };

      if (format === 'csv') {
        reply.type('text/csv; charset=utf-8');
        const csv = stringify({ header: true, columns, bom: true });
        csv.pipe(out);
        void (async () => {
          if (!first.done) await write(csv, exportRow(first.value, tz, withAmounts));
          for await (const o of rows) await write(csv, exportRow(o, tz, withAmounts));
          csv.end();
        })().catch(fail);
        return reply.send(out);
      }

      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false });
      const sheet = book.addWorksheet('orders');
      sheet.addRow(columns).commit();
      void (async () => {
        if (!first.done) sheet.addRow(exportRow(first.value, tz, withAmounts)).commit();
        for await (const o of rows) sheet.addRow(exportRow(o, tz, withAmounts)).commit();
        sheet.commit();
        await book.commit();
      })().catch(fail);
      return reply.send(out);
    },
  );
}

/** Writes one record, waiting when the consumer is slower than the database. */
function write(csv: ReturnType<typeof stringify>, record: unknown[]): Promise<void> | undefined {
  if (csv.write(record)) return undefined;
  return new Promise((resolve) => csv.once('drain', () => resolve()));
}
