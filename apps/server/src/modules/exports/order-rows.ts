import {
  CHANNEL_LABELS,
  EXPORT_FIELDS,
  type ExportFieldSpec,
  exportFieldsFor,
  HOLD_REASON_LABELS,
  ORDER_STATUS_LABELS,
  type OrderListQuery,
  type OrderView,
} from '@orderhub/contracts';
import { DateTime } from 'luxon';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { DbReader } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { minorUnitDigits } from '../../platform/money.ts';
import { lineView, listOrders, loadLinesOf, type Reader, seesAmounts } from '../orders/index.ts';

export type ExportLang = 'zh-CN' | 'en-US';
export type ExportLevel = 'order' | 'line';
type LineView = ReturnType<typeof lineView>;

/** One row of an export: an order, and in a line-level export one of its lines. */
export interface ExportRecord {
  order: OrderView;
  lines: LineView[];
  line: LineView | null;
}

/**
 * The fields of an export, in the order asked: `fields` names them (comma-separated keys of
 * EXPORT_FIELDS), or the defaults of the level. A reader without `orders:amounts` gets no money
 * field, asked or not (as the list hides amounts from them).
 */
export function chooseFields(
  level: ExportLevel,
  fields: string | undefined,
  reader: Reader,
  lang: ExportLang,
): ExportFieldSpec[] {
  const allowed = exportFieldsFor(level);
  let chosen: ExportFieldSpec[];
  if (fields === undefined) chosen = allowed.filter((f) => f.default);
  else {
    const keys = [...new Set(fields.split(',').map((k) => k.trim()))].filter(Boolean);
    if (!keys.length)
      throw new DomainError(
        'EXPORT_NO_FIELDS',
        lang === 'zh-CN' ? '请至少选择一个导出字段' : 'Choose at least one field to export',
      );
    chosen = keys.map((k) => {
      const spec = allowed.find((f) => f.key === k);
      if (spec) return spec;
      const line = EXPORT_FIELDS.find((f) => f.key === k);
      throw new DomainError(
        'EXPORT_FIELD_UNKNOWN',
        line
          ? lang === 'zh-CN'
            ? `“${line.zh}”是商品行字段，请选择按商品行导出`
            : `"${line.en}" is a line field: choose the line-level export`
          : lang === 'zh-CN'
            ? `没有名为“${k.slice(0, 40)}”的导出字段`
            : `There is no export field named "${k.slice(0, 40)}"`,
        { field: k.slice(0, 40) },
      );
    });
  }
  if (!seesAmounts(reader)) chosen = chosen.filter((f) => f.kind !== 'money');
  if (!chosen.length)
    throw new DomainError(
      'EXPORT_NO_FIELDS',
      lang === 'zh-CN'
        ? '所选字段都是金额，您的角色看不到金额'
        : 'Every chosen field is an amount, which your role cannot see',
    );
  return chosen;
}

export const headerOf = (f: ExportFieldSpec, lang: ExportLang) => (lang === 'zh-CN' ? f.zh : f.en);

/** Minor units to a decimal string by integer arithmetic, with the currency's digits (CNY 2, JPY 0). */
export function minorToDecimal(minor: number, digits = 2): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.trunc(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

function digitsOf(currency: string): number {
  try {
    return minorUnitDigits(currency);
  } catch {
    return 2;
  }
}

/**
 * Characters that make a spreadsheet read a cell as a formula (or, for tab and CR, that Excel
 * strips before doing so): `=HYPERLINK(…)`, `+cmd|' /C calc'!A0`, `@SUM(1)`, `-1+1`. Buyers type
 * province, city, remarks and tags; a masked name can start with `=` too (`=*****`).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number (an amount such as `-12.34`) is data, not a formula: it stays as it is. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A text cell that cannot run as a formula, as OWASP recommends against CSV injection: text that
 * starts with a formula character gets a leading single quote, which spreadsheets show as text.
 * Numbers, and text that is exactly a decimal number, are left alone.
 */
export function formulaSafe<T extends string | number>(cell: T): T | string {
  if (typeof cell !== 'string' || !FORMULA_START.test(cell) || PLAIN_NUMBER.test(cell)) return cell;
  return `'${cell}`;
}

/** A neutralised cell, for the CSV writer to quote as well (`quoted_match`). */
export const NEUTRALISED_CELL = /^'[=+\-@\t\r]/;

/** The value of a field before a writer formats it. */
type Raw =
  | { kind: 'text'; v: string }
  | { kind: 'int'; v: number }
  | { kind: 'money'; v: number | null; currency: string }
  | { kind: 'time'; v: string | null }
  | { kind: 'none' };

const text = (v: string | null | undefined): Raw => (v ? { kind: 'text', v } : { kind: 'none' });

function label(
  labels: Record<string, { zh: string; en: string }>,
  code: string | null,
  lang: ExportLang,
): Raw {
  if (!code) return { kind: 'none' };
  const l = labels[code];
  return text(l ? (lang === 'zh-CN' ? l.zh : l.en) : code);
}

/** Lines as one cell: `青瓷茶具套装 ×1；品茗杯 ×2` (the first 20, then how many more). */
export function lineSummary(lines: readonly LineView[], lang: ExportLang): string {
  const sep = lang === 'zh-CN' ? '；' : '; ';
  const shown = lines.slice(0, 20).map((l) => `${l.title || l.sku || l.channelSku} ×${l.quantity}`);
  if (lines.length > 20)
    shown.push(lang === 'zh-CN' ? `等共 ${lines.length} 行` : `… ${lines.length} lines in all`);
  return shown.join(sep);
}

function rawValue(f: ExportFieldSpec, r: ExportRecord, lang: ExportLang): Raw {
  const o = r.order;
  const money = (v: number | null): Raw => ({ kind: 'money', v, currency: o.currency });
  switch (f.key) {
    case 'orderNo':
      return text(o.orderNo);
    case 'externalOrderId':
      return text(o.externalOrderId);
    case 'orderId':
      return text(o.id);
    case 'channel':
      return label(CHANNEL_LABELS, o.channel, lang);
    case 'channelAccount':
      return text(o.channelAccountName);
    case 'status':
      return label(ORDER_STATUS_LABELS, o.status, lang);
    case 'holdReason':
      return label(HOLD_REASON_LABELS, o.holdReason, lang);
    case 'currency':
      return text(o.currency);
    case 'goodsAmount':
      return money(o.goodsAmount);
    case 'shippingFee':
      return money(o.shippingFee);
    case 'discount':
      return money(o.discount);
    case 'tax':
      return money(o.tax);
    case 'total':
      return money(o.total);
    case 'placedAt':
      return { kind: 'time', v: o.placedAt };
    case 'paidAt':
      return { kind: 'time', v: o.paidAt };
    case 'buyerNick':
      return text(o.buyerNick);
    case 'receiverName':
      return text(o.receiver.name);
    case 'receiverPhone':
      return text(o.receiver.phone);
    case 'province':
      return text(o.receiver.province);
    case 'city':
      return text(o.receiver.city);
    case 'district':
      return text(o.receiver.district);
    case 'buyerRemark':
      return text(o.buyerRemark);
    case 'sellerRemark':
      return text(o.sellerRemark);
    case 'tags':
      return text(o.tags.join(lang === 'zh-CN' ? '，' : ', '));
    case 'lineSummary':
      return text(lineSummary(r.lines, lang));
    case 'lineCount':
      return { kind: 'int', v: o.lineCount };
    case 'lineNo':
      return r.line ? { kind: 'int', v: r.line.lineNo } : { kind: 'none' };
    case 'sku':
      return text(r.line?.sku);
    case 'channelSku':
      return text(r.line?.channelSku);
    case 'title':
      return text(r.line?.title);
    case 'quantity':
      return r.line ? { kind: 'int', v: r.line.quantity } : { kind: 'none' };
    case 'unitPrice':
      return money(r.line?.unitPrice ?? null);
    case 'lineDiscount':
      return money(r.line?.discount ?? null);
    case 'lineAmount':
      return money(r.line?.amount ?? null);
    default:
      return { kind: 'none' };
  }
}

/** Digits only: Excel would read it as a number and lose everything past the 15th digit. */
const ALL_DIGITS = /^\d+$/;

/**
 * One CSV record. Long digit strings (order ids, waybills, SKUs of digits) get a leading tab, the
 * way Chinese back-offices keep them text when Excel opens the file (no `2.02611E+18`, no lost
 * leading zeros); amounts are decimal strings in the currency's unit; times are local wall-clock.
 */
export function csvRecord(
  fields: readonly ExportFieldSpec[],
  r: ExportRecord,
  tz: string,
  lang: ExportLang,
): (string | number)[] {
  return fields.map((f) => {
    const raw = rawValue(f, r, lang);
    switch (raw.kind) {
      case 'none':
        return '';
      case 'int':
        return raw.v;
      case 'money':
        return raw.v === null ? '' : minorToDecimal(raw.v, digitsOf(raw.currency));
      case 'time':
        return raw.v ? DateTime.fromISO(raw.v).setZone(tz).toFormat('yyyy-LL-dd HH:mm:ss') : '';
      default:
        if (f.kind === 'id' && ALL_DIGITS.test(raw.v)) return `\t${raw.v}`;
        return formulaSafe(raw.v);
    }
  });
}

export interface XlsxCell {
  value: string | number | Date | null;
  numFmt?: string;
}

/** Excel has no zones: a time is written as the wall-clock of `tz`, so the cell reads as staff see it. */
function wallClock(iso: string, tz: string): Date {
  const t = DateTime.fromISO(iso).setZone(tz);
  return new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
}

export const XLSX_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const moneyFormat = (digits: number) => (digits ? `#,##0.${'0'.repeat(digits)}` : '#,##0');

/** One XLSX row: ids and text as text cells, amounts as numbers with a money format, times as dates. */
export function xlsxRecord(
  fields: readonly ExportFieldSpec[],
  r: ExportRecord,
  tz: string,
  lang: ExportLang,
): XlsxCell[] {
  return fields.map((f) => {
    const raw = rawValue(f, r, lang);
    switch (raw.kind) {
      case 'none':
        return { value: null };
      case 'int':
        return { value: raw.v };
      case 'money': {
        if (raw.v === null) return { value: null };
        const digits = digitsOf(raw.currency);
        // Exact: the nearest double to a decimal string of ≤ 15 significant digits prints back as it.
        return { value: Number(minorToDecimal(raw.v, digits)), numFmt: moneyFormat(digits) };
      }
      case 'time':
        return raw.v ? { value: wallClock(raw.v, tz), numFmt: XLSX_TIME_FORMAT } : { value: null };
      default:
        return f.kind === 'id' ? { value: formulaSafe(raw.v), numFmt: '@' } : { value: formulaSafe(raw.v) };
    }
  });
}

/**
 * Every order matching the filter as export records, page by page on the list's keyset, so
 * memory stays flat however many there are; lines are read per page in one query when a field
 * needs them. Personal data stays masked, as in the list.
 */
export async function* recordsForExport(
  db: DbReader,
  crypto: FieldCrypto,
  q: OrderListQuery,
  tzDefault: string,
  reader: Reader,
  opts: { level: ExportLevel; needLines: boolean },
): AsyncGenerator<ExportRecord[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listOrders(
      db,
      crypto,
      { ...q, limit: 200, ...(cursor ? { cursor } : {}) },
      tzDefault,
      reader,
    );
    const lines =
      opts.needLines || opts.level === 'line'
        ? await loadLinesOf(
            db,
            page.items.map((o) => o.id),
          )
        : null;
    const out: ExportRecord[] = [];
    for (const order of page.items) {
      const ls = (lines?.get(order.id) ?? []).map((l) => lineView(l, reader));
      if (opts.level === 'line') for (const line of ls) out.push({ order, lines: ls, line });
      else out.push({ order, lines: ls, line: null });
    }
    yield out;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
