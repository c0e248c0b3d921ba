import { PassThrough } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { OrderListQuery, type OrderView } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Deps } from '../../platform/deps.ts';
import { maskPhone, normalisePhone } from '../../platform/pii.ts';
import { assertTimeZone } from '../../platform/time.ts';
import { recordAudit } from '../audit/index.ts';
import { seesAmounts } from '../orders/index.ts';
import {
  exportColumns,
  exportRow,
  MONEY_COLUMN_INDEXES,
  NEUTRALISED_CELL,
  ordersForExport,
} from './order-rows.ts';

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
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE', 'PHONE_INVALID', 'TIME_INVALID'] },
      schema: {
        operationId: 'exportOrders',
        tags: ['orders'],
        summary: 'Download the orders matching a list filter as CSV or XLSX (streamed)',
        description:
          "Takes the same filters as GET /api/orders. Amounts are decimal strings from minor units in CSV and number cells in XLSX (the money columns are left out for readers without orders:amounts); times are shown in `tz` (default TZ_DEFAULT) and in UTC. Phone numbers stay masked. Text cells that start with =, +, -, @, tab or CR get a leading ' (and are quoted in CSV) so that no spreadsheet runs them as formulas.",
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
          summary: { format, filter: auditedFilter(filter, crypto) },
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
        // Formula-safe cells (see formulaSafe) are also quoted, as OWASP recommends for CSV.
        const csv = stringify({ header: true, columns, bom: true, quoted_match: NEUTRALISED_CELL });
        csv.pipe(out);
        void (async () => {
          if (!first.done) await write(csv, exportRow(first.value, tz, withAmounts));
          for await (const o of rows) await write(csv, exportRow(o, tz, withAmounts));
          csv.end();
        })().catch(fail);
        return reply.send(out);
      }

      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      // Styles only for the amounts' two decimals; amounts are number cells, text is formula-safe.
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: withAmounts });
      const sheet = book.addWorksheet('orders');
      sheet.addRow(columns).commit();
      const addRow = (o: OrderView) => {
        const row = sheet.addRow(exportRow(o, tz, withAmounts, true));
        if (withAmounts) for (const i of MONEY_COLUMN_INDEXES) row.getCell(i + 1).numFmt = '0.00';
        row.commit();
      };
      void (async () => {
        if (!first.done) addRow(first.value);
        for await (const o of rows) addRow(o);
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

/** The E.164 phone index's purpose, as the orders module keys it (see orders/normalise.ts). */
const PHONE_INDEX = 'receiver_phone';

/**
 * The filter as the audit row keeps it: a searched phone only masked (`138****5678`) and as the
 * keyed hash the orders are indexed by, so an auditor can match it to orders without the number.
 */
function auditedFilter(filter: OrderListQuery, crypto: Deps['crypto']): Record<string, unknown> {
  const { phone, ...rest } = filter;
  if (phone === undefined) return rest;
  const n = normalisePhone(phone);
  return {
    ...rest,
    phone: n?.e164
      ? { masked: maskPhone(n.value), hash: crypto.blindIndex(PHONE_INDEX, n.value) }
      : { masked: '[redacted]', hash: null },
  };
}
