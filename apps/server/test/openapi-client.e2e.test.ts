import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers.ts';

/**
 * What an integrator does: generate a typed client from /docs/json (openapi-typescript), write a
 * small program against it (openapi-fetch), type-check it strictly, and run it against a listening
 * server: log in, ingest the documented example order, read it back.
 */

const PASSWORD = 'client-test-admin-password';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Media {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { description?: string; content?: Record<string, Media> }>;
}
interface OpenApiDoc {
  servers?: { url: string }[];
  components?: { schemas?: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

const PROGRAM = `import createClient from 'openapi-fetch';
import type { paths } from './api';

export type OrderBody = paths['/api/orders']['post']['requestBody']['content']['application/json'];
type ReadRefusal = paths['/api/orders/{id}']['get']['responses'][401]['content']['application/problem+json'];

export async function ingestAndReadBack(baseUrl: string, username: string, password: string, order: OrderBody) {
  const client = createClient<paths>({ baseUrl });
  const login = await client.POST('/api/auth/login', { body: { username, password } });
  if (login.error) throw new Error(\`login refused: \${login.error.code} \${login.error.detail}\`);
  const cookie = login.response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  client.use({
    onRequest({ request }) {
      request.headers.set('cookie', cookie);
      return request;
    },
  });

  const ingested = await client.POST('/api/orders', { body: order });
  if (ingested.error) throw new Error(\`ingest refused: \${ingested.error.code} \${ingested.error.detail}\`);
  const id: string = ingested.data.order.id;

  const read = await client.GET('/api/orders/{id}', { params: { path: { id } } });
  if (read.error) throw new Error(\`read refused: \${read.error.code}\`);
  const lines: number = read.data.lines.length;
  return { user: login.data.username, outcome: ingested.data.outcome, id, orderNo: read.data.orderNo, lines };
}

// The generated types are the document's shapes, not \`any\`:
export const refusal: ReadRefusal['code'] = 'UNAUTHENTICATED';
// @ts-expect-error a code the operation cannot answer
export const notARefusal: ReadRefusal['code'] = 'NO_SUCH_CODE';
// @ts-expect-error an order needs its lines, amounts and receiver
export const incomplete: OrderBody = { channelAccount: 'default', externalOrderId: 'X' };
export async function wrongParams(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error the path parameter is required
  await client.GET('/api/orders/{id}', { params: { path: {} } });
}
`;

/** Operations that answer no 4xx at all: logging out without a session still answers 204. */
const NO_4XX = ['POST /api/auth/logout'];

let t: TestApp;
let doc: OpenApiDoc;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  t = await startTestApp({ config: { adminPassword: PASSWORD } });
  baseUrl = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  const res = await t.as(null).get('/docs/json');
  expect(res.status).toBe(200);
  doc = res.body;
  // Inside the repository so the program resolves openapi-fetch like an integrator's project would.
  dir = path.join(ROOT, 'node_modules', '.cache', `orderhub-client-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function operations(): { name: string; op: Operation }[] {
  const out: { name: string; op: Operation }[] = [];
  for (const [p, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) out.push({ name: `${method.toUpperCase()} ${p}`, op });
  return out;
}

describe('the OpenAPI document, for generated clients', () => {
  it('names every operation with a unique camelCase operationId and tags it', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const bad = ops.filter(({ op }) => !/^[a-z][A-Za-z0-9]+$/.test(op.operationId ?? '')).map((o) => o.name);
    expect(bad).toEqual([]);
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.filter(({ op }) => !op.tags?.length).map((o) => o.name)).toEqual([]);
    expect(doc.servers?.length).toBeGreaterThan(0);
  });

  it('gives every operation its 4xx answers as problem+json, with the codes each can carry', () => {
    expect(doc.components?.schemas?.['Problem']).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['type', 'title', 'status', 'code', 'detail']),
    });
    const missing: string[] = [];
    for (const { name, op } of operations()) {
      const fours = Object.entries(op.responses ?? {}).filter(([s]) => s.startsWith('4'));
      if (!fours.length && !NO_4XX.includes(name)) missing.push(`${name}: no 4xx`);
      for (const [status, r] of fours) {
        if (!r.content?.['application/problem+json']) missing.push(`${name} ${status}: not problem+json`);
        if (!/`[A-Z_]+`/.test(r.description ?? '')) missing.push(`${name} ${status}: no codes named`);
      }
    }
    expect(missing).toEqual([]);
    const read = doc.paths['/api/orders/{id}']?.['get'];
    expect(Object.keys(read?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403', '404']));
    const ingest = doc.paths['/api/orders']?.['post'];
    expect(Object.keys(ingest?.responses ?? {})).toEqual(
      expect.arrayContaining(['400', '401', '403', '409', '413', '415', '422']),
    );
  });
});

describe('a generated client', () => {
  it('type-checks a program that logs in, ingests the example order and reads it back, which then runs', async () => {
    const types = astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]));
    await writeFile(path.join(dir, 'api.d.ts'), types);
    const programFile = path.join(dir, 'program.ts');
    await writeFile(programFile, PROGRAM);

    const program = ts.createProgram([programFile], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      skipLibCheck: true,
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // Run what was checked: the same source, its types stripped.
    const js = ts.transpileModule(PROGRAM, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    const runnable = path.join(dir, 'program.mjs');
    await writeFile(runnable, js);
    const mod = (await import(/* @vite-ignore */ pathToFileURL(runnable).href)) as {
      ingestAndReadBack(
        baseUrl: string,
        username: string,
        password: string,
        order: unknown,
      ): Promise<{ user: string; outcome: string; id: string; orderNo: string; lines: number }>;
    };

    const media = doc.paths['/api/orders']?.['post']?.requestBody?.content?.['application/json'];
    const example = (media?.example ?? Object.values(media?.examples ?? {})[0]?.value) as {
      externalOrderId: string;
      lines: unknown[];
    };
    expect(example).toBeDefined();
    const result = await mod.ingestAndReadBack(baseUrl, 'admin', PASSWORD, example);
    expect(result).toMatchObject({ user: 'admin', outcome: 'created', lines: example.lines.length });
    expect(result.orderNo).toMatch(/^[A-Z]+\d{11,}$/);
    const stored = await t.as('admin').get(`/api/orders/${result.id}`);
    expect(stored.body.externalOrderId).toBe(example.externalOrderId);
  });
});
