import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from './global-setup.ts';
import { onPostgres } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'apps/server/bin/orderhub.js');
/** A start on a fresh PGlite folder initialises the database (WASM) and migrates it: slow. */
const START_TIMEOUT = 240_000;
const SLOW = { timeout: 420_000 };

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a spawned CLI: none of the test run's database or key settings leak in. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('ORDERHUB_') || ['DATABASE_URL', 'PORT', 'HOST', 'TZ_DEFAULT'].includes(k))
      delete env[k];
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

class Proc {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly done: Promise<Done>;
  exited = false;

  constructor(args: string[], env: NodeJS.ProcessEnv, command = process.execPath, prefix = [BIN]) {
    this.child = spawn(command, [...prefix, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.done = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exited = true;
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** SIGTERM (a graceful stop that releases the data folder), SIGKILL if it hangs. */
  async stop(): Promise<Done> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      const done = await this.done;
      clearTimeout(timer);
      return done;
    }
    return this.done;
  }
}

const running = new Set<Proc>();

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Done> {
  const p = new Proc(args, env);
  running.add(p);
  return p.done.finally(() => running.delete(p));
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

interface Server {
  proc: Proc;
  base: string;
}

/** `orderhub start`, resolved once /healthz answers (or rejected with the output when it exits). */
async function start(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const proc = new Proc(['start'], cliEnv({ ...env, PORT: String(port) }));
  running.add(proc);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT;
  while (Date.now() < deadline) {
    if (proc.exited) {
      const d = await proc.done;
      throw new Error(`orderhub start exited with ${d.code}:\n${d.stdout}\n${d.stderr}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return { proc, base };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await proc.stop();
  throw new Error(`orderhub start did not answer /healthz within ${START_TIMEOUT} ms:\n${proc.stderr}`);
}

async function stop(server: Server | undefined): Promise<Done | undefined> {
  if (!server) return undefined;
  const done = await server.proc.stop();
  running.delete(server.proc);
  return done;
}

/** The one-time password printed on first start, waiting briefly for the pipe to deliver it. */
async function firstAdminPassword(proc: Proc): Promise<string> {
  for (let i = 0; i < 40 && !/one-time password/.test(proc.stderr); i++)
    await new Promise((r) => setTimeout(r, 50));
  // On stderr: `token create > file` on a fresh install keeps the file to the token alone.
  const m = /one-time password\s+(\S+)/.exec(proc.stderr);
  if (!m) throw new Error(`no one-time password in the output:\n${proc.stderr}`);
  return m[1]!;
}

const occurrences = (text: string, s: string) => text.split(s).length - 1;

async function api(base: string, method: string, url: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop()));
});

describe.skipIf(onPostgres)('orderhub on a PGlite data folder', () => {
  let dir: string;
  let presetDir: string;
  let server: Server | undefined;
  let kefuPassword = '';
  const PRESET_PASSWORD = 'preset-admin-password-2026';
  const OPS_PASSWORD = 'ops01-password-2026';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orderhub-cli-'));
    presetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orderhub-cli-preset-'));
  });
  afterAll(async () => {
    await stop(server);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(presetDir, { recursive: true, force: true });
  });

  it('start prints the first admin’s one-time password once and serves /healthz', SLOW, async () => {
    // A second fresh folder with ORDERHUB_ADMIN_PASSWORD starts alongside: it prints no password.
    const [fresh, preset] = await Promise.all([
      start({ ORDERHUB_DATA_DIR: dir }),
      start({ ORDERHUB_DATA_DIR: presetDir, ORDERHUB_ADMIN_PASSWORD: PRESET_PASSWORD }),
    ]);
    server = fresh;
    try {
      const health = await api(fresh.base, 'GET', '/healthz');
      expect(health.body).toEqual({ status: 'ok', version: '0.1.0' });
      const ready = await api(fresh.base, 'GET', '/readyz');
      expect(ready.body).toEqual({ status: 'ready', database: 'pglite' });

      const password = await firstAdminPassword(fresh.proc);
      expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
      expect(occurrences(fresh.proc.stdout + fresh.proc.stderr, password)).toBe(1);
      const login = await api(fresh.base, 'POST', '/api/auth/login', {
        body: { username: 'admin', password },
      });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ username: 'admin', role: 'admin' });
      expect(login.headers.get('set-cookie')).toMatch(/^orderhub_session=/);

      // The folder holds the database, the generated master key (owner-only) and the lock.
      expect(fs.existsSync(path.join(dir, 'pgdata'))).toBe(true);
      expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(path.join(dir, 'orderhub.lock'))).toBe(true);

      expect(preset.proc.stdout + preset.proc.stderr).not.toContain('one-time password');
      const presetLogin = await api(preset.base, 'POST', '/api/auth/login', {
        body: { username: 'admin', password: PRESET_PASSWORD },
      });
      expect(presetLogin.status).toBe(200);
    } finally {
      await stop(preset);
    }
  });

  it('refuses a second process on the same data folder, naming the folder', SLOW, async () => {
    expect(server).toBeDefined();
    const second = await run(['start'], cliEnv({ ORDERHUB_DATA_DIR: dir, PORT: String(await freePort()) }));
    expect(second.code).not.toBe(0);
    expect(second.code).toBe(75);
    expect(second.stderr).toContain(`another orderhub process is using the data folder ${dir}`);
    expect(second.stdout + second.stderr).not.toContain('one-time password');

    // One-shot commands respect the lock too.
    const create = await run(
      ['user', 'create', '--username', 'x1', '--role', 'finance'],
      cliEnv({ ORDERHUB_DATA_DIR: dir }),
    );
    expect(create.code).toBe(75);
    expect(create.stderr).toContain(dir);

    // The first process is unharmed.
    expect((await api(server!.base, 'GET', '/healthz')).status).toBe(200);
    const done = await stop(server);
    server = undefined;
    expect(done?.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'orderhub.lock'))).toBe(false);
  });

  it(
    'token create on a fresh install: stdout holds the token alone (the demo keeps it in a file), the first admin’s password goes to the terminal',
    SLOW,
    async () => {
      const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'orderhub-cli-token-'));
      try {
        const created = await run(
          ['token', 'create', '--user', 'admin', '--name', 'demo'],
          cliEnv({ ORDERHUB_DATA_DIR: fresh }),
        );
        expect(created.code).toBe(0);
        expect(created.stdout).toMatch(/^oh_[A-Za-z0-9_-]{43}\n$/);
        expect(created.stderr).toContain('one-time password');
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    },
  );

  it('user create prints a generated password once, and never one given with --password', SLOW, async () => {
    const env = cliEnv({ ORDERHUB_DATA_DIR: dir });
    const created = await run(['user', 'create', '--username', 'kefu01', '--role', 'customer_service'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created customer_service "kefu01" \(usr_[0-9a-z]{26}\)$/m);
    const m = /password \(shown once\): (\S+)/.exec(created.stdout);
    expect(m).not.toBeNull();
    kefuPassword = m![1]!;
    expect(occurrences(created.stdout, kefuPassword)).toBe(1);
    // The admin exists already: nothing about a first start.
    expect(created.stdout + created.stderr).not.toContain('one-time password');

    const given = await run(
      ['user', 'create', '--username', 'ops01', '--role', 'operations', '--password', OPS_PASSWORD],
      env,
    );
    expect(given.code).toBe(0);
    expect(given.stdout).toContain('created operations "ops01"');
    expect(given.stdout).not.toContain(OPS_PASSWORD);
    expect(given.stdout).not.toContain('shown once');

    const badRole = await run(['user', 'create', '--username', 'x2', '--role', 'boss'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('customer_service');
  });

  it(
    'token create prints a token once, which then works as a Bearer against a started server',
    SLOW,
    async () => {
      const env = cliEnv({ ORDERHUB_DATA_DIR: dir });
      const created = await run(['token', 'create', '--user', 'kefu01', '--name', 'cli-test'], env);
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^oh_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toMatch(/token tok_[0-9a-z]{26} "cli-test" for kefu01; it is shown only now/);
      expect(created.stderr).not.toContain(token);

      server = await start({ ORDERHUB_DATA_DIR: dir });
      // Not a first start any more: no password this time.
      await new Promise((r) => setTimeout(r, 200));
      expect(server.proc.stdout + server.proc.stderr).not.toContain('one-time password');

      const me = await api(server.base, 'GET', '/api/auth/me', { token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: 'kefu01', role: 'customer_service' });
      const tokens = await api(server.base, 'GET', '/api/orders', { token });
      expect(tokens.status).toBe(200);
      const anonymous = await api(server.base, 'GET', '/api/auth/me');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('UNAUTHENTICATED');

      for (const [username, password] of [
        ['kefu01', kefuPassword],
        ['ops01', OPS_PASSWORD],
      ]) {
        const login = await api(server.base, 'POST', '/api/auth/login', { body: { username, password } });
        expect(login.status, username).toBe(200);
      }
      const done = await stop(server);
      server = undefined;
      expect(done?.code).toBe(0);
    },
  );

  it('is also the orderhub command in node_modules/.bin', SLOW, async () => {
    const bin = path.join(ROOT, 'node_modules/.bin/orderhub');
    expect(fs.realpathSync(bin)).toBe(fs.realpathSync(BIN));
    const p = new Proc(['--version'], cliEnv({}), bin, []);
    running.add(p);
    const done = await p.done;
    running.delete(p);
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe('0.1.0');
  });
});

describe.runIf(onPostgres)('orderhub on PostgreSQL', () => {
  let url: string;
  let name: string;
  let dir: string;
  let admin: pg.Client;
  let server: Server | undefined;

  beforeAll(async () => {
    const base = process.env['DATABASE_URL']!;
    name = `orderhub_cli_${randomBytes(5).toString('hex')}`;
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    url = withDatabase(base, name);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orderhub-cli-pg-'));
  });
  afterAll(async () => {
    await stop(server);
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('start refuses a database that lacks migrations', SLOW, async () => {
    const res = await run(
      ['start'],
      cliEnv({ DATABASE_URL: url, ORDERHUB_DATA_DIR: dir, PORT: String(await freePort()) }),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('run `orderhub migrate` first');
    expect(res.stdout + res.stderr).not.toContain('one-time password');
    // It refused before touching anything: no tables, no first admin.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const found = await client.query(`SELECT to_regclass('public.users')::text AS t`);
      expect(found.rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('migrate applies the migrations once, then finds nothing to do', SLOW, async () => {
    const env = cliEnv({ DATABASE_URL: url, ORDERHUB_DATA_DIR: dir });
    const first = await run(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 0000_init/);
    const again = await run(['migrate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('the database is up to date');

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query(
        `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'pgboss')`,
      );
      const names = tables.rows.map((r: { t: string }) => r.t);
      expect(names).toEqual(
        expect.arrayContaining(['public.orders', 'public.users', 'public.audit_log', 'pgboss.job']),
      );
    } finally {
      await client.end();
    }
  });

  it(
    'start then serves, prints the admin password once, and honours a token made while it runs',
    SLOW,
    async () => {
      const env = { DATABASE_URL: url, ORDERHUB_DATA_DIR: dir };
      server = await start(env);
      const ready = await api(server.base, 'GET', '/readyz');
      expect(ready.body).toEqual({ status: 'ready', database: 'postgres' });
      const password = await firstAdminPassword(server.proc);
      expect(occurrences(server.proc.stdout + server.proc.stderr, password)).toBe(1);
      expect(
        (await api(server.base, 'POST', '/api/auth/login', { body: { username: 'admin', password } })).status,
      ).toBe(200);

      // PostgreSQL takes several processes: a one-shot command runs beside the server.
      const created = await run(['token', 'create', '--user', 'admin', '--name', 'pg-cli'], cliEnv(env));
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^oh_[A-Za-z0-9_-]{43}$/);
      const me = await api(server.base, 'GET', '/api/auth/me', { token });
      expect(me.status).toBe(200);
      expect(me.body.username).toBe('admin');
      const done = await stop(server);
      server = undefined;
      expect(done?.code).toBe(0);
    },
  );
});
