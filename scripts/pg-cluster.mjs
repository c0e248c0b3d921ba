#!/usr/bin/env node
// A throw-away PostgreSQL cluster for CI and benchmarks, on a loopback port picked at run time.
//
//   node scripts/pg-cluster.mjs start [--dir DIR]   prints ONLY the DATABASE_URL on stdout
//   node scripts/pg-cluster.mjs stop --dir DIR      stops it and removes DIR
//   node scripts/pg-cluster.mjs bindir              prints the PostgreSQL bin folder (exit 1 if none)
//
//   import { startCluster } from './pg-cluster.mjs';
//   const pg = await startCluster(); ... await pg.stop();
//
// PostgreSQL refuses to run as root, so as root every server command goes through
// `runuser -u postgres --` and the folder is handed to that user. Durability is switched off
// (fsync, full_page_writes): the data is thrown away anyway. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DB_NAME = 'orderhub';
const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const STATE_FILE = 'cluster.json';
// A Unix socket path must fit in sun_path (108 bytes with the terminating NUL on Linux).
const MAX_SOCKET_PATH = 100;
const NO_BINARIES =
  'no PostgreSQL server binaries (initdb, pg_ctl) found in PATH, $PG_BINDIR or /usr/lib/postgresql/*/bin: ' +
  "install Debian's postgresql package (apt-get install postgresql)";

const log = (msg) => process.stderr.write(`pg-cluster: ${msg}\n`);
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServerBinaries(dir) {
  return isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl'));
}

/** The folder holding initdb and pg_ctl (and the matching createdb, postgres), or null. */
export function findBinDir() {
  const candidates = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    // /usr/local/bin/initdb may be a symlink: use the real folder so every tool is the same version.
    const initdb = dir && path.join(dir, 'initdb');
    if (initdb && isExecutable(initdb)) candidates.push(path.dirname(realpathSync(initdb)), dir);
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    for (const v of versions) candidates.push(path.join(debianRoot, v, 'bin'));
  }
  return candidates.find(hasServerBinaries) ?? null;
}

function tool(binDir, name) {
  const local = path.join(binDir, name);
  if (isExecutable(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`${name} not found beside ${binDir} nor in PATH`);
}

/** Runs a command, as the postgres user when we are root; output is kept for error messages. */
function run(cmd, args, { asServerUser = false, cwd, timeoutMs = 120_000 } = {}) {
  const [file, argv] =
    asServerUser && isRoot() ? ['runuser', ['-u', OS_USER, '--', cmd, ...args]] : [cmd, args];
  const res = spawnSync(file, argv, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
  const ok = res.status === 0 && !res.error;
  const why = res.error ? res.error.message : res.signal ? `killed by ${res.signal}` : `exit ${res.status}`;
  return { ok, output, why, command: `${path.basename(cmd)} ${args.join(' ')}` };
}

function check(result) {
  if (!result.ok) throw new Error(`${result.command} failed (${result.why})\n${result.output}`);
  return result;
}

function ensureServerUser() {
  if (spawnSync('id', ['-u', OS_USER], { stdio: 'ignore' }).status === 0) return;
  log(`creating system user ${OS_USER} (PostgreSQL will not run as root)`);
  check(run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]));
}

function serverUserIds() {
  const id = (flag) => Number(check(run('id', [flag, OS_USER])).output);
  return { uid: id('-u'), gid: id('-g') };
}

function giveToServerUser(dir) {
  if (!isRoot()) return;
  const { uid, gid } = serverUserIds();
  chownSync(dir, uid, gid);
  if (!run('test', ['-w', dir, '-a', '-x', dir], { asServerUser: true }).ok) {
    throw new Error(
      `user ${OS_USER} cannot write ${dir} (is a parent folder private to root?): use a folder under /tmp`,
    );
  }
}

function hasUtf8CLocale() {
  const res = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  return res.status === 0 && /^c\.utf-?8$/im.test(res.stdout);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForConnections(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await sleep(200);
  }
  throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${port} within ${timeoutMs / 1000}s`);
}

function tailOf(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function readState(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
}

function writeState(dir, state) {
  writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

function stopSync(dir) {
  const state = readState(dir);
  const dataDir = state?.dataDir ?? path.join(dir, 'data');
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    const binDir = state?.binDir ?? findBinDir();
    const res = binDir
      ? run(tool(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], {
          asServerUser: true,
          cwd: dir,
          timeoutMs: 40_000,
        })
      : { ok: false, output: NO_BINARIES };
    if (!res.ok) killFromPidFile(dataDir, res.output);
  }
  rmSync(dir, { recursive: true, force: true });
  if (state?.socketDir && state.socketDir !== dir) rmSync(state.socketDir, { recursive: true, force: true });
}

function killFromPidFile(dataDir, why) {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) {
      log(`pg_ctl stop failed, killing postmaster ${pid}: ${why}`);
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // No postmaster.pid or no such process: nothing is running.
  }
}

/** Stops the cluster recorded in DIR/cluster.json (if any is running) and removes DIR. */
export async function stopCluster(dir) {
  if (!dir) throw new Error('stopCluster needs the cluster folder');
  stopSync(path.resolve(dir));
}

/**
 * Creates and starts a throw-away cluster with a database `orderhub` owned by the password-less
 * superuser `postgres` (trust auth, loopback only).
 * @param {{ dir?: string, keepOnExit?: boolean }} [options] dir: the folder to use (created if
 *   missing; removed by stop). keepOnExit: leave it running when this process exits (the CLI does).
 * @returns {Promise<{ url: string, dir: string, port: number, stop: () => Promise<void> }>}
 */
export async function startCluster({ dir, keepOnExit = false } = {}) {
  const binDir = findBinDir();
  if (!binDir) throw new Error(NO_BINARIES);
  if (isRoot()) ensureServerUser();

  if (dir) {
    dir = path.resolve(dir);
    if (existsSync(path.join(dir, STATE_FILE)) || existsSync(path.join(dir, 'data'))) {
      throw new Error(`${dir} already holds a cluster: stop it first (pg-cluster.mjs stop --dir ${dir})`);
    }
    mkdirSync(dir, { recursive: true });
  } else {
    dir = mkdtempSync('/tmp/orderhub-pg-');
  }
  if (dir.includes("'")) throw new Error(`the cluster folder may not contain a quote: ${dir}`);

  let socketDir = dir;
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const cleanUp = () => {
    try {
      // Leave a state file behind (if the server got that far) so stopSync finds what to stop and remove.
      if (!existsSync(path.join(dir, STATE_FILE))) writeState(dir, { dataDir, binDir, socketDir });
      stopSync(dir);
    } catch (err) {
      log(`clean-up failed: ${err.message}`);
    }
  };

  try {
    giveToServerUser(dir);
    if (Buffer.byteLength(path.join(dir, '.s.PGSQL.65535')) > MAX_SOCKET_PATH) {
      socketDir = mkdtempSync('/tmp/orderhub-pgsock-');
      giveToServerUser(socketDir);
    }

    const version = run(tool(binDir, 'pg_ctl'), ['--version']).output;
    log(`${version} from ${binDir}, cluster in ${dir}`);
    // Same collation and ctype as PGlite (C / C.UTF-8), so both test passes sort text alike.
    const locale = ['--locale=C', ...(hasUtf8CLocale() ? ['--lc-ctype=C.UTF-8'] : [])];
    check(
      run(
        tool(binDir, 'initdb'),
        ['-D', dataDir, '--auth=trust', `--username=${SUPERUSER}`, '--encoding=UTF8', ...locale, '--no-sync'],
        { asServerUser: true, cwd: dir },
      ),
    );

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        `-p ${port}`,
        `-k '${socketDir}'`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
        // PGlite runs in UTC: keep the server default the same on both test passes.
        '-c TimeZone=UTC',
      ].join(' ');
      const res = run(
        tool(binDir, 'pg_ctl'),
        ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options, 'start'],
        { asServerUser: true, cwd: dir, timeoutMs: 90_000 },
      );
      if (res.ok) break;
      const serverLog = tailOf(logFile);
      // Another process may have taken the port between our probe and the server's bind.
      if (attempt < 3 && /could not (bind|create listen)|address already in use/i.test(serverLog)) {
        log(`port ${port} was taken, trying another`);
        continue;
      }
      throw new Error(`${res.command} failed (${res.why})\n${res.output}\n--- server log ---\n${serverLog}`);
    }
    // From here on a stop must find the server, even if creating the database fails.
    writeState(dir, { dataDir, port, binDir, socketDir });
    await waitForConnections(port);

    const createdb = tool(binDir, 'createdb');
    const createArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-O', SUPERUSER, DB_NAME];
    for (let attempt = 1; ; attempt++) {
      const res = run(createdb, createArgs, { cwd: dir, timeoutMs: 30_000 });
      if (res.ok) break;
      if (attempt >= 10) check(res);
      await sleep(300);
    }

    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/${DB_NAME}`;
    writeState(dir, { dataDir, port, url, binDir, socketDir });
    log(`ready on 127.0.0.1:${port}`);

    const onExit = () => stopSync(dir);
    if (!keepOnExit) process.once('exit', onExit);
    const stop = async () => {
      process.removeListener('exit', onExit);
      stopSync(dir);
    };
    return { url, dir, port, stop };
  } catch (err) {
    cleanUp();
    throw err;
  }
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const opts = { command };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--dir') opts.dir = rest[++i];
    else if (arg.startsWith('--dir=')) opts.dir = arg.slice('--dir='.length);
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (opts.dir === undefined && rest.includes('--dir')) throw new Error('--dir needs a folder');
  return opts;
}

const USAGE = 'usage: pg-cluster.mjs start [--dir DIR] | stop --dir DIR | bindir';

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  switch (opts.command) {
    case 'start': {
      const { url } = await startCluster({ dir: opts.dir, keepOnExit: true });
      process.stdout.write(`${url}\n`);
      return;
    }
    case 'stop':
      if (!opts.dir) throw new Error(`stop needs --dir DIR\n${USAGE}`);
      await stopCluster(opts.dir);
      log(`stopped and removed ${path.resolve(opts.dir)}`);
      return;
    case 'bindir': {
      const binDir = findBinDir();
      if (!binDir) throw new Error(NO_BINARIES);
      process.stdout.write(`${binDir}\n`);
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err) => {
    log(err.message);
    process.exitCode = 1;
  });
}
