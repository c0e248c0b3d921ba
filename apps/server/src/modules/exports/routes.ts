import { PassThrough } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EXPORT_FIELD_KEYS, OrderListQuery } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Deps } from '../../platform/deps.ts';
import { maskPhone, normalisePhone } from '../../platform/pii.ts';
import { assertTimeZone } from '../../platform/time.ts';
import { recordAudit } from '../audit/index.ts';
import {
  chooseFields,
  csvRecord,
  type ExportLang,
  type ExportLevel,
  type ExportRecord,
  headerOf,
  NEUTRALISED_CELL,
  recordsForExport,
  xlsxRecord,
} from './order-rows.ts';

const ExportQuery = Type.Composite(
  [
    Type.Omit(OrderListQuery, ['limit', 'cursor']),
    Type.Object({
      format: Type.Optional(
        Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { description: 'default csv' }),
      ),
      level: Type.Optional(
        Type.Union([Type.Literal('order'), Type.Literal('line')], {
          description: 'one row per order (default) or one row per order line',
        }),
      ),
      fields: Type.Optional(
        Type.String({
          maxLength: 1000,
          description: `comma-separated field keys in column order (default: the level's default fields): ${EXPORT_FIELD_KEYS.join(', ')}`,
        }),
      ),
      lang: Type.Optional(
        Type.Union([Type.Literal('zh-CN'), Type.Literal('en-US')], {
          description: 'language of headers and codes; default from Accept-Language, else zh-CN',
        }),
      ),
    }),
  ],
  { additionalProperties: false },
);

type ExportQueryT = OrderListQuery & {
  format?: 'csv' | 'xlsx';
  level?: ExportLevel;
  fields?: string;
  lang?: ExportLang;
};

/** Exports of the order list's current filter, streamed; each export is an audit row. */
export function exportRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto, config } = deps;

  r.get(
    '/api/exports/orders',
    {
      config: {
        permission: 'orders:read',
        errors: [
          'INVALID_TIME_ZONE',
          'PHONE_INVALID',
          'TIME_INVALID',
          'EXPORT_NO_FIELDS',
          'EXPORT_FIELD_UNKNOWN',
        ],
      },
      schema: {
        operationId: 'exportOrders',
        tags: ['orders'],
        summary: 'Download the orders matching a list filter as CSV or XLSX (streamed)',
        description:
          "Takes the same filters as GET /api/orders. `level=line` writes one row per order line; `fields` chooses the columns and their order; headers, statuses, hold reasons and channels are in `lang`. CSV is UTF-8 with a BOM; digit-only ids (channel order ids, SKUs) start with a tab so that Excel keeps them as text; amounts are decimal strings in the currency's unit. XLSX has ids as text cells, amounts as number cells with a money format, times as date cells in `tz` (default TZ_DEFAULT), column widths and a frozen header. Money fields are left out for readers without orders:amounts. Phone numbers stay masked. Text cells that start with =, +, -, @, tab or CR get a leading ' (and are quoted in CSV) so that no spreadsheet runs them as formulas.",
        querystring: ExportQuery,
      },
    },
    async (req, reply) => {
      const {
        format = 'csv',
        level = 'order',
        fields: asked,
        lang: askedLang,
        ...filter
      } = req.query as ExportQueryT;
      const lang: ExportLang =
        askedLang ?? (/^en\b/i.test(req.headers['accept-language'] ?? '') ? 'en-US' : 'zh-CN');
      const tz = filter.tz ?? config.tzDefault;
      assertTimeZone(tz);
      const actor = req.actor!;
      const fields = chooseFields(level, asked, actor, lang);
      const needLines = level === 'line' || fields.some((f) => f.key === 'lineSummary');
      // Fail before the first byte when the filter is wrong: the first page is read eagerly.
      const pages = recordsForExport(database, crypto, filter, config.tzDefault, actor, { level, needLines });
      const first = await pages.next();
      await database.tx((tx) =>
        recordAudit(tx, clock.now(), actor, {
          action: 'order.export',
          entityType: 'order',
          entityId: null,
          summary: { format, level, fields: fields.map((f) => f.key), filter: auditedFilter(filter, crypto) },
        }),
      );
      const stamp = DateTime.fromJSDate(clock.now()).setZone(tz).toFormat('yyyyLLdd-HHmmss');
      const base = level === 'line' ? 'order-lines' : 'orders';
      reply.header('content-disposition', `attachment; filename="${base}-${stamp}.${format}"`);
      reply.header('cache-control', 'no-store');
      const out = new PassThrough();
      const fail = (err: unknown) => {
        req.log.error({ err }, 'export failed midway');
        out.destroy(err as Error);
      };
      const header = fields.map((f) => headerOf(f, lang));

      if (format === 'csv') {
        reply.type('text/csv; charset=utf-8');
        // Formula-safe cells (see formulaSafe) are also quoted, as OWASP recommends for CSV.
        const csv = stringify({ bom: true, quoted_match: NEUTRALISED_CELL });
        csv.pipe(out);
        void (async () => {
          await write(csv, header);
          const put = async (records: ExportRecord[]) => {
            for (const rec of records) await write(csv, csvRecord(fields, rec, tz, lang));
          };
          if (!first.done) await put(first.value);
          for await (const page of pages) await put(page);
          csv.end();
        })().catch(fail);
        return reply.send(out);
      }

      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
      const sheet = book.addWorksheet(
        level === 'line'
          ? lang === 'zh-CN'
            ? '订单明细'
            : 'Order lines'
          : lang === 'zh-CN'
            ? '订单'
            : 'Orders',
        {
          views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }],
        },
      );
      sheet.columns = fields.map((f, i) => ({
        key: String(i),
        width: Math.max(f.width, header[i]!.length * 2),
      }));
      const head = sheet.addRow(header);
      head.font = { bold: true };
      head.commit();
      const addPage = (records: ExportRecord[]) => {
        for (const rec of records) {
          const cells = xlsxRecord(fields, rec, tz, lang);
          const row = sheet.addRow(cells.map((c) => c.value));
          cells.forEach((c, i) => {
            if (c.numFmt) row.getCell(i + 1).numFmt = c.numFmt;
          });
          row.commit();
        }
      };
      void (async () => {
        if (!first.done) addPage(first.value);
        for await (const page of pages) addPage(page);
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
