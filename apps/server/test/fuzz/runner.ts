import { ERROR_CODES, ROLES } from '@orderhub/contracts';
import fc from 'fast-check';
import type { TestApp } from '../helpers.ts';
import { dictionary, NASTY_CLASSES, type NastyClass, parseClasses } from './nasty.ts';
import { collectionOfUrl, type Operation, operationsOf } from './operations.ts';
import { type Drawn, requestArbitrary, show, toWire, type Wire, type World } from './request.ts';
import { seedWorld } from './world.ts';

export interface FuzzSettings {
  seed: number;
  /** Requests in all, spread over the operations. */
  runs: number;
  classes: Set<NastyClass>;
  nastyRate: number;
  perValue: number;
  /** /healthz must answer within this while and after each request. */
  healthMs: number;
  /** A request that takes longer than this is a stall. */
  requestMs: number;
  /** Per operation, stop drawing (and shrinking) after this long. */
  timeLimitMs: number;
  only?: string[];
  /** fast-check's replay path, with FUZZ_ONLY naming the one operation. */
  path?: string;
  long: boolean;
  /** Print every request and its status (FUZZ_TRACE=1). */
  trace: boolean;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not ${v}`);
  return n;
}

/**
 * Settings from the environment: the CI slice by default (fixed seed, ~3,000 requests), a long
 * run with a random seed under FUZZ_LONG=1 (`npm run fuzz`).
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const long = env['FUZZ_LONG'] === '1';
  const seedText = env['FUZZ_SEED'] ?? (long ? 'random' : '20260109');
  const seed = seedText === 'random' ? (Math.random() * 2 ** 31) | 0 : Number(seedText);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or random, not ${seedText}`);
  const only = env['FUZZ_ONLY']
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    seed,
    runs: num(env, 'FUZZ_RUNS', long ? 20_000 : 3_000),
    classes: parseClasses(env['FUZZ_CLASSES']),
    nastyRate: num(env, 'FUZZ_NASTY', 0.5),
    perValue: num(env, 'FUZZ_PER_VALUE', 0.15),
    healthMs: num(env, 'FUZZ_HEALTH_MS', 500),
    requestMs: num(env, 'FUZZ_REQUEST_MS', 10_000),
    timeLimitMs: num(env, 'FUZZ_TIME_LIMIT_MS', long ? 30 * 60_000 : 20_000),
    ...(only?.length ? { only } : {}),
    ...(env['FUZZ_PATH'] ? { path: env['FUZZ_PATH'] } : {}),
    long,
    trace: env['FUZZ_TRACE'] === '1',
  };
}

/** A different, stable seed per operation: adding a route does not change the others' requests. */
export function operationSeed(seed: number, operationId: string): number {
  let h = seed | 0;
  for (const ch of operationId) h = (Math.imul(h ^ ch.charCodeAt(0), 0x01000193) + 0x9e3779b9) | 0;
  return h;
}

export interface Answer {
  status: number;
  body: any;
  text: string;
  ms: number;
  /** Worst /healthz latency seen while the request ran and right after it. */
  healthMs: number;
}

/** Something that does not fail the run but is worth a look (a code the document does not list). */
export interface Finding {
  operation: string;
  status: number;
  code: string;
  what: string;
  example: string;
}

/** The app under fuzz: sends requests, times /healthz, counts rows. */
export class Target {
  private tablesSql = '';
  readonly findings = new Map<string, Finding>();
  /** Answers per operation and status class (`2xx`, `4xx`, …), to see how far requests get. */
  readonly stats = new Map<string, Map<string, number>>();

  constructor(
    readonly t: TestApp,
    readonly settings: FuzzSettings,
  ) {}

  async init(): Promise<void> {
    const tables = await this.t.database.query<{ s: string; n: string }>(
      `SELECT table_schema AS s, table_name AS n FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2`,
    );
    this.tablesSql = tables
      .map((r) => `SELECT '${r.s}.${r.n}' AS t, count(*) AS c FROM "${r.s}"."${r.n}"`)
      .join(' UNION ALL ');
  }

  /** Rows per table of the app's schemas (exact counts; cheap at test sizes). */
  async counts(): Promise<Map<string, number>> {
    const rows = await this.t.database.query<{ t: string; c: string | number }>(this.tablesSql);
    return new Map(rows.map((r) => [r.t, Number(r.c)]));
  }

  private async health(): Promise<number> {
    const t0 = performance.now();
    const res = await this.t.app.http.inject({ method: 'GET', url: '/healthz' });
    if (res.statusCode !== 200) return Number.POSITIVE_INFINITY;
    return performance.now() - t0;
  }

  async send(w: Wire): Promise<Answer> {
    const token =
      w.as === 'anonymous'
        ? undefined
        : w.as === 'bad-token'
          ? 'oh_not-a-token'
          : (this.t.tokens as Record<string, string>)[w.as];
    const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...w.headers };
    const t0 = performance.now();
    let worst = 0;
    // /healthz polled while the request runs; the lateness of the poll's own timer counts too
    // (a blocked event loop delays the timer, not the answer that follows it).
    const interval = 100;
    let polling: Promise<void> = Promise.resolve();
    let stopped = false;
    let due = performance.now() + interval;
    const tick = () => {
      const late = performance.now() - due;
      polling = this.health().then((ms) => {
        worst = Math.max(worst, late + ms);
        due = performance.now() + interval;
        if (!stopped) poller = setTimeout(tick, interval);
      });
    };
    let poller: NodeJS.Timeout | undefined = setTimeout(tick, interval);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.requestMs);
    });
    const request = this.t.app.http.inject({
      method: w.method as 'GET',
      url: w.url,
      headers,
      ...(w.payload ? { payload: w.payload } : {}),
    });
    const res = await Promise.race([request, timeout]);
    stopped = true;
    clearTimeout(timer);
    clearTimeout(poller);
    const ms = performance.now() - t0;
    await polling;
    if (res === 'timeout') {
      return { status: 0, body: null, text: '', ms, healthMs: Math.max(worst, await this.health()) };
    }
    worst = Math.max(worst, await this.health());
    let body: any = null;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body, text: res.body, ms, healthMs: worst };
  }

  note(op: Operation, status: number, code: string, what: string, w: Wire): void {
    const key = `${op.id} ${status} ${code} ${what}`;
    if (!this.findings.has(key))
      this.findings.set(key, { operation: op.id, status, code, what, example: describeWire(w) });
  }
}

export function describeWire(w: Wire): string {
  const headers = Object.entries(w.headers)
    .map(([k, v]) => `  ${k}: ${v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v}`)
    .join('\n');
  const url = w.url.length > 2000 ? `${w.url.slice(0, 2000)}… (${w.url.length} chars)` : w.url;
  return `${w.method} ${url}  (as ${w.as})${headers ? `\n${headers}` : ''}${w.shown ? `\n  body: ${w.shown}` : ''}`;
}

/** Tables a refused request may write to, by operation, and why. */
const REFUSALS_WRITE: Record<string, readonly string[]> = {
  // A failed log-in is audited and counted for the per-address, per-account and per-device back-off.
  login: ['public.audit_log', 'public.login_limits', 'public.login_devices'],
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Sends one request and returns what is wrong with the answer (empty when nothing is). */
export async function probe(
  target: Target,
  op: Operation,
  w: Wire,
): Promise<{ wrong: string[]; answer: Answer }> {
  const write = WRITES.has(w.method);
  const before = write ? await target.counts() : undefined;
  const res = await target.send(w);
  const perOp = target.stats.get(op.id) ?? new Map<string, number>();
  const bucket = res.status ? `${Math.floor(res.status / 100)}xx` : 'none';
  perOp.set(bucket, (perOp.get(bucket) ?? 0) + 1);
  if (res.status >= 400) {
    const code = `${res.status} ${res.body?.code ?? '?'}`;
    perOp.set(code, (perOp.get(code) ?? 0) + 1);
  }
  target.stats.set(op.id, perOp);
  const wrong: string[] = [];
  const s = target.settings;
  if (s.trace) console.info(`${res.status} ${res.body?.code ?? ''} ← ${describeWire(w).slice(0, 600)}`);
  if (res.status === 0) wrong.push(`no answer within ${s.requestMs} ms`);
  if (res.status >= 500) wrong.push(`answered ${res.status}`);
  if (res.healthMs > s.healthMs)
    wrong.push(`/healthz took ${Math.round(res.healthMs)} ms (budget ${s.healthMs} ms)`);
  if (res.status >= 400 && res.status < 500) {
    const code = res.body?.code;
    if (typeof code !== 'string' || !(code in ERROR_CODES)) {
      wrong.push(`a ${res.status} without a contract code (code: ${JSON.stringify(code)})`);
    } else {
      const codeStatus = ERROR_CODES[code as keyof typeof ERROR_CODES];
      if (codeStatus !== res.status) wrong.push(`${code} belongs to ${codeStatus}, answered ${res.status}`);
      else if (!op.codes.get(res.status)?.has(code))
        target.note(
          op,
          res.status,
          code,
          op.statuses.has(res.status) ? 'code not listed' : 'status not documented',
          w,
        );
    }
  }
  if (write && before && res.status >= 400 && res.status < 600) {
    const after = await target.counts();
    const allowed = REFUSALS_WRITE[op.id];
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((table) => before.get(table) !== after.get(table))
      .filter((table) => !allowed?.includes(table))
      .map((table) => `${table} ${before.get(table) ?? 0}→${after.get(table) ?? 0}`);
    if (changed.length) wrong.push(`refused with ${res.status} but changed rows: ${changed.join(', ')}`);
  }
  if (!wrong.length) return { wrong, answer: res };
  const text = res.text.length > 1500 ? `${res.text.slice(0, 1500)}…` : res.text;
  return {
    wrong: [`${wrong.join('; ')}\n${describeWire(w)}\n  → ${res.status} in ${Math.round(res.ms)} ms ${text}`],
    answer: res,
  };
}

/** Adds the id of a row a request created to the world, so later requests can name it. */
function harvest(world: World, w: Wire, res: { status: number; body: any }): void {
  if (res.status < 200 || res.status >= 300) return;
  const cursor = res.body?.nextCursor;
  if (typeof cursor === 'string' && world.cursors.length < 50 && !world.cursors.includes(cursor))
    world.cursors.push(cursor);
  if (w.method !== 'POST') return;
  const id = res.body?.id ?? res.body?.order?.id;
  const collection = collectionOfUrl(w.url);
  if (typeof id !== 'string' || !collection) return;
  const list = world.ids.get(collection) ?? [];
  if (list.length < 50 && !list.includes(id)) list.push(id);
  world.ids.set(collection, list);
}

export interface Fuzz {
  settings: FuzzSettings;
  operations: Operation[];
  world: World;
  target: Target;
  runsPer: number;
}

/** Reads the app's own OpenAPI document and seeds the rows the requests will name. */
export async function prepare(t: TestApp, settings = settingsFromEnv()): Promise<Fuzz> {
  const doc = await t.app.http.inject({ method: 'GET', url: '/docs/json' });
  if (doc.statusCode !== 200) throw new Error(`/docs/json answered ${doc.statusCode}`);
  const all = operationsOf(JSON.parse(doc.body));
  const operations = settings.only ? all.filter((o) => settings.only!.includes(o.id)) : all;
  const target = new Target(t, settings);
  await target.init();
  const world = await seedWorld(t, [...ROLES]);
  const runsPer = Math.max(5, Math.ceil(settings.runs / Math.max(1, operations.length)));
  return { settings, operations, world, target, runsPer };
}

/** Fuzzes one operation; returns a report of the minimal failing request, or undefined. */
export async function fuzzOperation(f: Fuzz, op: Operation): Promise<string | undefined> {
  const { settings, world, target } = f;
  const arb = requestArbitrary(op, world, {
    dictionary: dictionary(settings.classes),
    nastyRate: settings.nastyRate,
    perValue: settings.perValue,
  });
  let last = '';
  const property = fc.asyncProperty(arb, async (drawn: Drawn) => {
    const w = toWire(op, drawn, world);
    const { wrong, answer } = await probe(target, op, w);
    // Ids of rows made along the way are named by later requests.
    harvest(world, w, answer);
    if (wrong.length) {
      last = wrong[0]!;
      throw new Error(last);
    }
  });
  const seed = operationSeed(settings.seed, op.id);
  const details = await fc.check(property, {
    seed,
    numRuns: f.runsPer,
    interruptAfterTimeLimit: settings.timeLimitMs,
    markInterruptAsFailure: false,
    ...(settings.path ? { path: settings.path } : {}),
  });
  if (!details.failed) return undefined;
  const [drawn] = details.counterexample ?? [];
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return [
    `${op.id} (${op.method} ${op.path}) failed after ${details.numRuns} requests, shrunk ${details.numShrinks} times`,
    `  seed ${settings.seed} (operation seed ${seed}), path ${details.counterexamplePath}`,
    `  replay: FUZZ_SEED=${settings.seed} FUZZ_ONLY=${op.id} FUZZ_PATH=${details.counterexamplePath} npx vitest run apps/server/test/fuzz.e2e.test.ts`,
    `  minimal failing request: ${error || last}`,
    drawn ? `  as drawn: ${show(drawn, 1500)}` : '',
  ].join('\n');
}

export { NASTY_CLASSES };
